import CircuitBreaker from "opossum";
import { logger } from "../util/logger";
import { classifyProviderError, type ProviderApi, SyncDeferred } from "./pacing-errors";

/**
 * One circuit breaker per provider API, shared by every job in the process (one Lambda container),
 * so when Gmail is down the container's jobs stop asking after a handful of failures instead of
 * each job discovering the outage through its own retries. One API's breaker never affects another.
 */

export const BREAKER_OPTIONS = Object.freeze({
  errorThresholdPercentage: 50,
  rollingCountTimeout: 60_000,
  volumeThreshold: 5,
  resetTimeout: 120_000,
  // The job's own time budget (the deadline) bounds a request; a breaker timeout would count a
  // slow-but-successful page of a large mailbox as an outage.
  timeout: false as const,
});

/**
 * What counts as a provider failure for the breaker: 5xx and network failures. A 429 (or Google's
 * 403 rate limit) does not: it is the provider metering one user, not an outage, and the breaker is
 * shared by every mailbox in the container, so one busy mailbox must not stop the others; the budget
 * and Retry-After deal with it. Expired cursors, auth and other 4xx are about the request, not the
 * provider, and do not count either.
 */
export function countsAsOutage(error: unknown): boolean {
  const { kind } = classifyProviderError(error);
  return kind === "unavailable" || kind === "transient";
}

type Action = (fn: () => Promise<unknown>) => Promise<unknown>;

interface Entry {
  breaker: CircuitBreaker<Parameters<Action>, unknown>;
  openedAt: number | undefined;
}

const breakers = new Map<ProviderApi, Entry>();

function entryFor(api: ProviderApi): Entry {
  const existing = breakers.get(api);
  if (existing) return existing;
  const action: Action = (fn) => fn();
  const breaker = new CircuitBreaker(action, {
    ...BREAKER_OPTIONS,
    name: api,
    // errorFilter returning true means "not a failure": opossum then records the call as a success.
    errorFilter: (error: unknown) => !countsAsOutage(error),
    enableSnapshots: false,
    rollingPercentilesEnabled: false,
  });
  const entry: Entry = { breaker, openedAt: undefined };
  // opossum's own `lastTimerAt` is stamped when the breaker is built, not when it opens, so the
  // time until half-open is tracked here.
  breaker.on("open", () => {
    entry.openedAt = Date.now();
    logger.warn("provider circuit opened", { api, resetTimeoutMs: BREAKER_OPTIONS.resetTimeout });
  });
  breaker.on("halfOpen", () => logger.info("provider circuit half-open", { api }));
  breaker.on("close", () => {
    if (entry.openedAt !== undefined) logger.info("provider circuit closed", { api });
    entry.openedAt = undefined;
  });
  breakers.set(api, entry);
  return entry;
}

export type BreakerState = "closed" | "open" | "half_open";

export function breakerState(api: ProviderApi): BreakerState {
  const { breaker } = entryFor(api);
  if (breaker.opened) return "open";
  return breaker.halfOpen ? "half_open" : "closed";
}

/**
 * How long until the breaker lets a probe through. While half-open with a probe in flight the
 * outcome is unknown and a failed probe means another full reset period, so that is what we say.
 */
export function breakerRetryAfterMs(api: ProviderApi): number {
  const { openedAt } = entryFor(api);
  const remaining = openedAt === undefined ? 0 : openedAt + BREAKER_OPTIONS.resetTimeout - Date.now();
  return remaining > 0 ? remaining : BREAKER_OPTIONS.resetTimeout;
}

function openError(api: ProviderApi, cause?: unknown): SyncDeferred {
  return new SyncDeferred("breaker_open", breakerRetryAfterMs(api), cause);
}

/** Fails fast with `SyncDeferred` while `api`'s breaker is open, before any slot or quota is spent. */
export function assertBreakerClosed(api: ProviderApi): void {
  if (entryFor(api).breaker.opened) throw openError(api);
}

/** Runs one provider request through `api`'s breaker. */
export async function throughBreaker<T>(api: ProviderApi, fn: () => Promise<T>): Promise<T> {
  const { breaker } = entryFor(api);
  try {
    return (await breaker.fire(fn)) as T;
  } catch (error) {
    if ((error as { code?: unknown } | undefined)?.code === "EOPENBREAKER") throw openError(api, error);
    throw error;
  }
}

/** Drops every breaker (clearing opossum's timers), so each test starts with closed circuits. */
export function resetBreakersForTests(): void {
  for (const { breaker } of breakers.values()) breaker.shutdown();
  breakers.clear();
}
