import type { Scope } from "../mailbox/schemas";
import type { StoredAccount } from "../mailbox/store";
import type { EventOwner } from "./classify";
import type { OrgPeople } from "./people";
import type { Cursor, StepWrite } from "./state";

/**
 * What each provider's syncer does: one bounded step at a time, from the stored cursor to the next.
 * The job runner (job.ts) writes the step's events, then commits its cursor; a syncer never writes.
 */

/** Anything that runs provider requests under the job's quota, in-flight limit, retries and breaker. */
export interface ProviderCalls {
  call<T>(method: string, request: () => Promise<T>): Promise<T>;
}

export interface StepContext {
  account: StoredAccount;
  scope: Scope;
  owner: EventOwner;
  cursor: Cursor | undefined;
  now: Date;
  /** Epoch ms by which the job wants to have committed its last step. */
  deadline: number;
  people: OrgPeople;
  calls: ProviderCalls;
  accessToken: () => Promise<string>;
  /** The job chain (the lease owner): a round that spans invocations knows it by this. */
  chain: string;
  /** Kept for the job's invocation only: e.g. a listed page that later steps continue through. */
  memo: Map<string, unknown>;
}

export interface Step extends StepWrite {
  cursor: Cursor;
  phase: "backfill" | "incremental";
  /** 0..1: how much of the 24-month backfill is in (1 once incremental). */
  progress: number;
  /** The oldest date the backfill has reached (ISO), or null before its first step. */
  backfilledThrough: string | null;
  /** Nothing more to fetch now: the chain ends after this step. */
  done: boolean;
  /** Count the scope's events again after this step (a backfill completed, a re-sync finished). */
  recount?: boolean;
}

export interface Syncer {
  /** The provider API the breaker and the quota are kept for. */
  api: "google_gmail" | "google_calendar" | "ms_graph_mail" | "ms_graph_calendar";
  step(context: StepContext): Promise<Step>;
}

/** The backfill horizon: 24 months = 730 days, as scoring.md's windows count them. */
export const BACKFILL_DAYS = 730;
export const DAY_MS = 86_400_000;

export function backfillHorizon(now: Date): Date {
  return new Date(now.getTime() - BACKFILL_DAYS * DAY_MS);
}

/** How far a newest-first backfill that has reached `oldest` has come, from `startedAt`. */
export function backfillProgress(startedAt: number, oldest: number | undefined): number {
  if (oldest === undefined) return 0;
  return Math.max(0, Math.min(1, (startedAt - oldest) / (BACKFILL_DAYS * DAY_MS)));
}
