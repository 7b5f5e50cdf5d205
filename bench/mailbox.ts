import { randomUUID } from "node:crypto";
import { availableParallelism } from "node:os";
import tls from "node:tls";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { BatchWriteCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import * as Identity from "@kith/core/identity";
import * as Mailbox from "@kith/core/mailbox";
import { google } from "@kith/core/mailbox/google";
import { microsoft } from "@kith/core/mailbox/microsoft";
import * as Orgs from "@kith/core/orgs";
import * as Storage from "@kith/core/storage";
import { logger } from "@kith/core/util";
import { googleSandboxEnv, microsoftSandboxEnv } from "@kith/local/mailbox-providers";
import { type SqsEmulator, sqsClient, startSqsEmulator } from "@kith/local/sqs";
import { GoogleSandbox, loopbackTls, MicrosoftSandbox } from "@kith/sandbox";
import { manifest } from "../manifest";
import { addCounts, emptyCounts, perCall, percentile, printTable, type Row, withBenchTable } from "./support";

/**
 * Mailbox connections (`packages/core/src/mailbox`) on DynamoDB Local, with the real
 * google-auth-library, MSAL and Graph clients against the loopback Google and Microsoft sandboxes
 * (the browser's consent played by `sandbox.consent`) and the fauxqs SQS emulator for the wipe
 * queue. Core is called directly (no gateway): each figure is the capability's own.
 *
 * 1. Connect, per provider: `authorizeUrl` → consent → `completeConnection`, one member after
 *    another, timed and counted apart (DynamoDB requests and ConsumedCapacity via
 *    `Storage.countRequests`; provider HTTP requests as the sandbox recorded them).
 * 2. Access tokens: the cached path, and the refresh path (the cached token's expiry moved into the
 *    past on the item, as the core test does).
 * 3. The disconnect wipe: E interaction events written straight into one account's partition (a
 *    typical member's day-1 backfill), then `disconnect` and the whole wipe: the first slice from
 *    the `mailbox.wipe_requested` event (read from the outbox: the bench stands in for the relay and
 *    the bus), then every continuation through the queue, one message at a time (the consumer's
 *    batch size), until none is left. Checks that no event remains and that exactly one completion
 *    marker (`mailboxWipe`) exists, also after a late redelivery of the first message.
 *
 * The wipe runs first (its member's connect and the seed's writes warm DynamoDB Local's JVM for
 * the latencies after it); the table prints in the order above.
 *
 * Figures are printed, not asserted; the run fails (exit 1) only when a correctness check does.
 *
 * Environment: BENCH_MAILBOX_CONNECTS (per provider, default 30), BENCH_MAILBOX_WARMUP (unmeasured
 * connects per provider first, 3), BENCH_MAILBOX_TOKEN_CALLS (cached calls per provider, 200),
 * BENCH_MAILBOX_REFRESHES (per provider, 20), BENCH_MAILBOX_EVENTS (20,000),
 * BENCH_DYNAMO (unset: DynamoDB Local on disk; "memory": in memory).
 */

const TABLE = "kith-bench-mailbox";
const CONNECTS = Number(process.env.BENCH_MAILBOX_CONNECTS ?? 30);
const WARMUP = Number(process.env.BENCH_MAILBOX_WARMUP ?? 3);
const TOKEN_CALLS = Number(process.env.BENCH_MAILBOX_TOKEN_CALLS ?? 200);
const REFRESHES = Number(process.env.BENCH_MAILBOX_REFRESHES ?? 20);
const EVENTS = Number(process.env.BENCH_MAILBOX_EVENTS ?? 20_000);
const SEED_IN_FLIGHT = 8;
const CALENDAR_SHARE = 0.15;
const ACTOR = { actor: "system:bench" };
const WIPE_QUEUE = manifest.queues.find((queue) => queue.name === Mailbox.WIPE_QUEUE);
const CONSUMER_TIMEOUT_MS = (WIPE_QUEUE?.consumerTimeoutSeconds ?? 120) * 1000;

type Counts = Storage.RequestCounts;
type Provider = Mailbox.OAuthProvider;
type WipeMessage = Parameters<typeof Mailbox.handleWipeMessage>[0];

/** What the bench needs of either sandbox. */
interface Sandbox {
  addAccount(input: { email: string }): unknown;
  signIn(email: string): void;
  consent(authorizeUrl: string): Promise<URL>;
  readonly requests: readonly { endpoint: string; grantType?: string }[];
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const thousands = (value: number) => value.toLocaleString("en-US");

function describeCounts(counts: Counts, calls: number): string {
  const parts = Object.entries(counts.byCommand).map(([api, count]) => `${api} ${perCall(count / calls)}`);
  return `${perCall(counts.total / calls)} (${parts.join(", ")})`;
}

const units = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));

/** Provider requests by endpoint (and grant type), as the sandbox recorded them. */
function tally(requests: readonly { endpoint: string; grantType?: string }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const request of requests) {
    const key = request.grantType ? `${request.endpoint}(${request.grantType})` : request.endpoint;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

function describeTally(counts: Map<string, number>, calls: number): string {
  if (counts.size === 0) return "none";
  return [...counts].map(([endpoint, count]) => `${endpoint} ${perCall(count / calls)}`).join(", ");
}

function mergeTally(into: Map<string, number>, more: Map<string, number>): void {
  for (const [key, count] of more) into.set(key, (into.get(key) ?? 0) + count);
}

const sum = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

/** Records what a correctness check found; any failure makes the run exit 1. */
const failures: string[] = [];
function check(ok: boolean, what: string): boolean {
  if (!ok) failures.push(what);
  return ok;
}

interface ConnectSample {
  authorizeMs: number;
  callbackMs: number;
  authorize: Counts;
  callback: Counts;
  authorizeProvider: Map<string, number>;
  consentProvider: Map<string, number>;
  callbackProvider: Map<string, number>;
  ref: Mailbox.AccountRef;
  accountId: string;
}

/** A new member with a mailbox at the sandbox connects it: the real flow, each step timed and counted. */
async function connectOnce(
  orgId: string,
  provider: Provider,
  sandbox: Sandbox,
  label: string,
): Promise<ConnectSample> {
  const email = `${label}.${provider.name}@bench.example`;
  const user = await Identity.create(orgId, { name: `Bench ${label} ${provider.name}`, email }, ACTOR);
  sandbox.addAccount({ email });
  sandbox.signIn(email);
  const recorded = () => sandbox.requests.length;

  const before = recorded();
  let at = performance.now();
  const authorize = await Storage.countRequests(
    () => Mailbox.authorizeUrl(provider, { orgId, userId: user.id, scopes: { mail: true, calendar: true } }),
    { capacity: true },
  );
  const authorizeMs = performance.now() - at;
  const afterAuthorize = recorded();
  const location = await sandbox.consent(authorize.result);
  const afterConsent = recorded();
  at = performance.now();
  const callback = await Storage.countRequests(
    () => Mailbox.completeConnection(provider, Object.fromEntries(location.searchParams)),
    { capacity: true },
  );
  const callbackMs = performance.now() - at;
  const all = sandbox.requests;
  const account = callback.result.connected;
  if (account.email !== email || account.status !== "connected" || !account.scopes.mail) {
    throw new Error(`${provider.name}: the connect of ${email} did not leave a connected mailbox`);
  }
  return {
    authorizeMs,
    callbackMs,
    authorize: addCounts(emptyCounts(), authorize.requests),
    callback: addCounts(emptyCounts(), callback.requests),
    authorizeProvider: tally(all.slice(before, afterAuthorize)),
    consentProvider: tally(all.slice(afterAuthorize, afterConsent)),
    callbackProvider: tally(all.slice(afterConsent)),
    ref: { orgId, userId: user.id, provider: provider.name },
    accountId: account.accountId,
  };
}

async function benchConnects(
  orgId: string,
  provider: Provider,
  sandbox: Sandbox,
  rows: Row[],
): Promise<{
  refs: Mailbox.AccountRef[];
  authorizeP50: number;
  callbackP50: number;
  callbackRequests: number;
}> {
  for (let i = 0; i < WARMUP; i++) await connectOnce(orgId, provider, sandbox, `warmup${i}`);
  const samples: ConnectSample[] = [];
  for (let i = 0; i < CONNECTS; i++) samples.push(await connectOnce(orgId, provider, sandbox, `member${i}`));

  const authorize = samples.reduce((total, sample) => addCounts(total, sample.authorize), emptyCounts());
  const callback = samples.reduce((total, sample) => addCounts(total, sample.callback), emptyCounts());
  const perAuthorize = new Set(samples.map((sample) => sample.authorize.total));
  const perCallback = new Set(samples.map((sample) => sample.callback.total));
  const providerAt = (pick: (sample: ConnectSample) => Map<string, number>) => {
    const out = new Map<string, number>();
    for (const sample of samples) mergeTally(out, pick(sample));
    return out;
  };
  const authorizeProvider = providerAt((sample) => sample.authorizeProvider);
  const consentProvider = providerAt((sample) => sample.consentProvider);
  const callbackProvider = providerAt((sample) => sample.callbackProvider);
  const authorizeTimes = samples.map((sample) => sample.authorizeMs);
  const callbackTimes = samples.map((sample) => sample.callbackMs);
  const n = samples.length;
  const name = provider.name;

  rows.push({
    measure: `${name}: ${n} connects, sequential (after ${WARMUP} warm-up)`,
    figure:
      `authorizeUrl p50 ${ms(percentile(authorizeTimes, 50))}, p95 ${ms(percentile(authorizeTimes, 95))}; ` +
      `completeConnection p50 ${ms(percentile(callbackTimes, 50))}, p95 ${ms(percentile(callbackTimes, 95))}`,
    target: "figure",
  });
  rows.push({
    measure: "  DynamoDB requests, authorizeUrl",
    figure: `${describeCounts(authorize, n)}; per call: ${[...perAuthorize].sort().join(" or ")}`,
    target: "2 (GetItem user, PutItem state)",
    met: perAuthorize.size === 1 && perAuthorize.has(2),
  });
  rows.push({
    measure: "  DynamoDB requests, completeConnection (callback)",
    figure: `${describeCounts(callback, n)}; per call: ${[...perCallback].sort().join(" or ")}`,
    // The state's verifier is read; the state is used up (Delete) inside the account's transaction,
    // with the account's Put, the member's ConditionCheck and the outbox's Put.
    target: "3 (GetItem state, GetItem account, TransactWriteItems)",
    met:
      perCallback.size === 1 &&
      perCallback.has(3) &&
      callback.byCommand.GetItem === 2 * n &&
      callback.byCommand.TransactWriteItems === n,
  });
  rows.push({
    measure: "  DynamoDB per connect (authorizeUrl + callback)",
    figure:
      `${describeCounts(addCounts(addCounts(emptyCounts(), authorize), callback), n)}; ` +
      `${units((authorize.writeUnits + callback.writeUnits) / n)} WCU, ${units((authorize.readUnits + callback.readUnits) / n)} RCU ` +
      `(callback ${units(callback.writeUnits / n)} WCU, ${units(callback.readUnits / n)} RCU)`,
    target: "figure",
  });
  const kithCalls = sum(authorizeProvider) + sum(callbackProvider);
  rows.push({
    measure: "  provider HTTP requests per connect",
    figure:
      `${perCall(kithCalls / n)} from Kith: authorizeUrl ${describeTally(authorizeProvider, n)}; ` +
      `callback ${describeTally(callbackProvider, n)}; (browser consent: ${describeTally(consentProvider, n)})`,
    target: "figure",
  });
  return {
    refs: samples.map((sample) => sample.ref),
    authorizeP50: percentile(authorizeTimes, 50),
    callbackP50: percentile(callbackTimes, 50),
    callbackRequests: callback.total / n,
  };
}

/** The cached access token reaches its expiry (as an hour passing would): the core test's way. */
async function expireCachedToken(ref: Mailbox.AccountRef): Promise<void> {
  await Storage.db.update({
    Key: Mailbox.keys.account(ref.orgId, ref.userId, ref.provider),
    UpdateExpression: "SET accessTokenExpiresAt = :past",
    ExpressionAttributeValues: { ":past": new Date(Date.now() - 60_000).toISOString() },
  });
}

async function benchAccessTokens(
  targets: { provider: Provider; sandbox: Sandbox; ref: Mailbox.AccountRef }[],
  rows: Row[],
): Promise<{ refreshTokenCalls: number }> {
  const cachedFigures: string[] = [];
  const refreshFigures: string[] = [];
  const cachedTotal = emptyCounts();
  const refreshTotal = emptyCounts();
  let cachedProvider = 0;
  let cachedOk = true;
  let refreshOk = true;
  let refreshTokenCalls = 0;
  const refreshProviderFigures: string[] = [];
  for (const { provider, sandbox, ref } of targets) {
    // Cached: the account's sealed token, until two minutes before it expires.
    const first = await Mailbox.accessToken(provider, ref);
    const before = sandbox.requests.length;
    const latencies: number[] = [];
    for (let i = 0; i < TOKEN_CALLS; i++) {
      const at = performance.now();
      const { result, requests } = await Storage.countRequests(() => Mailbox.accessToken(provider, ref), {
        capacity: true,
      });
      latencies.push(performance.now() - at);
      addCounts(cachedTotal, requests);
      if (result !== first) cachedOk = false;
    }
    cachedProvider += sandbox.requests.length - before;
    cachedFigures.push(`${provider.name} p50 ${ms(percentile(latencies, 50))}`);

    // Refresh: the refresh token redeemed once per call, the new token written back.
    const refreshLatencies: number[] = [];
    const providerCalls = new Map<string, number>();
    let previous = first;
    for (let i = 0; i < REFRESHES; i++) {
      await expireCachedToken(ref);
      const start = sandbox.requests.length;
      const at = performance.now();
      const { result, requests } = await Storage.countRequests(() => Mailbox.accessToken(provider, ref), {
        capacity: true,
      });
      refreshLatencies.push(performance.now() - at);
      addCounts(refreshTotal, requests);
      const calls = tally(sandbox.requests.slice(start));
      mergeTally(providerCalls, calls);
      if (result === previous || calls.get("token(refresh_token)") !== 1) refreshOk = false;
      previous = result;
    }
    refreshTokenCalls += providerCalls.get("token(refresh_token)") ?? 0;
    refreshFigures.push(
      `${provider.name} p50 ${ms(percentile(refreshLatencies, 50))}, p95 ${ms(percentile(refreshLatencies, 95))}`,
    );
    refreshProviderFigures.push(`${provider.name}: ${describeTally(providerCalls, REFRESHES)}`);
  }
  const cachedCalls = TOKEN_CALLS * targets.length;
  const refreshCalls = REFRESHES * targets.length;
  rows.push({
    measure: `access token, cached (${TOKEN_CALLS} calls per provider)`,
    figure: `${cachedFigures.join("; ")}; DynamoDB ${describeCounts(cachedTotal, cachedCalls)}, ${units(cachedTotal.readUnits / cachedCalls)} RCU; provider requests ${cachedProvider}`,
    target: "1 GetItem, 0 provider calls",
    met: cachedOk && cachedProvider === 0 && cachedTotal.total === cachedCalls,
  });
  check(cachedOk, "a cached access token changed without a refresh");
  rows.push({
    measure: `access token, refresh (${REFRESHES} per provider, expiry moved into the past)`,
    figure:
      `${refreshFigures.join("; ")}; DynamoDB ${describeCounts(refreshTotal, refreshCalls)}, ` +
      `${units(refreshTotal.writeUnits / refreshCalls)} WCU; provider requests per refresh: ${refreshProviderFigures.join("; ")}`,
    target: "1 token call per refresh",
    met: refreshOk && refreshTokenCalls === refreshCalls,
  });
  check(refreshOk, "a refresh did not make exactly one token call, or returned the old token");
  return { refreshTokenCalls: refreshTokenCalls / refreshCalls };
}

/** Interaction events as the syncers will write them: small items under the account's partition. */
function eventItem(orgId: string, accountId: string, index: number): Record<string, unknown> {
  const calendar = index % Math.round(1 / CALENDAR_SHARE) === 0;
  // A year of history, newest first, a few minutes apart.
  const occurredAt = new Date(Date.UTC(2026, 0, 1) - index * 26 * 60_000).toISOString();
  const counterpart = `contact${index % 1_500}@customer${index % 40}.example`;
  const remoteId = `${calendar ? "evt" : "msg"}${(0x18c0000000 + index * 7919).toString(16)}`;
  const scope = calendar ? "calendar" : "mail";
  return {
    pk: Mailbox.keys.accountEvents(accountId),
    sk: `${scope}#${occurredAt}#${remoteId}#${counterpart}`,
    entity: "interactionEvent",
    orgId,
    accountId,
    scope,
    occurredAt,
    counterpart,
    remoteId,
    ...(calendar
      ? { kind: "meeting", attendees: 2 + (index % 6), durationMinutes: 30 * (1 + (index % 3)) }
      : { kind: index % 3 === 0 ? "sent" : "received", threadId: `thr${(index >> 2).toString(16)}` }),
    expiresAt: Math.floor(Date.parse(occurredAt) / 1000) + 25 * 31 * 86_400,
  };
}

/** BatchWriteItem, 25 items a request, `SEED_IN_FLIGHT` requests at a time; unprocessed items retried. */
async function seedEvents(orgId: string, accountId: string): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now();
  const client = Storage.documentClient();
  const table = Storage.tableName();
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < EVENTS) {
      const from = next;
      next = Math.min(EVENTS, next + 25);
      let pending = Array.from({ length: next - from }, (_, offset) => ({
        PutRequest: { Item: eventItem(orgId, accountId, from + offset) },
      }));
      for (const request of pending) bytes += JSON.stringify(request.PutRequest.Item).length;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((done) => setTimeout(done, Math.min(1000, 25 * 2 ** attempt)));
        const result = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (result.UnprocessedItems?.[table] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: SEED_IN_FLIGHT }, worker));
  return { seconds: (performance.now() - started) / 1000, bytes: bytes / EVENTS };
}

async function countEvents(accountId: string): Promise<number> {
  let total = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await Storage.db.query({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": Mailbox.keys.accountEvents(accountId) },
      Select: "COUNT",
      ExclusiveStartKey: startKey,
      ConsistentRead: true,
    });
    total += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return total;
}

async function scan(filter: string, values: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await Storage.documentClient().send(
      new ScanCommand({
        TableName: Storage.tableName(),
        FilterExpression: filter,
        ExpressionAttributeValues: values,
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** The `mailbox.wipe_requested` event the disconnect committed, from its outbox item. */
async function wipeRequested(accountId: string): Promise<WipeMessage> {
  const found = await scan("entity = :outbox AND contains(outbox, :accountId) AND contains(outbox, :type)", {
    ":outbox": "outbox",
    ":accountId": accountId,
    ":type": "mailbox.wipe_requested",
  });
  const events = found.flatMap((item) => JSON.parse(String(item.outbox)) as { type: string }[]);
  const requested = events.filter((event) => event.type === "mailbox.wipe_requested");
  if (requested.length !== 1) {
    throw new Error(`expected one mailbox.wipe_requested for ${accountId}, found ${requested.length}`);
  }
  // As the bus rule delivers it to the wipe queue (an EventBridge envelope), through the consumer's schema.
  return Mailbox.WipeMessageSchema.parse(
    JSON.parse(
      JSON.stringify({
        version: "0",
        id: randomUUID(),
        "detail-type": "mailbox.wipe_requested",
        source: "kith",
        account: "000000000000",
        time: new Date().toISOString(),
        region: "us-east-1",
        resources: [],
        detail: Mailbox.Events.MailboxWipeRequested.parse(requested[0]),
      }),
    ),
  );
}

async function benchWipe(
  orgId: string,
  sandbox: GoogleSandbox,
  wipe: { ref: Mailbox.AccountRef; accountId: string },
  sqs: SQSClient,
  queueUrl: string,
  rows: Row[],
): Promise<{ seconds: number; rate: number; slices: number; left: number }> {
  const { ref, accountId } = wipe;
  const seeded = await seedEvents(orgId, accountId);
  const present = await countEvents(accountId);
  check(present === EVENTS, `seeded ${present} events, not ${EVENTS}`);
  const calendar = Math.floor((EVENTS - 1) / Math.round(1 / CALENDAR_SHARE)) + 1;
  rows.push({
    measure: `seed: ${thousands(EVENTS)} events into one account (BatchWriteItem, ${SEED_IN_FLIGHT} in flight)`,
    figure:
      `${seeded.seconds.toFixed(2)} s (${thousands(Math.round(EVENTS / seeded.seconds))} events/s); ` +
      `mail ${thousands(EVENTS - calendar)}, calendar ${thousands(calendar)}; ~${Math.round(seeded.bytes)} bytes each (JSON)`,
    target: "figure",
  });

  // Disconnect: the provider's revoke (Google), then the account's write with mailbox.wipe_requested.
  const providerBefore = sandbox.requests.length;
  let at = performance.now();
  const { requests: disconnectCounts } = await Storage.countRequests(
    () => Mailbox.disconnect(google, { orgId: ref.orgId, userId: ref.userId }),
    { capacity: true },
  );
  const disconnectMs = performance.now() - at;
  const disconnectProvider = tally(sandbox.requests.slice(providerBefore));
  const disconnected = addCounts(emptyCounts(), disconnectCounts);
  rows.push({
    measure: "disconnect (google)",
    figure:
      `${ms(disconnectMs)}; DynamoDB ${describeCounts(disconnected, 1)}, ${units(disconnected.writeUnits)} WCU; ` +
      `provider ${describeTally(disconnectProvider, 1)}`,
    target: "figure",
  });

  // The relay and the bus are not run: their message is built from the outbox (not timed).
  const first = await wipeRequested(accountId);

  const sliceTimes: number[] = [];
  let slices = 0;
  let receives = 0;
  const maxSlices = Math.ceil(EVENTS / Mailbox.WIPE_SLICE) + 5;
  at = performance.now();
  const { requests: wipeCounts } = await Storage.countRequests(
    async () => {
      const handle = async (message: WipeMessage) => {
        const started = performance.now();
        await Mailbox.handleWipeMessage(message);
        sliceTimes.push(performance.now() - started);
        slices += 1;
      };
      await handle(first);
      // The consumer's batch size is 1: one continuation at a time, each enqueueing the next.
      for (;;) {
        const batch = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 0 }),
        );
        receives += 1;
        const message = batch.Messages?.[0];
        if (!message) break;
        await handle(Mailbox.WipeMessageSchema.parse(JSON.parse(message.Body ?? "")));
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        if (slices > maxSlices) throw new Error(`the wipe did not finish in ${maxSlices} slices`);
      }
    },
    { capacity: true },
  );
  const wipeMs = performance.now() - at;
  const wiped = addCounts(emptyCounts(), wipeCounts);
  const rate = EVENTS / (wipeMs / 1000);
  const per1000 = EVENTS / 1000;

  // The checks: nothing left, one completion marker, and a late redelivery changes nothing.
  const left = await countEvents(accountId);
  const markers = () =>
    scan("entity = :wipe AND accountId = :accountId", { ":wipe": "mailboxWipe", ":accountId": accountId });
  const found = await markers();
  const marker = found[0];
  const outbox = marker
    ? (JSON.parse(String(marker.outbox)) as { type: string; data: { eventsDeleted?: number } }[])
    : [];
  const redelivered = await Mailbox.wipeSlice(Mailbox.wipeJob(first));
  const afterRedelivery = await markers();
  const account = (
    await Storage.db.get({
      Key: Mailbox.keys.account(ref.orgId, ref.userId, ref.provider),
      ConsistentRead: true,
    })
  ).Item;
  const ok =
    left === 0 &&
    found.length === 1 &&
    marker?.eventsDeleted === EVENTS &&
    outbox.length === 1 &&
    outbox[0]?.type === "mailbox.disconnected" &&
    outbox[0]?.data.eventsDeleted === EVENTS &&
    redelivered === "completed" &&
    afterRedelivery.length === 1 &&
    account?.status === "disconnected" &&
    account.sealedRefreshToken === undefined &&
    account.sealedAccessToken === undefined;
  check(ok, "the wipe left events, or not exactly one completion marker");

  rows.push({
    measure: `wipe: ${thousands(EVENTS)} events, first slice + continuations via SQS`,
    figure:
      `${(wipeMs / 1000).toFixed(2)} s (${thousands(Math.round(rate))} events/s; with the disconnect ` +
      `${((wipeMs + disconnectMs) / 1000).toFixed(2)} s); ${slices} messages (slices of ${thousands(Mailbox.WIPE_SLICE)}), ` +
      `${slices - 1} continuations sent, ${receives} ReceiveMessage`,
    target: "figure",
  });
  rows.push({
    measure: "  slice time",
    figure: `p50 ${ms(percentile(sliceTimes, 50))}, max ${ms(Math.max(...sliceTimes))}`,
    target: `< ${CONSUMER_TIMEOUT_MS / 1000} s (consumer timeout)`,
    met: Math.max(...sliceTimes) < CONSUMER_TIMEOUT_MS,
  });
  rows.push({
    measure: "  DynamoDB requests, whole wipe",
    figure: `${describeCounts(wiped, 1)}; per 1,000 events ${describeCounts(wiped, per1000)}`,
    target: "figure",
  });
  rows.push({
    measure: "  DynamoDB capacity per 1,000 events",
    figure: `${units(wiped.writeUnits / per1000)} WCU, ${units(wiped.readUnits / per1000)} RCU (whole wipe ${units(wiped.writeUnits)} WCU, ${units(wiped.readUnits)} RCU)`,
    target: "figure",
  });
  rows.push({
    measure: "  check: events left, completion markers",
    figure:
      `${left} left; ${found.length} mailboxWipe marker (eventsDeleted ${String(marker?.eventsDeleted)}, ` +
      `outbox ${outbox.map((event) => `${event.type} ${String(event.data.eventsDeleted)}`).join(", ") || "none"}); ` +
      `late redelivery of the first message: ${redelivered}, ${afterRedelivery.length} marker; ` +
      `account ${String(account?.status)}, tokens ${account?.sealedRefreshToken || account?.sealedAccessToken ? "KEPT" : "removed"}`,
    target: "0 left, exactly 1 marker",
    met: ok,
  });
  return { seconds: wipeMs / 1000, rate, slices, left };
}

/** Node 22.19+: the sandbox's self-signed certificate trusted in-process (MSAL and Graph talk https only). */
function trustCertificate(pem: string): void {
  const current = tls.getCACertificates("default");
  if (!current.includes(pem)) tls.setDefaultCACertificates([...current, pem]);
}

export async function run(): Promise<void> {
  const started = performance.now();
  const inMemory = process.env.BENCH_DYNAMO === "memory";
  console.log(
    `mailbox connections on DynamoDB Local + the loopback Google and Microsoft sandboxes + fauxqs ` +
      `(${availableParallelism()} cores, node ${process.versions.node}); DynamoDB Local ${inMemory ? "in memory" : "on disk"}, ` +
      `${CONNECTS} connects per provider (+${WARMUP} warm-up), ${thousands(EVENTS)} events wiped`,
  );
  // "mailbox connected" per connect, and "domain events are not published" (no bus): not figures.
  logger.setLogLevel("ERROR");
  failures.length = 0;

  const certificate = await loopbackTls();
  trustCertificate(certificate.cert);
  let googleSandbox: GoogleSandbox | undefined;
  let microsoftSandbox: MicrosoftSandbox | undefined;
  let sqsEmulator: SqsEmulator | undefined;
  let sqs: SQSClient | undefined;
  try {
    [googleSandbox, microsoftSandbox, sqsEmulator] = await Promise.all([
      GoogleSandbox.start(),
      MicrosoftSandbox.start({ tls: certificate }),
      startSqsEmulator(),
    ]);
    sqs = sqsClient(sqsEmulator.endpoint);
    const queueName = `kith-bench-mailbox-wipe-${randomUUID().slice(0, 8)}`;
    await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
    // On the emulator's own origin, so the SDK sends to it without a "QueueUrl differs" warning.
    const queueUrl = `${sqsEmulator.endpoint}/000000000000/${queueName}`;
    const env = {
      ...googleSandboxEnv(googleSandbox),
      ...microsoftSandboxEnv(microsoftSandbox),
      OAUTH_STATE_SECRET: "bench-oauth-state-secret",
      TOKEN_ENCRYPTION_KEY: "bench-token-encryption-key",
      // The callback is called through core, never over HTTP: any URL does.
      OAUTH_REDIRECT_BASE_URL: "http://127.0.0.1:9",
      AWS_ENDPOINT_URL_SQS: sqsEmulator.endpoint,
      KITH_QUEUE_URL_MAILBOX_WIPE: queueUrl,
      POWERTOOLS_LOG_LEVEL: "ERROR",
    };
    const sandboxes = { google: googleSandbox, microsoft: microsoftSandbox };
    const client = sqs;
    await withBenchTable({ name: "mailbox", table: TABLE, inMemory, env }, async () => {
      if (process.env.KITH_KMS_KEY_ID)
        throw new Error("unset KITH_KMS_KEY_ID: the bench seals with the local key");
      const { org } = await Orgs.create({ name: "Mailbox Bench Co", slug: "mailbox-bench-co" });
      // The wipe's member connects first; the seed's 20,000 writes then warm DynamoDB Local's JVM too.
      const wipeMember = await connectOnce(org.id, google, sandboxes.google, "wipe");
      const wipeRows: Row[] = [];
      const connectRows: Row[] = [];
      const tokenRows: Row[] = [];
      const wipe = await benchWipe(org.id, sandboxes.google, wipeMember, client, queueUrl, wipeRows);
      const connects = {
        google: await benchConnects(org.id, google, sandboxes.google, connectRows),
        microsoft: await benchConnects(org.id, microsoft, sandboxes.microsoft, connectRows),
      };
      const tokens = await benchAccessTokens(
        [
          { provider: google, sandbox: sandboxes.google, ref: connects.google.refs[0] as Mailbox.AccountRef },
          {
            provider: microsoft,
            sandbox: sandboxes.microsoft,
            ref: connects.microsoft.refs[0] as Mailbox.AccountRef,
          },
        ],
        tokenRows,
      );

      const rows = [...connectRows, ...tokenRows, ...wipeRows];
      printTable(rows);
      const checked = rows.filter((row) => row.met !== undefined);
      const missed = checked.filter((row) => !row.met);
      console.log(
        `summary: connect p50 google ${ms(connects.google.authorizeP50)} + ${ms(connects.google.callbackP50)}, ` +
          `microsoft ${ms(connects.microsoft.authorizeP50)} + ${ms(connects.microsoft.callbackP50)} (authorizeUrl + callback), ` +
          `${perCall(connects.google.callbackRequests)} DynamoDB requests/callback; ` +
          `${perCall(tokens.refreshTokenCalls)} token call/refresh; wipe ${thousands(EVENTS)} events in ${wipe.seconds.toFixed(2)} s ` +
          `(${thousands(Math.round(wipe.rate))}/s, ${wipe.slices} slices, ${wipe.left} left); ` +
          `${checked.length - missed.length}/${checked.length} targets met` +
          `${missed.length > 0 ? ` (missed: ${missed.map((row) => row.measure.trim()).join("; ")})` : ""}; ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    });
  } finally {
    sqs?.destroy();
    await Promise.all([googleSandbox?.close(), microsoftSandbox?.close(), sqsEmulator?.stop()]);
  }
  if (failures.length > 0) {
    console.error(`mailbox bench: correctness check failed: ${failures.join("; ")}`);
    process.exitCode = 1;
  }
}
