import "./quiet-logs";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import { signFindemWebhook } from "@kith/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { drainQueue, testSqsClient, uniqueName, useEmulators } from "../support/integration";
import { expectError, type Reply, useRouteGateway } from "./support";

const SECRET = `whsec_${Buffer.from("routes-test-findem-webhook-secret").toString("base64")}`;
const PATH = "/webhooks/findem";

describe("routes: POST /webhooks/findem (F7)", () => {
  const routes = useRouteGateway();
  let sqs: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    process.env.FINDEM_WEBHOOK_SECRET = SECRET;
    sqs = testSqsClient();
    const name = uniqueName("enrichment");
    await sqs.send(new CreateQueueCommand({ QueueName: name }));
    queueUrl = `${useEmulators().sqsEndpoint}/000000000000/${name}`;
    process.env.KITH_QUEUE_URL_ENRICHMENT = queueUrl;
  });
  afterAll(() => sqs.destroy());
  beforeEach(async () => {
    await drainQueue(sqs, queueUrl);
  });

  function deliver(
    payload: unknown,
    options: { secret?: string; timestampSeconds?: number } = {},
  ): Promise<Reply> {
    const signed = signFindemWebhook(payload, options.secret ?? SECRET, {
      ...(options.timestampSeconds === undefined ? {} : { timestampSeconds: options.timestampSeconds }),
    });
    return routes.api("POST", PATH, { token: null, raw: signed.body, headers: signed.headers });
  }

  const update = (findemId: string) => ({
    type: "profile.updated",
    data: { findemId, linkedinHandle: "someone", emails: ["Someone@Example.com"] },
  });

  it("a signed profile.updated is a 200 and queues a refresh of the person", async () => {
    const reply = await deliver(update("fdm_route_1"));

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ received: true, outcome: "processed" });
    const jobs = (await drainQueue(sqs, queueUrl)).map((message) => JSON.parse(message.Body ?? "{}"));
    expect(jobs).toEqual([{ kind: "person", findemId: "fdm_route_1" }]);
  });

  it("another event type is acknowledged and ignored", async () => {
    const reply = await deliver({ type: "profile.deleted", data: { findemId: "fdm_route_2" } });

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ received: true, outcome: "ignored" });
    expect(await drainQueue(sqs, queueUrl)).toHaveLength(0);
  });

  it("a forged or stale signature is a 401, and a malformed body a 400; none queues or writes anything", async () => {
    const before = await routes.tableItems();
    const forged = await deliver(update("fdm_route_3"), {
      secret: `whsec_${Buffer.from("not-the-findem-webhook-secret!!").toString("base64")}`,
    });
    const stale = await deliver(update("fdm_route_3"), {
      timestampSeconds: Math.floor(Date.now() / 1000) - 600,
    });
    const unsigned = await routes.api("POST", PATH, {
      token: null,
      raw: JSON.stringify(update("fdm_route_3")),
    });
    const malformed = await deliver({ type: "profile.updated", data: { emails: "nobody" } });

    expectError(forged, 401, "unauthenticated");
    expectError(stale, 401, "unauthenticated");
    expectError(unsigned, 401, "unauthenticated");
    expectError(malformed, 400, "invalid_input");
    expect(await drainQueue(sqs, queueUrl)).toHaveLength(0);
    expect(await routes.tableItems()).toEqual(before);
  });
});
