import * as z from "zod/mini";
import { type ProviderApi, SyncDeferred } from "./pacing-errors";

/**
 * Provider quotas as budgets we spend ourselves, so a sync paces below the limit instead of
 * discovering it through 429s. Each provider counts per user (mailbox) per minute; a request costs
 * units by method.
 */

export interface QuotaTable {
  unitsPerMinute: number;
  costs: Readonly<Record<string, number>>;
  /** The cost of a method missing from `costs`. */
  defaultCost: number;
}

export const GMAIL_COSTS_LEGACY: Readonly<Record<string, number>> = Object.freeze({
  "messages.get": 5,
  "messages.list": 5,
  "history.list": 2,
  "threads.get": 10,
  getProfile: 1,
});

export const GMAIL_COSTS_2026: Readonly<Record<string, number>> = Object.freeze({
  "messages.get": 20,
  "threads.get": 40,
  "messages.list": 5,
  "history.list": 2,
  getProfile: 1,
});

// A method missing from a Gmail table is charged the table's highest cost: undercounting is what
// turns into 429s, overcounting only into slightly slower syncs. Add the method to the table instead.
export const GMAIL_QUOTA_LEGACY: QuotaTable = Object.freeze({
  unitsPerMinute: 15_000,
  costs: GMAIL_COSTS_LEGACY,
  defaultCost: Math.max(...Object.values(GMAIL_COSTS_LEGACY)),
});

export const GMAIL_QUOTA_2026: QuotaTable = Object.freeze({
  unitsPerMinute: 6_000,
  costs: GMAIL_COSTS_2026,
  defaultCost: Math.max(...Object.values(GMAIL_COSTS_2026)),
});

export const GOOGLE_CALENDAR_QUOTA: QuotaTable = Object.freeze({
  unitsPerMinute: 600,
  costs: Object.freeze({}),
  defaultCost: 1,
});

export const MS_GRAPH_QUOTA: QuotaTable = Object.freeze({
  unitsPerMinute: 1_000,
  costs: Object.freeze({}),
  defaultCost: 1,
});

const emptyIsUnset = (value: unknown) => (value === "" ? undefined : value);

const GmailQuotaEnv = z.object({
  GMAIL_QUOTA_TABLE: z.optional(z.enum(["2026", "legacy"])),
  GMAIL_UNITS_PER_MINUTE: z.optional(z.coerce.number().check(z.positive())),
});

/**
 * The Gmail table in force: `GMAIL_QUOTA_TABLE` ("2026", the default, or "legacy") and an optional
 * `GMAIL_UNITS_PER_MINUTE` override for a project whose quota was raised or lowered. A bad value
 * throws: a silently wrong quota is either 429s or a crawl.
 */
export function gmailQuotaFromEnv(env: Record<string, string | undefined> = process.env): QuotaTable {
  const parsed = z.safeParse(GmailQuotaEnv, {
    GMAIL_QUOTA_TABLE: emptyIsUnset(env.GMAIL_QUOTA_TABLE),
    GMAIL_UNITS_PER_MINUTE: emptyIsUnset(env.GMAIL_UNITS_PER_MINUTE),
  });
  if (!parsed.success) {
    throw new Error(`invalid Gmail quota configuration: ${z.prettifyError(parsed.error)}`);
  }
  const table = parsed.data.GMAIL_QUOTA_TABLE === "legacy" ? GMAIL_QUOTA_LEGACY : GMAIL_QUOTA_2026;
  const units = parsed.data.GMAIL_UNITS_PER_MINUTE;
  return units === undefined ? table : { ...table, unitsPerMinute: Math.floor(units) };
}

/** The quota an API's requests are charged to. */
export function quotaFor(
  api: ProviderApi,
  env: Record<string, string | undefined> = process.env,
): QuotaTable {
  switch (api) {
    case "google_gmail":
      return gmailQuotaFromEnv(env);
    case "google_calendar":
      return GOOGLE_CALENDAR_QUOTA;
    case "ms_graph_mail":
    case "ms_graph_calendar":
      return MS_GRAPH_QUOTA;
  }
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

// The global setTimeout (not node:timers/promises) so vitest's fake timers drive it too.
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface QuotaBudgetOptions extends Partial<Pick<QuotaTable, "defaultCost">> {
  unitsPerMinute: number;
  costs?: Readonly<Record<string, number>>;
  /** The share of the limit we allow ourselves (default 0.9): other clients, clock skew, retries. */
  safetyMargin?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface TakeResult {
  units: number;
  waitedMs: number;
}

/**
 * A token bucket sized so that no 60-second window ever spends more than
 * `unitsPerMinute × safetyMargin`: the bucket holds at most `burst` units (one second's worth, or
 * the dearest request if that is more) and refills at `(effective − burst) / 60 s`, so any window
 * spends at most `burst + refill × 60 s = effective`. A plain bucket holding a full minute would
 * allow twice the limit in a window that starts full.
 *
 * Takes are served in arrival order, one at a time, so concurrent callers cannot overdraw it.
 */
export class QuotaBudget {
  readonly effectiveUnitsPerMinute: number;
  readonly burst: number;
  private readonly ratePerMs: number;
  private readonly costs: Readonly<Record<string, number>>;
  private readonly defaultCost: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private tokens: number;
  private refilledAt: number;
  private queue: Promise<unknown> = Promise.resolve();
  private spent = 0;
  private waited = 0;
  private taken = 0;

  constructor(options: QuotaBudgetOptions) {
    const margin = options.safetyMargin ?? 0.9;
    if (!(margin > 0 && margin <= 1)) throw new RangeError("safetyMargin must be in (0, 1]");
    this.costs = options.costs ?? {};
    this.defaultCost = options.defaultCost ?? 1;
    this.effectiveUnitsPerMinute = Math.floor(options.unitsPerMinute * margin);
    const dearest = Math.max(this.defaultCost, ...Object.values(this.costs));
    this.burst = Math.max(Math.ceil(this.effectiveUnitsPerMinute / 60), dearest);
    if (this.burst >= this.effectiveUnitsPerMinute) {
      throw new RangeError(
        `a budget of ${this.effectiveUnitsPerMinute} units/min cannot pace requests costing ${dearest}`,
      );
    }
    this.ratePerMs = (this.effectiveUnitsPerMinute - this.burst) / 60_000;
    this.now = options.now ?? systemClock.now;
    this.sleep = options.sleep ?? systemClock.sleep;
    this.tokens = this.burst;
    this.refilledAt = this.now();
  }

  cost(method: string): number {
    return this.costs[method] ?? this.defaultCost;
  }

  /**
   * Waits until `method`'s units are available and spends them. With a `deadline` (ms epoch), a
   * wait that would end after it spends nothing and throws `SyncDeferred` ("deadline").
   */
  take(method: string, options: { deadline?: number } = {}): Promise<TakeResult> {
    const cost = this.cost(method);
    const turn = this.queue.then(() => this.acquire(cost, options.deadline));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  get counters(): { unitsSpent: number; waitedMs: number; takes: number } {
    return { unitsSpent: this.spent, waitedMs: this.waited, takes: this.taken };
  }

  private refill(now: number): void {
    if (now > this.refilledAt) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) * this.ratePerMs);
      this.refilledAt = now;
    }
  }

  private async acquire(cost: number, deadline: number | undefined): Promise<TakeResult> {
    let waitedMs = 0;
    for (;;) {
      const now = this.now();
      this.refill(now);
      if (this.tokens >= cost) {
        this.tokens -= cost;
        this.spent += cost;
        this.taken += 1;
        return { units: cost, waitedMs };
      }
      const wait = Math.max(1, Math.ceil((cost - this.tokens) / this.ratePerMs));
      if (deadline !== undefined && now + wait > deadline) throw new SyncDeferred("deadline", wait);
      await this.sleep(wait);
      const slept = Math.max(0, this.now() - now);
      waitedMs += slept;
      this.waited += slept;
    }
  }
}

// Outlook's limit (10,000 requests per 10 minutes per app per mailbox) is shared by mail and
// calendar, so both Graph APIs draw on one bucket; Gmail and Calendar have separate quotas.
function budgetKey(api: ProviderApi, mailbox: string): string {
  return `${api.startsWith("ms_graph") ? "ms_graph" : api}:${mailbox}`;
}

const MAX_SHARED_BUDGETS = 1_000;
const sharedBudgets = new Map<string, QuotaBudget>();

/**
 * The process's budget for one mailbox on one API, so concurrent jobs in one Lambda container
 * share it. Containers do not share budgets: the safety margin and Retry-After absorb that overlap.
 */
export function sharedBudget(
  api: ProviderApi,
  mailbox: string,
  options: Partial<QuotaBudgetOptions> = {},
): QuotaBudget {
  const key = budgetKey(api, mailbox);
  const existing = sharedBudgets.get(key);
  if (existing) {
    // Re-inserted so the map's order is least recently used first.
    sharedBudgets.delete(key);
    sharedBudgets.set(key, existing);
    return existing;
  }
  const table = quotaFor(api);
  const budget = new QuotaBudget({ ...table, ...options });
  // A warm container that has synced many mailboxes forgets the least recently used one.
  if (sharedBudgets.size >= MAX_SHARED_BUDGETS) {
    const oldest = sharedBudgets.keys().next().value;
    if (oldest !== undefined) sharedBudgets.delete(oldest);
  }
  sharedBudgets.set(key, budget);
  return budget;
}

export function resetBudgetsForTests(): void {
  sharedBudgets.clear();
}
