import { availableParallelism } from "node:os";
import type { ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/lib-dynamodb";
import * as Identity from "@kith/core/identity";
import { keys as mailboxKeys } from "@kith/core/mailbox/store";
import * as Orgs from "@kith/core/orgs";
import { applyEventChanges, rebuildPairs } from "@kith/core/rollup";
import * as Storage from "@kith/core/storage";
import { eventItem, type InteractionEvent } from "@kith/core/sync/event";
import { logger } from "@kith/core/util";
import { prng } from "@kith/sandbox";
import type { InitializeMiddleware } from "@smithy/types";
import {
  allPairs,
  nightlyPairs,
  PAIRS_PER_JOB,
  TOUCHED_WINDOW_HOURS,
} from "../packages/core/src/rollup/jobs";
import { rollupKeys } from "../packages/core/src/rollup/keys";
import { type EventChange, type PairRef, readPairs } from "../packages/core/src/rollup/pairs";
import { DAY, type EventSpec, interaction, storeEvents } from "../test/support/rollup";
import {
  addCounts,
  apiName,
  describeCounts,
  emptyCounts,
  ms,
  perCall,
  percentile,
  pick,
  printTable,
  type Row,
  secs,
  thousands,
  units,
  withBenchTable,
} from "./support";

/**
 * The rollup (`packages/core/src/rollup`) at the scale of issue 14: one member's mailbox of 20,000
 * interaction events over 24 months with 2,000 correspondents, on DynamoDB Local.
 *
 * The mailbox is generated from a seeded PRNG (the same events every run):
 * - correspondents ranked by a Zipf-like weight (a few take hundreds of events, most one or two),
 *   each active over a span of the 24 months before `now`;
 * - 75% people: threads of 1–8 messages, inbound and outbound mixed, a few bulk messages (> 20
 *   recipients); the most-mailed people also have meetings (7.5% of the events, ~1,500), recurring
 *   series among them, some declined, unanswered, cancelled or large (> 20 attendees);
 * - 25% newsletter senders: inbound only with the newsletter flag, some rescued by a reply (after
 *   which their mail keeps coming);
 * - three of the people are teammates (users of the org): their events must count nowhere.
 *
 * Steps (each measured with `Storage.countRequests`: requests per command and ConsumedCapacity):
 * 1. The events are written to the table (BatchWriteItem, 8 in flight, not measured).
 * 2. Incremental: fed to `applyEventChanges` in batches of 100 (the stream consumer's batch), in a
 *    backfill's order (newest first), one batch at a time, all at `now`.
 * 3. Redelivery of one batch: must write nothing.
 * 4. Full rebuild at the same `now`: `allPairs`, then `rebuildPairs` 500 pairs a job, one job after
 *    another (each a `rollup-rebuild` message). The check: it changes no pair's stats ("rebuilt
 *    equals incremental" at scale; its write requests and units are printed: none when every item
 *    already equals the rebuild), and no teammate has a pair.
 * 5. Nightly, three nights (the third a quarter start): a day's new mail applied incrementally
 *    (not measured), then `nightlyPairs` and `rebuildPairs` 500 pairs a job. With each night, why
 *    its pairs were planned (due for aging, touched in the last 36 hours, last written by the
 *    previous rebuild).
 *
 * Capacity: every measured request asks for `ReturnConsumedCapacity: INDEXES` (a middleware just
 * inside Kith's request counter turns the counter's `TOTAL` into it), whose total `countRequests`
 * adds up as usual and whose parts give the table / gsi1 / gsi2 split. DynamoDB Local's `TOTAL`
 * under-reports some multi-item TransactWriteItems (a pair + thread + lookup write replacing items
 * whose gsi1 key moves: 8 units where INDEXES reports table 6 + gsi1 6 + gsi2 2 = 14, the parts
 * agreeing with single-item writes), so `TOTAL` would show the incremental pass ~10% cheaper.
 * Request latencies are DynamoDB Local's, on this machine: a figure, not AWS's.
 *
 * Figures are printed; the run fails (exit 1) only when a correctness check does.
 *
 * Environment: BENCH_ROLLUP_EVENTS (20,000; correspondents are a tenth of it, meetings 7.5%),
 * BENCH_ROLLUP_SEED (14), BENCH_DYNAMO (unset: DynamoDB Local on disk; "memory": in memory).
 */

const TABLE = "kith-bench-rollup";
const EVENTS = Math.max(200, Number(process.env.BENCH_ROLLUP_EVENTS ?? 20_000));
const SEED = Number(process.env.BENCH_ROLLUP_SEED ?? 14);
const CORRESPONDENTS = Math.round(EVENTS / 10);
const MEETINGS = Math.round(EVENTS * 0.075);
const NEWSLETTER_SENDER_SHARE = 0.25;
const NEWSLETTER_EVENT_SHARE = 0.25;
const RESCUED_SHARE = 0.15;
const BULK_SHARE = 0.01;
const MEETING_PEOPLE_SHARE = 0.4;
const BATCH = 100;
const WINDOW_DAYS = 730;
/**
 * The backfill's `now`: three nights later the UTC quarter changes (2026-07-01). A fixed date before
 * the wall clock, so the rebuild's wait for the events index after a recent write (asOf within
 * seconds of `Date.now()`) never applies to the simulated days.
 */
const NOW = new Date("2026-06-28T00:00:00.000Z");
/** Nights after the backfill; the third is a quarter start. */
const NIGHTS = 3;
const SEED_IN_FLIGHT = 8;
const DAILY_EVENTS = Math.max(1, Math.round(EVENTS / WINDOW_DAYS));
const ORG_DOMAIN = "rollup-bench.example";
const ACTOR = { actor: "system:bench" };

type Counts = Storage.RequestCounts;

/** Records what a correctness check found; any failure makes the run exit 1. */
const failures: string[] = [];
function check(ok: boolean, what: string): boolean {
  if (!ok) failures.push(what);
  return ok;
}

const commandCount = (counts: Counts, api: string) => counts.byCommand[api] ?? 0;

// ---- the generated mailbox ----

/** `total` split over `count` ranks, each at least 1, the rest by weight 1 / rank^exponent (largest remainders). */
function allocate(total: number, count: number, exponent: number): number[] {
  if (count === 0) return [];
  const weights = Array.from({ length: count }, (_, rank) => 1 / (rank + 1) ** exponent);
  const sum = weights.reduce((a, b) => a + b, 0);
  const rest = Math.max(0, total - count);
  const exact = weights.map((weight) => (weight / sum) * rest);
  const counts = exact.map((value) => 1 + Math.floor(value));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((value, index) => ({ index, fraction: value - Math.floor(value) }));
  order.sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (let k = 0; left > 0; k++, left--) {
    const at = order[k % count]?.index ?? 0;
    counts[at] = (counts[at] ?? 0) + 1;
  }
  return counts;
}

interface Owner {
  orgId: string;
  userId: string;
  accountId: string;
}

interface Correspondent {
  email: string;
  kind: "person" | "newsletter";
  /** Days before now: the span the correspondent is active in, from `fromAgo` down to `toAgo`. */
  fromAgo: number;
  toAgo: number;
}

interface GeneratedMailbox {
  events: InteractionEvent[];
  correspondents: Correspondent[];
  teammates: string[];
  profile: {
    people: number;
    newsletterSenders: number;
    rescued: number;
    threads: number;
    mail: number;
    inbound: number;
    outbound: number;
    newsletters: number;
    bulk: number;
    meetings: number;
    series: number;
    notAttended: number;
    cancelled: number;
    large: number;
    teammateEvents: number;
    topEvents: number[];
    medianEvents: number;
  };
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

function generateMailbox(owner: Owner, rng: () => number): GeneratedMailbox {
  const now = NOW.getTime();
  const senderCount = Math.round(CORRESPONDENTS * NEWSLETTER_SENDER_SHARE);
  const peopleCount = CORRESPONDENTS - senderCount;
  const mailTotal = EVENTS - MEETINGS;
  const newsletterTotal = Math.round(mailTotal * NEWSLETTER_EVENT_SHARE);
  const peopleMail = allocate(mailTotal - newsletterTotal, peopleCount, 0.85);
  const senderMail = allocate(newsletterTotal, senderCount, 0.7);
  const meetingPeople = Math.max(1, Math.round(peopleCount * MEETING_PEOPLE_SHARE));
  const peopleMeetings = allocate(MEETINGS, meetingPeople, 0.9);
  // Teammates sit among the people, at a few ranks (their events must be skipped).
  const teammateRanks = [3, 17, 90].filter((rank) => rank < peopleCount);
  const teammates = teammateRanks.map((_, k) => `teammate${k + 1}@${ORG_DOMAIN}`);

  const events: InteractionEvent[] = [];
  const correspondents: Correspondent[] = [];
  const profile: GeneratedMailbox["profile"] = {
    people: peopleCount,
    newsletterSenders: senderCount,
    rescued: 0,
    threads: 0,
    mail: 0,
    inbound: 0,
    outbound: 0,
    newsletters: 0,
    bulk: 0,
    meetings: 0,
    series: 0,
    notAttended: 0,
    cancelled: 0,
    large: 0,
    teammateEvents: 0,
    topEvents: [],
    medianEvents: 0,
  };
  let remote = 0;
  const push = (email: string, spec: EventSpec) => {
    remote += 1;
    const event = interaction(owner, email, {
      remoteId: `r${remote.toString(36).padStart(6, "0")}`,
      ...spec,
    });
    events.push(event);
    return event;
  };
  /** The active span: the heaviest correspondents span most of the 24 months, the rest a part of them. */
  const span = (rank: number): { fromAgo: number; toAgo: number } => {
    const length = rank < 50 ? 600 + rng() * 128 : 20 + rng() ** 1.5 * 700;
    const toAgo = rng() * (WINDOW_DAYS - 1 - length);
    return { fromAgo: toAgo + length, toAgo };
  };
  /** A time in the span, as an epoch ms. */
  const inSpan = (c: Correspondent) => now - (c.toAgo + rng() * (c.fromAgo - c.toAgo)) * DAY;

  for (let rank = 0; rank < peopleCount; rank++) {
    const teammate = teammateRanks.indexOf(rank);
    const email = teammate >= 0 ? (teammates[teammate] as string) : `person${rank}@co${rank % 311}.example`;
    const person: Correspondent = { email, kind: "person", ...span(rank) };
    correspondents.push(person);
    const before = events.length;
    let left = peopleMail[rank] ?? 0;
    while (left > 0) {
      const length = Math.min(
        left,
        pick(rng, [
          [1, 30],
          [2, 25],
          [3, 15],
          [4, 10],
          [5, 8],
          [6, 5],
          [7, 4],
          [8, 3],
        ]),
      );
      left -= length;
      profile.threads += 1;
      const thread = `t${profile.threads}`;
      const times: number[] = [];
      let at = inSpan(person);
      for (let k = 0; k < length; k++) {
        times.push(at);
        at += 10 * MINUTE + rng() ** 2 * 3 * DAY;
      }
      // A thread that would run past now ends a minute before it instead.
      const shift = Math.max(0, (times[times.length - 1] as number) - (now - MINUTE));
      let direction: "inbound" | "outbound" = rng() < 0.6 ? "inbound" : "outbound";
      for (const time of times) {
        const bulk = rng() < BULK_SHARE;
        push(email, {
          at: new Date(Math.round(time - shift)),
          direction,
          thread,
          bulk,
          recipients: bulk ? 21 + Math.floor(rng() * 60) : 1 + Math.floor(rng() ** 3 * 8),
        });
        profile.mail += 1;
        if (bulk) profile.bulk += 1;
        if (direction === "inbound") profile.inbound += 1;
        else profile.outbound += 1;
        if (rng() < 0.75) direction = direction === "inbound" ? "outbound" : "inbound";
      }
    }
    let meetings = rank < meetingPeople ? (peopleMeetings[rank] ?? 0) : 0;
    if (meetings >= 6) {
      // A recurring series (weekly or every other week), its occurrences sharing one thread.
      const occurrences = Math.round(meetings * 0.6);
      meetings -= occurrences;
      profile.series += 1;
      const every = (rng() < 0.5 ? 7 : 14) * DAY;
      const attendees = 2 + Math.floor(rng() ** 2 * 6);
      const start = Math.max(now - (WINDOW_DAYS - 1) * DAY, now - occurrences * every - rng() * 30 * DAY);
      for (let k = 0; k < occurrences; k++) {
        meeting(email, new Date(Math.min(now - HOUR, start + k * every)), `series-${rank}`, attendees);
      }
    }
    for (let k = 0; k < meetings; k++) {
      meeting(
        email,
        new Date(Math.min(now - HOUR, inSpan(person))),
        undefined,
        2 + Math.floor(rng() ** 2 * 10),
      );
    }
    if (teammate >= 0) profile.teammateEvents += events.length - before;
  }

  function meeting(email: string, at: Date, series: string | undefined, attendees: number) {
    const large = rng() < 0.06;
    const response = pick(rng, [
      ["organizer", 30],
      ["accepted", 45],
      ["tentative", 5],
      ["declined", 10],
      ["needsAction", 10],
    ] as const);
    const cancelled = rng() < 0.05;
    push(email, {
      at,
      kind: "meeting",
      direction: "attended",
      ...(series ? { thread: series } : {}),
      attendees: large ? 21 + Math.floor(rng() * 60) : attendees,
      response,
      cancelled,
    });
    profile.meetings += 1;
    if (large) profile.large += 1;
    if (cancelled) profile.cancelled += 1;
    if (response === "declined" || response === "needsAction") profile.notAttended += 1;
  }

  for (let rank = 0; rank < senderCount; rank++) {
    const sender: Correspondent = {
      email: `news@brand${rank}.example`,
      kind: "newsletter",
      ...span(rank),
    };
    correspondents.push(sender);
    const count = senderMail[rank] ?? 0;
    // Evenly over the span with jitter; a rescued sender got one reply, and kept sending after it.
    const rescueAt = count >= 3 && rng() < RESCUED_SHARE ? 1 + Math.floor(rng() * (count - 2)) : -1;
    if (rescueAt >= 0) profile.rescued += 1;
    const step = ((sender.fromAgo - sender.toAgo) * DAY) / count;
    let last: InteractionEvent | undefined;
    for (let k = 0; k < count; k++) {
      const time = Math.round(now - sender.fromAgo * DAY + (k + rng() * 0.8) * step);
      if (k === rescueAt && last) {
        push(sender.email, {
          at: new Date(Math.min(now - MINUTE, Date.parse(last.occurredAt) + 2 * HOUR)),
          direction: "outbound",
          thread: last.threadId,
        });
        profile.mail += 1;
        profile.outbound += 1;
        continue;
      }
      last = push(sender.email, {
        at: new Date(Math.min(now - MINUTE, time)),
        direction: "inbound",
        newsletter: true,
      });
      profile.mail += 1;
      profile.inbound += 1;
      profile.newsletters += 1;
    }
  }

  const perCorrespondent = new Map<string, number>();
  for (const event of events)
    perCorrespondent.set(event.correspondent, (perCorrespondent.get(event.correspondent) ?? 0) + 1);
  const sizes = [...perCorrespondent.values()].sort((a, b) => b - a);
  profile.topEvents = sizes.slice(0, 3);
  profile.medianEvents = percentile(sizes, 50);
  return { events, correspondents, teammates, profile };
}

/** A day's new mail with people, as the incremental sync delivers it before a night. */
function dailyMail(owner: Owner, people: readonly Correspondent[], dayStart: number, rng: () => number) {
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 0; rank < people.length; rank++) {
    total += 1 / (rank + 1) ** 0.85;
    cumulative.push(total);
  }
  const events: InteractionEvent[] = [];
  for (let k = 0; k < DAILY_EVENTS; k++) {
    const roll = rng() * total;
    const rank = Math.max(
      0,
      cumulative.findIndex((value) => value >= roll),
    );
    const person = people[rank] as Correspondent;
    events.push(
      interaction(owner, person.email, {
        remoteId: `d${Math.round(dayStart / DAY)}-${k}`,
        at: new Date(dayStart + 2 * HOUR + rng() * 20 * HOUR),
        direction: rng() < 0.55 ? "inbound" : "outbound",
      }),
    );
  }
  return events;
}

// ---- the measured steps ----

/**
 * What `countRequests` does not break down, while `probe.on`: each request's latency by API, and
 * its consumed capacity per table and index (`ReturnConsumedCapacity: INDEXES` instead of the
 * counter's `TOTAL`, whose total it still carries). A middleware just inside Kith's request
 * counter on the process's client, removed at the end.
 */
type Part = "table" | "gsi1" | "gsi2";
const probe = {
  on: false,
  latency: new Map<string, number[]>(),
  read: { table: 0, gsi1: 0, gsi2: 0 } as Record<Part, number>,
  write: { table: 0, gsi1: 0, gsi2: 0 } as Record<Part, number>,
};
const PROBE_MIDDLEWARE = "kithBenchRollupProbe";

interface IndexCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}
interface ConsumedByIndex {
  Table?: IndexCapacity;
  GlobalSecondaryIndexes?: Record<string, IndexCapacity>;
}

function installProbe(): () => void {
  const stack = Storage.documentClient().middlewareStack;
  const capacityOf = (entry: IndexCapacity | undefined) =>
    entry?.CapacityUnits ?? (entry?.ReadCapacityUnits ?? 0) + (entry?.WriteCapacityUnits ?? 0);
  const middleware: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> =
    (next, context) => async (args) => {
      if (!probe.on) return next(args);
      const input = args.input as { ReturnConsumedCapacity?: string };
      if (input.ReturnConsumedCapacity === "TOTAL") input.ReturnConsumedCapacity = "INDEXES";
      const api = apiName(context.commandName ?? "unknown");
      const started = performance.now();
      const result = await next(args);
      const samples = probe.latency.get(api) ?? [];
      samples.push(performance.now() - started);
      probe.latency.set(api, samples);
      const consumed = (result.output as { ConsumedCapacity?: ConsumedByIndex | ConsumedByIndex[] })
        .ConsumedCapacity;
      const into = /Get|Query|Scan/.test(api) ? probe.read : probe.write;
      for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
        into.table += capacityOf(entry.Table);
        for (const [name, index] of Object.entries(entry.GlobalSecondaryIndexes ?? {})) {
          if (name === "gsi1" || name === "gsi2") into[name] += capacityOf(index);
        }
      }
      return result;
    };
  stack.addRelativeTo(middleware, {
    relation: "after",
    toMiddleware: "kithRequestCounter",
    name: PROBE_MIDDLEWARE,
  });
  return () => {
    stack.remove(PROBE_MIDDLEWARE);
  };
}

interface ProbeReport {
  latency: Map<string, number[]>;
  read: Record<Part, number>;
  write: Record<Part, number>;
}

/** Runs `fn` with the probe on, from zero. */
async function probed<T>(fn: () => Promise<T>): Promise<{ result: T; probe: ProbeReport }> {
  probe.latency = new Map();
  probe.read = { table: 0, gsi1: 0, gsi2: 0 };
  probe.write = { table: 0, gsi1: 0, gsi2: 0 };
  probe.on = true;
  try {
    const result = await fn();
    return { result, probe: { latency: probe.latency, read: probe.read, write: probe.write } };
  } finally {
    probe.on = false;
  }
}

function describeLatencies(report: ProbeReport): string {
  return [...report.latency]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([api, samples]) => `${api} p50 ${ms(percentile(samples, 50))}, p95 ${ms(percentile(samples, 95))}`)
    .join("; ");
}

function describeParts(parts: Record<Part, number>, per: number): string {
  return `table ${units(parts.table / per)}, gsi1 ${units(parts.gsi1 / per)}, gsi2 ${units(parts.gsi2 / per)}`;
}

interface Measured<T> {
  result: T;
  ms: number;
  counts: Counts;
}

async function measure<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  const started = performance.now();
  const { result, requests } = await Storage.countRequests(fn, { capacity: true });
  return { result, ms: performance.now() - started, counts: addCounts(emptyCounts(), requests) };
}

interface RebuildRun {
  pairs: number;
  rebuilt: number;
  changed: number;
  ms: number;
  jobMs: number[];
  counts: Counts;
  probe: ProbeReport;
}

/** `rebuildPairs` 500 pairs at a time, one job after another (each a `rollup-rebuild` message). */
async function rebuildInJobs(pairs: readonly PairRef[], now: Date): Promise<RebuildRun> {
  const run = {
    pairs: pairs.length,
    rebuilt: 0,
    changed: 0,
    ms: 0,
    jobMs: [] as number[],
    counts: emptyCounts(),
  };
  const { probe: report } = await probed(async () => {
    for (let start = 0; start < pairs.length; start += PAIRS_PER_JOB) {
      const job = await measure(() => rebuildPairs(pairs.slice(start, start + PAIRS_PER_JOB), { now }));
      run.rebuilt += job.result.rebuilt;
      run.changed += job.result.changed;
      run.ms += job.ms;
      run.jobMs.push(job.ms);
      addCounts(run.counts, job.counts);
    }
  });
  return { ...run, probe: report };
}

async function countIndex(input: Parameters<typeof Storage.db.query>[0]): Promise<number> {
  let total = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await Storage.db.query({ ...input, Select: "COUNT", ExclusiveStartKey: start });
    total += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return total;
}

/**
 * Why pairs are planned (not measured): due for aging, touched in the last 36 hours, and of those
 * the pairs whose last write was the rebuild at `lastRebuild` (their touch hour is its hour).
 */
async function planBreakdown(
  orgId: string,
  at: Date,
  lastRebuild: Date,
): Promise<{ stored: number; due: number; touched: number; byLastRebuild: number }> {
  const since = new Date(at.getTime() - TOUCHED_WINDOW_HOURS * HOUR).toISOString();
  const [stored, due, touched, byLastRebuild] = await Promise.all([
    countIndex({
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": rollupKeys.pairsByAging(orgId) },
    }),
    countIndex({
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk AND gsi1sk <= :now",
      ExpressionAttributeValues: { ":pk": rollupKeys.pairsByAging(orgId), ":now": `${at.toISOString()}#~` },
    }),
    countIndex({
      IndexName: "gsi2",
      KeyConditionExpression: "gsi2pk = :pk AND gsi2sk >= :since",
      ExpressionAttributeValues: { ":pk": rollupKeys.pairsByTouch(orgId), ":since": since.slice(0, 13) },
    }),
    countIndex({
      IndexName: "gsi2",
      KeyConditionExpression: "gsi2pk = :pk AND begins_with(gsi2sk, :hour)",
      ExpressionAttributeValues: {
        ":pk": rollupKeys.pairsByTouch(orgId),
        ":hour": lastRebuild.toISOString().slice(0, 13),
      },
    }),
  ]);
  return { stored, due, touched, byLastRebuild };
}

function rebuildRows(label: string, plan: Measured<PairRef[]>, run: RebuildRun, rows: Row[]): void {
  const per = Math.max(1, run.pairs);
  rows.push({
    measure: label,
    figure:
      `${thousands(run.pairs)} pairs, ${run.jobMs.length} jobs of ≤ ${PAIRS_PER_JOB}: ${secs(run.ms)} ` +
      `(${thousands(run.pairs / Math.max(0.001, run.ms / 1000))} pairs/s; job p50 ${secs(percentile(run.jobMs, 50))}, ` +
      `max ${secs(Math.max(0, ...run.jobMs))}); ${thousands(run.changed)} changed`,
    target: "figure",
  });
  rows.push({
    measure: "  planning",
    figure: `${ms(plan.ms)}; DynamoDB ${describeCounts(plan.counts, 1)}, ${units(plan.counts.readUnits)} RCU`,
    target: "figure",
  });
  rows.push({
    measure: "  DynamoDB requests per pair",
    figure: describeCounts(run.counts, per),
    target: "figure",
  });
  rows.push({
    measure: "  capacity per pair",
    figure:
      `${units(run.counts.readUnits / per)} RCU, ${units(run.counts.writeUnits / per)} WCU ` +
      `(total ${thousands(run.counts.readUnits)} RCU, ${thousands(run.counts.writeUnits)} WCU); ` +
      `WCU ${describeParts(run.probe.write, per)}`,
    target: "figure",
  });
  rows.push({
    measure: "  DynamoDB latency per request",
    figure: describeLatencies(run.probe),
    target: "figure",
  });
}

export async function run(): Promise<void> {
  const started = performance.now();
  const inMemory = process.env.BENCH_DYNAMO === "memory";
  console.log(
    `rollup: interaction events → stats per (user, correspondent) on DynamoDB Local ` +
      `(${availableParallelism()} cores, node ${process.versions.node}); DynamoDB Local ${inMemory ? "in memory" : "on disk"}; ` +
      `${thousands(EVENTS)} events, ${thousands(CORRESPONDENTS)} correspondents, seed ${SEED}, now ${NOW.toISOString()}`,
  );
  logger.setLogLevel("ERROR");
  failures.length = 0;

  await withBenchTable(
    { name: "rollup", table: TABLE, inMemory, env: { POWERTOOLS_LOG_LEVEL: "ERROR" } },
    async (bench) => {
      bench.onCleanup(installProbe());
      const { org } = await Orgs.create({ name: "Rollup Bench Co", slug: "rollup-bench-co" });
      const member = await Identity.create(
        org.id,
        { name: "Bench Member", email: `member@${ORG_DOMAIN}` },
        ACTOR,
      );
      const owner: Owner = { orgId: org.id, userId: member.id, accountId: "acct-rollup-bench" };
      // The member's Google account, as `allPairs` finds the event partitions (only its accountId is read).
      await Storage.db.put({
        Item: {
          ...mailboxKeys.account(org.id, member.id, "google"),
          entity: "mailboxAccount",
          accountId: owner.accountId,
          orgId: org.id,
          userId: member.id,
          provider: "google",
          email: `member@${ORG_DOMAIN}`,
          status: "connected",
        },
      });

      // ---- 1. the mailbox, generated and written (not measured) ----
      const rng = prng(SEED);
      let at = performance.now();
      const mailbox = generateMailbox(owner, rng);
      const generateMs = performance.now() - at;
      for (const [k, email] of mailbox.teammates.entries()) {
        await Identity.create(org.id, { name: `Teammate ${k + 1}`, email }, ACTOR);
      }
      at = performance.now();
      await Storage.db.batchPut(mailbox.events.map(eventItem), { inFlight: SEED_IN_FLIGHT });
      const storeMs = performance.now() - at;
      const { events, profile } = mailbox;
      check(events.length === EVENTS, `generated ${events.length} events, not ${EVENTS}`);
      const rows: Row[] = [];
      const oldest = events.reduce((min, event) => (event.occurredAt < min ? event.occurredAt : min), "~");
      rows.push({
        measure: `mailbox: ${thousands(events.length)} events, ${thousands(CORRESPONDENTS)} correspondents`,
        figure:
          `mail ${thousands(profile.mail)} (in ${thousands(profile.inbound)}, out ${thousands(profile.outbound)}, ` +
          `newsletters ${thousands(profile.newsletters)}, bulk ${profile.bulk}) in ${thousands(profile.threads)} people threads; ` +
          `meetings ${thousands(profile.meetings)} (${profile.series} series; declined/unanswered ${profile.notAttended}, ` +
          `cancelled ${profile.cancelled}, large ${profile.large})`,
        target: "figure",
      });
      rows.push({
        measure: "  correspondents",
        figure:
          `${thousands(profile.people)} people (${mailbox.teammates.length} teammates: ${profile.teammateEvents} events), ` +
          `${thousands(profile.newsletterSenders)} newsletter senders (${profile.rescued} rescued by a reply); ` +
          `events per correspondent: top ${profile.topEvents.join(", ")}, median ${profile.medianEvents}; ` +
          `oldest ${oldest.slice(0, 10)}`,
        target: "figure",
      });
      rows.push({
        measure: "  generated, written (BatchWriteItem, not measured)",
        figure: `${ms(generateMs)}, ${secs(storeMs)}`,
        target: "figure",
      });

      // ---- 2. incremental: batches of 100, newest first ----
      const ordered = [...events].sort(
        (a, b) => b.occurredAt.localeCompare(a.occurredAt) || a.remoteId.localeCompare(b.remoteId),
      );
      const batches: EventChange[][] = [];
      for (let start = 0; start < ordered.length; start += BATCH) {
        batches.push(ordered.slice(start, start + BATCH).map((event) => ({ op: "insert" as const, event })));
      }
      const incremental = emptyCounts();
      const batchMs: number[] = [];
      let applied = 0;
      let failedBatches = 0;
      at = performance.now();
      const { probe: incrementalProbe } = await probed(async () => {
        for (const batch of batches) {
          const one = await measure(() => applyEventChanges(batch, { now: NOW }));
          addCounts(incremental, one.counts);
          batchMs.push(one.ms);
          applied += one.result.applied;
          if (one.result.failedAt !== undefined) failedBatches += 1;
        }
      });
      const incrementalMs = performance.now() - at;
      check(failedBatches === 0, `${failedBatches} incremental batches reported a failed change`);
      const perEvent = incremental.total / events.length;
      // A fallback rebuild reads the pair and the lookup with two GetItems (the fold itself never does).
      const fallbacks = commandCount(incremental, "GetItem") / 2;
      rows.push({
        measure: `incremental: ${batches.length} batches of ≤ ${BATCH}, newest first, one at a time`,
        figure:
          `${secs(incrementalMs)} (${thousands(events.length / (incrementalMs / 1000))} events/s); batch p50 ` +
          `${ms(percentile(batchMs, 50))}, p95 ${ms(percentile(batchMs, 95))}, max ${ms(Math.max(...batchMs))}; ` +
          `${thousands(applied)} changes applied (teammates' ${profile.teammateEvents} skipped)`,
        target: "figure",
      });
      rows.push({
        measure: "  DynamoDB requests per event",
        figure:
          `${describeCounts(incremental, events.length)}; total ${thousands(incremental.total)} ` +
          `(${Object.entries(incremental.byCommand)
            .sort((a, b) => b[1] - a[1])
            .map(([api, count]) => `${api} ${thousands(count)}`)
            .join(", ")})`,
        target: "≤ 3",
        met: perEvent <= 3,
      });
      rows.push({
        measure: "  capacity per event",
        figure:
          `${units(incremental.writeUnits / events.length)} WCU, ${units(incremental.readUnits / events.length)} RCU ` +
          `(total ${thousands(incremental.writeUnits)} WCU, ${thousands(incremental.readUnits)} RCU)`,
        target: "figure",
      });
      rows.push({
        measure: "    by table and index",
        figure:
          `WCU ${describeParts(incrementalProbe.write, events.length)}; ` +
          `RCU ${describeParts(incrementalProbe.read, events.length)}`,
        target: "figure",
      });
      rows.push({
        measure: "  DynamoDB latency per request",
        figure: describeLatencies(incrementalProbe),
        target: "figure",
      });
      rows.push({
        measure: "  fallback rebuilds (GetItem ÷ 2)",
        figure: `${units(fallbacks)} (${((fallbacks / events.length) * 100).toFixed(2)}% of events)`,
        target: "figure",
      });

      // ---- 3. a redelivered batch writes nothing ----
      const redeliveredIndex = Math.floor(batches.length / 2);
      const redelivered = await measure(() =>
        applyEventChanges(batches[redeliveredIndex] as EventChange[], { now: NOW }),
      );
      const writes = Object.keys(redelivered.counts.byCommand).filter((api) => !/Get|Query/.test(api));
      const redeliveryOk = check(
        redelivered.counts.writeUnits === 0 &&
          writes.length === 0 &&
          redelivered.result.failedAt === undefined,
        `the redelivered batch wrote (${units(redelivered.counts.writeUnits)} WCU, ${writes.join(", ") || "no write request"})`,
      );
      rows.push({
        measure: `  redelivery of batch ${redeliveredIndex + 1} (${batches[redeliveredIndex]?.length} events)`,
        figure:
          `${ms(redelivered.ms)}; DynamoDB ${describeCounts(redelivered.counts, 1)}, ` +
          `${units(redelivered.counts.writeUnits)} WCU, ${units(redelivered.counts.readUnits)} RCU`,
        target: "0 WCU, no write request",
        met: redeliveryOk,
      });

      // ---- 4. check: a full rebuild at the same now changes nothing ----
      const checkPlan = await measure(() => allPairs(org.id));
      const checkRun = await rebuildInJobs(checkPlan.result, NOW);
      const checkWrites = Object.entries(checkRun.counts.byCommand).filter(([api]) => !/Get|Query/.test(api));
      const teammatePairs = await readPairs(org.id, member.id, mailbox.teammates);
      const breakdown0 = await planBreakdown(org.id, NOW, NOW);
      const checkOk = check(
        checkRun.changed === 0 && teammatePairs.size === 0,
        `a full rebuild at the same now changed ${checkRun.changed} pairs; ${teammatePairs.size} teammate pairs stored`,
      );
      rows.push({
        measure: "full rebuild at the same now (the check)",
        figure:
          `changed: ${checkRun.changed} of ${thousands(checkRun.pairs)} pairs (${thousands(breakdown0.stored)} stored); ` +
          `write requests: ${checkWrites.map(([api, count]) => `${api} ${count}`).join(", ") || "none"}, ` +
          `${units(checkRun.counts.writeUnits)} WCU (0: every pair, thread and lookup item was already what the ` +
          `rebuild computes); teammate pairs stored: ${teammatePairs.size}`,
        target: "changed 0, no teammate pair",
        met: checkOk,
      });
      rebuildRows("  full rebuild: allPairs + rebuildPairs", checkPlan, checkRun, rows);

      // ---- 5. nights ----
      const people = mailbox.correspondents.filter(
        (c) => c.kind === "person" && !mailbox.teammates.includes(c.email),
      );
      let nightRun: RebuildRun | undefined;
      // The hour whose writes the next night should not plan again unless they changed something.
      let lastRebuild = NOW;
      for (let night = 1; night <= NIGHTS; night++) {
        const nightAt = new Date(NOW.getTime() + night * DAY);
        // The day's new mail, as the stream delivers it (not measured): it is what "touched" should be.
        const fresh = dailyMail(owner, people, nightAt.getTime() - DAY, rng).sort((a, b) =>
          a.occurredAt.localeCompare(b.occurredAt),
        );
        await storeEvents(fresh);
        for (const event of fresh) {
          await applyEventChanges([{ op: "insert", event }], {
            now: new Date(Date.parse(event.occurredAt) + MINUTE),
          });
        }
        const breakdown = await planBreakdown(org.id, nightAt, lastRebuild);
        const plan = await measure(() => nightlyPairs(org.id, nightAt));
        const quarter = nightAt.getUTCMonth() % 3 === 0 && nightAt.getUTCDate() === 1;
        rows.push({
          measure: `night ${night}: ${nightAt.toISOString().slice(0, 10)} 00:00Z${quarter ? " (a new quarter)" : ""}`,
          figure:
            `planned ${thousands(plan.result.length)} of ${thousands(breakdown.stored)} pairs: due ${thousands(breakdown.due)}, ` +
            `touched in ${TOUCHED_WINDOW_HOURS} h ${thousands(breakdown.touched)}, of which ${thousands(breakdown.byLastRebuild)} ` +
            `last written in the hour of ${night === 1 ? "the backfill" : "the previous night's rebuild"} ` +
            `(${lastRebuild.toISOString().slice(5, 13)}h); ${fresh.length} new events that day`,
          target: "figure",
        });
        nightRun = await rebuildInJobs(plan.result, nightAt);
        lastRebuild = nightAt;
        rebuildRows("  nightly rebuild", plan, nightRun, rows);
      }

      printTable(rows);
      const checked = rows.filter((row) => row.met !== undefined);
      const missed = checked.filter((row) => !row.met);
      const nightly = nightRun ?? checkRun;
      console.log(
        `summary: incremental ${perCall(perEvent)} requests/event, ${units(incremental.writeUnits / events.length)} WCU/event, ` +
          `${thousands(events.length / (incrementalMs / 1000))} events/s; last night ${thousands(nightly.pairs)} pairs in ` +
          `${secs(nightly.ms)}, ${units(nightly.counts.writeUnits / Math.max(1, nightly.pairs))} WCU/pair; full rebuild ` +
          `${thousands(checkRun.pairs)} pairs in ${secs(checkPlan.ms + checkRun.ms)}; rebuilt = incremental: ` +
          `changed ${checkRun.changed}; ${checked.length - missed.length}/${checked.length} targets met` +
          `${missed.length > 0 ? ` (missed: ${missed.map((row) => row.measure.trim()).join("; ")})` : ""}; ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    },
  );
  if (failures.length > 0) {
    console.error(`rollup bench: correctness check failed: ${failures.join("; ")}`);
    process.exitCode = 1;
  }
}
