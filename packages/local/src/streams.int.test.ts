import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { StreamDefinition } from "../../../manifest";
import { heal, received } from "../../../test/support/handlers/recording-stream-consumer";
import { testSqsClient, uniqueName, useEmulators, useFreshTable } from "../../../test/support/integration";
import { localClient } from "./dynamo";
import { provisionDeadLetterQueue } from "./sqs";
import { StreamPoller } from "./streams";

async function waitFor(probe: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("condition not met in time");
}

const consumerSettings = {
  consumer: "test/support/handlers/recording-stream-consumer.handler",
  consumerTimeoutSeconds: 5,
  batchSize: 3,
  maxRecordAgeSeconds: 3600,
};
const definition: StreamDefinition = {
  name: "test-stream",
  newImageAttribute: "outbox",
  ...consumerSettings,
};
const entityDefinition: StreamDefinition = {
  name: "test-entity-stream",
  entity: ["interactionEvent"],
  ...consumerSettings,
};

const removalsDefinition: StreamDefinition = {
  name: "test-removals-stream",
  entity: ["interactionEvent"],
  eventNames: ["REMOVE"],
  ...consumerSettings,
};

describe("stream poller: Lambda's DynamoDB Streams event-source mapping, locally", () => {
  let table: { tableName: string; drop: () => Promise<void> };
  let dynamo: ReturnType<typeof localClient>;
  let streams: DynamoDBStreamsClient;
  let sqs: SQSClient;
  let dlqUrl: string;
  let dir: string;
  const pollers: StreamPoller[] = [];

  beforeAll(() => {
    const { dynamoEndpoint } = useEmulators();
    dynamo = localClient(dynamoEndpoint);
    streams = new DynamoDBStreamsClient({
      endpoint: dynamoEndpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    sqs = testSqsClient();
  });
  afterAll(() => {
    dynamo.destroy();
    streams.destroy();
    sqs.destroy();
  });
  beforeEach(async () => {
    table = await useFreshTable({ stream: true });
    dlqUrl = (await provisionDeadLetterQueue(sqs, uniqueName("stream-dlq"))).url;
    dir = mkdtempSync(join(tmpdir(), "kith-streams-"));
    received.length = 0;
    heal(false);
  });
  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
    await table.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  function poller(options: { now?: () => number; definition?: StreamDefinition } = {}): StreamPoller {
    const created = new StreamPoller(dynamo, streams, table.tableName, options.definition ?? definition, {
      checkpointFile: join(dir, "checkpoint.json"),
      deadLetterQueue: { sqs, url: dlqUrl },
      idleMs: 20,
      retryDelayMs: 20,
      maxRetryDelayMs: 50,
      ...options,
    });
    pollers.push(created);
    return created;
  }

  async function put(pk: string, attributes: Record<string, string> = {}): Promise<void> {
    const extra = Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { S: value }]));
    await dynamo.send(
      new PutItemCommand({ TableName: table.tableName, Item: { pk: { S: pk }, sk: { S: "#" }, ...extra } }),
    );
  }

  async function remove(pk: string): Promise<void> {
    await dynamo.send(
      new DeleteItemCommand({ TableName: table.tableName, Key: { pk: { S: pk }, sk: { S: "#" } } }),
    );
  }

  it("delivers only records whose new image has the attribute, oldest first, in batches of at most batchSize", async () => {
    // prepare
    for (let i = 0; i < 7; i++) await put(`item-${i}`, i % 3 === 1 ? {} : { outbox: "[]" });
    await remove("item-0");

    // act
    const running = poller();
    running.start();
    await waitFor(() => received.length >= 5);
    await running.drain();

    // assess
    expect(received.map((record) => record.pk)).toEqual(["item-0", "item-2", "item-3", "item-5", "item-6"]);
    expect(received.every((record) => record.eventName === "INSERT")).toBe(true);
    expect(running.status().batches).toBe(2);
  });

  it("an entity stream delivers inserts, modifies and removes of that entity's items, a remove with its old image", async () => {
    // prepare: a wipe or a TTL expiry leaves the same REMOVE record as this delete
    await put("event", { entity: "interactionEvent" });
    await put("contact", { entity: "contact", outbox: "[]" });
    await put("bare");
    await put("event", { entity: "interactionEvent", direction: "sent" });
    await remove("contact");
    await remove("event");

    // act
    const running = poller({ definition: entityDefinition });
    running.start();
    await waitFor(() => received.length >= 3);
    await running.drain();

    // assess: nothing of "contact" or "bare"
    expect(received.map((record) => [record.pk, record.eventName])).toEqual([
      ["event", "INSERT"],
      ["event", "MODIFY"],
      ["event", "REMOVE"],
    ]);
    const removed = received[2];
    expect(removed?.newImage).toBeUndefined();
    expect(removed?.oldImage).toMatchObject({ entity: { S: "interactionEvent" }, direction: { S: "sent" } });
  });

  it("an entity stream with eventNames REMOVE delivers only that entity's deletions", async () => {
    // prepare
    await put("kept", { entity: "interactionEvent" });
    await put("gone", { entity: "interactionEvent" });
    await put("gone", { entity: "interactionEvent", direction: "sent" });
    await put("other", { entity: "contact" });
    await remove("other");
    await remove("gone");

    // act
    const running = poller({ definition: removalsDefinition });
    running.start();
    await waitFor(() => received.length >= 1);
    await running.drain();

    // assess: no insert or modify, and no other entity's removal
    expect(received.map((record) => [record.pk, record.eventName])).toEqual([["gone", "REMOVE"]]);
    expect(received[0]?.oldImage).toMatchObject({ direction: { S: "sent" } });
  });

  it("a reported failure is retried from that record on, and the records before it are not delivered again", async () => {
    // prepare
    await put("a", { outbox: "[]" });
    await put("b", { outbox: "[]", verdict: "poison" });
    await put("c", { outbox: "[]" });

    // act
    const running = poller();
    running.start();
    await waitFor(() => running.status().retried >= 4);
    heal();
    await waitFor(() => received.filter((record) => record.pk === "c").length >= 3);
    await running.drain();

    // assess: "a" once; "b" and "c" until the consumer healed, then once more
    const count = (pk: string) => received.filter((record) => record.pk === pk).length;
    expect(count("a")).toBe(1);
    expect(count("b")).toBe(count("c"));
    expect(running.status().lastError).toMatch(/consumer failed record/);
  });

  it("a consumer that throws fails the whole batch, which is retried until it succeeds", async () => {
    await put("x", { outbox: "[]", verdict: "crash" });
    await put("y", { outbox: "[]" });

    const running = poller();
    running.start();
    await waitFor(() => received.length >= 6);
    heal();
    await running.drain();

    const last = received.slice(-2).map((record) => record.pk);
    expect(last).toEqual(["x", "y"]);
    expect(running.status().lastError).toMatch(/crashed/);
  });

  it("a batch that still fails once its records are older than maxRecordAgeSeconds goes to the DLQ and is skipped", async () => {
    // prepare: the poller's clock is two hours ahead, past the one-hour limit
    await put("old", { outbox: "[]", verdict: "poison" });
    await put("next", { outbox: "[]" });

    // act
    const running = poller({ now: () => Date.now() + 2 * 3600_000 });
    running.start();
    await waitFor(() => running.status().reported === 1);
    await put("after", { outbox: "[]" });
    await waitFor(() => received.some((record) => record.pk === "after"));

    // assess
    const message = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }));
    const report = JSON.parse(message.Messages?.[0]?.Body ?? "{}");
    expect(report.requestContext.condition).toBe("RecordAgeExceeded");
    expect(report.DDBStreamBatchInfo).toMatchObject({ batchSize: 2, streamArn: expect.any(String) });
    expect(received.filter((record) => record.pk === "after")).toHaveLength(1);
  });

  it("a new poller resumes after the last acknowledged record: a restart neither loses nor repeats", async () => {
    // prepare
    await put("first", { outbox: "[]" });
    const before = poller();
    before.start();
    await waitFor(() => received.length === 1);
    await before.drain();
    await before.stop();
    await put("second", { outbox: "[]" });

    // act
    const after = poller();
    after.start();
    await waitFor(() => received.length >= 2);
    await after.drain();

    // assess
    expect(received.map((record) => record.pk)).toEqual(["first", "second"]);
  });
});
