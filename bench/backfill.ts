import { fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { CreateQueueCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { google } from "@kith/core/mailbox/google";
import * as Orgs from "@kith/core/orgs";
import * as Storage from "@kith/core/storage";
import { GMAIL_QUOTA_2026 } from "@kith/core/sync/pacing";
import { logger } from "@kith/core/util";
import { googleSandboxEnv } from "@kith/local/mailbox-providers";
import { type SqsEmulator, sqsClient, startSqsEmulator } from "@kith/local/sqs";
import { GoogleSandbox, MailWorld, PRIVACY_MARKER } from "@kith/sandbox";
import {
  addTeammates,
  type ConnectedMailbox,
  connectWorld,
  expectedMailLines,
  expectedMeetingLines,
  storedAccount,
  storedEvents,
  storedLines,
  syncJob,
  truthOf,
} from "../test/support/sync";
import type { WorkerReport } from "./backfill-worker";
import { apiName, percentile, printTable, type Row, withBenchTable } from "./support";

/**
 * The day-1 backfill of one member's Google mailbox (`packages/core/src/sync`), end to end: a
 * MailWorld of 20,000 messages in about 7,000 threads (30% newsletter singletons) and 1,500
 * meetings over 24 months, served by the loopback Google sandbox (Gmail and Calendar), connected
 * through the real OAuth flow, then synced by the real `googleSync` deps (@googleapis clients, the
 * pacing guard, DynamoDB Local, the fauxqs SQS emulator for the `sync-google` continuations).
 *
 * The syncer runs in a child process (`bench/backfill-worker.ts`) as the queue's consumer would run
 * it: one message at a time, each invocation `runSyncJob` with a step budget, each continuation
 * received from the queue. The sandbox, the emulator and DynamoDB Local stay in this process, so
 * the child's peak RSS is the syncer's own.
 *
 * Scale: Gmail's 2026 table (messages.get 20, threads.get 40, messages.list 5, history.list 2,
 * getProfile 1) at 6,000 units per user per minute is the real limit; at that rate this mailbox
 * takes most of an hour. Both the sandbox's limit and Kith's `GMAIL_UNITS_PER_MINUTE` are scaled by
 * the same factor K (the sandbox keeps its 60-second window, Kith its 90% safety margin), so a 429
 * means Kith overspent a limit it was told. The step budget stays the consumer's 60 s: what an
 * invocation costs apart from its steps (reading its state, the lease, re-listing its page, the
 * continuation) does not shrink with the quota, so a budget scaled by K would count it K times
 * over. Unscaled, the chain has about (quota floor ÷ 60 s) invocations; `BENCH_BACKFILL_BUDGET_MS`
 * sets another budget (60,000 / K gives as many invocations as that).
 *
 * Figures:
 * - wall time and messages per second (messages: those Gmail lists in the 24-month window);
 * - Gmail quota units per message, against one `messages.get` (20 units) per message;
 * - 429s the sandbox sent;
 * - DynamoDB write units per stored event (ConsumedCapacity of every request of the syncer process);
 * - pipeline time against the larger of (a) plain BatchWriteItem of the same items (read back,
 *   written to a fresh partition 25 at a time, one request in flight, as `db.batchPut` writes) and
 *   (b) the units spent ÷ Kith's own effective rate (the quota floor);
 * - the syncer process's peak RSS;
 * - the calendar scope (1,500 meetings) apart: time, requests, events.
 * Checks (exit 1 on failure): the stored mail and meeting events equal the ground truth
 * (test/support/sync.ts), no stored item carries the world's `PRIVATE-` marker.
 *
 * Environment: BENCH_BACKFILL_SCALE (K, default 100), BENCH_BACKFILL_BUDGET_MS (step budget, default
 * 60,000), BENCH_BACKFILL_MESSAGES (20,000), BENCH_BACKFILL_THREADS (7,000),
 * BENCH_BACKFILL_MEETINGS (1,500), BENCH_BACKFILL_SEED (2026), BENCH_DYNAMO (unset: DynamoDB Local
 * on disk; "memory": in memory).
 */

const TABLE = "kith-bench-backfill";
const REAL_UNITS_PER_MINUTE = GMAIL_QUOTA_2026.unitsPerMinute;
const MESSAGE_GET_UNITS = GMAIL_QUOTA_2026.costs["messages.get"] ?? 20;
const SAFETY_MARGIN = 0.9;
const SCALE = Number(process.env.BENCH_BACKFILL_SCALE ?? 100);
const BUDGET_MS = Number(process.env.BENCH_BACKFILL_BUDGET_MS ?? 60_000);
const MESSAGES = Number(process.env.BENCH_BACKFILL_MESSAGES ?? 20_000);
const THREADS = Number(process.env.BENCH_BACKFILL_THREADS ?? 7_000);
const MEETINGS = Number(process.env.BENCH_BACKFILL_MEETINGS ?? 1_500);
const SEED = Number(process.env.BENCH_BACKFILL_SEED ?? 2026);
const NEWSLETTER_SHARE = 0.3;
const DAY = 86_400_000;
const BACKFILL_DAYS = 730;
const RAW_PARTITION = "BENCH#raw-batchwrite";
const WORKER = fileURLToPath(new URL("./backfill-worker.ts", import.meta.url));

const thousands = (value: number) => Math.round(value).toLocaleString("en-US");
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fixed = (value: number, digits = 2) => value.toFixed(digits);

/** Records what a correctness check found; any failure makes the run exit 1. */
const failures: string[] = [];
function check(ok: boolean, what: string): boolean {
  if (!ok) failures.push(what);
  return ok;
}

/** Runs one scope's chain in the syncer process and returns what it measured. */
function runWorker(
  job: object,
  env: Record<string, string>,
): Promise<{ report: WorkerReport; totalMs: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], {
      execArgv: ["--disable-warning=ExperimentalWarning", "--import", "tsx"],
      env: { ...process.env, ...env, BENCH_BACKFILL_JOB: JSON.stringify(job) },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let report: WorkerReport | undefined;
    let failure: string | undefined;
    child.on("message", (message: { ok: boolean; report?: WorkerReport; error?: string }) => {
      if (message.ok) report = message.report;
      else failure = message.error;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (report && code === 0) resolve({ report, totalMs: performance.now() - started });
      else reject(new Error(`the syncer process exited ${code}: ${failure ?? "no report"}`));
    });
  });
}

/** The same items written again to a fresh partition with plain BatchWriteItem, 25 a request, one in flight. */
async function rawBatchWrite(
  items: readonly Record<string, unknown>[],
): Promise<{ ms: number; counts: Storage.RequestCounts }> {
  const copies = items.map((item) => ({ ...item, pk: RAW_PARTITION }));
  const table = Storage.tableName();
  const client = Storage.documentClient();
  const started = performance.now();
  const { requests } = await Storage.countRequests(
    async () => {
      for (let start = 0; start < copies.length; start += 25) {
        let pending = copies.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt > 0) await new Promise((done) => setTimeout(done, Math.min(1000, 25 * 2 ** attempt)));
          const result = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
          pending = (result.UnprocessedItems?.[table] ?? []) as typeof pending;
        }
      }
    },
    { capacity: true },
  );
  return { ms: performance.now() - started, counts: requests };
}

function describeCommands(counts: Storage.RequestCounts): string {
  const byApi = new Map<string, number>();
  for (const [command, count] of Object.entries(counts.byCommand)) {
    byApi.set(apiName(command), (byApi.get(apiName(command)) ?? 0) + count);
  }
  return [...byApi]
    .sort((a, b) => b[1] - a[1])
    .map(([api, count]) => `${api} ${thousands(count)}`)
    .join(", ");
}

function describeRequests(requests: Record<string, number>): string {
  return Object.entries(requests)
    .sort((a, b) => b[1] - a[1])
    .map(([endpoint, count]) => `${endpoint} ${thousands(count)}`)
    .join(", ");
}

/**
 * The sandbox's Gmail sorts the whole world for every call (`world.messages()` in getThread,
 * listMessages, getProfile): about 11 ms a call at 20,000 messages, which made the sandbox, not the
 * syncer, the bottleneck. The bench keeps the sorted array while the world is unchanged (its `seq`
 * moves on every change); every caller only reads it. Returns one unmemoized call's time.
 */
function memoizeListing(world: MailWorld): number {
  const sorted = world.messages.bind(world);
  const at = performance.now();
  let cached = sorted();
  const sortMs = performance.now() - at;
  let cachedAt = world.seq;
  world.messages = () => {
    if (world.seq !== cachedAt) {
      cached = sorted();
      cachedAt = world.seq;
    }
    return cached;
  };
  return sortMs;
}

/** The world's messages Gmail lists (not spam, not trash) inside the 24-month window. */
function listedInWindow(world: MailWorld, now: number): number {
  const horizon = now - BACKFILL_DAYS * DAY;
  return world
    .messages()
    .filter(
      (message) => message.internalDate >= horizon && !["junkemail", "deleteditems"].includes(message.folder),
    ).length;
}

function compareLines(
  stored: readonly string[],
  expected: readonly string[],
): { missing: number; extra: number } {
  const counts = new Map<string, number>();
  for (const line of expected) counts.set(line, (counts.get(line) ?? 0) + 1);
  let extra = 0;
  for (const line of stored) {
    const left = counts.get(line) ?? 0;
    if (left > 0) counts.set(line, left - 1);
    else extra += 1;
  }
  const missing = [...counts.values()].reduce((a, b) => a + b, 0);
  return { missing, extra };
}

export async function run(): Promise<void> {
  const started = performance.now();
  const inMemory = process.env.BENCH_DYNAMO === "memory";
  const limit = REAL_UNITS_PER_MINUTE * SCALE;
  const effectivePerMinute = Math.floor(limit * SAFETY_MARGIN);
  console.log(
    `backfill: Gmail + Google Calendar syncers on DynamoDB Local + the loopback Google sandbox + fauxqs ` +
      `(${availableParallelism()} cores, node ${process.versions.node}); DynamoDB Local ${inMemory ? "in memory" : "on disk"}; ` +
      `quota scale K = ${SCALE} (${thousands(limit)} units/min both sides), step budget ${thousands(BUDGET_MS)} ms`,
  );
  logger.setLogLevel("ERROR");
  failures.length = 0;

  let sandbox: GoogleSandbox | undefined;
  let sqsEmulator: SqsEmulator | undefined;
  let sqs: SQSClient | undefined;
  try {
    [sandbox, sqsEmulator] = await Promise.all([
      GoogleSandbox.start({ gmail: { unitsPerMinute: limit } }),
      startSqsEmulator(),
    ]);
    sqs = sqsClient(sqsEmulator.endpoint);
    const queueName = `kith-bench-sync-google-${randomUUID().slice(0, 8)}`;
    await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
    const queueUrl = `${sqsEmulator.endpoint}/000000000000/${queueName}`;
    const env = {
      ...googleSandboxEnv(sandbox),
      OAUTH_STATE_SECRET: "bench-oauth-state-secret",
      TOKEN_ENCRYPTION_KEY: "bench-token-encryption-key",
      OAUTH_REDIRECT_BASE_URL: "http://127.0.0.1:9",
      AWS_ENDPOINT_URL_SQS: sqsEmulator.endpoint,
      KITH_QUEUE_URL_SYNC_GOOGLE: queueUrl,
      GMAIL_QUOTA_TABLE: "2026",
      GMAIL_UNITS_PER_MINUTE: String(limit),
      POWERTOOLS_LOG_LEVEL: "ERROR",
    };
    const google$ = sandbox;
    await withBenchTable({ name: "backfill", table: TABLE, inMemory, env }, async () => {
      if (process.env.KITH_KMS_KEY_ID)
        throw new Error("unset KITH_KMS_KEY_ID: the bench seals with the local key");
      const { org } = await Orgs.create({ name: "Backfill Bench Co", slug: "backfill-bench-co" });

      let at = performance.now();
      const world = new MailWorld({
        seed: SEED,
        owner: { email: "member@backfill-bench.example", name: "Bench Member" },
        teammates: [
          { email: "mate.one@backfill-bench.example", name: "Mate One" },
          { email: "mate.two@backfill-bench.example", name: "Mate Two" },
        ],
        messages: MESSAGES,
        threads: THREADS,
        newsletterShare: NEWSLETTER_SHARE,
        meetings: MEETINGS,
      });
      const generateMs = performance.now() - at;
      const sortMs = memoizeListing(world);
      const allMessages = world.messages();
      const threadCount = new Set(allMessages.map((message) => message.threadId)).size;
      await addTeammates(org.id, world);
      at = performance.now();
      const mailbox: ConnectedMailbox = await connectWorld(org.id, google, google$, world);
      const connectMs = performance.now() - at;
      const workerEnv = { BENCH_BACKFILL_BUDGET_MS: String(BUDGET_MS) };

      // ---- mail ----
      const mail = await runWorker(syncJob(mailbox, "mail"), workerEnv);
      const phase = { readBack: 0, truth: 0, calendarWorker: 0, privacy: 0 };
      let mark = performance.now();
      const lap = (name: keyof typeof phase) => {
        phase[name] = performance.now() - mark;
        mark = performance.now();
      };
      const now = Date.now();
      const usage = google$.gmail.usage(mailbox.email);
      const listed = listedInWindow(world, now);
      const storedMail = await storedEvents(mailbox.accountId, "mail");
      lap("readBack");
      const expectedMail = expectedMailLines(world, "gmail", truthOf(world));
      const mailDiff = compareLines(storedLines(storedMail), expectedMail);
      const mailOk = check(
        mailDiff.missing === 0 && mailDiff.extra === 0,
        `mail events differ from the ground truth (${mailDiff.missing} missing, ${mailDiff.extra} extra)`,
      );
      const account = await storedAccount(mailbox);
      lap("truth");
      const sync = (account?.sync as Record<string, { phase?: string; eventsIngested?: number }> | undefined)
        ?.mail;
      const stateOk = check(
        sync?.phase === "incremental" &&
          sync.eventsIngested === storedMail.length &&
          account?.mailLease === undefined,
        `the mail scope's state is not incremental with ${storedMail.length} events and no lease`,
      );

      // (a) the same items, plain BatchWriteItem; (b) the units ÷ Kith's effective rate.
      const raw = await rawBatchWrite(storedMail);
      const quotaFloorMs = usage.units / (effectivePerMinute / 60_000);
      const floorMs = Math.max(raw.ms, quotaFloorMs);
      const pipelineRatio = mail.report.wallMs / floorMs;
      const unitsPerMessage = usage.units / listed;
      const vsGet = unitsPerMessage / MESSAGE_GET_UNITS;
      const wcuPerEvent = mail.report.dynamo.writeUnits / storedMail.length;
      const rawWcuPerEvent = raw.counts.writeUnits / storedMail.length;
      const rssMb = mail.report.maxRssKb / 1024;
      mark = performance.now();
      const mailInvocations = mail.report.invocationMs;

      // ---- calendar ----
      const calendar = await runWorker(syncJob(mailbox, "calendar"), workerEnv);
      lap("calendarWorker");
      const calendarUsage = google$.calendar.usage(mailbox.email);
      const storedMeetings = await storedEvents(mailbox.accountId, "calendar");
      const expectedMeetings = expectedMeetingLines(world, "gcal", truthOf(world));
      const meetingDiff = compareLines(storedLines(storedMeetings), expectedMeetings);
      const meetingsOk = check(
        meetingDiff.missing === 0 && meetingDiff.extra === 0,
        `meeting events differ from the ground truth (${meetingDiff.missing} missing, ${meetingDiff.extra} extra)`,
      );

      // ---- privacy: nothing of a subject, snippet, body, title, description or location stored ----
      mark = performance.now();
      const everything = [...storedMail, ...storedMeetings, ...(account ? [account] : [])];
      const leaking = everything.filter((item) => JSON.stringify(item).includes(PRIVACY_MARKER)).length;
      lap("privacy");
      const privateOk = check(leaking === 0, `${leaking} stored items carry ${PRIVACY_MARKER}`);

      const mailWall = mail.report.wallMs;
      const rows: Row[] = [
        {
          measure: "scale",
          figure:
            `K = ${SCALE}: sandbox and GMAIL_UNITS_PER_MINUTE ${thousands(limit)} units/min ` +
            `(real ${thousands(REAL_UNITS_PER_MINUTE)}), Kith's effective ${thousands(effectivePerMinute)}/min (${SAFETY_MARGIN * 100}%); ` +
            `step budget ${thousands(BUDGET_MS)} ms`,
          target: "figure",
        },
        {
          measure: "world",
          figure:
            `${thousands(allMessages.length)} messages in ${thousands(threadCount)} threads, ${thousands(world.meetings().length)} meetings ` +
            `(generated in ${seconds(generateMs)}; world.messages() ${fixed(sortMs, 1)} ms a call, memoized); ${thousands(listed)} listed in the 24-month window; connect ${seconds(connectMs)}`,
          target: "figure",
        },
        {
          measure: "mail backfill: wall time",
          figure:
            `${seconds(mailWall)} (${thousands(listed / (mailWall / 1000))} messages/s, ` +
            `${thousands(storedMail.length / (mailWall / 1000))} events/s); syncer process ${seconds(mail.totalMs)} with start-up ${seconds(mail.report.startupMs)}`,
          target: "figure",
        },
        {
          measure: "  invocations",
          figure:
            `${mail.report.invocations} (${Object.entries(mail.report.outcomes)
              .map(([outcome, count]) => `${outcome} ${count}`)
              .join(
                ", ",
              )}); p50 ${seconds(percentile(mailInvocations, 50))}, max ${seconds(Math.max(...mailInvocations))}; ` +
            `${mail.report.steps} steps`,
          target: "figure",
        },
        {
          measure: "  Gmail requests",
          figure: `${describeRequests(usage.requests)}; max ${usage.maxInFlight} in flight`,
          target: "figure",
        },
        {
          measure: "  Gmail units per message",
          figure:
            `${fixed(unitsPerMessage)} (${thousands(usage.units)} units / ${thousands(listed)} messages) = ` +
            `${fixed(vsGet)}x one messages.get each`,
          target: "<= 0.75x",
          met: vsGet <= 0.75,
        },
        {
          measure: "  429 responses",
          figure: `${usage.throttled} (Kith saw ${mail.report.pacer.throttled} throttled, ${mail.report.pacer.retries} retries; 5xx ${usage.serverErrors})`,
          target: "0",
          met: usage.throttled === 0,
        },
        {
          measure: "  DynamoDB requests (syncer process)",
          figure: `${thousands(mail.report.dynamo.total)}: ${describeCommands(mail.report.dynamo)}`,
          target: "figure",
        },
        {
          measure: "  DynamoDB write units per event",
          figure:
            `${fixed(wcuPerEvent)} (${thousands(mail.report.dynamo.writeUnits)} WCU / ${thousands(storedMail.length)} events; ` +
            `${thousands(mail.report.dynamo.readUnits)} RCU); plain BatchWriteItem of the same items ${fixed(rawWcuPerEvent)}`,
          target: "<= 3",
          met: wcuPerEvent <= 3,
        },
        {
          measure: "  (a) plain BatchWriteItem, same items",
          figure: `${seconds(raw.ms)} (${thousands(storedMail.length / (raw.ms / 1000))} items/s, 25 a request, one in flight)`,
          target: "figure",
        },
        {
          measure: "  (b) units ÷ Kith's quota rate",
          figure: `${seconds(quotaFloorMs)} (${thousands(usage.units)} units at ${thousands(effectivePerMinute)}/min)`,
          target: "figure",
        },
        {
          measure: "  pipeline time vs max(a, b)",
          figure: `${fixed(pipelineRatio)}x (${seconds(mailWall)} / ${seconds(floorMs)})`,
          target: "<= 1.5x",
          met: pipelineRatio <= 1.5,
        },
        {
          measure: "  where the time goes",
          figure:
            `in syncer steps ${seconds(mail.report.stepMs)} (quota waits ${seconds(mail.report.pacer.budgetWaitMs)}, ` +
            `in-flight slot waits ${seconds(mail.report.pacer.slotWaitMs)} summed over requests); ` +
            `runner (state, lease, writes, commits, queue) ${seconds(mailWall - mail.report.stepMs)}`,
          target: "figure",
        },
        {
          measure: "  peak RSS, syncer process",
          figure: `${fixed(rssMb, 1)} MB (heap used at the end ${fixed(mail.report.heapUsedMb, 1)} MB)`,
          target: "<= 256 MB",
          met: rssMb <= 256,
        },
        {
          measure: "  unscaled (6,000 units/min)",
          figure:
            `quota floor ${(usage.units / (Math.floor(REAL_UNITS_PER_MINUTE * SAFETY_MARGIN) * 60)).toFixed(1)} h ` +
            `(${thousands(usage.units)} units at ${thousands(REAL_UNITS_PER_MINUTE * SAFETY_MARGIN)}/min); wall × K ≈ ` +
            `${((mailWall * SCALE) / 3_600_000).toFixed(1)} h`,
          target: "figure",
        },
        {
          measure: "  check: events vs ground truth",
          figure:
            `${thousands(storedMail.length)} stored, ${thousands(expectedMail.length)} expected ` +
            `(${mailDiff.missing} missing, ${mailDiff.extra} extra); sync.mail ${sync?.phase}, eventsIngested ${sync?.eventsIngested}`,
          target: "equal",
          met: mailOk && stateOk,
        },
        {
          measure: "calendar backfill: wall time",
          figure:
            `${seconds(calendar.report.wallMs)}; ${calendar.report.invocations} invocations, ${calendar.report.steps} steps; ` +
            `Calendar requests ${describeRequests(calendarUsage.requests)}, 429s ${calendarUsage.throttled}`,
          target: "figure",
        },
        {
          measure: "  events, DynamoDB",
          figure:
            `${thousands(storedMeetings.length)} events (${thousands(expectedMeetings.length)} expected: ` +
            `${meetingDiff.missing} missing, ${meetingDiff.extra} extra); ${thousands(calendar.report.dynamo.total)} requests, ` +
            `${fixed(calendar.report.dynamo.writeUnits / Math.max(1, storedMeetings.length))} WCU/event; peak RSS ${fixed(calendar.report.maxRssKb / 1024, 1)} MB`,
          target: "equal",
          met: meetingsOk,
        },
        {
          measure: `check: no stored item carries ${PRIVACY_MARKER}`,
          figure: `${leaking} of ${thousands(everything.length)} items (every event, the account item)`,
          target: "0",
          met: privateOk,
        },
      ];
      rows.push({
        measure: "bench phases",
        figure: Object.entries(phase)
          .map(([name, ms]) => `${name} ${seconds(ms)}`)
          .join(", "),
        target: "figure",
      });
      printTable(rows);
      const checked = rows.filter((row) => row.met !== undefined);
      const missed = checked.filter((row) => !row.met);
      console.log(
        `summary: K=${SCALE}; mail ${thousands(listed)} messages in ${seconds(mailWall)} (${thousands(listed / (mailWall / 1000))}/s), ` +
          `${fixed(vsGet)}x units of messages.get, ${usage.throttled} 429s, ${fixed(wcuPerEvent)} WCU/event, ` +
          `pipeline ${fixed(pipelineRatio)}x its floor, peak RSS ${fixed(rssMb, 0)} MB, ${mail.report.invocations} invocations; ` +
          `calendar ${thousands(storedMeetings.length)} events in ${seconds(calendar.report.wallMs)}; ` +
          `${checked.length - missed.length}/${checked.length} targets met` +
          `${missed.length > 0 ? ` (missed: ${missed.map((row) => row.measure.trim()).join("; ")})` : ""}; ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    });
  } finally {
    sqs?.destroy();
    await Promise.all([sandbox?.close(), sqsEmulator?.stop()]);
  }
  if (failures.length > 0) {
    console.error(`backfill bench: correctness check failed: ${failures.join("; ")}`);
    process.exitCode = 1;
  }
}
