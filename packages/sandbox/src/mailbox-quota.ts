import { prng } from "./mail-world";
/**
 * Provider-neutral throttling, fault injection and accounting for the mailbox sandboxes (Gmail,
 * Google Calendar, Microsoft Graph). Each sandbox renders the outcome in its own wire format
 * (Gmail's "Retry after <ISO time>" text, Graph's `Retry-After` seconds); the rules live here so
 * that every provider throttles the same way and benches compare like with like.
 *
 * - {@link MailboxQuota}: a cost budget per mailbox per fixed window, plus a cap on requests in
 *   flight per mailbox.
 * - {@link FaultInjector}: a seeded, reproducible share of failing calls, one-shot failures, and
 *   added latency.
 * - {@link UsageCounter}: what each mailbox asked for and what it was refused.
 */

// ---- quota --------------------------------------------------------------------------------------

export interface MailboxQuotaOptions {
  /**
   * The budget per mailbox per window, in the provider's unit: Gmail quota units (6,000 per
   * minute), Calendar or Graph requests (cost 1 each; Graph allows 10,000 per 10 minutes).
   */
  unitsPerWindow: number;
  /** 60,000 for Google, 600,000 for Graph. */
  windowMs: number;
  /** Concurrent requests per mailbox: 4 for Gmail and Graph. `Infinity` disables the cap. */
  maxInFlight: number;
  /** Milliseconds since the epoch; `Date.now` by default. Tests pass a fake clock. */
  clock?: () => number;
}

export type Admission =
  | { ok: true; release: () => void }
  | {
      ok: false;
      kind: "rate" | "concurrency";
      /**
       * When the request could succeed (ms since the epoch): the end of the current window for
       * `rate`; now for `concurrency`, since a slot frees as soon as any call in flight finishes.
       */
      retryAt: number;
    };

interface MailboxWindow {
  startedAt: number;
  used: number;
  inFlight: number;
}

/**
 * A fixed window per mailbox that opens with its first request and lasts `windowMs`; the budget
 * refills in full when it ends. Fixed rather than sliding because the providers document their
 * limits as "per minute" / "per 10 minutes" without saying more, and a fixed window gives a single,
 * predictable `retryAt` that a test can assert.
 *
 * Refused requests spend nothing: a client that backs off and retries is not punished twice.
 * A request costing more than the whole budget is refused forever (its `retryAt` is still the end
 * of the window, so a caller that believes it will loop; that is a configuration mistake).
 */
export class MailboxQuota {
  private options: Required<MailboxQuotaOptions>;
  private readonly windows = new Map<string, MailboxWindow>();

  constructor(options: MailboxQuotaOptions) {
    this.options = { clock: Date.now, ...validQuota(options) };
  }

  get unitsPerWindow(): number {
    return this.options.unitsPerWindow;
  }

  get windowMs(): number {
    return this.options.windowMs;
  }

  get maxInFlight(): number {
    return this.options.maxInFlight;
  }

  /** Changes limits from now on; the current windows keep what they already spent. */
  configure(change: Partial<MailboxQuotaOptions>): void {
    this.options = { ...this.options, ...validQuota({ ...this.options, ...change }) };
  }

  now(): number {
    return this.options.clock();
  }

  /**
   * Admits one request of `units` for `mailbox` (case-insensitive), or says why not. An admitted
   * request holds a concurrency slot until `release()` (idempotent) is called.
   */
  admit(mailbox: string, units = 1): Admission {
    const now = this.options.clock();
    const window = this.windowFor(mailbox, now);
    if (window.inFlight >= this.options.maxInFlight) {
      return { ok: false, kind: "concurrency", retryAt: now };
    }
    if (window.used + units > this.options.unitsPerWindow) {
      return { ok: false, kind: "rate", retryAt: window.startedAt + this.options.windowMs };
    }
    window.used += units;
    window.inFlight += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        window.inFlight -= 1;
      },
    };
  }

  /** Units spent in the mailbox's current window. */
  used(mailbox: string): number {
    return this.windowFor(mailbox, this.options.clock()).used;
  }

  inFlight(mailbox: string): number {
    return this.windows.get(mailbox.toLowerCase())?.inFlight ?? 0;
  }

  /** Forgets spent budgets (of one mailbox, or all); requests in flight stay counted. */
  reset(mailbox?: string): void {
    for (const [key, window] of this.windows) {
      if (mailbox !== undefined && key !== mailbox.toLowerCase()) continue;
      window.used = 0;
      window.startedAt = this.options.clock();
    }
  }

  private windowFor(mailbox: string, now: number): MailboxWindow {
    const key = mailbox.toLowerCase();
    let window = this.windows.get(key);
    if (!window) {
      window = { startedAt: now, used: 0, inFlight: 0 };
      this.windows.set(key, window);
    } else if (now >= window.startedAt + this.options.windowMs) {
      // The in-flight count carries over: those requests still hold their slots.
      window.startedAt = now;
      window.used = 0;
    }
    return window;
  }
}

function validQuota(options: MailboxQuotaOptions): MailboxQuotaOptions {
  if (!(options.unitsPerWindow > 0)) throw new RangeError("unitsPerWindow must be positive");
  if (!(options.windowMs > 0)) throw new RangeError("windowMs must be positive");
  if (!(options.maxInFlight >= 1)) throw new RangeError("maxInFlight must be at least 1");
  return options;
}

/** Whole seconds until `retryAt`, at least 1: the `Retry-After` header's value. */
export function retryAfterSeconds(retryAt: number, now: number): number {
  return Math.max(1, Math.ceil((retryAt - now) / 1000));
}

// ---- faults -------------------------------------------------------------------------------------

export interface FaultOptions {
  /** Share of calls in [0, 1] that fail. 0 by default. */
  errorRate?: number;
  /** Added to every call, failing or not. 0 by default. */
  latencyMs?: number;
  /** The same seed fails the same calls (by position) every run. 1 by default. */
  seed?: number;
  /** Statuses a random failure draws from, uniformly. `[500, 503, 429]` by default. */
  statuses?: readonly number[];
}

export interface InjectedFault {
  status: number;
}

/**
 * Decides, call by call, whether an API call fails. One-shot failures ({@link failNext}) come
 * first, in the order queued; then the seeded random draw. The sandbox picks the body for the
 * status (each provider words its outages differently).
 */
export class FaultInjector {
  private errorRate = 0;
  private latencyMs = 0;
  private statuses: readonly number[] = DEFAULT_FAULT_STATUSES;
  private random: () => number = prng(1);
  private readonly queued: number[] = [];

  constructor(options: FaultOptions = {}) {
    this.configure(options);
  }

  /** Replaces the random faults (a new seed restarts the sequence); queued one-shots stay. */
  configure(options: FaultOptions): void {
    const errorRate = options.errorRate ?? 0;
    const latencyMs = options.latencyMs ?? 0;
    if (!(errorRate >= 0 && errorRate <= 1)) throw new RangeError("errorRate is a share in [0, 1]");
    if (!(latencyMs >= 0)) throw new RangeError("latencyMs must not be negative");
    const statuses = options.statuses ?? DEFAULT_FAULT_STATUSES;
    if (statuses.length === 0) throw new RangeError("statuses must not be empty");
    for (const status of statuses) assertFaultStatus(status);
    this.errorRate = errorRate;
    this.latencyMs = latencyMs;
    this.statuses = [...statuses];
    this.random = prng(options.seed ?? 1);
  }

  /** The next `times` calls fail with `status` (429 or 5xx). */
  failNext(status: number, times = 1): void {
    assertFaultStatus(status);
    if (!Number.isInteger(times) || times < 1) throw new RangeError("times must be a positive integer");
    for (let i = 0; i < times; i += 1) this.queued.push(status);
  }

  /** Whether this call fails, and how. Consumes one draw only when random faults are on. */
  next(): InjectedFault | undefined {
    const queued = this.queued.shift();
    if (queued !== undefined) return { status: queued };
    if (this.errorRate === 0) return undefined;
    if (this.random() >= this.errorRate) return undefined;
    const status = this.statuses[Math.floor(this.random() * this.statuses.length)];
    return status === undefined ? undefined : { status };
  }

  /** Waits the configured latency (resolves at once when there is none). */
  async delay(): Promise<void> {
    if (this.latencyMs <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
  }

  /** No random faults, no latency, nothing queued. */
  clear(): void {
    this.queued.length = 0;
    this.configure({});
  }
}

const DEFAULT_FAULT_STATUSES: readonly number[] = [500, 503, 429];

function assertFaultStatus(status: number): void {
  if (status !== 429 && !(Number.isInteger(status) && status >= 500 && status <= 599)) {
    throw new RangeError(`Injected faults are outages: 429 or 5xx, not ${status}`);
  }
}

// ---- accounting ---------------------------------------------------------------------------------

export interface MailboxUsage {
  /** Requests received per endpoint name (the sandbox's own names, e.g. `messages.get`), refused ones included. */
  requests: Record<string, number>;
  /** Units admitted (refused requests spend none). */
  units: number;
  /** 429 answers: quota, concurrency and injected. */
  throttled: number;
  /** 5xx answers. */
  serverErrors: number;
  /** The most requests this mailbox ever had in flight at once (admitted ones). */
  maxInFlight: number;
}

/** Per-mailbox counters for tests and benches; mailboxes are case-insensitive. */
export class UsageCounter {
  private readonly mailboxes = new Map<string, MailboxUsage>();

  /** A request arrived for `endpoint`. */
  request(mailbox: string, endpoint: string): void {
    const usage = this.entry(mailbox);
    usage.requests[endpoint] = (usage.requests[endpoint] ?? 0) + 1;
  }

  /** A request was admitted at `units`, leaving `inFlight` requests of this mailbox in flight. */
  admitted(mailbox: string, units: number, inFlight: number): void {
    const usage = this.entry(mailbox);
    usage.units += units;
    usage.maxInFlight = Math.max(usage.maxInFlight, inFlight);
  }

  /** The status a request was answered with. */
  answered(mailbox: string, status: number): void {
    const usage = this.entry(mailbox);
    if (status === 429) usage.throttled += 1;
    else if (status >= 500) usage.serverErrors += 1;
  }

  /** A copy of the mailbox's counters (zeros for one never seen). */
  usage(mailbox: string): MailboxUsage {
    const usage = this.mailboxes.get(mailbox.toLowerCase());
    return usage ? { ...usage, requests: { ...usage.requests } } : emptyUsage();
  }

  /** Zeroes one mailbox's counters, or everyone's. */
  reset(mailbox?: string): void {
    if (mailbox === undefined) this.mailboxes.clear();
    else this.mailboxes.delete(mailbox.toLowerCase());
  }

  private entry(mailbox: string): MailboxUsage {
    const key = mailbox.toLowerCase();
    let usage = this.mailboxes.get(key);
    if (!usage) {
      usage = emptyUsage();
      this.mailboxes.set(key, usage);
    }
    return usage;
  }
}

function emptyUsage(): MailboxUsage {
  return { requests: {}, units: 0, throttled: 0, serverErrors: 0, maxInFlight: 0 };
}

// ---- the three together -------------------------------------------------------------------------

export type GateOutcome<T> =
  | { kind: "answered"; value: T }
  | { kind: "throttled"; reason: "rate" | "concurrency"; retryAt: number }
  | { kind: "fault"; status: number };

/**
 * One API call's way through a mailbox sandbox, in the order a provider's front end would take it:
 * counted, admitted or throttled, delayed (holding its concurrency slot, so slow calls crowd out
 * others as they do for real), possibly failed by an injected fault, then served. The caller
 * renders each outcome in its provider's wire format and reports the status it sent with
 * {@link UsageCounter.answered} through `statusOf`.
 */
export class MailboxGate {
  constructor(
    readonly quota: MailboxQuota,
    readonly faults: FaultInjector,
    readonly usage: UsageCounter,
  ) {}

  async pass<T>(
    mailbox: string,
    endpoint: string,
    units: number,
    serve: () => T | Promise<T>,
    statusOf: (value: T) => number,
  ): Promise<GateOutcome<T>> {
    this.usage.request(mailbox, endpoint);
    const admission = this.quota.admit(mailbox, units);
    if (!admission.ok) {
      this.usage.answered(mailbox, 429);
      return { kind: "throttled", reason: admission.kind, retryAt: admission.retryAt };
    }
    this.usage.admitted(mailbox, units, this.quota.inFlight(mailbox));
    try {
      await this.faults.delay();
      const fault = this.faults.next();
      if (fault) {
        this.usage.answered(mailbox, fault.status);
        return { kind: "fault", status: fault.status };
      }
      const value = await serve();
      this.usage.answered(mailbox, statusOf(value));
      return { kind: "answered", value };
    } finally {
      admission.release();
    }
  }
}
