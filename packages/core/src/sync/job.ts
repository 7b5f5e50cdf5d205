import { ulid } from "ulid";
import { ReauthRequired } from "../mailbox/errors";
import { syncQueueFor } from "../mailbox/jobs";
import type { OAuthProvider } from "../mailbox/provider";
import type { Scope, SyncJob } from "../mailbox/schemas";
import { wipePendingAttribute } from "../mailbox/store";
import { accessToken } from "../mailbox/tokens";
import * as Queues from "../queues";
import { db } from "../storage";
import { logger } from "../util/logger";
import { eventItem, eventSource } from "./event";
import { SyncDeferred } from "./pacing-errors";
import { OrgPeople } from "./people";
import {
  acquireLease,
  commitStep,
  countEvents,
  handOffLease,
  type LeaseHold,
  readScopeState,
  recordPendingRequest,
  releaseLease,
  type ScopeState,
  writeEvents,
} from "./state";
import { DAY_MS, type ProviderCalls, type Step, type StepContext, type Syncer } from "./syncer";

/**
 * One sync job: one scope of one mailbox, run as a chain of bounded invocations. Each invocation
 * takes the scope's lease (one chain per scope at a time), runs steps until its time budget is
 * spent (each step's events written, then its cursor committed), and enqueues its continuation
 * while work remains. A crash anywhere leaves the cursor at the last commit; the redelivered
 * message, or the next request once the lease has expired, carries on from there.
 */

/** How long a lease outlives its last renewal: past the consumer's timeout and the queue's redelivery. */
export const LEASE_MS = 10 * 60_000;

/** What a provider's syncer function brings: only its own provider's clients are in its bundle. */
export interface SyncDeps {
  oauth: OAuthProvider;
  /** The syncer for a scope of this provider. */
  syncerFor: (job: SyncJob) => Syncer;
  /** The guard every provider request goes through (quota, in-flight, retries, breaker). */
  callsFor: (syncer: Syncer, job: SyncJob, deadline: number) => ProviderCalls;
}

export interface RunOptions {
  /** The SQS message id of the request: names a fresh chain, so its redelivery resumes it. */
  messageId?: string;
  /** Milliseconds this invocation may spend on steps; well under the consumer's timeout. */
  budgetMs?: number;
  now?: () => Date;
  /** Called after a step's events are written and before its commit (tests crash a job here). */
  beforeCommit?: (step: Step) => Promise<void> | void;
}

export type RunOutcome =
  | "dropped"
  | "queued_behind"
  | "lease_lost"
  | "continued"
  | "deferred"
  | "completed"
  | "reauth_required";

/** How long a sync waits for its scope's wipe before it looks again. */
const WIPE_WAIT_SECONDS = 30;

/** Backfill steps fetched ahead of the one being written. */
const FETCH_AHEAD = 2;

/**
 * Fetches steps one after another, each from the last one's cursor, while `canContinue` says so
 * and fewer than `depth` wait to be taken: the producer half of the backfill's pipeline.
 */
class StepFeed {
  private readonly ready: Promise<Step>[] = [];
  private stopped = false;
  private resume: (() => void) | undefined;

  constructor(
    private readonly fetch: (cursor: StepContext["cursor"]) => Promise<Step>,
    private readonly canContinue: (step: Step) => boolean,
    private readonly depth: number,
  ) {}

  start(cursor: StepContext["cursor"]): void {
    const pending = this.fetch(cursor);
    this.ready.push(pending);
    pending.then(
      (step) => {
        if (this.stopped || !this.canContinue(step)) return;
        const next = () => this.start(step.cursor);
        if (this.ready.length < this.depth) next();
        else this.resume = next;
      },
      () => undefined,
    );
  }

  /** The next fetched (or fetching) step, in order; undefined when the feed has stopped fetching. */
  next(): Promise<Step> | undefined {
    const step = this.ready.shift();
    const resume = this.resume;
    this.resume = undefined;
    resume?.();
    return step;
  }

  hasPending(): boolean {
    return this.ready.length > 0 || this.resume !== undefined;
  }

  stop(): void {
    this.stopped = true;
    this.resume = undefined;
  }
}

/** A message of a chain that another invocation holds right now; retried by SQS, never lost. */
export class ChainBusy extends Error {
  constructor() {
    super("the sync chain of this message is held by another invocation");
    this.name = "ChainBusy";
  }
}

export async function runSyncJob(
  job: SyncJob,
  deps: SyncDeps,
  options: RunOptions = {},
): Promise<RunOutcome> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const state = await readScopeState(job, job.scope);
  const account = state?.account;
  if (
    !state ||
    !account ||
    account.accountId !== job.accountId ||
    !account.scopes[job.scope] ||
    !["connected", "syncing", "error"].includes(account.status)
  ) {
    logger.info("sync job dropped: the scope is not syncing", { accountId: job.accountId, scope: job.scope });
    return "dropped";
  }
  if (account.syncer?.[wipePendingAttribute(job.scope)] !== undefined) {
    // The scope was turned off and on again, and the old wipe is still deleting its events: the
    // sync waits for it, or the wipe would delete what the new backfill writes.
    await Queues.send(syncQueueFor(job.provider), job, { delaySeconds: WIPE_WAIT_SECONDS });
    return "deferred";
  }
  // A fresh request's chain is named by its message, so a redelivery after a crash is the same chain.
  const owner = job.chain ?? options.messageId ?? ulid();
  const hold: LeaseHold = { owner, seq: job.seq ?? 0, holder: ulid() };
  if (
    !(await acquireLease(
      account,
      job.scope,
      hold,
      started.getTime() + LEASE_MS,
      started.getTime(),
      !job.chain,
    ))
  ) {
    const lease = state.lease;
    if (lease?.owner === owner && lease.seq === hold.seq && lease.holder !== undefined) {
      // This very message is running elsewhere, or ran until it died: let SQS deliver it again
      // later; by then it has handed off (and the redelivery stops), or its holder is stale.
      throw new ChainBusy();
    }
    if (job.chain || lease?.owner === owner) return "lease_lost";
    await recordPendingRequest(account, job.scope, job.requestedAt);
    return "queued_behind";
  }

  const budgetMs = options.budgetMs ?? 60_000;
  const deadline = started.getTime() + budgetMs;
  const syncer = deps.syncerFor(job);
  const calls = deps.callsFor(syncer, job, deadline);
  const context: StepContext = {
    account,
    scope: job.scope,
    owner: {
      orgId: job.orgId,
      userId: job.userId,
      accountId: job.accountId,
      provider: eventSource(job.provider, job.scope),
    },
    cursor: state.cursor,
    now: started,
    deadline,
    people: await OrgPeople.forMember(job.orgId, job.userId, account.email),
    calls,
    // One token per invocation: it is valid at least two minutes (tokens.ts refreshes earlier),
    // longer than an invocation runs, and each call would otherwise read the account again.
    accessToken: memoize(() => accessToken(deps.oauth, job)),
    chain: owner,
    memo: new Map(),
  };

  const fetchStep = (cursor: StepContext["cursor"]) => {
    const pending = syncer.step({ ...context, cursor });
    // Awaited below; until then a failure must not surface as an unhandled rejection.
    pending.catch(() => undefined);
    return pending;
  };
  // A backfill's steps are fetched back to back, up to two ahead of the writer: the backfill
  // takes the longer of fetching and writing, not their sum. Only backfill steps are fetched
  // ahead: they read nothing from the table (a re-sync's last step compares with what is stored,
  // which the step before must have written first).
  const feed = new StepFeed(
    fetchStep,
    (step) => step.phase === "backfill" && !step.done && now().getTime() < deadline,
    FETCH_AHEAD,
  );
  try {
    feed.start(context.cursor);
    for (;;) {
      const step = await (feed.next() ?? fetchStep(context.cursor));
      const eventsDelta = await writeEvents(job.accountId, job.scope, step);
      await options.beforeCommit?.(step);
      const at = now();
      const committed = await commitStep(state, job.scope, hold, {
        cursor: step.cursor,
        phase: step.phase,
        progress: step.progress,
        backfilledThrough: step.backfilledThrough,
        eventsDelta,
        ...(step.recount ? { eventsIngested: await countEvents(job.accountId, job.scope) } : {}),
        leaseUntil: at.getTime() + LEASE_MS,
        ...milestoneOf(state, step, at),
        now: at,
      });
      if (!committed) {
        logger.warn("sync step not committed: the lease is gone", {
          accountId: job.accountId,
          scope: job.scope,
        });
        feed.stop();
        await dropOrphans(job, step);
        return "lease_lost";
      }
      logger.debug("sync step committed", {
        accountId: job.accountId,
        scope: job.scope,
        phase: step.phase,
        progress: step.progress,
        upserted: step.upserts.length,
        removed: step.removals.length,
        eventsDelta,
      });
      context.cursor = step.cursor;
      if (step.done) break;
      // A step fetched before the budget ran out is already paid for: it is committed too.
      if (at.getTime() >= deadline && !feed.hasPending()) {
        await continueLater(state, job, hold, 0);
        return "continued";
      }
    }
  } catch (error) {
    feed.stop();
    if (error instanceof SyncDeferred) {
      const retryAfterMs = error.retryAfterMs;
      logger.info("sync deferred", {
        accountId: job.accountId,
        scope: job.scope,
        reason: (error as Error).message,
        retryAfterMs,
      });
      await continueLater(state, job, hold, retryAfterMs);
      return "deferred";
    }
    if (error instanceof ReauthRequired) {
      await releaseLease(state, job.scope, hold, { now: now() });
      return "reauth_required";
    }
    await releaseLease(state, job.scope, hold, { error: errorSummary(error), now: now() });
    throw error;
  }

  await releaseLease(state, job.scope, hold, { now: now() });
  const after = await readScopeState(job, job.scope);
  if (after?.pendingRequest && after.account.accountId === job.accountId) {
    // A request arrived while this chain ran; it was recorded instead of starting a second chain.
    await Queues.send(syncQueueFor(job.provider), {
      ...job,
      reason: "manual",
      chain: undefined,
      requestedAt: now().toISOString(),
    } satisfies SyncJob);
  }
  return "completed";
}

/**
 * A step whose commit failed because the scope stopped syncing (turned off, disconnected, replaced)
 * may have written its events after the wipe read the partition: they are deleted here, so a wipe
 * leaves nothing behind. A step that lost its lease to another chain keeps them: that chain owns them.
 */
async function dropOrphans(job: SyncJob, step: Step): Promise<void> {
  const now = await readScopeState(job, job.scope);
  const account = now?.account;
  const stillSyncing =
    account !== undefined &&
    account.accountId === job.accountId &&
    account.scopes[job.scope] &&
    ["connected", "syncing", "error"].includes(account.status);
  if (stillSyncing || step.upserts.length === 0) return;
  await db.batchDelete(
    step.upserts.map((event) => {
      const item = eventItem(event);
      return { pk: item.pk, sk: item.sk };
    }),
  );
}

function memoize<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((error) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}

/** The backfill milestones: the latest 90 days in, then all 24 months. */
function milestoneOf(state: ScopeState, step: Step, at: Date): { milestone?: "recent_90d" | "complete" } {
  if (step.phase === "incremental" && !state.milestones.includes("complete"))
    return { milestone: "complete" };
  if (
    step.phase === "backfill" &&
    step.backfilledThrough !== null &&
    Date.parse(step.backfilledThrough) <= at.getTime() - 90 * DAY_MS &&
    !state.milestones.includes("recent_90d")
  ) {
    return { milestone: "recent_90d" };
  }
  return {};
}

/**
 * Hands the chain to its next message, then sends it (delayed when the provider asked to wait).
 * A crash between the two leaves the lease with no holder at the next `seq`: the redelivered
 * message cannot take it, and the lease expires for the next request to carry on.
 */
async function continueLater(
  state: ScopeState,
  job: SyncJob,
  hold: LeaseHold,
  delayMs: number,
): Promise<void> {
  const delaySeconds = Math.min(900, Math.ceil(delayMs / 1000));
  const until = Date.now() + delaySeconds * 1000 + LEASE_MS;
  if (!(await handOffLease(state.account, job.scope, hold, until))) return;
  await Queues.send(
    syncQueueFor(job.provider),
    { ...job, reason: "continuation", chain: hold.owner, seq: hold.seq + 1 } satisfies SyncJob,
    delaySeconds > 0 ? { delaySeconds } : {},
  );
}

/** What `lastError` shows: the error's kind and status, never a provider's message (it may quote data). */
function errorSummary(error: unknown): string {
  const named = error as { name?: string; status?: number; statusCode?: number; code?: unknown };
  const status = named.status ?? named.statusCode;
  return [named.name ?? "Error", status ? String(status) : undefined].filter(Boolean).join(" ");
}

export type { Scope };
