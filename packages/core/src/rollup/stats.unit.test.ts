import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MeetingResponse } from "../sync/event";
import {
  type ApplyResult,
  applyInsert,
  applyRemove,
  DAY_MS,
  emptyStats,
  type PairState,
  type PairStats,
  type RollupEvent,
  rebuildPair,
  type ThreadState,
  threadKey,
} from "./stats";

// Q2 2026; 730 days before is 2024-05-15T12:00Z (Q2 2024, quarter 8).
const NOW = new Date("2026-05-15T12:00:00.000Z");
const HOUR_MS = 3_600_000;

function iso(time: number): string {
  return new Date(time).toISOString();
}

/** `days` days (and `extraMs` more milliseconds) before `now`. */
function ago(days: number, extraMs = 0, now: Date = NOW): string {
  return iso(now.getTime() - days * DAY_MS - extraMs);
}

let nextRemoteId = 0;

function email(
  direction: "inbound" | "outbound",
  occurredAt: string,
  overrides: Partial<RollupEvent> = {},
): RollupEvent {
  nextRemoteId += 1;
  return {
    kind: "email",
    direction,
    occurredAt,
    threadId: "t1",
    remoteId: `msg-${nextRemoteId}`,
    newsletter: false,
    bulk: false,
    recipientCount: 1,
    ...overrides,
  };
}

function meeting(occurredAt: string, overrides: Partial<RollupEvent> = {}): RollupEvent {
  nextRemoteId += 1;
  return {
    kind: "meeting",
    direction: "attended",
    occurredAt,
    threadId: `series-${nextRemoteId}`,
    remoteId: `mtg-${nextRemoteId}`,
    newsletter: false,
    bulk: false,
    attendeeCount: 2,
    response: "accepted",
    cancelled: false,
    ...overrides,
  };
}

interface Store {
  pair: PairState | null;
  threads: Map<string, ThreadState>;
}

/** Writes an `applyInsert` / `applyRemove` answer into the store, rebuilding from `events` when asked. */
function settle(
  store: Store,
  result: ApplyResult,
  event: RollupEvent,
  events: readonly RollupEvent[],
  now: Date,
): Store {
  if (result === "noop") return store;
  if (result === "rebuild") return rebuildPair(events, now);
  const threads = new Map(store.threads);
  threads.set(threadKey(event), result.thread);
  return { pair: result.pair, threads };
}

/** Folds events one at a time from an empty state, as the stream handler does. */
function fold(events: readonly RollupEvent[], now: Date): { store: Store; results: string[] } {
  let store: Store = { pair: null, threads: new Map() };
  const seen: RollupEvent[] = [];
  const results: string[] = [];
  for (const event of events) {
    seen.push(event);
    const result = applyInsert(store.pair, store.threads.get(threadKey(event)) ?? null, event, now);
    results.push(typeof result === "string" ? result : "applied");
    store = settle(store, result, event, seen, now);
  }
  return { store, results };
}

/**
 * The stats of a timeline from `rebuildPair`, after checking that folding the same events one by
 * one (in the given order and reversed) through `applyInsert` gives the same stats.
 */
function statsOf(events: readonly RollupEvent[], now: Date = NOW): PairStats {
  const rebuilt = rebuildPair(events, now).pair?.stats ?? emptyStats();
  for (const order of [events, [...events].reverse()]) {
    const folded = fold(order, now).store.pair?.stats ?? emptyStats();
    expect(folded).toEqual(rebuilt);
  }
  return rebuilt;
}

describe("windows (scoring.md, Statistics: within N days when now − time ≤ N × 24 h)", () => {
  it("12 months: a message at exactly now − 365 days counts in the 12-month counts, one ms older does not", () => {
    const stats = statsOf([
      email("inbound", ago(365), { threadId: "a" }),
      email("inbound", ago(365, 1), { threadId: "b" }),
      email("outbound", ago(365), { threadId: "c" }),
      email("outbound", ago(365, 1), { threadId: "d" }),
    ]);
    expect(stats).toMatchObject({ emailIn12mo: 1, emailIn24mo: 2, emailOut12mo: 1, emailOut24mo: 2 });
  });

  it("24 months: a message or meeting at exactly now − 730 days counts, and sets the latest times", () => {
    const stats = statsOf([
      email("inbound", ago(730), { threadId: "a" }),
      email("outbound", ago(730), { threadId: "a" }),
      meeting(ago(730)),
    ]);
    expect(stats).toEqual({
      ...emptyStats(),
      emailIn24mo: 1,
      emailOut24mo: 1,
      twoWayThreads: 1,
      lastEmailAt: ago(730),
      lastInboundAt: ago(730),
      lastOutboundAt: ago(730),
      activityBitmap12q: 2 ** 8,
      meetings24mo: 1,
      lastMeetingAt: ago(730),
    });
  });

  it("24 months: nothing one ms older than 730 days counts anywhere, latest times included", () => {
    const old = ago(730, 1);
    const events = [
      email("inbound", old, { threadId: "a" }),
      email("outbound", old, { threadId: "a" }),
      email("inbound", old, { threadId: "n", newsletter: true }),
      meeting(old),
    ];
    expect(statsOf(events)).toEqual(emptyStats());
    // Still kept (within the retention), so the pair exists, but with nothing counted.
    expect(rebuildPair(events, NOW).pair?.applied).toBe(4);
  });

  it("180 days: a meeting at exactly now − 180 days counts in meetings180d, one ms older only in meetings24mo", () => {
    const stats = statsOf([meeting(ago(180)), meeting(ago(180, 1))]);
    expect(stats).toMatchObject({ meetings180d: 1, meetings24mo: 2, lastMeetingAt: ago(180) });
  });

  it("90 days: an inbound at exactly now − 90 days and a reply in its thread give hasResponseIn3mo", () => {
    expect(statsOf([email("inbound", ago(90)), email("outbound", ago(1))]).hasResponseIn3mo).toBe(true);
    expect(statsOf([email("inbound", ago(1)), email("outbound", ago(90))]).hasResponseIn3mo).toBe(true);
  });

  it("90 days: one ms older than 90 days on either side and there is no response in 3 months", () => {
    expect(statsOf([email("inbound", ago(90, 1)), email("outbound", ago(1))]).hasResponseIn3mo).toBe(false);
    expect(statsOf([email("inbound", ago(1)), email("outbound", ago(90, 1))]).hasResponseIn3mo).toBe(false);
  });
});

describe("aging of a stored state", () => {
  it("a state takes events in until the millisecond one of its events leaves a window, then answers rebuild", () => {
    const inbound = email("inbound", ago(80), { threadId: "a" });
    const { store } = fold([inbound], NOW);
    // 90 days and 1 ms after the message; before the next quarter starts (2026-07-01).
    const edge = Date.parse(inbound.occurredAt) + 90 * DAY_MS + 1;
    expect(store.pair?.nextAgingAt).toBe(iso(edge));
    const other = email("inbound", ago(1), { threadId: "b" });
    expect(typeof applyInsert(store.pair, null, other, new Date(edge - 1))).toBe("object");
    expect(applyInsert(store.pair, null, other, new Date(edge))).toBe("rebuild");
  });

  it("a state with counted mail ages when the UTC quarter changes", () => {
    const { store } = fold([email("inbound", ago(1))], NOW);
    expect(store.pair?.nextAgingAt).toBe("2026-07-01T00:00:00.000Z");
  });
});

describe("future events (scoring.md: nothing dated after now counts)", () => {
  it("a message or meeting at exactly now counts", () => {
    const stats = statsOf([email("inbound", iso(NOW.getTime())), meeting(iso(NOW.getTime()))]);
    expect(stats).toMatchObject({ emailIn12mo: 1, meetings180d: 1, lastMeetingAt: iso(NOW.getTime()) });
  });

  it("a future email and a future meeting count nowhere, the state ages at the first start, and a later now counts them", () => {
    const inOneHour = iso(NOW.getTime() + HOUR_MS);
    const inTwoHours = iso(NOW.getTime() + 2 * HOUR_MS);
    const future = meeting(inTwoHours);
    const events = [
      future,
      email("inbound", inOneHour, { threadId: "a" }),
      email("outbound", inOneHour, { threadId: "a" }),
    ];
    expect(statsOf(events)).toEqual(emptyStats());
    const { pair } = rebuildPair(events, NOW);
    expect(pair?.nextAgingAt).toBe(inOneHour);
    expect(rebuildPair([meeting(inTwoHours)], NOW).pair?.nextAgingAt).toBe(inTwoHours);
    expect(fold(events, NOW).store.pair?.nextAgingAt).toBe(inOneHour);

    // Once the first one starts, the stored state may no longer take an event in: rebuild.
    const later = new Date(NOW.getTime() + 3 * HOUR_MS);
    const { store } = fold(events, NOW);
    const extra = email("inbound", ago(5), { threadId: "b" });
    expect(applyInsert(store.pair, null, extra, later)).toBe("rebuild");
    expect(applyRemove(store.pair, store.threads.get(threadKey(future)) ?? null, future, later)).toBe(
      "rebuild",
    );

    expect(statsOf(events, later)).toMatchObject({
      emailIn12mo: 1,
      emailOut12mo: 1,
      twoWayThreads: 1,
      hasResponseIn3mo: true,
      lastEmailAt: inOneHour,
      meetings180d: 1,
      lastMeetingAt: inTwoHours,
      activityBitmap12q: 1,
    });
  });
});

describe("quarters (scoring.md: UTC calendar quarters, quarter 0 the current one)", () => {
  it("an inbound and an outbound message in the same UTC quarter set that quarter's bit", () => {
    const stats = statsOf([
      email("inbound", "2026-04-01T00:00:00.000Z", { threadId: "a" }),
      email("outbound", "2026-05-01T00:00:00.000Z", { threadId: "b" }),
    ]);
    expect(stats).toMatchObject({ activityBitmap12q: 1, activeQuartersConsecutive: 1 });
  });

  it("2026-03-31T23:59:59.999Z and 2026-04-01T00:00:00.000Z fall in different quarters", () => {
    expect(
      statsOf([email("inbound", "2026-03-31T23:59:59.999Z"), email("outbound", "2026-04-01T00:00:00.000Z")]),
    ).toMatchObject({ activityBitmap12q: 0, activeQuartersConsecutive: 0 });
    expect(
      statsOf([email("inbound", "2026-03-31T23:59:59.999Z"), email("outbound", "2026-01-01T00:00:00.000Z")]),
    ).toMatchObject({ activityBitmap12q: 2, activeQuartersConsecutive: 1 });
  });

  it("bit indexes count back from the current quarter", () => {
    const twoWayIn = (day: string) => [
      email("inbound", `${day}T10:00:00.000Z`, { threadId: day }),
      email("outbound", `${day}T11:00:00.000Z`, { threadId: day }),
    ];
    const stats = statsOf([
      ...twoWayIn("2026-05-01"), // Q2 2026: bit 0
      ...twoWayIn("2025-11-20"), // Q4 2025: bit 2
      ...twoWayIn("2024-08-01"), // Q3 2024: bit 7
    ]);
    expect(stats.activityBitmap12q).toBe(2 ** 0 + 2 ** 2 + 2 ** 7);
  });

  it("bits 9 to 11 stay clear: quarter 8 is the oldest one with counted mail", () => {
    const stats = statsOf([
      email("inbound", ago(730), { threadId: "q8" }),
      email("outbound", ago(730), { threadId: "q8" }),
      // Q1 2024 (bit 9), Q4 2023 (bit 10), Q3 2023 (bit 11): all older than 730 days.
      ...["2024-03-01", "2023-12-01", "2023-08-01"].flatMap((day) => [
        email("inbound", `${day}T10:00:00.000Z`, { threadId: day }),
        email("outbound", `${day}T11:00:00.000Z`, { threadId: day }),
      ]),
    ]);
    expect(stats.activityBitmap12q).toBe(2 ** 8);
  });

  const activeIn = (quarterStarts: string[]) =>
    quarterStarts.flatMap((start) => [
      email("inbound", `${start}T00:00:00.000Z`, { threadId: start }),
      email("outbound", `${start}T01:00:00.000Z`, { threadId: start }),
    ]);

  it("consecutive active quarters count from bit 0 when it is set", () => {
    // Bits 0, 1, 2 and 4.
    const stats = statsOf(activeIn(["2026-04-01", "2026-01-01", "2025-10-01", "2025-04-01"]));
    expect(stats).toMatchObject({ activityBitmap12q: 0b10111, activeQuartersConsecutive: 3 });
  });

  it("consecutive active quarters count from bit 1 when bit 0 is clear", () => {
    // Bits 1, 2, 3 and 5.
    const stats = statsOf(activeIn(["2026-01-01", "2025-10-01", "2025-07-01", "2025-01-01"]));
    expect(stats).toMatchObject({ activityBitmap12q: 0b101110, activeQuartersConsecutive: 3 });
    // Bits 2 and 3 only: no run starts at bit 0 or 1.
    expect(statsOf(activeIn(["2025-10-01", "2025-07-01"]))).toMatchObject({
      activityBitmap12q: 0b1100,
      activeQuartersConsecutive: 0,
    });
  });
});

describe("which messages count (scoring.md: bulk, newsletters, rescue)", () => {
  it("newsletters count only in newsletterIn24mo: not in emailIn, the latest times or two-way threads", () => {
    const stats = statsOf([
      email("inbound", ago(400), { threadId: "n", newsletter: true }),
      email("inbound", ago(10), { threadId: "n", newsletter: true }),
      email("inbound", ago(730), { threadId: "n", newsletter: true }),
      email("inbound", ago(730, 1), { threadId: "n", newsletter: true }),
      // A bulk outbound in the same thread neither rescues nor makes it two-way.
      email("outbound", ago(5), { threadId: "n", recipientCount: 21 }),
    ]);
    expect(stats).toEqual({ ...emptyStats(), newsletterIn24mo: 3 });
  });

  it("a reply rescues: past newsletters become ordinary inbound (incrementally a rebuild), and future ones too", () => {
    const newsletters = [
      email("inbound", ago(100), { threadId: "n", newsletter: true }),
      email("inbound", ago(50), { threadId: "n", newsletter: true }),
    ];
    const reply = email("outbound", ago(10), { threadId: "r" });
    const { store, results } = fold([...newsletters, reply], NOW);
    expect(results).toEqual(["applied", "applied", "rebuild"]);
    const rescued = {
      ...emptyStats(),
      emailIn12mo: 2,
      emailIn24mo: 2,
      emailOut12mo: 1,
      emailOut24mo: 1,
      lastEmailAt: ago(10),
      lastInboundAt: ago(50),
      lastOutboundAt: ago(10),
      // The newsletters are in Q1 2026, the reply in Q2: no quarter has both.
      activityBitmap12q: 0,
      activeQuartersConsecutive: 0,
    };
    expect(store.pair?.stats).toEqual(rescued);
    expect(statsOf([...newsletters, reply])).toEqual(rescued);

    // A newsletter after the reply counts as ordinary inbound, folded in without a rebuild.
    const later = email("inbound", ago(2), { threadId: "r", newsletter: true });
    const result = applyInsert(store.pair, store.threads.get(threadKey(later)) ?? null, later, NOW);
    if (typeof result === "string") throw new Error(`expected an applied state, got ${result}`);
    const expected = {
      ...rescued,
      emailIn12mo: 3,
      emailIn24mo: 3,
      lastEmailAt: ago(2),
      lastInboundAt: ago(2),
      twoWayThreads: 1,
      hasResponseIn3mo: true,
      activityBitmap12q: 1,
      activeQuartersConsecutive: 1,
    };
    expect(result.pair.stats).toEqual(expected);
    expect(statsOf([...newsletters, reply, later])).toEqual(expected);
  });

  it("taking the only reply away turns the sender's messages back into newsletters (a rebuild)", () => {
    const newsletter = email("inbound", ago(100), { threadId: "n", newsletter: true });
    const reply = email("outbound", ago(10), { threadId: "r" });
    const { store } = fold([reply, newsletter], NOW);
    expect(store.pair?.stats.emailIn24mo).toBe(1);
    expect(applyRemove(store.pair, store.threads.get(threadKey(reply)) ?? null, reply, NOW)).toBe("rebuild");
    expect(rebuildPair([newsletter], NOW).pair?.stats).toEqual({ ...emptyStats(), newsletterIn24mo: 1 });
  });

  it("bulk mail in either direction (more than 20 recipients, or the bulk flag) counts nowhere", () => {
    const bulk = [
      email("inbound", ago(10), { recipientCount: 21 }),
      email("inbound", ago(10), { bulk: true }),
      email("outbound", ago(10), { recipientCount: 21 }),
      email("outbound", ago(10), { bulk: true }),
    ];
    expect(statsOf(bulk)).toEqual(emptyStats());
    expect(rebuildPair(bulk, NOW).pair).toBeNull();
    for (const event of bulk) expect(applyInsert(null, null, event, NOW)).toBe("noop");
    // 20 recipients is not bulk.
    expect(
      statsOf([
        email("inbound", ago(10), { recipientCount: 20 }),
        email("outbound", ago(10), { recipientCount: 20 }),
      ]),
    ).toMatchObject({ emailIn12mo: 1, emailOut12mo: 1, twoWayThreads: 1 });
  });

  it("a bulk outbound message does not rescue a sender's newsletters", () => {
    for (const bulkReply of [
      email("outbound", ago(5), { threadId: "r", recipientCount: 21 }),
      email("outbound", ago(5), { threadId: "r", bulk: true }),
    ]) {
      const stats = statsOf([email("inbound", ago(20), { threadId: "n", newsletter: true }), bulkReply]);
      expect(stats).toEqual({ ...emptyStats(), newsletterIn24mo: 1 });
    }
  });
});

describe("two-way threads (scoring.md: a counted inbound and a counted outbound in one thread)", () => {
  it("a thread with both directions is two-way; inbound-only, outbound-only and uncounted ones are not", () => {
    const stats = statsOf([
      email("inbound", ago(300), { threadId: "both" }),
      email("outbound", ago(20), { threadId: "both" }),
      email("inbound", ago(10), { threadId: "in-only" }),
      email("inbound", ago(9), { threadId: "in-only" }),
      email("outbound", ago(8), { threadId: "out-only" }),
      email("inbound", ago(7), { threadId: "bulk-reply" }),
      email("outbound", ago(6), { threadId: "bulk-reply", bulk: true }),
      email("inbound", ago(731), { threadId: "too-old" }),
      email("outbound", ago(731), { threadId: "too-old" }),
    ]);
    expect(stats.twoWayThreads).toBe(1);
  });

  it("two threads with both directions count two", () => {
    const stats = statsOf([
      email("inbound", ago(30), { threadId: "a" }),
      email("outbound", ago(29), { threadId: "a" }),
      email("outbound", ago(500), { threadId: "b" }),
      email("inbound", ago(499), { threadId: "b" }),
    ]);
    expect(stats.twoWayThreads).toBe(2);
  });
});

describe("meetings (scoring.md: a meeting counts)", () => {
  it("declined, needs-action, cancelled and 21-attendee meetings count nowhere", () => {
    const stats = statsOf([
      meeting(ago(1), { response: "declined" }),
      meeting(ago(1), { response: "needsAction" }),
      meeting(ago(1), { response: "accepted", cancelled: true }),
      meeting(ago(1), { response: "organizer", attendeeCount: 21 }),
    ]);
    expect(stats).toEqual(emptyStats());
  });

  it("organizer, accepted and tentative meetings with 20 attendees count, by start time", () => {
    const stats = statsOf([
      meeting(ago(10), { response: "organizer", attendeeCount: 20 }),
      meeting(ago(200), { response: "accepted", attendeeCount: 20 }),
      meeting(ago(700), { response: "tentative", attendeeCount: 20 }),
      // Later, but not counted: they must not move lastMeetingAt.
      meeting(ago(1), { response: "declined" }),
      meeting(ago(2), { cancelled: true }),
      meeting(ago(3), { attendeeCount: 21 }),
    ]);
    expect(stats).toEqual({ ...emptyStats(), meetings180d: 1, meetings24mo: 3, lastMeetingAt: ago(10) });
  });
});

describe("hasResponseIn3mo (scoring.md: both directions in one thread within 90 days)", () => {
  it("is set by an inbound and an outbound message in one thread, both within 90 days", () => {
    expect(
      statsOf([email("inbound", ago(80), { threadId: "a" }), email("outbound", ago(70), { threadId: "a" })])
        .hasResponseIn3mo,
    ).toBe(true);
  });

  it("is not set by the two directions in different threads, nor by one side older than 90 days", () => {
    expect(
      statsOf([email("inbound", ago(10), { threadId: "a" }), email("outbound", ago(5), { threadId: "b" })])
        .hasResponseIn3mo,
    ).toBe(false);
    expect(
      statsOf([
        email("inbound", ago(10), { threadId: "a" }),
        email("outbound", ago(100), { threadId: "a" }),
        email("outbound", ago(5), { threadId: "b" }),
      ]).hasResponseIn3mo,
    ).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: the incremental update always equals the rebuild.

const EDGE_DAYS = [90, 180, 365, 730, 761];

/** A time as an offset from the base now: spread over ~28 months back, a few in the future, some on edges. */
const offsetArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -850 * DAY_MS, max: 0 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 * DAY_MS }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...EDGE_DAYS), fc.constantFrom(-1, 0, 1))
      .map(([days, ms]) => -days * DAY_MS + ms),
  },
);

type Draft = Omit<RollupEvent, "remoteId" | "occurredAt"> & { offset: number };

const emailArb: fc.Arbitrary<Draft> = fc
  .record({
    direction: fc.constantFrom("inbound" as const, "outbound" as const),
    offset: offsetArb,
    threadId: fc.constantFrom("t1", "t2", "t3"),
    newsletter: fc.boolean(),
    bulk: fc.integer({ min: 0, max: 9 }).map((draw) => draw === 0),
    recipientCount: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }) },
      { weight: 1, arbitrary: fc.integer({ min: 19, max: 23 }) },
    ),
  })
  .map((draft) => ({
    kind: "email" as const,
    ...draft,
    // Only inbound mail carries the flag, and never bulk mail (sync/event.ts).
    newsletter:
      draft.direction === "inbound" && draft.newsletter && !draft.bulk && draft.recipientCount <= 20,
  }));

const meetingArb: fc.Arbitrary<Draft> = fc.record({
  kind: fc.constant("meeting" as const),
  direction: fc.constant("attended" as const),
  offset: offsetArb,
  threadId: fc.constantFrom("s1", "s2"),
  newsletter: fc.constant(false),
  bulk: fc.constant(false),
  attendeeCount: fc.integer({ min: 2, max: 22 }),
  response: fc.constantFrom<MeetingResponse>("organizer", "accepted", "tentative", "declined", "needsAction"),
  cancelled: fc.boolean(),
});

function eventsArb(base: number): fc.Arbitrary<RollupEvent[]> {
  return fc
    .array(fc.oneof({ weight: 4, arbitrary: emailArb }, { weight: 1, arbitrary: meetingArb }), {
      minLength: 1,
      maxLength: 14,
    })
    .map((drafts) =>
      drafts.map(({ offset, ...draft }, index) => ({
        ...draft,
        occurredAt: iso(base + offset),
        remoteId: `r${index}`,
      })),
    );
}

type Op = { type: "insert"; pick: number } | { type: "remove"; pick: number } | { type: "again" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ type: fc.constant("insert" as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant("remove" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("again" as const) }) },
);

/**
 * How far now moves before an operation: milliseconds, or to the stored state's `nextAgingAt`
 * ("aging") or the millisecond before it ("beforeAging"), where an off-by-one edge would show.
 */
type Advance = number | "aging" | "beforeAging";

const advanceArb: fc.Arbitrary<Advance> = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 3 * HOUR_MS }),
  fc.integer({ min: 0, max: 60 * DAY_MS }),
  fc.constantFrom("aging" as const, "beforeAging" as const),
);

type Tally = { applied: number; rebuild: number; noop: number };

/**
 * Runs the steps against a store (the pair's and its threads' states) and the current event set,
 * as the stream handler would, and checks the store against a rebuild after each one.
 */
function runSteps(
  events: readonly RollupEvent[],
  steps: readonly { op: Op; advance: Advance }[],
  start: number,
  tally: Tally,
): void {
  let store: Store = { pair: null, threads: new Map() };
  const current = new Map<string, RollupEvent>();
  let last: { type: "insert" | "remove"; event: RollupEvent } | null = null;
  let time = start;
  for (const { op, advance } of steps) {
    const agingAt = store.pair?.nextAgingAt ? Date.parse(store.pair.nextAgingAt) : null;
    if (typeof advance === "number") time += advance;
    else if (agingAt !== null) time = Math.max(time, advance === "aging" ? agingAt : agingAt - 1);
    const now = new Date(time);
    let step: { type: "insert" | "remove"; event: RollupEvent | undefined } | null;
    if (op.type === "again") step = last;
    else if (op.type === "insert") step = { type: "insert", event: events[op.pick % events.length] };
    else {
      const inserted = [...current.values()];
      step = { type: "remove", event: inserted[op.pick % inserted.length] };
    }
    const event: RollupEvent | undefined = step?.event;
    if (step === null || event === undefined) continue;
    const type: "insert" | "remove" = step.type;
    last = { type, event };
    const thread = store.threads.get(threadKey(event)) ?? null;
    let result: ApplyResult;
    if (type === "insert") {
      current.set(event.remoteId, event);
      result = applyInsert(store.pair, thread, event, now);
    } else {
      current.delete(event.remoteId);
      result = applyRemove(store.pair, thread, event, now);
    }
    tally[typeof result === "string" ? result : "applied"] += 1;
    store = settle(store, result, event, [...current.values()], now);
    const nextAgingAt = store.pair?.nextAgingAt;
    if (nextAgingAt != null && time >= Date.parse(nextAgingAt)) {
      // Only an event that changes nothing leaves an aged state as it was; the nightly job rebuilds it.
      expect(result).toBe("noop");
      store = rebuildPair([...current.values()], now);
    }
    expectSameState(store, rebuildPair([...current.values()], now));
  }
}

function expectSameState(store: Store, expected: Store): void {
  if (expected.pair === null) {
    // Nothing kept: the incremental state is gone or has nothing applied, and counts nothing.
    if (store.pair !== null) {
      expect(store.pair.applied).toBe(0);
      expect(store.pair.stats).toEqual(emptyStats());
      expect(store.pair.rescuers).toBe(0);
      expect(store.pair.flaggedInbound).toBe(0);
      expect(store.pair.quarters).toEqual({});
    }
  } else {
    expect(store.pair).not.toBeNull();
    const pair = store.pair as PairState;
    expect(pair.stats).toEqual(expected.pair.stats);
    expect(pair.applied).toBe(expected.pair.applied);
    expect(pair.rescuers).toBe(expected.pair.rescuers);
    expect(pair.flaggedInbound).toBe(expected.pair.flaggedInbound);
    expect(pair.quarters).toEqual(expected.pair.quarters);
    // The incremental state may age earlier than needed, never later.
    if (expected.pair.nextAgingAt !== null) {
      expect(pair.nextAgingAt).not.toBeNull();
      expect(Date.parse(pair.nextAgingAt as string)).toBeLessThanOrEqual(
        Date.parse(expected.pair.nextAgingAt),
      );
    }
  }
  const empty: ThreadState = { applied: [], in: 0, out: 0, lastIn: null, lastOut: null };
  for (const key of new Set([...store.threads.keys(), ...expected.threads.keys()])) {
    expect({ key, ...(store.threads.get(key) ?? empty) }).toEqual({
      key,
      ...(expected.threads.get(key) ?? empty),
    });
  }
}

/** Guards the generators: a property that only ever rebuilt would compare a rebuild with itself. */
function expectAllPathsExercised(tally: Tally): void {
  expect(tally.applied).toBeGreaterThan(500);
  expect(tally.rebuild).toBeGreaterThan(50);
  expect(tally.noop).toBeGreaterThan(50);
}

describe("incremental update equals rebuild (property)", () => {
  it("at a fixed now, any sequence of inserts, removes and redeliveries leaves the state a rebuild would give", () => {
    const tally: Tally = { applied: 0, rebuild: 0, noop: 0 };
    fc.assert(
      fc.property(eventsArb(NOW.getTime()), fc.array(opArb, { minLength: 8, maxLength: 40 }), (events, ops) =>
        runSteps(
          events,
          ops.map((op) => ({ op, advance: 0 })),
          NOW.getTime(),
          tally,
        ),
      ),
      { numRuns: 200 },
    );
    expectAllPathsExercised(tally);
  });

  it("with now moving forward between operations, aged states answer rebuild and the state stays exact", () => {
    const tally: Tally = { applied: 0, rebuild: 0, noop: 0 };
    fc.assert(
      fc.property(
        eventsArb(NOW.getTime()),
        fc.array(fc.record({ op: opArb, advance: advanceArb }), { minLength: 8, maxLength: 40 }),
        (events, steps) => runSteps(events, steps, NOW.getTime() - 30 * DAY_MS, tally),
      ),
      { numRuns: 200 },
    );
    expectAllPathsExercised(tally);
  });
});
