import { DeleteMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { SyncJob } from "@kith/core/mailbox/schemas";
import * as Storage from "@kith/core/storage";
import { googleSync } from "@kith/core/sync/google";
import { guardFor } from "@kith/core/sync/guard";
import { type RunOutcome, runSyncJob, type SyncDeps } from "@kith/core/sync/job";
import { type PacerCounters, sharedBudget } from "@kith/core/sync/pacing";
import type { Step, Syncer } from "@kith/core/sync/syncer";
import { logger } from "@kith/core/util";
import { sqsClient } from "@kith/local/sqs";

/**
 * The syncer process of `bench/backfill.ts`: one scope's chain run as the `sync-google` queue's
 * consumer runs it (batch size 1: receive a message, `runSyncJob`, delete it; again until the queue
 * is empty), in a process of its own so its peak RSS is the syncer's alone. The sandbox, the SQS
 * emulator and DynamoDB Local live in the parent; their endpoints come in the environment (the same
 * variables the Lambda reads), the job in `BENCH_BACKFILL_JOB`. Reports one JSON line on IPC.
 *
 * The wrappers around `googleSync` only observe: each invocation's pacer (its counters), and the
 * time spent inside `syncer.step` (provider requests, quota waits, classification) as opposed to
 * the runner's own DynamoDB work (scope state, lease, event writes, commits).
 */

export interface WorkerReport {
  scope: string;
  wallMs: number;
  invocations: number;
  outcomes: Record<string, number>;
  invocationMs: number[];
  steps: number;
  stepMs: number;
  upserts: number;
  dynamo: Storage.RequestCounts;
  pacer: Omit<PacerCounters, "waitedMs"> & { waitedMs: number };
  budget: { unitsSpent: number; waitedMs: number; takes: number; effectiveUnitsPerMinute: number };
  receives: number;
  maxRssKb: number;
  heapUsedMb: number;
  startupMs: number;
}

// Module bodies run after every import is loaded: this is the process's start-up (node, tsx, imports).
const startupMs = performance.now();
logger.setLogLevel("ERROR");

const job = JSON.parse(process.env.BENCH_BACKFILL_JOB ?? "") as SyncJob;
const queueUrl = process.env.KITH_QUEUE_URL_SYNC_GOOGLE ?? "";
const budgetMs = Number(process.env.BENCH_BACKFILL_BUDGET_MS ?? 60_000);
const sqs = sqsClient(process.env.AWS_ENDPOINT_URL_SQS ?? "");

const counters: PacerCounters[] = [];
const pacers: { counters(): PacerCounters }[] = [];
let steps = 0;
let stepMs = 0;
let upserts = 0;

const deps: SyncDeps = {
  ...googleSync,
  syncerFor: (syncJob) => {
    const syncer = googleSync.syncerFor(syncJob);
    const timed: Syncer = {
      ...syncer,
      async step(context): Promise<Step> {
        const at = performance.now();
        try {
          const step = await syncer.step(context);
          upserts += step.upserts.length;
          return step;
        } finally {
          steps += 1;
          stepMs += performance.now() - at;
        }
      },
    };
    return timed;
  },
  callsFor: (syncer, syncJob, deadline) => {
    const pacer = guardFor(syncer, syncJob, deadline);
    pacers.push(pacer);
    return pacer;
  },
};

async function receive(waitSeconds: number) {
  const batch = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: waitSeconds }),
  );
  return batch.Messages?.[0];
}

async function chain(): Promise<Omit<WorkerReport, "maxRssKb" | "heapUsedMb" | "startupMs">> {
  const outcomes: RunOutcome[] = [];
  const invocationMs: number[] = [];
  let receives = 0;
  const invoke = async (message: SyncJob) => {
    const at = performance.now();
    const outcome = await runSyncJob(message, deps, { budgetMs });
    invocationMs.push(performance.now() - at);
    outcomes.push(outcome);
    return outcome;
  };
  const started = performance.now();
  const { requests } = await Storage.countRequests(
    async () => {
      let last = await invoke(job);
      for (let guard = 0; guard < 10_000; guard++) {
        // A continuation is on the queue already; a deferral's arrives after its delay (long poll).
        const expecting = last === "continued" || last === "deferred";
        let message = await receive(0);
        receives += 1;
        for (let wait = 0; !message && expecting && wait < 60; wait++) {
          message = await receive(1);
          receives += 1;
        }
        if (!message) return;
        last = await invoke(JSON.parse(message.Body ?? "{}") as SyncJob);
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
      throw new Error("the chain did not end within 10,000 invocations");
    },
    { capacity: true },
  );
  const wallMs = performance.now() - started;
  for (const pacer of pacers) counters.push(pacer.counters());
  const total = (pick: (c: PacerCounters) => number) => counters.reduce((sum, c) => sum + pick(c), 0);
  const budget = sharedBudget(job.scope === "mail" ? "google_gmail" : "google_calendar", job.accountId);
  return {
    scope: job.scope,
    wallMs,
    invocations: outcomes.length,
    outcomes: outcomes.reduce<Record<string, number>>((by, outcome) => {
      by[outcome] = (by[outcome] ?? 0) + 1;
      return by;
    }, {}),
    invocationMs,
    steps,
    stepMs,
    upserts,
    dynamo: requests,
    pacer: {
      requests: total((c) => c.requests),
      units: total((c) => c.units),
      retries: total((c) => c.retries),
      throttled: total((c) => c.throttled),
      failures: total((c) => c.failures),
      budgetWaitMs: total((c) => c.budgetWaitMs),
      retryWaitMs: total((c) => c.retryWaitMs),
      slotWaitMs: total((c) => c.slotWaitMs),
      waitedMs: total((c) => c.waitedMs),
    },
    budget: { ...budget.counters, effectiveUnitsPerMinute: budget.effectiveUnitsPerMinute },
    receives,
  };
}

try {
  const report = await chain();
  const usage = process.resourceUsage();
  const full: WorkerReport = {
    ...report,
    maxRssKb: usage.maxRSS,
    heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20,
    startupMs,
  };
  process.send?.({ ok: true, report: full });
} catch (error) {
  process.send?.({
    ok: false,
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  process.exitCode = 1;
} finally {
  sqs.destroy();
}
