import {
  FaultInjector,
  type FaultOptions,
  MailboxGate,
  MailboxQuota,
  type MailboxQuotaOptions,
  type MailboxUsage,
  UsageCounter,
} from "./mailbox-quota";

/** Limits to change; a limit left out (or `undefined`) keeps its value. */
export type MailboxQuotaChange = {
  [K in keyof MailboxQuotaOptions]?: MailboxQuotaOptions[K] | undefined;
};

/**
 * What every mailbox sandbox service (Gmail, Google Calendar, the Graph mailboxes) offers tests
 * and benches over its {@link MailboxGate}: injected faults, usage counters and their reset. Each
 * service adds its own `setQuota` (in its provider's words) on top of {@link configureQuota}, and
 * runs its calls through {@link gate}.
 */
export class MailboxServiceControls {
  protected readonly gate: MailboxGate;

  /** `clock` may be left `undefined` (then `Date.now`). */
  constructor(quota: MailboxQuotaOptions) {
    this.gate = new MailboxGate(
      new MailboxQuota(definedOnly(quota) as MailboxQuotaOptions),
      new FaultInjector(),
      new UsageCounter(),
    );
  }

  /** A seeded share of calls fails with 500, 503 or 429, and every call waits `latencyMs`. */
  setFaults(options: FaultOptions): void {
    this.gate.faults.configure(options);
  }

  /** The next `times` calls (of any mailbox) fail with `status` (429 or 5xx). */
  failNext(status: number, times = 1): void {
    this.gate.faults.failNext(status, times);
  }

  /** What the mailbox was asked for: requests by endpoint, units, 429s, 5xx, most in flight. */
  usage(email: string): MailboxUsage {
    return this.gate.usage.usage(email);
  }

  /** Zeroes the counters and refills the quota (of one mailbox, or everyone). */
  resetUsage(email?: string): void {
    this.gate.usage.reset(email);
    this.gate.quota.reset(email);
  }

  /** Limits from now on (the current windows keep what they spent); `undefined` ones stay. */
  protected configureQuota(change: MailboxQuotaChange): void {
    this.gate.quota.configure(definedOnly(change));
  }
}

/** The options without their `undefined` entries, so they do not override defaults. */
function definedOnly(change: MailboxQuotaChange): Partial<MailboxQuotaOptions> {
  return Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
}
