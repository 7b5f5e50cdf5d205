import { ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { Events, Identity } from "@kith/core";

const { UserCreated, UserUpdated } = Identity.Events;

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSqsClient, uniqueName } from "../../../test/support/integration";
import { LocalEventBus } from "./bus";
import { type ProvisionedQueue, provisionQueue } from "./sqs";

describe("local event bus", () => {
  let sqs: SQSClient;
  let users: ProvisionedQueue;
  let everything: ProvisionedQueue;
  let bus: LocalEventBus;

  beforeAll(async () => {
    sqs = testSqsClient();
    const queue = (name: string) => ({
      name: uniqueName(name),
      fifo: false,
      visibilityTimeoutSeconds: 30,
      batchSize: 10,
      maxReceiveCount: 3,
      consumer: "unused.handler",
      consumerTimeoutSeconds: 5,
    });
    users = await provisionQueue(sqs, queue("users"), "bus-");
    everything = await provisionQueue(sqs, queue("all"), "bus-");
    bus = new LocalEventBus(
      [
        {
          name: "users-only",
          pattern: { source: ["kith"], detailType: ["user.created"] },
          target: { queue: "users" },
        },
        { name: "all", pattern: { source: ["kith"] }, target: { queue: "all" } },
      ],
      {
        sqs,
        queueUrls: new Map([
          ["users", users.url],
          ["all", everything.url],
        ]),
      },
      "us-east-1",
      "kith-test",
    );
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = await bus.start();
    process.env.KITH_EVENT_BUS_NAME = "kith-test";
  });
  afterAll(async () => {
    await bus.stop();
    sqs.destroy();
  });

  async function drain(url: string) {
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    return (received.Messages ?? []).map((message) => JSON.parse(message.Body ?? "{}"));
  }

  it("core's putOnBus reaches every subscription whose pattern matches, in the envelope EventBridge delivers", async () => {
    const created = UserCreated.create("org-1", { userId: "u1" });
    const updated = UserUpdated.create("org-1", { userId: "u1", changes: ["profile_changed"] });

    await Events.putOnBus([created, updated]);

    const toUsers = await drain(users.url);
    const toAll = await drain(everything.url);
    expect(toUsers.map((envelope) => envelope.detail.id)).toEqual([created.id]);
    expect(toAll.map((envelope) => envelope.detail.id).sort()).toEqual([created.id, updated.id].sort());
    expect(Events.BusEnvelopeSchema.safeParse(toUsers[0]).success).toBe(true);
    expect(toUsers[0]).toMatchObject({ source: "kith", "detail-type": "user.created", region: "us-east-1" });
    expect(bus.status()).toMatchObject({ accepted: 2, delivered: 3 });
  });

  it("an event for another bus is refused, as AWS refuses a bus that does not exist, and nothing is delivered", async () => {
    process.env.KITH_EVENT_BUS_NAME = "no-such-bus";
    const before = bus.status();

    const attempt = Events.putOnBus([UserCreated.create("org-1", { userId: "u2" })]);

    await expect(attempt).rejects.toThrow(/ResourceNotFoundException/);
    expect(bus.status().delivered).toBe(before.delivered);
    process.env.KITH_EVENT_BUS_NAME = "kith-test";
  });
});
