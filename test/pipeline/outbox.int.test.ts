import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { SQSClient } from "@aws-sdk/client-sqs";
import * as Events from "@kith/core/events";
import * as Identity from "@kith/core/identity";
import * as Orgs from "@kith/core/orgs";
import { db } from "@kith/core/storage";
import { LocalEventBus } from "@kith/local/bus";
import { localClient } from "@kith/local/dynamo";
import { QueuePoller } from "@kith/local/pollers";
import { provisionDeadLetterQueue, provisionQueue } from "@kith/local/sqs";
import { StreamPoller } from "@kith/local/streams";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { manifest } from "../../manifest";
import { testSqsClient, uniqueName, useEmulators, useFreshTable } from "../support/integration";

/**
 * The transactional outbox end to end, as `npm start` wires it: a core write commits its events in
 * the same DynamoDB write; the table's stream → the relay (the manifest's stream consumer) → the
 * local bus → the journal's queue → the journal. Failures are injected between commit and publish.
 */

const relay = manifest.streams.find((stream) => stream.name === "outbox-relay");
const journalQueue = manifest.queues.find((queue) => queue.name === "domain-events");
if (!relay || !journalQueue) throw new Error("the manifest lost the outbox relay or the journal queue");

async function waitFor(probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("condition not met in time");
}

describe("transactional outbox: committed events reach the journal exactly once", () => {
  let table: { tableName: string; drop: () => Promise<void> };
  let sqs: SQSClient;
  let streams: DynamoDBStreamsClient;
  let dynamo: ReturnType<typeof localClient>;
  let bus: LocalEventBus;
  let busPort: number | undefined;
  let journal: QueuePoller;
  let dlqUrl: string;
  let dir: string;
  const relays: StreamPoller[] = [];

  beforeAll(async () => {
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
    dir = mkdtempSync(join(tmpdir(), "kith-outbox-"));
    const queue = await provisionQueue(sqs, { ...journalQueue, name: uniqueName("journal") }, "it-");
    dlqUrl = (await provisionDeadLetterQueue(sqs, uniqueName("relay-dlq"))).url;
    bus = new LocalEventBus(
      manifest.subscriptions,
      { sqs, queueUrls: new Map([["domain-events", queue.url]]) },
      "us-east-1",
      "kith-outbox-test",
    );
    // Always the same port: the relay's EventBridge client is created once per process, like Lambda's.
    const endpoint = await bus.start(busPort ?? 0);
    busPort = Number(new URL(endpoint).port);
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = endpoint;
    process.env.KITH_EVENT_BUS_NAME = "kith-outbox-test";
    journal = new QueuePoller(sqs, queue, { retryDelaySeconds: 0, waitTimeSeconds: 1 });
    journal.start();
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((poller) => poller.stop()));
    await journal.stop();
    await bus.stop();
    await table.drop();
    rmSync(dir, { recursive: true, force: true });
    delete process.env.KITH_EVENT_BUS_NAME;
  });

  function startRelay(): StreamPoller {
    const poller = new StreamPoller(dynamo, streams, table.tableName, relay as NonNullable<typeof relay>, {
      checkpointFile: join(dir, "relay.json"),
      deadLetterQueue: { sqs, url: dlqUrl },
      idleMs: 20,
      retryDelayMs: 50,
      maxRetryDelayMs: 200,
    });
    relays.push(poller);
    poller.start();
    return poller;
  }

  /** Every journal entry of the org, by event id → how many times it was recorded. */
  async function journalled(orgIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const orgId of orgIds) {
      const page = await db.query({
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `JOURNAL#${orgId}` },
        ConsistentRead: true,
      });
      for (const item of page.Items ?? [])
        counts.set(item.id as string, (counts.get(item.id as string) ?? 0) + 1);
    }
    return counts;
  }

  /** A handful of real state changes: an org, users with identities, an update and an unmapped sighting. */
  async function someWrites(): Promise<{ orgIds: string[]; eventIds: string[] }> {
    const { org, events } = await Orgs.create({ name: uniqueName("Outbox") });
    const eventIds = events.map((event) => event.id);
    for (let i = 0; i < 3; i++) {
      const user = await Identity.create(
        org.id,
        { name: `Person ${i}`, identities: [{ kind: "github", externalId: String(1000 + i) }] },
        { actor: "op:test" },
      );
      await Identity.update(org.id, user.id, { name: `Person ${i} renamed` }, { actor: "op:test" });
    }
    await Identity.resolve(
      org.id,
      { kind: "slack", externalId: "T0ABC123:U0XYZ999" },
      { emailVerified: false, source: "test", allowCreate: false },
    );
    // What the writes committed, read back from the outbox they were written to.
    const items = await db.query({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `ORG#${org.id}#UNMAPPED#slack#T0ABC123:U0XYZ999` },
    });
    const carried = (items.Items ?? []).flatMap(
      (item) => JSON.parse(item.outbox as string) as { id: string }[],
    );
    eventIds.push(...carried.map((event) => event.id));
    return { orgIds: [org.id], eventIds };
  }

  it("with the bus down when the writes commit, every event is journalled exactly once once it is back", async () => {
    // prepare: the bus is unreachable; the relay runs and keeps failing
    await bus.stop();
    const running = startRelay();
    const { orgIds, eventIds } = await someWrites();
    await waitFor(async () => running.status().retried > 0);

    // act: the bus comes back where its clients expect it
    await bus.start(busPort);
    await waitFor(async () => (await journalled(orgIds)).size >= 1 + 3 * 3 + 1);
    await running.drain();
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // assess: 1 org.created, 3 × (user.created, identity.linked, user.updated), 1 identity.unmapped
    const counts = await journalled(orgIds);
    expect(counts.size).toBe(11);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    for (const id of eventIds) expect(counts.get(id)).toBe(1);
    expect(running.status().lastError).not.toBeNull();
  });

  it("writes committed while no relay runs (the process died after the write) are journalled once by the next one", async () => {
    // prepare: commit with nothing relaying, as if the process had been killed right after the write
    const { orgIds } = await someWrites();
    expect((await journalled(orgIds)).size).toBe(0);

    // act
    const next = startRelay();
    await waitFor(async () => (await journalled(orgIds)).size >= 11);
    await next.drain();

    // assess
    const counts = await journalled(orgIds);
    expect(counts.size).toBe(11);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  });

  it("a relay that published but died before its checkpoint publishes again, and the journal still records each event once", async () => {
    // prepare: a first relay publishes everything; its checkpoint from before is put back
    const first = startRelay();
    await first.drain();
    copyFileSync(join(dir, "relay.json"), join(dir, "before.json"));
    const { orgIds } = await someWrites();
    await waitFor(async () => (await journalled(orgIds)).size >= 11);
    await first.drain();
    await first.stop();
    copyFileSync(join(dir, "before.json"), join(dir, "relay.json"));

    // act: the next relay starts from the stale checkpoint and re-publishes the same events
    const second = startRelay();
    await second.drain();
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // assess
    expect(second.status().delivered).toBeGreaterThan(0);
    const counts = await journalled(orgIds);
    expect(counts.size).toBe(11);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  });

  it("the operator's replay re-publishes what outboxes still hold in a window, and a second replay changes nothing", async () => {
    // prepare: nothing relays, as when the relay gave up on a batch and reported it to its DLQ
    const since = new Date(Date.now() - 1000);
    const { orgIds } = await someWrites();

    // act
    const first = await Events.replayOutbox({ since });
    await waitFor(async () => (await journalled(orgIds)).size >= 11);
    const second = await Events.replayOutbox({ since });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const old = await Events.replayOutbox({ since: new Date(0), until: new Date(since.getTime() - 60_000) });

    // assess
    expect(first.events).toBe(11);
    expect(second.events).toBe(11);
    expect(old.events).toBe(0);
    const counts = await journalled(orgIds);
    expect(counts.size).toBe(11);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  });
});
