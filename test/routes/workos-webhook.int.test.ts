import "./quiet-logs";
import type { Message, SQSClient } from "@aws-sdk/client-sqs";
import { signWorkOSWebhook } from "@kith/sandbox";
import { monotonicFactory } from "ulid";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFifoQueue, drainQueue, testSqsClient, uniqueName } from "../support/integration";
import { expectError, type Reply, useRouteGateway } from "./support";

const SECRET = "whsec_routes_test_0123456789abcdef";
const PATH = "/webhooks/workos";
const MINUTE = 60_000;
const nextId = monotonicFactory();

/** A WorkOS event body as webhooks deliver it (snake_case, `object: "event"`), its data stamped now. */
function workosEvent<D extends Record<string, unknown>>(event: string, data: D) {
  const at = new Date().toISOString();
  return {
    object: "event",
    id: `event_${nextId()}`,
    event,
    data: { ...data, created_at: at, updated_at: at },
    created_at: at,
  };
}

/** A WorkOS organization event. */
function organizationEvent(event: string, directoryOrgId = `org_${nextId()}`) {
  return workosEvent(event, {
    object: "organization",
    id: directoryOrgId,
    name: uniqueName("Webhook Org"),
    allow_profiles_outside_organization: false,
    domains: [],
    external_id: null,
    metadata: {},
  });
}

describe("routes: POST /webhooks/workos", () => {
  const routes = useRouteGateway();
  let sqs: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    process.env.WORKOS_WEBHOOK_SECRET = SECRET;
    sqs = testSqsClient();
    queueUrl = await createFifoQueue(sqs, "directory-events");
    process.env.KITH_QUEUE_URL_DIRECTORY_EVENTS = queueUrl;
  });
  afterAll(() => sqs.destroy());

  /** Every message on the queue now, removed as it is read. */
  function drain(): Promise<Message[]> {
    return drainQueue(sqs, queueUrl);
  }

  function deliver(body: string, headers: Record<string, string>): Promise<Reply> {
    return routes.api("POST", PATH, { token: null, raw: body, headers });
  }

  function deliverSigned(
    payload: object | string,
    secret = SECRET,
    timestampMs = Date.now(),
  ): Promise<Reply> {
    const signed = signWorkOSWebhook(payload, secret, timestampMs);
    return deliver(signed.body, signed.headers);
  }

  beforeEach(async () => {
    await drain();
  });

  it("a signed organization.created is a 200 and queues exactly one nudge for that organization, writing nothing", async () => {
    // prepare
    const event = organizationEvent("organization.created");
    const before = await routes.tableItems();

    // act
    const reply = await deliverSigned(event);

    // assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ received: true });
    const messages = await drain();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Attributes).toMatchObject({
      MessageGroupId: event.data.id,
      MessageDeduplicationId: event.id,
    });
    expect(JSON.parse(messages[0]?.Body as string)).toEqual({
      directoryOrgId: event.data.id,
      reason: "webhook organization.created",
    });
    expect(await routes.tableItems()).toEqual(before);
  });

  it.each([["organization.updated"], ["organization.deleted"]])(
    "a signed %s queues one nudge grouped by data.id",
    async (type) => {
      // prepare
      const event = organizationEvent(type);

      // act
      const reply = await deliverSigned(event);

      // assess
      expect(reply.status).toBe(200);
      const messages = await drain();
      expect(messages.map((message) => message.Attributes?.MessageGroupId)).toEqual([event.data.id]);
    },
  );

  it("a membership event queues one nudge for data.organization_id", async () => {
    // prepare
    const directoryOrgId = `org_${nextId()}`;
    const event = workosEvent("organization_membership.created", {
      object: "organization_membership",
      id: `om_${nextId()}`,
      organization_id: directoryOrgId,
      organization_name: "Members Inc",
      user_id: `user_${nextId()}`,
      status: "active",
      role: { slug: "member" },
    });
    const before = await routes.tableItems();

    // act
    const reply = await deliverSigned(event);

    // assess
    expect(reply.status).toBe(200);
    const messages = await drain();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Attributes).toMatchObject({
      MessageGroupId: directoryOrgId,
      MessageDeduplicationId: event.id,
    });
    expect(JSON.parse(messages[0]?.Body as string)).toEqual({
      directoryOrgId,
      reason: "webhook organization_membership.created",
    });
    expect(await routes.tableItems()).toEqual(before);
  });

  it.each([["user.created"], ["user.updated"], ["user.deleted"]])(
    "a signed %s queues one nudge of the user stream (user events concern no organization), writing nothing",
    async (type) => {
      // prepare
      const event = workosEvent(type, {
        object: "user",
        id: `user_${nextId()}`,
        email: "someone@example.com",
        email_verified: true,
      });
      const before = await routes.tableItems();

      // act
      const reply = await deliverSigned(event);

      // assess
      expect(reply.status).toBe(200);
      const messages = await drain();
      expect(messages).toHaveLength(1);
      expect(messages[0]?.Attributes).toMatchObject({
        MessageGroupId: "directory-users",
        MessageDeduplicationId: event.id,
      });
      expect(JSON.parse(messages[0]?.Body as string)).toEqual({ stream: "users", reason: `webhook ${type}` });
      expect(await routes.tableItems()).toEqual(before);
    },
  );

  it("an event that concerns neither an organization nor a user is acknowledged with 200 and queues nothing", async () => {
    // prepare
    const event = workosEvent("session.created", { object: "session", id: `session_${nextId()}` });

    // act
    const reply = await deliverSigned(event);

    // assess
    expect(reply.status).toBe(200);
    expect(await drain()).toEqual([]);
  });

  it("the same webhook delivered twice is queued once (deduplicated by event id)", async () => {
    // prepare
    const event = organizationEvent("organization.updated");

    // act
    const first = await deliverSigned(event);
    const second = await deliverSigned(event);

    // assess
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await drain()).toHaveLength(1);
  });

  it.each([
    [
      "a tampered body",
      () => {
        const signed = signWorkOSWebhook(organizationEvent("organization.created"), SECRET);
        const tampered = signed.body.replace('"organization.created"', '"organization.updated"');
        return { body: tampered, headers: signed.headers };
      },
    ],
    [
      "a missing WorkOS-Signature header",
      () => ({
        body: JSON.stringify(organizationEvent("organization.created")),
        headers: { "content-type": "application/json" },
      }),
    ],
    [
      "a signature made with another secret",
      () => signWorkOSWebhook(organizationEvent("organization.created"), "whsec_someone_else"),
    ],
    [
      "a timestamp more than 3 minutes old",
      () => signWorkOSWebhook(organizationEvent("organization.created"), SECRET, Date.now() - 4 * MINUTE),
    ],
    [
      "a timestamp more than 3 minutes in the future",
      () => signWorkOSWebhook(organizationEvent("organization.created"), SECRET, Date.now() + 4 * MINUTE),
    ],
    [
      "a signature header without a v1 value",
      () => {
        const signed = signWorkOSWebhook(organizationEvent("organization.created"), SECRET);
        const t = /t=(\d+)/.exec(signed.headers["workos-signature"] as string)?.[1];
        return { body: signed.body, headers: { ...signed.headers, "workos-signature": `t=${t}` } };
      },
    ],
  ])("%s is a 401 that queues and writes nothing", async (_, make) => {
    // prepare
    const { body, headers } = make();
    const before = await routes.tableItems();

    // act
    const reply = await deliver(body, headers);

    // assess
    expectError(reply, 401, "unauthenticated");
    expect(await drain()).toEqual([]);
    expect(await routes.tableItems()).toEqual(before);
  });

  it("malformed JSON with a valid signature is a 400 that queues and writes nothing", async () => {
    // prepare
    const before = await routes.tableItems();

    // act
    const reply = await deliverSigned('{"id":"event_x","event":"organization.created",');

    // assess
    expectError(reply, 400, "invalid_json");
    expect(await drain()).toEqual([]);
    expect(await routes.tableItems()).toEqual(before);
  });

  it("a signed body over 1 MiB is a 413 that queues and writes nothing", async () => {
    // prepare
    const event = organizationEvent("organization.created");
    const padded = { ...event, data: { ...event.data, metadata: { padding: "x".repeat(1024 * 1024) } } };
    const before = await routes.tableItems();

    // act
    const reply = await deliverSigned(padded);

    // assess
    expect(reply.status).toBe(413);
    expect(await drain()).toEqual([]);
    expect(await routes.tableItems()).toEqual(before);
  });

  it("a signed body that is not an event (no id) is acknowledged and queues nothing", async () => {
    // act
    const reply = await deliverSigned({
      event: "organization.created",
      data: { id: "org_without_event_id" },
    });

    // assess
    expect(reply.status).toBe(200);
    expect(await drain()).toEqual([]);
  });
});
