import { createHash } from "node:crypto";
import type { InteractionEvent } from "../sync/event";

/**
 * The statistics per (user, correspondent) of scoring.md "Statistics", as pure functions of the
 * pair's interaction events and the time `now`. Two ways to get them, which always agree:
 * - `rebuildPair`: from every event of the pair;
 * - `applyInsert` / `applyRemove`: one event at a time, in O(1), from the stored pair state and
 *   the state of the event's thread. They answer `"rebuild"` in the few cases one event cannot be
 *   folded in alone (a window edge passed since the state was computed, the latest message of a
 *   kind deleted, a reply rescuing a sender with past newsletters), and `"noop"` for an event the
 *   state already reflects, so a redelivery changes nothing.
 * The state is exact at the time of its last write and stays exact until `nextAgingAt`, the first
 * instant at which one of its events crosses a window edge (90, 180, 365, 730 days, the retention),
 * a future event starts, or the UTC quarter changes; the nightly job rebuilds the pairs past it.
 */

export const DAY_MS = 86_400_000;
/** A message with more recipients than this is bulk and counts nowhere. */
export const MAX_RECIPIENTS = 20;
/** A meeting whose attendee list (the user included) is longer counts nowhere. */
export const MAX_ATTENDEES = 20;
export const WINDOW_DAYS = { response: 90, meetings: 180, year: 365, twoYears: 730 } as const;
/** How long an event is kept (sync/event.ts, EVENT_RETENTION_DAYS): a reply rescues while it is kept. */
export const RETENTION_DAYS = 761;
const EDGES_DAYS = [
  WINDOW_DAYS.response,
  WINDOW_DAYS.meetings,
  WINDOW_DAYS.year,
  WINDOW_DAYS.twoYears,
  RETENTION_DAYS,
];

/** The contract's `stats` (api.md, "Connection"). */
export interface PairStats {
  emailIn12mo: number;
  emailIn24mo: number;
  emailOut12mo: number;
  emailOut24mo: number;
  newsletterIn24mo: number;
  twoWayThreads: number;
  lastEmailAt: string | null;
  lastInboundAt: string | null;
  lastOutboundAt: string | null;
  hasResponseIn3mo: boolean;
  activityBitmap12q: number;
  activeQuartersConsecutive: number;
  meetings180d: number;
  meetings24mo: number;
  lastMeetingAt: string | null;
}

/** What the rollup reads of an interaction event (`accountId` is absent only in pure tests). */
export type RollupEvent = Partial<Pick<InteractionEvent, "accountId">> &
  Pick<
    InteractionEvent,
    | "kind"
    | "direction"
    | "occurredAt"
    | "threadId"
    | "remoteId"
    | "newsletter"
    | "bulk"
    | "recipientCount"
    | "attendeeCount"
    | "response"
    | "cancelled"
  >;

/** Counted messages per UTC quarter (absolute index: year × 4 + quarter of the year). */
export type QuarterCounts = Record<string, { in: number; out: number }>;

/** The stored state of one pair: its stats and what their O(1) update needs. */
export interface PairState {
  stats: PairStats;
  /** Events the state reflects, over all its threads; 0 means the pair has nothing left. */
  applied: number;
  /** Reflected non-bulk outbound messages: while there is one, the correspondent is rescued. */
  rescuers: number;
  /** Reflected inbound messages with the newsletter flag, rescued or not. */
  flaggedInbound: number;
  quarters: QuarterCounts;
  /** ISO time from which the stored stats may be stale; null when nothing can age. */
  nextAgingAt: string | null;
}

/** The state of one (user, correspondent, thread); meetings of one series share one. */
export interface ThreadState {
  /** Fingerprints of the events reflected (`eventFingerprint`). */
  applied: string[];
  /** Counted inbound (newsletters from an unrescued sender excluded) and outbound messages. */
  in: number;
  out: number;
  lastIn: string | null;
  lastOut: string | null;
}

export type ApplyResult = { pair: PairState; thread: ThreadState } | "noop" | "rebuild";

export function emptyStats(): PairStats {
  return {
    emailIn12mo: 0,
    emailIn24mo: 0,
    emailOut12mo: 0,
    emailOut24mo: 0,
    newsletterIn24mo: 0,
    twoWayThreads: 0,
    lastEmailAt: null,
    lastInboundAt: null,
    lastOutboundAt: null,
    hasResponseIn3mo: false,
    activityBitmap12q: 0,
    activeQuartersConsecutive: 0,
    meetings180d: 0,
    meetings24mo: 0,
    lastMeetingAt: null,
  };
}

function emptyPair(): PairState {
  return { stats: emptyStats(), applied: 0, rescuers: 0, flaggedInbound: 0, quarters: {}, nextAgingAt: null };
}

function emptyThread(): ThreadState {
  return { applied: [], in: 0, out: 0, lastIn: null, lastOut: null };
}

/** The thread an event's state lives in: messages by provider thread, meetings by series. */
export function threadKey(event: Pick<RollupEvent, "kind" | "threadId">): string {
  return `${event.kind === "meeting" ? "m" : "e"}#${event.threadId}`;
}

/**
 * Identifies an event together with everything about it that counts, so a changed event (a
 * response turned from needs-action to accepted, a message moved to another thread) is a
 * different fingerprint, and the same event delivered twice is the same one. The account is part
 * of it: one meeting on two calendars of the member is two stored events, and disconnecting one
 * account removes exactly its own.
 */
export function eventFingerprint(event: RollupEvent): string {
  const parts = [
    event.accountId ?? "",
    event.threadId,
    event.kind,
    event.direction,
    event.occurredAt,
    event.remoteId,
    event.newsletter ? 1 : 0,
    event.bulk ? 1 : 0,
    event.recipientCount ?? "",
    event.attendeeCount ?? "",
    event.response ?? "",
    event.cancelled ? 1 : 0,
  ];
  return createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 16);
}

type Role = "inbound" | "outbound" | "meeting";

/**
 * What an event can ever count as, whatever the time: `null` for an event that counts nowhere
 * (bulk mail, a meeting the user declined or did not answer, a cancelled or large meeting).
 */
export function roleOf(event: RollupEvent): Role | null {
  if (event.kind === "meeting") {
    const attended =
      event.response === "organizer" || event.response === "accepted" || event.response === "tentative";
    if (!attended || event.cancelled) return null;
    if ((event.attendeeCount ?? 0) > MAX_ATTENDEES) return null;
    return "meeting";
  }
  if (event.bulk || (event.recipientCount ?? 0) > MAX_RECIPIENTS) return null;
  if (event.direction === "outbound") return "outbound";
  if (event.direction === "inbound") return "inbound";
  return null;
}

/** Within N days of now: now − time ≤ N × 24 h, and not after now. */
function within(time: number, now: number, days: number): boolean {
  return time <= now && now - time <= days * DAY_MS;
}

/** Kept, so reflected in the state: younger than the retention (a future event is kept). */
function retained(time: number, now: number): boolean {
  return now - time <= RETENTION_DAYS * DAY_MS;
}

export function quarterIndex(time: number): number {
  const date = new Date(time);
  return date.getUTCFullYear() * 4 + Math.floor(date.getUTCMonth() / 3);
}

function nextQuarterStart(now: number): number {
  const index = quarterIndex(now) + 1;
  return Date.UTC(Math.floor(index / 4), (index % 4) * 3, 1);
}

/** The first instant after `now` at which this event's contribution changes, or null. */
function nextEdge(time: number, now: number): number | null {
  if (time > now) return time;
  for (const days of EDGES_DAYS) {
    const edge = time + days * DAY_MS + 1;
    if (edge > now) return edge;
  }
  return null;
}

function earliest(current: string | null, candidate: number | null): string | null {
  if (candidate === null) return current;
  if (current === null || candidate < Date.parse(current)) return new Date(candidate).toISOString();
  return current;
}

function later(current: string | null, candidate: string): string {
  return current === null || Date.parse(candidate) > Date.parse(current) ? candidate : current;
}

/** The bitmap and consecutive quarters from the per-quarter counts, quarter 0 being now's. */
export function activity(quarters: QuarterCounts, now: number): { bitmap: number; consecutive: number } {
  const current = quarterIndex(now);
  let bitmap = 0;
  for (const [key, counts] of Object.entries(quarters)) {
    const bit = current - Number(key);
    if (bit >= 0 && bit < 12 && counts.in > 0 && counts.out > 0) bitmap |= 2 ** bit;
  }
  return { bitmap, consecutive: consecutiveQuarters(bitmap) };
}

/** Consecutive set bits from bit 0, or from bit 1 when bit 0 is clear (scoring.md). */
export function consecutiveQuarters(bitmap: number): number {
  let bit = bitmap & 1 ? 0 : 1;
  let run = 0;
  while (bit < 12 && bitmap & (2 ** bit)) {
    run += 1;
    bit += 1;
  }
  return run;
}

/** The state of a pair from all its events: the definition the incremental update must equal. */
export function rebuildPair(
  events: readonly RollupEvent[],
  nowDate: Date,
): { pair: PairState | null; threads: Map<string, ThreadState> } {
  const now = nowDate.getTime();
  const kept = dedupe(events).filter(
    (event) => roleOf(event) !== null && retained(Date.parse(event.occurredAt), now),
  );
  const rescued = kept.some((event) => roleOf(event) === "outbound");
  const pair = emptyPair();
  const threads = new Map<string, ThreadState>();
  for (const event of kept) {
    const key = threadKey(event);
    const thread = threads.get(key) ?? emptyThread();
    threads.set(key, thread);
    thread.applied.push(eventFingerprint(event));
    account(pair, thread, event, now, rescued, 1);
  }
  if (kept.length === 0) return { pair: null, threads };
  for (const thread of threads.values()) thread.applied.sort();
  finish(pair, threads.values(), now);
  return { pair, threads };
}

/** One event per fingerprint: what the store holds is one item per (message, correspondent). */
function dedupe(events: readonly RollupEvent[]): RollupEvent[] {
  const seen = new Map<string, RollupEvent>();
  for (const event of events) seen.set(eventFingerprint(event), event);
  return [...seen.values()];
}

/**
 * Adds (sign 1) or takes away (sign −1) one event's contribution to the counters of the pair and
 * its thread, relative to `now`. Latest-times are only raised here; taking one away is decided by
 * the caller (`applyRemove` rebuilds when it would lower one).
 */
function account(
  pair: PairState,
  thread: ThreadState,
  event: RollupEvent,
  now: number,
  rescued: boolean,
  sign: 1 | -1,
): void {
  const role = roleOf(event);
  const time = Date.parse(event.occurredAt);
  pair.applied += sign;
  if (role === "outbound") pair.rescuers += sign;
  if (role === "inbound" && event.newsletter) pair.flaggedInbound += sign;
  if (sign === 1) pair.nextAgingAt = earliest(pair.nextAgingAt, nextEdge(time, now));
  if (!within(time, now, WINDOW_DAYS.twoYears)) return;
  const stats = pair.stats;
  if (role === "meeting") {
    stats.meetings24mo += sign;
    if (within(time, now, WINDOW_DAYS.meetings)) stats.meetings180d += sign;
    if (sign === 1) stats.lastMeetingAt = later(stats.lastMeetingAt, event.occurredAt);
    return;
  }
  if (role === "inbound" && event.newsletter && !rescued) {
    stats.newsletterIn24mo += sign;
    return;
  }
  const inYear = within(time, now, WINDOW_DAYS.year);
  const quarter = String(quarterIndex(time));
  const counts = pair.quarters[quarter] ?? { in: 0, out: 0 };
  if (role === "inbound") {
    stats.emailIn24mo += sign;
    if (inYear) stats.emailIn12mo += sign;
    counts.in += sign;
    thread.in += sign;
    if (sign === 1) {
      stats.lastInboundAt = later(stats.lastInboundAt, event.occurredAt);
      thread.lastIn = later(thread.lastIn, event.occurredAt);
    }
  } else {
    stats.emailOut24mo += sign;
    if (inYear) stats.emailOut12mo += sign;
    counts.out += sign;
    thread.out += sign;
    if (sign === 1) {
      stats.lastOutboundAt = later(stats.lastOutboundAt, event.occurredAt);
      thread.lastOut = later(thread.lastOut, event.occurredAt);
    }
  }
  if (counts.in === 0 && counts.out === 0) delete pair.quarters[quarter];
  else pair.quarters[quarter] = counts;
  if (sign === 1) stats.lastEmailAt = later(stats.lastEmailAt, event.occurredAt);
}

/** The fields derived from the counters: two-way threads, the response flag, the quarters. */
function finish(pair: PairState, threads: Iterable<ThreadState>, now: number): void {
  let twoWay = 0;
  let response = false;
  for (const thread of threads) {
    if (isTwoWay(thread)) twoWay += 1;
    if (respondedWithin90(thread, now)) response = true;
  }
  pair.stats.twoWayThreads = twoWay;
  pair.stats.hasResponseIn3mo = response;
  settleQuarters(pair, now);
}

function settleQuarters(pair: PairState, now: number): void {
  const { bitmap, consecutive } = activity(pair.quarters, now);
  pair.stats.activityBitmap12q = bitmap;
  pair.stats.activeQuartersConsecutive = consecutive;
  if (Object.keys(pair.quarters).length > 0)
    pair.nextAgingAt = earliest(pair.nextAgingAt, nextQuarterStart(now));
}

function isTwoWay(thread: ThreadState): boolean {
  return thread.in > 0 && thread.out > 0;
}

function respondedWithin90(thread: ThreadState, now: number): boolean {
  return (
    thread.lastIn !== null &&
    thread.lastOut !== null &&
    within(Date.parse(thread.lastIn), now, WINDOW_DAYS.response) &&
    within(Date.parse(thread.lastOut), now, WINDOW_DAYS.response)
  );
}

function cloneState(
  pair: PairState | null,
  thread: ThreadState | null,
): { pair: PairState; thread: ThreadState } {
  return {
    pair: pair
      ? {
          ...pair,
          stats: { ...pair.stats },
          quarters: Object.fromEntries(
            Object.entries(pair.quarters).map(([key, value]) => [key, { ...value }]),
          ),
        }
      : emptyPair(),
    thread: thread ? { ...thread, applied: [...thread.applied] } : emptyThread(),
  };
}

/** Whether the stored state has aged past an edge, so no event may be folded into it. */
function aged(pair: PairState | null, now: number): boolean {
  return pair?.nextAgingAt != null && now >= Date.parse(pair.nextAgingAt);
}

/** Folds one new event into the pair's and its thread's state. */
export function applyInsert(
  pair: PairState | null,
  thread: ThreadState | null,
  event: RollupEvent,
  nowDate: Date,
): ApplyResult {
  const now = nowDate.getTime();
  const role = roleOf(event);
  if (role === null || !retained(Date.parse(event.occurredAt), now)) return "noop";
  const fingerprint = eventFingerprint(event);
  if (thread?.applied.includes(fingerprint)) return "noop";
  if (aged(pair, now)) return "rebuild";
  // The first reply to a sender whose newsletters are already counted as such turns them all
  // into ordinary mail, in every thread: only a rebuild sees them.
  if (role === "outbound" && (pair?.rescuers ?? 0) === 0 && (pair?.flaggedInbound ?? 0) > 0) return "rebuild";
  const next = cloneState(pair, thread);
  const rescued = next.pair.rescuers > 0 || role === "outbound";
  const wasTwoWay = isTwoWay(next.thread);
  next.thread.applied.push(fingerprint);
  next.thread.applied.sort();
  account(next.pair, next.thread, event, now, rescued, 1);
  if (!wasTwoWay && isTwoWay(next.thread)) next.pair.stats.twoWayThreads += 1;
  if (respondedWithin90(next.thread, now)) next.pair.stats.hasResponseIn3mo = true;
  settleQuarters(next.pair, now);
  return next;
}

/** Takes one deleted event out of the pair's and its thread's state. */
export function applyRemove(
  pair: PairState | null,
  thread: ThreadState | null,
  event: RollupEvent,
  nowDate: Date,
): ApplyResult {
  const now = nowDate.getTime();
  const fingerprint = eventFingerprint(event);
  if (!pair || !thread?.applied.includes(fingerprint)) return "noop";
  if (aged(pair, now)) return "rebuild";
  const role = roleOf(event);
  // The last reply to a sender with flagged messages: they turn back into newsletters.
  if (role === "outbound" && pair.rescuers === 1 && pair.flaggedInbound > 0) return "rebuild";
  const next = cloneState(pair, thread);
  const rescued = next.pair.rescuers > 0;
  const wasTwoWay = isTwoWay(next.thread);
  const hadResponse = respondedWithin90(next.thread, now);
  next.thread.applied = next.thread.applied.filter((applied) => applied !== fingerprint);
  const before = { ...next.pair.stats, threadLastIn: next.thread.lastIn, threadLastOut: next.thread.lastOut };
  account(next.pair, next.thread, event, now, rescued, -1);
  const time = event.occurredAt;
  const counted = within(Date.parse(time), now, WINDOW_DAYS.twoYears);
  if (counted) {
    // A latest time can only be lowered from the other events: those are not in this state.
    const latest =
      role === "meeting"
        ? [before.lastMeetingAt]
        : role === "inbound" && event.newsletter && !rescued
          ? []
          : role === "inbound"
            ? [before.lastInboundAt, before.lastEmailAt, before.threadLastIn]
            : [before.lastOutboundAt, before.lastEmailAt, before.threadLastOut];
    if (latest.includes(time)) return "rebuild";
    if (hadResponse) return "rebuild";
  }
  if (wasTwoWay && !isTwoWay(next.thread)) next.pair.stats.twoWayThreads -= 1;
  settleQuarters(next.pair, now);
  return next;
}
