import { createHmac, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import * as Identity from "@kith/core/identity";
import * as Integrations from "@kith/core/integrations";
import * as Orgs from "@kith/core/orgs";
import * as Storage from "@kith/core/storage";
import { logger } from "@kith/core/util";
import { RETENTION_SECONDS } from "@kith/core/webhooks/deliveries";
import { LocalGateway } from "@kith/local/gateway";
import { signGitHubDelivery } from "@kith/sandbox";
import examples from "@octokit/webhooks-examples";
import autocannon, { type Result } from "autocannon";
import { manifest, type RouteDefinition } from "../manifest";
import { apiName, perCall, percentile, printTable, type Row, withBenchTable } from "./support";

/**
 * Webhook ingress under load: the manifest's routes behind the local API Gateway (handlers in this
 * process, as in `npm start`) on DynamoDB Local, driven by autocannon (in a worker thread) with
 * signed GitHub deliveries from known senders, each with its own delivery id, at 1, 10, 25 and 50
 * connections (50 is the target). Then the same load against a no-op route on the same gateway, for
 * the ratio. DynamoDB requests are counted with `Storage.countRequests`: the gateway listens inside
 * the counting scope, so every request its handlers make is counted (and only those).
 *
 * Before the sweep, the store's own ceiling: the two requests a known sender's delivery makes (the
 * identity claim's GetItem, the delivery record's conditional PutItem), sent straight through
 * `Storage.db` by 50 concurrent loops, no gateway and no handler. With 50 connections there are
 * always 50 deliveries in flight, so by Little's law their mean latency is 50 / throughput, and the
 * throughput can be no more than the store's: 50 / (pairs/s) is the floor for the target row.
 * DynamoDB Local is a JVM: its throughput climbs for ten to twenty seconds of load (about 3× on a
 * 2-core machine) as it compiles, so the store is first loaded in 2 s windows (at least five) until
 * two windows in a row gain less than 5% on the best before them, and those windows are printed.
 *
 * Environment: BENCH_WEBHOOK_SECONDS (per phase, default 6), BENCH_WEBHOOK_WARMUP_SECONDS (3),
 * BENCH_WEBHOOK_CONNECTIONS (50: the target row and the store phase's concurrency),
 * BENCH_WEBHOOK_SWEEP (other connection counts, default "1,10,25"; "" for none),
 * BENCH_WEBHOOK_STORE_SECONDS (3: the store phase at each of the sweep's other concurrencies),
 * BENCH_WEBHOOK_STORE_WARMUP_SECONDS (20 at most: DynamoDB Local's JIT warm-up, see below),
 * BENCH_WEBHOOK_SENDERS (50), BENCH_WEBHOOK_SEQUENTIAL (200),
 * BENCH_AUTOCANNON_WORKERS (1; 0 runs autocannon on the gateway's own thread),
 * BENCH_DYNAMO (unset: DynamoDB Local on disk; "memory": in memory).
 */

const TABLE = "kith-bench-webhooks";
const SECRET = "bench-github-webhook-secret";
const INSTALLATION = 31_337_001;
const SENDER_BASE = 4_000_000;
const SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 6);
const WARMUP_SECONDS = Number(process.env.BENCH_WEBHOOK_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_WEBHOOK_CONNECTIONS ?? 50);
const SWEEP = [
  ...new Set(
    (process.env.BENCH_WEBHOOK_SWEEP ?? "1,10,25")
      .split(",")
      .filter((entry) => entry.trim() !== "")
      .map(Number)
      .filter((count) => Number.isInteger(count) && count > 0 && count !== CONNECTIONS),
  ),
].sort((a, b) => a - b);
const STORE_SECONDS = Number(process.env.BENCH_WEBHOOK_STORE_SECONDS ?? 3);
const STORE_WARMUP_SECONDS = Number(process.env.BENCH_WEBHOOK_STORE_WARMUP_SECONDS ?? 20);
const SENDERS = Number(process.env.BENCH_WEBHOOK_SENDERS ?? 50);
const SEQUENTIAL = Number(process.env.BENCH_WEBHOOK_SEQUENTIAL ?? 200);
const WORKERS = Number(process.env.BENCH_AUTOCANNON_WORKERS ?? 1);
const NOOP_PATH = "/bench/noop";
const REQUEST_HOOK = resolve(import.meta.dirname, "webhooks-request.cjs");

const TARGET_P99_MS = 100;
const TARGET_REQUESTS_PER_DELIVERY = 3;

type Counts = Storage.RequestCounts;

const ms = (value: number) => `${value.toFixed(1)} ms`;

function difference(after: Counts, before: Counts): Counts {
  const byCommand: Record<string, number> = {};
  for (const [command, count] of Object.entries(after.byCommand)) {
    const delta = count - (before.byCommand[command] ?? 0);
    if (delta > 0) byCommand[apiName(command)] = (byCommand[apiName(command)] ?? 0) + delta;
  }
  return {
    total: after.total - before.total,
    byCommand,
    readUnits: after.readUnits - before.readUnits,
    writeUnits: after.writeUnits - before.writeUnits,
  };
}

function describeCounts(counts: Counts, calls: number): string {
  const parts = Object.entries(counts.byCommand).map(([api, count]) => `${api} ${perCall(count / calls)}`);
  return `${perCall(counts.total / calls)} (${parts.join(", ")})`;
}

/** The GitHub payload every delivery carries: a real `issues.opened` (about 12 KB), re-addressed. */
function issueOpened(senderId: number): string {
  const definition = examples.find((candidate) => candidate.name === "issues");
  const example = (definition?.examples as unknown as Record<string, unknown>[] | undefined)?.find(
    (payload) => payload.action === "opened",
  );
  if (!example) throw new Error("no issues.opened example in @octokit/webhooks-examples");
  const payload = structuredClone(example) as Record<string, unknown> & { sender: Record<string, unknown> };
  payload.installation = { id: INSTALLATION, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMzEzMzcwMDE=" };
  payload.sender = { ...payload.sender, id: senderId, login: `bench-user-${senderId}`, type: "User" };
  return JSON.stringify(payload);
}

interface StoreCeiling {
  pairs: number;
  seconds: number;
  latencies: number[];
  counts: Counts;
}

/**
 * The store alone: `concurrency` loops, each sending what a known sender's delivery sends, one
 * after the other, straight through `Storage.db` (the identity claim read exactly as
 * `resolve.ts` reads it, then a new delivery record put under the condition `recordDone` puts it
 * under), until `seconds` have passed. The records carry their own entity, so they are not counted
 * as deliveries.
 */
async function storeCeiling(
  orgId: string,
  senders: readonly number[],
  concurrency: number,
  seconds: number,
): Promise<StoreCeiling> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const senderId = senders[next++ % senders.length] as number;
      const at = performance.now();
      const claim = await Storage.db.get({
        Key: Identity.keys.identityClaim(orgId, "github", String(senderId)),
        ConsistentRead: false,
        ProjectionExpression: "userId, #status",
        ExpressionAttributeNames: { "#status": "status" },
      });
      if (!claim.Item) throw new Error(`no identity claim for GitHub sender ${senderId}`);
      const now = new Date();
      const deliveryId = randomUUID();
      await Storage.db.put({
        Item: {
          pk: `ORG#${orgId}#DELIVERY#github#${deliveryId}`,
          sk: "#DELIVERY",
          entity: "benchStoreDelivery",
          orgId,
          provider: "github",
          deliveryId,
          eventType: "issues",
          receivedAt: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + RETENTION_SECONDS,
          state: "done",
          outcome: "known_sender",
        },
        ConditionExpression:
          "attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#state = :processing AND leaseExpiresAt < :nowMs)",
        ExpressionAttributeNames: { "#state": "state" },
        ExpressionAttributeValues: {
          ":nowSeconds": Math.floor(now.getTime() / 1000),
          ":nowMs": now.getTime(),
          ":processing": "processing",
        },
      });
      latencies.push(performance.now() - at);
    }
  };
  const { requests } = await Storage.countRequests(() =>
    Promise.all(Array.from({ length: concurrency }, loop)),
  );
  const byCommand: Record<string, number> = {};
  for (const [command, count] of Object.entries(requests.byCommand)) byCommand[apiName(command)] = count;
  return {
    pairs: latencies.length,
    seconds: (performance.now() - started) / 1000,
    latencies,
    counts: { ...requests, byCommand },
  };
}

const storeRate = (store: StoreCeiling) => store.pairs / Math.max(store.seconds, 1e-9);

/** Delivery records in the table: one per processed delivery. */
async function deliveryRecords(): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await Storage.documentClient().send(
      new ScanCommand({
        TableName: TABLE,
        Select: "COUNT",
        FilterExpression: "entity = :entity",
        ExpressionAttributeValues: { ":entity": "webhookDelivery" },
        ExclusiveStartKey: startKey,
      }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

export async function run(): Promise<void> {
  const started = performance.now();
  console.log(
    `webhook ingress on the local gateway + DynamoDB Local (${availableParallelism()} cores, node ${process.versions.node}); ` +
      `${[...SWEEP, CONNECTIONS].sort((x, y) => x - y).join("/")} connections (target ${CONNECTIONS}), ` +
      `DynamoDB Local ${process.env.BENCH_DYNAMO === "memory" ? "in memory" : "on disk"}, ${SECONDS} s per phase, autocannon ${WORKERS > 0 ? `in ${WORKERS} worker thread(s)` : "on the gateway's thread"}`,
  );
  // No bus: "domain events are not published" would print once per delivery.
  logger.setLogLevel("ERROR");
  const env = { GITHUB_WEBHOOK_SECRET: SECRET, POWERTOOLS_LOG_LEVEL: "ERROR" };
  await withBenchTable(
    { name: "webhooks", table: TABLE, inMemory: process.env.BENCH_DYNAMO === "memory", env },
    async ({ dataDir, onCleanup }) => {
      // One org, one GitHub installation, SENDERS people with GitHub identities.
      const { org } = await Orgs.create({ name: "Webhook Bench Co", slug: "webhook-bench-co" });
      await Integrations.create(
        org.id,
        { provider: "github", externalTenantId: String(INSTALLATION) },
        { actor: "system:bench" },
      );
      const senders = Array.from({ length: SENDERS }, (_, index) => SENDER_BASE + index);
      for (const senderId of senders) {
        await Identity.create(
          org.id,
          {
            name: `Bench Sender ${senderId}`,
            email: `sender.${senderId}@bench.example`,
            identities: [{ kind: "github", externalId: String(senderId) }],
          },
          { actor: "system:bench" },
        );
      }
      const bodies = senders.map(issueOpened);
      const poolFile = join(dataDir, "pool.json");
      writeFileSync(poolFile, JSON.stringify({ secret: SECRET, bodies }));
      process.env.KITH_BENCH_WEBHOOK_POOL = poolFile;
      onCleanup(() => {
        delete process.env.KITH_BENCH_WEBHOOK_POOL;
      });

      // The request hook signs as the provider's own library does.
      const probeId = randomUUID();
      const probe = await signGitHubDelivery(bodies[0] as string, SECRET, "issues", probeId);
      const hook = createRequire(import.meta.url)(REQUEST_HOOK) as (request: {
        body?: string;
        headers?: Record<string, string>;
      }) => { body: string; headers: Record<string, string> };
      const hooked = hook({ headers: {} });
      const expected = `sha256=${createHmac("sha256", SECRET).update(hooked.body).digest("hex")}`;
      if (
        hooked.headers["x-hub-signature-256"] !== expected ||
        probe.headers["x-hub-signature-256"] !==
          `sha256=${createHmac("sha256", SECRET).update(probe.body).digest("hex")}`
      ) {
        throw new Error("the benchmark's signer does not sign as @octokit/webhooks-methods does");
      }

      const noop: RouteDefinition = {
        method: "POST",
        path: NOOP_PATH,
        handler: "bench/noop-handler.handler",
        auth: "none",
      };
      const listening = new LocalGateway([...manifest.routes, noop], []);
      onCleanup(() => listening.close());
      // Listening inside the scope puts every request the gateway serves in it: `counts` keeps adding up.
      // With capacity: every request reports what it consumed, so write units per delivery are measured.
      const { result: port, requests: counts } = await Storage.countRequests(() => listening.listen(0), {
        capacity: true,
      });
      const snapshot = (): Counts => ({ ...counts, byCommand: { ...counts.byCommand } });
      // autocannon stops counting at the deadline with requests still in flight; the gateway finishes
      // them. Waits until it has gone quiet, so each phase's requests are its own.
      const quiesce = async () => {
        for (let quiet = 0, last = -1; quiet < 3; ) {
          await new Promise((done) => setTimeout(done, 200));
          quiet = counts.total === last ? quiet + 1 : 0;
          last = counts.total;
        }
      };
      const url = `http://127.0.0.1:${port}`;
      const rows: Row[] = [];

      // Sequential deliveries: requests per delivery, one at a time, and unloaded latency.
      const latencies: number[] = [];
      const perDelivery = new Set<number>();
      const sequentialStart = snapshot();
      let lastDelivery: { body: string; headers: Record<string, string> } | undefined;
      for (let i = -20; i < SEQUENTIAL; i++) {
        const signed = await signGitHubDelivery(bodies[(i + 20) % bodies.length] as string, SECRET, "issues");
        const before = counts.total;
        const at = performance.now();
        const response = await fetch(`${url}/webhooks/github`, {
          method: "POST",
          headers: signed.headers,
          body: signed.body,
        });
        const answer = (await response.json()) as { outcome?: string };
        const elapsed = performance.now() - at;
        if (response.status !== 200 || answer.outcome !== "processed") {
          throw new Error(
            `a known sender's delivery was not processed: ${response.status} ${JSON.stringify(answer)}`,
          );
        }
        if (i < 0) continue; // warm-up
        latencies.push(elapsed);
        perDelivery.add(counts.total - before);
        lastDelivery = signed;
      }
      const sequential = difference(snapshot(), sequentialStart);
      // (the warm-up deliveries are in the difference too: divide by all of them)
      const sequentialCalls = SEQUENTIAL + 20;
      rows.push({
        measure: `known sender, ${SEQUENTIAL} sequential: DynamoDB requests/delivery`,
        figure: `${describeCounts(sequential, sequentialCalls)}; per delivery: ${[...perDelivery].sort().join(" or ")}`,
        target: `≤ ${TARGET_REQUESTS_PER_DELIVERY}`,
        met: Math.max(...perDelivery) <= TARGET_REQUESTS_PER_DELIVERY,
      });
      rows.push({
        measure: "  DynamoDB capacity/delivery (ConsumedCapacity, TOTAL)",
        figure: `${perCall(sequential.writeUnits / sequentialCalls)} WCU, ${perCall(sequential.readUnits / sequentialCalls)} RCU (the delivery record carries webhook.received: the outbox)`,
        target: "figure",
      });
      rows.push({
        measure: "  latency, one at a time",
        figure: `p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}`,
        target: "figure",
      });
      if (lastDelivery) {
        // Redelivered three times, each counted on its own.
        const outcomes: string[] = [];
        const costs: string[] = [];
        for (let i = 0; i < 3; i++) {
          const before = snapshot();
          const response = await fetch(`${url}/webhooks/github`, {
            method: "POST",
            headers: lastDelivery.headers,
            body: lastDelivery.body,
          });
          outcomes.push(((await response.json()) as { outcome?: string }).outcome ?? String(response.status));
          costs.push(describeCounts(difference(snapshot(), before), 1));
        }
        rows.push({
          measure: "  redeliveries (same X-GitHub-Delivery), 3 in turn",
          figure: `${[...new Set(outcomes)].join(", ")}; ${costs.join(" / ")}`,
          target: "duplicate",
          met: outcomes.every((outcome) => outcome === "duplicate"),
        });
      }

      const load = (path: string, duration: number, connections = CONNECTIONS) =>
        autocannon({
          url,
          connections,
          duration,
          workers: WORKERS > 0 ? WORKERS : undefined,
          timeout: 30,
          requests: [
            {
              method: "POST",
              path,
              headers: { "content-type": "application/json", "x-github-event": "issues" },
              setupRequest: WORKERS > 0 ? REQUEST_HOOK : hook,
            },
          ],
        });
      const describeLoad = (result: Result) =>
        `p50 ${ms(result.latency.p50)}, p99 ${ms(result.latency.p99)}, mean ${ms(result.latency.mean)}, max ${ms(result.latency.max)}; ` +
        `${Math.round(result.requests.average)} req/s (${result["2xx"]} 2xx in ${result.duration.toFixed(1)} s)`;
      const failures = (result: Result) => result.non2xx + result.errors + result.timeouts;
      const failureText = (result: Result) =>
        `${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`;

      // DynamoDB Local's warm-up: 2 s windows of the store phase until the throughput levels off.
      const warming: number[] = [];
      for (let window = 0; window < Math.floor(STORE_WARMUP_SECONDS / 2); window++) {
        warming.push(storeRate(await storeCeiling(org.id, senders, CONNECTIONS, 2)));
        // Level: neither of the last two windows gained 5% on the best before them (noisy windows).
        const best = Math.max(...warming.slice(0, -2));
        if (warming.length >= 5 && warming.slice(-2).every((value) => value < 1.05 * best)) break;
      }
      if (WARMUP_SECONDS > 0) await load("/webhooks/github", WARMUP_SECONDS);
      await quiesce();
      if (warming.length > 0) {
        rows.push({
          measure: `DynamoDB Local warm-up, ${CONNECTIONS} loops, 2 s windows`,
          figure: `${warming.map((value) => Math.round(value)).join(" → ")} pairs/s, then the webhook warm-up (${WARMUP_SECONDS} s)`,
          target: "levels off",
        });
      }

      // The store alone at the target's concurrency, and at the sweep's others: its best throughput,
      // wherever it is, bounds the gateway's. Before the sweep adds records.
      const stores = new Map<number, StoreCeiling>();
      for (const concurrency of [...SWEEP, CONNECTIONS].sort((a, b) => a - b)) {
        const duration = concurrency === CONNECTIONS ? SECONDS : STORE_SECONDS;
        stores.set(concurrency, await storeCeiling(org.id, senders, concurrency, duration));
      }
      const describeStore = (store: StoreCeiling) =>
        `${Math.round(storeRate(store))} pairs/s; per pair p50 ${ms(percentile(store.latencies, 50))}, ` +
        `p99 ${ms(percentile(store.latencies, 99))}; ${describeCounts(store.counts, Math.max(1, store.pairs))} ` +
        `requests/pair (${store.pairs} pairs in ${store.seconds.toFixed(1)} s)`;
      const store = stores.get(CONNECTIONS) as StoreCeiling;
      const storeAtTarget = storeRate(store);
      rows.push({
        measure: `DynamoDB alone: GetItem claim + conditional PutItem, ${CONNECTIONS} concurrent loops`,
        figure: describeStore(store),
        target: "store ceiling",
      });
      for (const [concurrency, other] of stores) {
        if (concurrency === CONNECTIONS) continue;
        rows.push({
          measure: `  the same, ${concurrency} concurrent loop${concurrency === 1 ? "" : "s"}`,
          figure: describeStore(other),
          target: "figure",
        });
      }
      const [bestConcurrency, best] = [...stores].reduce((a, b) =>
        storeRate(b[1]) > storeRate(a[1]) ? b : a,
      );
      const bestRate = storeRate(best);

      // The sweep around the target: latency against connections, at the throughput the store allows.
      const meets = (result: Result) => (result.latency.p99 <= TARGET_P99_MS ? "yes" : "no");
      const sweepFailures: string[] = [];
      const sweepMet: number[] = [];
      const sweepRates = new Map<number, number>();
      const sweepPhase = async (connections: number): Promise<Row> => {
        const result = await load("/webhooks/github", SECONDS, connections);
        await quiesce();
        if (failures(result) > 0) sweepFailures.push(`${connections}: ${failureText(result)}`);
        if (result.latency.p99 <= TARGET_P99_MS) sweepMet.push(connections);
        sweepRates.set(connections, result.requests.average);
        return {
          measure: `POST /webhooks/github, ${connections} connection${connections === 1 ? "" : "s"}`,
          figure: `${describeLoad(result)}; ${result.non2xx} non-2xx`,
          target: `figure; p99 ≤ ${TARGET_P99_MS} ms: ${meets(result)}`,
        };
      };
      for (const connections of SWEEP.filter((count) => count < CONNECTIONS)) {
        rows.push(await sweepPhase(connections));
      }

      const recordsBefore = await deliveryRecords();
      const webhookStart = snapshot();
      const webhook = await load("/webhooks/github", SECONDS);
      await quiesce();
      const webhookCounts = difference(snapshot(), webhookStart);
      // Every processed delivery leaves one record, including those autocannon stopped waiting for.
      const recorded = (await deliveryRecords()) - recordsBefore;
      if (webhook.latency.p99 <= TARGET_P99_MS) sweepMet.push(CONNECTIONS);
      sweepRates.set(CONNECTIONS, webhook.requests.average);

      const above: Row[] = [];
      for (const connections of SWEEP.filter((count) => count > CONNECTIONS)) {
        above.push(await sweepPhase(connections));
      }

      const noopStart = snapshot();
      const baseline = await load(NOOP_PATH, SECONDS);
      await quiesce();
      const noopCounts = difference(snapshot(), noopStart);

      rows.push({
        measure: `POST /webhooks/github, ${CONNECTIONS} connections`,
        figure: describeLoad(webhook),
        target: `p99 ≤ ${TARGET_P99_MS} ms`,
        met: webhook.latency.p99 <= TARGET_P99_MS,
      });
      rows.push({
        measure: "  errors",
        figure: failureText(webhook),
        target: "0 non-2xx",
        met: failures(webhook) === 0,
      });
      rows.push({
        measure: "  DynamoDB requests/delivery under load",
        figure:
          `${describeCounts(webhookCounts, Math.max(1, recorded))} over ${recorded} deliveries recorded ` +
          `(${webhook["2xx"]} 2xx counted; the rest were in flight at the deadline)`,
        target: `≤ ${TARGET_REQUESTS_PER_DELIVERY}`,
        met:
          webhookCounts.total / Math.max(1, recorded) <= TARGET_REQUESTS_PER_DELIVERY &&
          recorded >= webhook["2xx"] &&
          recorded <= webhook["2xx"] + CONNECTIONS,
      });
      rows.push(...above);
      if (SWEEP.length > 0) {
        rows.push({
          measure: "  errors, the other connection counts",
          figure: sweepFailures.length > 0 ? sweepFailures.join("; ") : "none",
          target: "0 non-2xx",
          met: sweepFailures.length === 0,
        });
      }
      rows.push({
        measure: `POST ${NOOP_PATH} (no-op handler), ${CONNECTIONS} connections`,
        figure: describeLoad(baseline),
        target: "baseline",
      });
      rows.push({
        measure: "  errors; DynamoDB requests",
        figure: `${failureText(baseline)}; ${noopCounts.total} DynamoDB requests`,
        target: "0 non-2xx, 0 requests",
        met: failures(baseline) === 0 && noopCounts.total === 0,
      });
      const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "n/a");
      rows.push({
        measure: "webhook / no-op",
        figure:
          `p50 ${ratio(webhook.latency.p50, baseline.latency.p50)}, p99 ${ratio(webhook.latency.p99, baseline.latency.p99)}, ` +
          `throughput ${ratio(webhook.requests.average, baseline.requests.average)}`,
        target: "figure",
      });
      // Little's law: with every connection always waiting on one delivery, mean latency is
      // connections / throughput, and the gateway's throughput cannot pass what the store alone
      // sustains at its best. Mean ≤ 100 ms at the target's connections needs connections / 0.1 s.
      const floorMs = bestRate > 0 ? (CONNECTIONS / bestRate) * 1000 : Number.POSITIVE_INFINITY;
      const needed = (CONNECTIONS * 1000) / TARGET_P99_MS;
      const webhookRate = webhook.requests.average;
      const [webhookBestAt, webhookBest] = [...sweepRates].reduce((a, b) => (b[1] > a[1] ? b : a));
      rows.push({
        measure: `Little's law, ${CONNECTIONS} connections`,
        figure:
          `store alone at ${CONNECTIONS}-way: ${Math.round(storeAtTarget)} pairs/s (best ${Math.round(bestRate)} at ${bestConcurrency}-way) ` +
          `→ floor for ${CONNECTIONS} connections ≈ ${CONNECTIONS}/${Math.round(bestRate)} s = ${ms(floorMs)} mean; ` +
          `mean ≤ ${TARGET_P99_MS} ms needs ≥ ${Math.round(needed)} req/s. Webhook: best ${Math.round(webhookBest)} req/s ` +
          `(${webhookBestAt} connections, ${Math.round((100 * webhookBest) / Math.max(bestRate, 1e-9))}% of the store's best); ` +
          `at ${CONNECTIONS}: ${Math.round(webhookRate)} req/s × mean ${ms(webhook.latency.mean)} = ` +
          `${((webhookRate * webhook.latency.mean) / 1000).toFixed(1)} in flight; p99 ≤ ${TARGET_P99_MS} ms at ` +
          `${sweepMet.length > 0 ? sweepMet.sort((a, b) => a - b).join(", ") : "none of"} connection(s)`,
        target:
          floorMs > TARGET_P99_MS
            ? `${TARGET_P99_MS} ms at ${CONNECTIONS} not attainable on this store/machine`
            : `${TARGET_P99_MS} ms at ${CONNECTIONS} needs ${Math.round((100 * needed) / bestRate)}%+ of the store's best`,
      });

      printTable(rows);
      const checked = rows.filter((row) => row.met !== undefined);
      const missed = checked.filter((row) => !row.met);
      console.log(
        `summary: webhook p50 ${ms(webhook.latency.p50)} / p99 ${ms(webhook.latency.p99)} at ${Math.round(webhook.requests.average)} req/s ` +
          `(no-op p50 ${ms(baseline.latency.p50)} / p99 ${ms(baseline.latency.p99)} at ${Math.round(baseline.requests.average)} req/s), ` +
          `${perCall(webhookCounts.total / Math.max(1, recorded))} DynamoDB requests/delivery; ` +
          `${checked.length - missed.length}/${checked.length} targets met` +
          `${missed.length > 0 ? ` (missed: ${missed.map((row) => row.measure.trim()).join("; ")})` : ""}; ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    },
  );
}
