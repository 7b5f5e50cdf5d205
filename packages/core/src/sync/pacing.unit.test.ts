import { gmail } from "@googleapis/gmail";
import { Client, type Context, GraphError } from "@microsoft/microsoft-graph-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  BREAKER_OPTIONS,
  backoffDelay,
  breakerState,
  classifyProviderError,
  createPacer,
  GMAIL_COSTS_2026,
  GMAIL_QUOTA_2026,
  GMAIL_QUOTA_LEGACY,
  gmailQuotaFromEnv,
  InFlightLimit,
  type ProviderApi,
  parseRetryAfter,
  QuotaBudget,
  resetPacingForTests,
  SyncDeferred,
  sharedBudget,
  withRetries,
} from "./pacing";

/** Virtual time: `sleep` moves the clock instead of waiting. */
function fakeClock(start = Date.parse("2026-12-03T09:00:00.000Z")) {
  const clock = {
    t: start,
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

// ---- Real library errors: the clients run their own error paths over a stubbed fetch. ----

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function googleError(code: number, message: string, reason: string, status = "") {
  return { error: { code, message, errors: [{ reason, domain: "usageLimits", message }], status } };
}

/** A `GaxiosError` thrown by the real Gmail client for `history.list` answered with `response`. */
async function gmailHistoryError(respond: () => Response | Promise<Response>): Promise<unknown> {
  const client = gmail({
    version: "v1",
    retry: false,
    fetchImplementation: (async () => respond()) as typeof fetch,
  });
  try {
    await client.users.history.list({ userId: "me", startHistoryId: "42" });
  } catch (error) {
    return error;
  }
  throw new Error("expected the Gmail client to throw");
}

async function gmailMessageError(response: Response): Promise<unknown> {
  const client = gmail({
    version: "v1",
    retry: false,
    fetchImplementation: (async () => response) as typeof fetch,
  });
  try {
    await client.users.messages.get({ userId: "me", id: "m1" });
  } catch (error) {
    return error;
  }
  throw new Error("expected the Gmail client to throw");
}

/** A `GraphError` thrown by the real Graph client for a delta request answered by `respond`. */
async function graphError(respond: () => Response): Promise<unknown> {
  const client = Client.initWithMiddleware({
    middleware: {
      execute: async (context: Context) => {
        context.response = respond();
      },
    },
  });
  try {
    await client.api("/me/mailFolders/inbox/messages/delta").get();
  } catch (error) {
    return error;
  }
  throw new Error("expected the Graph client to throw");
}

function networkFailure(code = "ECONNRESET"): Error {
  return new TypeError("fetch failed", { cause: Object.assign(new Error(`read ${code}`), { code }) });
}

beforeEach(() => resetPacingForTests());
afterEach(() => {
  vi.useRealTimers();
  resetPacingForTests();
});

describe("QuotaBudget", () => {
  it("never spends more than the margin of the limit in any 60 s window, yet keeps close to it", async () => {
    const clock = fakeClock();
    const budget = new QuotaBudget({ ...GMAIL_QUOTA_2026, now: clock.now, sleep: clock.sleep });
    expect(budget.effectiveUnitsPerMinute).toBe(5_400);
    const methods = ["messages.get", "threads.get", "messages.list", "history.list", "getProfile"];
    const spends: Array<{ at: number; units: number }> = [];
    for (let i = 0; i < 2_000; i++) {
      const method = methods[(i * 7) % methods.length] as string;
      const { units } = await budget.take(method);
      spends.push({ at: clock.t, units });
    }
    const start = spends[0]?.at ?? 0;
    const end = spends.at(-1)?.at ?? 0;
    for (const { at: from } of spends) {
      const inWindow = spends.filter((s) => s.at >= from && s.at <= from + 60_000);
      expect(inWindow.reduce((sum, s) => sum + s.units, 0)).toBeLessThanOrEqual(5_400);
    }
    // Sustained rate is the limit minus one burst per minute: pacing, not crawling.
    const perMinute = (budget.counters.unitsSpent / (end - start)) * 60_000;
    expect(perMinute).toBeGreaterThan(5_300);
    expect(perMinute).toBeLessThanOrEqual(5_400);
  });

  it("spends its burst without waiting, then waits exactly until the missing units have refilled", async () => {
    const clock = fakeClock();
    const budget = new QuotaBudget({ ...GMAIL_QUOTA_2026, now: clock.now, sleep: clock.sleep });
    expect(budget.burst).toBe(90);
    for (let i = 0; i < 4; i++) expect((await budget.take("messages.get")).waitedMs).toBe(0);
    // 10 units left, 20 needed, refilling at (5400 − 90) units per minute.
    const expected = Math.ceil(10 / ((5_400 - 90) / 60_000));
    const fifth = await budget.take("messages.get");
    expect(fifth.waitedMs).toBe(expected);
    expect(clock.sleeps).toEqual([expected]);
    expect(budget.counters).toEqual({ unitsSpent: 100, waitedMs: expected, takes: 5 });
  });

  it("serves concurrent takers in order without overdrawing", async () => {
    const clock = fakeClock();
    const budget = new QuotaBudget({ unitsPerMinute: 600, now: clock.now, sleep: clock.sleep });
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => budget.take("events.list").then(() => done.push(i))),
    );
    expect(done).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // 540/min effective with a burst of 9: the 21 after the burst take 21 / (531/min).
    expect(clock.t - fakeClock().t).toBeGreaterThanOrEqual(Math.floor((21 / 531) * 60_000));
  });

  it("charges an unknown Gmail method the table's dearest cost and other APIs 1 per request", () => {
    const gmailBudget = new QuotaBudget(GMAIL_QUOTA_2026);
    expect(gmailBudget.cost("messages.attachments.get")).toBe(40);
    expect(gmailBudget.cost("history.list")).toBe(GMAIL_COSTS_2026["history.list"]);
    expect(sharedBudget("google_calendar", "acc-1").cost("events.list")).toBe(1);
    expect(sharedBudget("ms_graph_mail", "acc-1").effectiveUnitsPerMinute).toBe(900);
  });

  it("throws SyncDeferred without spending when the wait would pass the job's deadline", async () => {
    const clock = fakeClock();
    const budget = new QuotaBudget({ unitsPerMinute: 600, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 9; i++) await budget.take("x");
    const deferred = await budget.take("x", { deadline: clock.t + 10 }).catch((e: unknown) => e);
    expect(deferred).toBeInstanceOf(SyncDeferred);
    expect(deferred).toMatchObject({ reason: "deadline", name: "SyncDeferred" });
    expect((deferred as SyncDeferred).retryAfterMs).toBeGreaterThan(10);
    expect(budget.counters.unitsSpent).toBe(9);
    expect(clock.sleeps).toEqual([]);
  });

  it("shares one Outlook budget between Graph mail and calendar, but not between mailboxes", () => {
    expect(sharedBudget("ms_graph_mail", "a")).toBe(sharedBudget("ms_graph_calendar", "a"));
    expect(sharedBudget("ms_graph_mail", "a")).not.toBe(sharedBudget("ms_graph_mail", "b"));
    expect(sharedBudget("google_gmail", "a")).not.toBe(sharedBudget("google_calendar", "a"));
  });
});

describe("gmailQuotaFromEnv", () => {
  it("defaults to the 2026 table, switches to legacy, and takes a units override", () => {
    expect(gmailQuotaFromEnv({})).toBe(GMAIL_QUOTA_2026);
    expect(gmailQuotaFromEnv({ GMAIL_QUOTA_TABLE: "legacy" })).toBe(GMAIL_QUOTA_LEGACY);
    expect(GMAIL_QUOTA_LEGACY.costs["messages.get"]).toBe(5);
    expect(gmailQuotaFromEnv({ GMAIL_QUOTA_TABLE: "legacy", GMAIL_UNITS_PER_MINUTE: "30000" })).toMatchObject(
      {
        unitsPerMinute: 30_000,
        costs: GMAIL_QUOTA_LEGACY.costs,
      },
    );
    expect(gmailQuotaFromEnv({ GMAIL_QUOTA_TABLE: "", GMAIL_UNITS_PER_MINUTE: "" })).toBe(GMAIL_QUOTA_2026);
  });

  it("refuses a table or limit it does not understand rather than guessing a quota", () => {
    expect(() => gmailQuotaFromEnv({ GMAIL_QUOTA_TABLE: "2025" })).toThrow(/GMAIL_QUOTA_TABLE/);
    expect(() => gmailQuotaFromEnv({ GMAIL_UNITS_PER_MINUTE: "-5" })).toThrow(/GMAIL_UNITS_PER_MINUTE/);
    expect(() => gmailQuotaFromEnv({ GMAIL_UNITS_PER_MINUTE: "lots" })).toThrow(/GMAIL_UNITS_PER_MINUTE/);
  });
});

describe("in-flight limit", () => {
  it("never runs more than 4 provider requests at once for one mailbox under 50 concurrent calls", async () => {
    vi.useFakeTimers();
    const pacer = createPacer({
      api: "ms_graph_mail",
      mailbox: "acc-1",
      budget: new QuotaBudget({ unitsPerMinute: 1_000_000 }),
    });
    // A second job for the same mailbox in the same container shares the limit.
    const sibling = createPacer({
      api: "ms_graph_calendar",
      mailbox: "acc-1",
      budget: new QuotaBudget({ unitsPerMinute: 1_000_000 }),
    });
    let running = 0;
    let peak = 0;
    const request = async (i: number) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 10 + (i % 7)));
      running -= 1;
      return i;
    };
    const calls = Array.from({ length: 50 }, (_, i) =>
      (i % 2 ? sibling : pacer).call("messages.list", () => request(i)),
    );
    // Not runAllTimersAsync: opossum's rolling-window interval would keep it going forever.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(peak).toBe(4);
    expect(pacer.counters().requests + sibling.counters().requests).toBe(50);
  });

  it("hands a freed slot to the longest waiter and releases it when the request fails", async () => {
    const limit = new InFlightLimit(1);
    const order: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = limit.run(() => gate);
    const second = limit.run(async () => {
      order.push("second");
      throw new Error("boom");
    });
    const third = limit.run(async () => order.push("third"));
    expect(limit.waiting).toBe(2);
    release();
    await first;
    await expect(second).rejects.toThrow("boom");
    await third;
    expect(order).toEqual(["second", "third"]);
    expect(limit.inFlight).toBe(0);
    expect(limit.peak).toBe(1);
  });
});

describe("classifyProviderError", () => {
  const now = Date.parse("2026-12-03T09:59:30.000Z");

  it("reads Retry-After in seconds from a real Gmail 429 (GaxiosError, Headers object)", async () => {
    const error = await gmailHistoryError(() =>
      jsonResponse(429, googleError(429, "Too many requests", "rateLimitExceeded", "RESOURCE_EXHAUSTED"), {
        "retry-after": "7",
      }),
    );
    expect((error as object).constructor.name).toBe("GaxiosError");
    expect(classifyProviderError(error, { now })).toEqual({
      kind: "throttled",
      status: 429,
      reason: "rateLimitExceeded",
      retryAfterMs: 7_000,
    });
  });

  it("reads Retry-After as an HTTP-date", async () => {
    const error = await gmailHistoryError(() =>
      jsonResponse(503, googleError(503, "Backend Error", "backendError"), {
        "Retry-After": new Date(now + 45_000).toUTCString(),
      }),
    );
    expect(classifyProviderError(error, { now })).toMatchObject({
      kind: "unavailable",
      status: 503,
      retryAfterMs: 45_000,
    });
    expect(parseRetryAfter("Thu, 03 Dec 2026 09:59:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("1.5", now)).toBe(1_500);
  });

  it("reads Gmail's 'Retry after <ISO time>' from the 429 message when there is no header", async () => {
    const message = "User-rate limit exceeded.  Retry after 2026-12-03T10:00:00.000Z";
    const error = await gmailMessageError(jsonResponse(429, googleError(429, message, "rateLimitExceeded")));
    expect(classifyProviderError(error, { now })).toMatchObject({ kind: "throttled", retryAfterMs: 30_000 });
  });

  it("treats Google's 403 rateLimitExceeded / userRateLimitExceeded as throttling, other 403s as fatal", async () => {
    for (const reason of ["rateLimitExceeded", "userRateLimitExceeded"]) {
      const error = await gmailMessageError(
        jsonResponse(403, googleError(403, "Rate Limit Exceeded", reason)),
      );
      expect(classifyProviderError(error, { now })).toEqual({ kind: "throttled", status: 403, reason });
    }
    const denied = await gmailMessageError(
      jsonResponse(403, googleError(403, "Insufficient Permission", "insufficientPermissions")),
    );
    expect(classifyProviderError(denied).kind).toBe("fatal");
  });

  it("calls Gmail's history 404 an expired cursor, but a message 404 fatal", async () => {
    const history = await gmailHistoryError(() =>
      jsonResponse(404, googleError(404, "Requested entity was not found.", "notFound")),
    );
    expect(classifyProviderError(history)).toMatchObject({ kind: "expired_cursor", status: 404 });
    const message = await gmailMessageError(jsonResponse(404, googleError(404, "Not Found", "notFound")));
    expect(classifyProviderError(message)).toMatchObject({ kind: "fatal", status: 404 });
    expect(classifyProviderError(message, { method: "history.list" }).kind).toBe("expired_cursor");
  });

  it("classifies Calendar's 410, 401, other 5xx and network failures from gaxios", async () => {
    const gone = await gmailMessageError(
      jsonResponse(410, googleError(410, "Sync token is no longer valid", "fullSyncRequired")),
    );
    expect(classifyProviderError(gone)).toEqual({
      kind: "expired_cursor",
      status: 410,
      reason: "fullSyncRequired",
    });
    const auth = await gmailMessageError(
      jsonResponse(401, googleError(401, "Invalid Credentials", "authError")),
    );
    expect(classifyProviderError(auth)).toMatchObject({ kind: "auth", status: 401 });
    const backend = await gmailMessageError(
      jsonResponse(500, googleError(500, "Backend Error", "backendError")),
    );
    expect(classifyProviderError(backend)).toEqual({
      kind: "unavailable",
      status: 500,
      reason: "backendError",
    });
    const reset = await gmailHistoryError(() => {
      throw networkFailure("ECONNRESET");
    });
    expect((reset as { status?: number }).status).toBeUndefined();
    expect(classifyProviderError(reset).kind).toBe("transient");
  });

  it("classifies real GraphErrors: 429 with Retry-After, 410 syncStateNotFound, resyncRequired, 503, 401, network", async () => {
    const throttled = await graphError(() =>
      jsonResponse(
        429,
        { error: { code: "TooManyRequests", message: "Please retry" } },
        { "Retry-After": "5" },
      ),
    );
    expect(throttled).toBeInstanceOf(GraphError);
    expect(classifyProviderError(throttled)).toEqual({
      kind: "throttled",
      status: 429,
      reason: "TooManyRequests",
      retryAfterMs: 5_000,
    });
    const expired = await graphError(() =>
      jsonResponse(410, { error: { code: "syncStateNotFound", message: "The sync state is not found" } }),
    );
    expect(classifyProviderError(expired)).toEqual({
      kind: "expired_cursor",
      status: 410,
      reason: "syncStateNotFound",
    });
    const resync = await graphError(() =>
      jsonResponse(400, { error: { code: "resyncRequired", message: "Resync required" } }),
    );
    expect(classifyProviderError(resync).kind).toBe("expired_cursor");
    const down = await graphError(() =>
      jsonResponse(503, { error: { code: "ServiceNotAvailable", message: "down" } }, { "Retry-After": "12" }),
    );
    expect(classifyProviderError(down)).toEqual({
      kind: "unavailable",
      status: 503,
      reason: "ServiceNotAvailable",
      retryAfterMs: 12_000,
    });
    const auth = await graphError(() =>
      jsonResponse(401, { error: { code: "InvalidAuthenticationToken", message: "expired" } }),
    );
    expect(classifyProviderError(auth).kind).toBe("auth");
    const network = await graphError(() => {
      throw networkFailure("ECONNREFUSED");
    });
    expect(network).toMatchObject({ statusCode: -1 });
    expect(classifyProviderError(network).kind).toBe("transient");
    expect(classifyProviderError(new GraphError(400, "Bad filter")).kind).toBe("fatal");
  });

  it("treats an unrecognised error without a status as fatal, not as a network blip to retry", () => {
    expect(classifyProviderError(new TypeError("Cannot read properties of undefined")).kind).toBe("fatal");
    expect(classifyProviderError(Object.assign(new Error("x"), { code: "ETIMEDOUT" })).kind).toBe(
      "transient",
    );
    expect(classifyProviderError({ status: 408 }).kind).toBe("transient");
    expect(
      classifyProviderError({ response: { status: 429, headers: { "Retry-After": "3" } } }),
    ).toMatchObject({
      kind: "throttled",
      retryAfterMs: 3_000,
    });
  });
});

describe("backoffDelay", () => {
  it("grows as 500 ms × 2^(attempt−1) up to 30 s, and full jitter keeps each wait within [0, ceiling)", () => {
    const ceilings = [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000];
    ceilings.forEach((ceiling, i) => {
      expect(backoffDelay(i + 1, { random: () => 0.999_999 })).toBe(Math.floor(0.999_999 * ceiling));
      expect(backoffDelay(i + 1, { random: () => 0 })).toBe(0);
      for (let n = 0; n < 50; n++) {
        const wait = backoffDelay(i + 1);
        expect(wait).toBeGreaterThanOrEqual(0);
        expect(wait).toBeLessThan(ceiling);
      }
    });
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(5)));
    expect(spread.size).toBeGreaterThan(10);
  });
});

describe("withRetries", () => {
  const status = (s: number, headers: Record<string, string> = {}) =>
    Object.assign(new Error(`HTTP ${s}`), {
      status: s,
      response: { status: s, headers: new Headers(headers) },
    });

  it("retries 5xx and network failures with jittered backoff, then succeeds", async () => {
    const clock = fakeClock();
    const failures = [status(500), networkFailure(), status(502)];
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls += 1;
        const failure = failures.shift();
        if (failure) throw failure;
        return "ok";
      },
      { now: clock.now, sleep: clock.sleep, random: () => 0.5 },
    );
    expect(result).toBe("ok");
    expect(calls).toBe(4);
    expect(clock.sleeps).toEqual([250, 500, 1_000]);
  });

  it("waits exactly what Retry-After says on 429, however long, within the deadline", async () => {
    const clock = fakeClock();
    let calls = 0;
    await withRetries(
      async () => {
        if (++calls === 1) throw status(429, { "retry-after": "40" });
        return "ok";
      },
      { now: clock.now, sleep: clock.sleep, deadline: clock.t + 60_000 },
    );
    expect(clock.sleeps).toEqual([40_000]);
  });

  it("throws SyncDeferred carrying the wait when it would pass the deadline, without sleeping", async () => {
    const clock = fakeClock();
    const error = await withRetries(
      async () => {
        throw status(429, { "retry-after": "90" });
      },
      { now: clock.now, sleep: clock.sleep, deadline: clock.t + 60_000 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncDeferred);
    expect(error).toMatchObject({ reason: "deadline", retryAfterMs: 90_000, code: "sync_deferred" });
    expect(clock.sleeps).toEqual([]);
  });

  it("defers when attempts run out on a retryable failure", async () => {
    const clock = fakeClock();
    const error = await withRetries(
      async () => {
        throw status(503);
      },
      { now: clock.now, sleep: clock.sleep, maxAttempts: 3, random: () => 0 },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "SyncDeferred", reason: "retries_exhausted", retryAfterMs: 4_000 });
    expect(clock.sleeps).toHaveLength(2);
  });

  it("never retries an expired cursor, auth or other 4xx: the original error reaches the caller", async () => {
    for (const s of [410, 401, 400, 403]) {
      const clock = fakeClock();
      let calls = 0;
      const original = status(s);
      const error = await withRetries(
        async () => {
          calls += 1;
          throw original;
        },
        { now: clock.now, sleep: clock.sleep },
      ).catch((e: unknown) => e);
      expect(error).toBe(original);
      expect(calls).toBe(1);
      expect(clock.sleeps).toEqual([]);
    }
  });
});

describe("createPacer", () => {
  it("spends units and a slot again on every retry, and counts requests, retries, throttling and waits", async () => {
    const clock = fakeClock();
    const budget = new QuotaBudget({ ...GMAIL_QUOTA_2026, now: clock.now, sleep: clock.sleep });
    const pacer = createPacer({
      api: "google_gmail",
      mailbox: "acc-1",
      budget,
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
    });
    const answers: Array<Error | "ok"> = [
      Object.assign(new Error("limit"), {
        status: 429,
        response: { status: 429, headers: { "retry-after": "2" } },
      }),
      Object.assign(new Error("down"), { status: 500 }),
      "ok",
    ];
    const result = await pacer.call("threads.get", async () => {
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return answer;
    });
    expect(result).toBe("ok");
    expect(pacer.counters()).toMatchObject({
      requests: 3,
      units: 120,
      retries: 2,
      throttled: 1,
      failures: 2,
      retryWaitMs: 2_000 + 500,
    });
    expect(budget.counters.unitsSpent).toBe(120);
    expect(pacer.counters().waitedMs).toBe(pacer.counters().budgetWaitMs + 2_500);
  });
});

describe("circuit breaker", () => {
  const failing = (s: number) => async () => {
    throw Object.assign(new Error(`HTTP ${s}`), { status: s });
  };
  const pacerFor = (api: ProviderApi) =>
    createPacer({
      api,
      mailbox: "acc-1",
      budget: new QuotaBudget({ unitsPerMinute: 1_000_000 }),
      // One attempt per call, so each call is one breaker sample.
      maxAttempts: 1,
    });
  const outcome = (p: Promise<unknown>) =>
    p.then(() => "ok").catch((e: { reason?: string }) => e.reason ?? e);

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse("2026-12-03T09:00:00.000Z") });
    resetPacingForTests();
  });

  it("uses exactly the agreed opossum options", () => {
    expect(BREAKER_OPTIONS).toEqual({
      errorThresholdPercentage: 50,
      rollingCountTimeout: 60_000,
      volumeThreshold: 5,
      resetTimeout: 120_000,
      timeout: false,
    });
  });

  it("opens when more than 50% of at least 5 requests in 60 s fail, then fails fast with SyncDeferred", async () => {
    const pacer = pacerFor("google_gmail");
    for (let i = 0; i < 4; i++)
      expect(await outcome(pacer.call("history.list", failing(503)))).toBe("retries_exhausted");
    // Four failures are below the volume threshold.
    expect(breakerState("google_gmail")).toBe("closed");
    await outcome(pacer.call("history.list", failing(503)));
    expect(breakerState("google_gmail")).toBe("open");

    await vi.advanceTimersByTimeAsync(30_000);
    const provider = vi.fn(async () => "never");
    const error = await pacer.call("history.list", provider).catch((e: unknown) => e);
    expect(provider).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(SyncDeferred);
    expect(error).toMatchObject({ reason: "breaker_open", retryAfterMs: 90_000 });
  });

  it("stays closed at exactly 50% (opossum opens above the threshold)", async () => {
    const pacer = pacerFor("google_gmail");
    for (let i = 0; i < 3; i++) await pacer.call("getProfile", async () => "ok");
    for (let i = 0; i < 3; i++) await outcome(pacer.call("getProfile", failing(500)));
    expect(breakerState("google_gmail")).toBe("closed");
  });

  it("forgets failures older than the 60 s rolling window", async () => {
    const pacer = pacerFor("ms_graph_mail");
    for (let i = 0; i < 4; i++)
      await outcome(pacer.call("delta", async () => Promise.reject(networkFailure())));
    await vi.advanceTimersByTimeAsync(61_000);
    await outcome(pacer.call("delta", failing(502)));
    expect(breakerState("ms_graph_mail")).toBe("closed");
  });

  it("half-opens after 120 s: a successful probe closes it, a failed one reopens it", async () => {
    const pacer = pacerFor("google_calendar");
    for (let i = 0; i < 5; i++) await outcome(pacer.call("events.list", failing(500)));
    expect(breakerState("google_calendar")).toBe("open");
    await vi.advanceTimersByTimeAsync(119_999);
    expect(breakerState("google_calendar")).toBe("open");
    await vi.advanceTimersByTimeAsync(1);
    expect(breakerState("google_calendar")).toBe("half_open");
    expect(await outcome(pacer.call("events.list", failing(500)))).toBe("retries_exhausted");
    expect(breakerState("google_calendar")).toBe("open");

    await vi.advanceTimersByTimeAsync(120_000);
    expect(await pacer.call("events.list", async () => "back")).toBe("back");
    expect(breakerState("google_calendar")).toBe("closed");
  });

  it("keeps one API's breaker closed while another's is open", async () => {
    const gmailPacer = pacerFor("google_gmail");
    for (let i = 0; i < 5; i++) await outcome(gmailPacer.call("messages.get", failing(503)));
    expect(breakerState("google_gmail")).toBe("open");
    expect(await pacerFor("google_calendar").call("events.list", async () => "fine")).toBe("fine");
    expect(breakerState("google_calendar")).toBe("closed");
    expect(breakerState("ms_graph_mail")).toBe("closed");
  });

  it("does not count expired cursors, auth, other 4xx or 429s as provider failures", async () => {
    const pacer = pacerFor("google_gmail");
    const expired = await gmailHistoryError(() =>
      jsonResponse(404, googleError(404, "Requested entity was not found.", "notFound")),
    );
    let calls = 0;
    for (let i = 0; i < 10; i++) {
      const error = await pacer
        .call("history.list", async () => {
          calls += 1;
          throw expired;
        })
        .catch((e: unknown) => e);
      // Not retried and not wrapped: the caller sees the cursor expired and runs a re-sync.
      expect(error).toBe(expired);
    }
    expect(calls).toBe(10);
    for (const s of [401, 400, 410, 429]) {
      for (let i = 0; i < 3; i++) await outcome(pacer.call("messages.get", failing(s)));
    }
    expect(breakerState("google_gmail")).toBe("closed");
  });
});
