import { monotonicFactory } from "ulid";

/**
 * The sandbox clock: wall time until a test fixes it. Timestamps, ids and event retention all
 * read it, so moving it ages everything together.
 */
export class SandboxClock {
  // Strictly increasing, also when a test moves the clock back (the factory reuses its last time).
  private readonly ids = { next: monotonicFactory() };
  private fixedNow: number | undefined;

  nowMs(): number {
    return this.fixedNow ?? Date.now();
  }

  /** `null` returns to wall time. */
  set(time: Date | string | number | null): void {
    this.fixedNow = time === null ? undefined : toMs(time);
  }

  advance(ms: number): void {
    this.fixedNow = this.nowMs() + ms;
  }

  stamp(): string {
    return new Date(this.nowMs()).toISOString();
  }

  /**
   * The next `updated_at` for an object: the clock, but at least 1 ms past the previous value.
   * Consumers skip events whose `updated_at` is not newer than what they hold (WorkOS's own
   * advice), so two updates within one millisecond, or under a fixed clock, must still differ.
   */
  bump(previous: string): string {
    return new Date(Math.max(this.nowMs(), Date.parse(previous) + 1)).toISOString();
  }

  newId(prefix: string): string {
    return `${prefix}_${this.ids.next(this.nowMs())}`;
  }
}

export function toMs(time: Date | string | number): number {
  const ms = time instanceof Date ? time.getTime() : typeof time === "string" ? Date.parse(time) : time;
  if (!Number.isFinite(ms)) throw new RangeError(`Not a time: ${String(time)}`);
  return ms;
}
