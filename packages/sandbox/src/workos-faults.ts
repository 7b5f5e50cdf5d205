import { STATUS_CODES } from "node:http";

export interface FailureOptions {
  /** Sent as `Retry-After`; the SDK sleeps that long before retrying (0 retries at once). */
  retryAfterSeconds?: number;
  /** Response body; `{ message: <status text> }` by default. */
  body?: unknown;
}

export interface Fault {
  pattern: RegExp;
  status: number;
  remaining: number;
  body: unknown;
  retryAfterSeconds: number | undefined;
}

/** Failures injected through `WorkOSSandbox.failNext`; the first match answers a request and is used up. */
export class Faults {
  private faults: Fault[] = [];

  add(pattern: RegExp, status: number, times: number, options: FailureOptions): void {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`failNext needs a 4xx or 5xx status, got ${status}`);
    }
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError(`failNext needs times >= 1, got ${times}`);
    this.faults.push({
      // A global or sticky RegExp keeps state between test() calls; matching must not.
      pattern: new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, "")),
      status,
      remaining: times,
      body: options.body ?? { message: STATUS_CODES[status] ?? "Injected failure" },
      retryAfterSeconds: options.retryAfterSeconds,
    });
  }

  take(method: string, path: string): Fault | undefined {
    const fault = this.faults.find(
      (candidate) => candidate.pattern.test(path) || candidate.pattern.test(`${method} ${path}`),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return fault;
  }
}
