import { assertBreakerClosed, resetBreakersForTests, throughBreaker } from "./pacing-breaker";
import { type QuotaBudget, resetBudgetsForTests, sharedBudget, systemClock } from "./pacing-budget";
import {
  classifyProviderError,
  type ProviderApi,
  type ProviderErrorClass,
  type ProviderErrorKind,
  SyncDeferred,
} from "./pacing-errors";

/**
 * The syncers' guard layer: every provider request of a sync job goes through `pacer.call`, which
 * is breaker → in-flight slot → quota units → the request, retried with honest waits.
 *
 * The client libraries retry on their own by default (googleapis-common turns gaxios' `retry` on;
 * the Graph client's RetryHandler retries 429/503/504 three times). Syncers turn those off
 * (`{ retry: false }` per Google request, `RetryHandlerOptions(0, 0)` for Graph) so every attempt is
 * metered, counted and bounded by the job's deadline here.
 */

export * from "./pacing-breaker";
export * from "./pacing-budget";
export * from "./pacing-errors";

export const DEFAULT_MAX_IN_FLIGHT = 4;

// Hand-written rather than p-limit: p-limit and p-queue are only in node_modules as other packages'
// dependencies (sst, @slack/web-api), not ours, and a FIFO semaphore is a dozen lines.
/** A FIFO semaphore: at most `max` calls run at once; the rest wait their turn. */
export class InFlightLimit {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  private highWater = 0;

  constructor(readonly max: number = DEFAULT_MAX_IN_FLIGHT) {
    if (!(Number.isInteger(max) && max > 0)) throw new RangeError("max must be a positive integer");
  }

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** The most calls ever running at once. */
  get peak(): number {
    return this.highWater;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active += 1;
      this.highWater = Math.max(this.highWater, this.active);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
    const next = this.waiters.shift();
    if (next) next();
    else this.active -= 1;
    if (this.active === 0) this.onIdle?.();
  }

  /** @internal lets the shared registry forget an idle mailbox. */
  onIdle: (() => void) | undefined;
}

// Outlook allows 4 concurrent requests per mailbox per app across mail and calendar, and Gmail
// meters concurrency per user, so jobs for one mailbox in one container share a limit per provider.
const sharedLimits = new Map<string, InFlightLimit>();

export function sharedInFlightLimit(
  api: ProviderApi,
  mailbox: string,
  max = DEFAULT_MAX_IN_FLIGHT,
): InFlightLimit {
  const key = `${api.startsWith("ms_graph") ? "microsoft" : "google"}:${mailbox}`;
  const existing = sharedLimits.get(key);
  if (existing) return existing;
  const limit = new InFlightLimit(max);
  limit.onIdle = () => {
    if (limit.waiting === 0 && sharedLimits.get(key) === limit) sharedLimits.delete(key);
  };
  sharedLimits.set(key, limit);
  return limit;
}

export interface BackoffOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

export const DEFAULT_BASE_DELAY_MS = 500;
export const DEFAULT_MAX_DELAY_MS = 30_000;

/**
 * "Full jitter" (a uniform wait in [0, min(cap, base × 2^(attempt−1))]): spreads the retries of
 * many jobs that failed together, so they do not hit a recovering provider in lockstep.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const cap = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

const RETRYABLE: ReadonlySet<ProviderErrorKind> = new Set(["throttled", "unavailable", "transient"]);

export interface RetryOptions extends BackoffOptions {
  /** Attempts in all, the first included (default 5). */
  maxAttempts?: number;
  /** The job's time budget (ms epoch): a wait that would end after it defers the job instead. */
  deadline?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The cost-table method name, for classification (Gmail's history 404). */
  method?: string;
  /** Every failed attempt, classified, before deciding whether to retry. */
  onError?: (failure: ProviderErrorClass, attempt: number) => void;
  /** Every retry, with the wait before it. */
  onRetry?: (info: { attempt: number; waitMs: number; failure: ProviderErrorClass }) => void;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Runs `fn`, retrying throttled, unavailable and transient failures: after the provider's own wait
 * when it gave one (Retry-After, Gmail's "Retry after"), else after `backoffDelay`. Other failures
 * (expired cursors, auth, 4xx) are thrown as they are, untouched, for the caller to act on.
 * `SyncDeferred` is thrown when the next wait would pass `deadline` or attempts run out on a
 * retryable failure; a `SyncDeferred` from `fn` (an open breaker) passes straight through.
 */
export async function withRetries<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const now = options.now ?? systemClock.now;
  const sleep = options.sleep ?? systemClock.sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (error instanceof SyncDeferred) throw error;
      const failure = classifyProviderError(error, { now: now(), method: options.method });
      options.onError?.(failure, attempt);
      if (!RETRYABLE.has(failure.kind)) throw error;
      if (attempt >= maxAttempts) {
        const ceiling = Math.min(
          options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
          (options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS) * 2 ** attempt,
        );
        throw new SyncDeferred("retries_exhausted", failure.retryAfterMs ?? ceiling, error);
      }
      const waitMs = failure.retryAfterMs ?? backoffDelay(attempt, options);
      if (options.deadline !== undefined && now() + waitMs > options.deadline) {
        throw new SyncDeferred("deadline", waitMs, error);
      }
      options.onRetry?.({ attempt, waitMs, failure });
      await sleep(waitMs);
    }
  }
}

export interface PacerOptions extends BackoffOptions {
  api: ProviderApi;
  /** The mailbox account id: budgets and in-flight limits are per mailbox. */
  mailbox: string;
  /** Defaults to the process's shared budget for this mailbox and API (`sharedBudget`). */
  budget?: QuotaBudget;
  /** Defaults to 4, shared by this mailbox's jobs for the same provider in this process. */
  maxInFlight?: number;
  /** Overrides the shared limit (tests, benchmarks). */
  inFlight?: InFlightLimit;
  /** The job's time budget (ms epoch). */
  deadline?: number;
  maxAttempts?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface PacerCounters {
  /** Requests sent to the provider, retries included. */
  requests: number;
  /** Quota units spent. */
  units: number;
  retries: number;
  /** Throttled answers seen (429, Google's 403 rate limit). */
  throttled: number;
  /** Provider failures seen, throttling included. */
  failures: number;
  /** Time spent waiting for quota units. */
  budgetWaitMs: number;
  /** Time spent waiting between retries. */
  retryWaitMs: number;
  /** Time spent waiting for an in-flight slot. */
  slotWaitMs: number;
  /** All waits together. */
  waitedMs: number;
}

export interface Pacer {
  readonly api: ProviderApi;
  readonly mailbox: string;
  /** Runs one provider request: `method` names its cost in the budget's table (`messages.get`). */
  call<T>(method: string, fn: () => Promise<T>): Promise<T>;
  counters(): PacerCounters;
}

export function createPacer(options: PacerOptions): Pacer {
  const { api, mailbox } = options;
  const budget = options.budget ?? sharedBudget(api, mailbox);
  const inFlight = options.inFlight ?? sharedInFlightLimit(api, mailbox, options.maxInFlight);
  const now = options.now ?? systemClock.now;
  const counts = {
    requests: 0,
    units: 0,
    retries: 0,
    throttled: 0,
    failures: 0,
    budgetWaitMs: 0,
    retryWaitMs: 0,
    slotWaitMs: 0,
  };

  const attempt = async <T>(method: string, fn: () => Promise<T>): Promise<T> => {
    assertBreakerClosed(api);
    const queuedAt = now();
    return inFlight.run(async () => {
      counts.slotWaitMs += Math.max(0, now() - queuedAt);
      const taken = await budget.take(method, { deadline: options.deadline });
      counts.units += taken.units;
      counts.budgetWaitMs += taken.waitedMs;
      counts.requests += 1;
      return throughBreaker(api, fn);
    });
  };

  return {
    api,
    mailbox,
    call<T>(method: string, fn: () => Promise<T>): Promise<T> {
      return withRetries(() => attempt(method, fn), {
        ...options,
        method,
        onError: (failure) => {
          counts.failures += 1;
          if (failure.kind === "throttled") counts.throttled += 1;
        },
        onRetry: ({ waitMs }) => {
          counts.retries += 1;
          counts.retryWaitMs += waitMs;
        },
      });
    },
    counters() {
      return { ...counts, waitedMs: counts.budgetWaitMs + counts.retryWaitMs + counts.slotWaitMs };
    },
  };
}

/** Forgets every breaker, shared budget and shared in-flight limit, so tests start clean. */
export function resetPacingForTests(): void {
  resetBreakersForTests();
  resetBudgetsForTests();
  sharedLimits.clear();
}
