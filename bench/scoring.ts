import { availableParallelism } from "node:os";
import type { ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/lib-dynamodb";
import * as Contacts from "@kith/core/contacts";
import * as Identity from "@kith/core/identity";
import * as Orgs from "@kith/core/orgs";
import * as Storage from "@kith/core/storage";
import { logger } from "@kith/core/util";
import { prng } from "@kith/sandbox";
import type { InitializeMiddleware } from "@smithy/types";
import { combineStats } from "../packages/core/src/rollup/combine";
import { rollupKeys } from "../packages/core/src/rollup/keys";
import {
  type PairState,
  type PairStats,
  type RollupEvent,
  rebuildPair,
} from "../packages/core/src/rollup/stats";
import { evaluate } from "../packages/core/src/scoring/evaluate";
import { planTargets, TARGETS_PER_JOB } from "../packages/core/src/scoring/jobs";
import { scoringKeys } from "../packages/core/src/scoring/keys";
import { reachabilityOf } from "../packages/core/src/scoring/reachability";
import {
  type RecomputeOutcome,
  recomputeTargets,
  type StatsSource,
  type Target,
} from "../packages/core/src/scoring/recompute";
import {
  availableSources,
  DEFAULT_RULE_SET,
  type RuleSet,
  type ThresholdChanges,
  type Tier,
  tuneRuleSet,
} from "../packages/core/src/scoring/rules";
import { tuneRules } from "../packages/core/src/scoring/rulesets";
import { fromLinkItem, fromReachItem } from "../packages/core/src/scoring/store";
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
 * Strength and reachability (`packages/core/src/scoring`) at the scale of one org: 50 users, 5,000
 * contacts in 2 collections, on DynamoDB Local (~3.7 minutes on disk, ~2.8 in memory, on an idle
 * 2-core machine; BENCH_SCORING_CONTACTS scales it down). Per-target and per-link figures do not
 * depend on the scale; step 1's work is members × contacts.
 *
 * The org is generated from a seeded PRNG (the same data every run):
 * - collection A holds 60% of the contacts, B 40%; 6% of the contacts are people in both (two
 *   contacts with the same email), 10% of the people have a second email; A's team is users 0–34,
 *   B's users 20–49;
 * - each person is known by 0 to a few members, heavy-tailed (55% by nobody, a few by a dozen),
 *   mostly members of their collections' teams; each (member, email) pair gets a profile: cold
 *   (inbound only, newsletters; a few aged out of every window: no connection), known (a two-way
 *   thread, a meeting or two, 3+ outbound, or two-way mail in 6 or 7 consecutive quarters) or warm
 *   (5+/5+ in 12 months, 8 consecutive quarters, 3+ meetings in 180 days), over the 24 months
 *   before `now`. The stats are those of scoring.md: each pair's events are generated and folded
 *   with the rollup's own `rebuildPair`, and the pair item is written directly (BatchWriteItem; no
 *   event or thread item is stored: scoring reads only the pair items);
 * - as many more pairs as 60% of the contacts are with correspondents who are no contact: they must
 *   count nowhere.
 *
 * Steps (each measured with `Storage.countRequests`: requests per command and ConsumedCapacity;
 * a middleware asks for `INDEXES` so the table / gsi1 / gsi2 split is known, as bench/rollup.ts):
 * 1. Initial computation: per collection and member, `planTargets` (scope `member_added`) and
 *    `recomputeTargets` (source `pairs`) in jobs of 500 (two of one plan in flight), all at `now`.
 * 2. Full recompute (scope `rules`, source `snapshot`, jobs of 500) one day later, so recency terms
 *    move; then the real nightly (scope `nightly`: links whose score decays) one more day later,
 *    with one link whose score steps down exactly at the nightly's `now`.
 * 3. A rule change: `tuneRules` sustained_2yr minQuarters 8 → 6, then the `rules` plan.
 * 4. One pair turned from cold to warm (its pair item rewritten), then the targets `stats.changed`
 *    names (the member × every contact on the email's lookup item): for a contact in both
 *    collections (a member of both teams), and for a contact in one.
 * 5. Redelivery of step 4's targets and of the rule change's last job: nothing written.
 * After steps 1–4 every stored link and reachability item is checked against an in-memory
 * evaluation of the generated stats (`evaluate` and `reachabilityOf`).
 *
 * Figures are printed; the run fails (exit 1) only when a correctness check does.
 *
 * Environment: BENCH_SCORING_CONTACTS (5,000), BENCH_SCORING_SEED (21), BENCH_SCORING_JOBS (jobs of
 * one plan in flight in step 1, as the queue's consumers would run them: 2), BENCH_DYNAMO (unset:
 * DynamoDB Local on disk; "memory": in memory).
 */

const TABLE = "kith-bench-scoring";
const CONTACTS = Math.max(100, Number(process.env.BENCH_SCORING_CONTACTS ?? 5_000));
const SEED = Number(process.env.BENCH_SCORING_SEED ?? 21);
const JOBS_IN_FLIGHT = Math.max(1, Number(process.env.BENCH_SCORING_JOBS ?? 2));
const USERS = 50;
const TEAM_A = range(0, 35);
const TEAM_B = range(20, 50);
const SIZE_A = Math.round(CONTACTS * 0.6);
const SIZE_B = CONTACTS - SIZE_A;
const IN_BOTH = Math.round(CONTACTS * 0.06);
const SECOND_EMAIL_SHARE = 0.1;
const NON_CONTACT_PAIRS = Math.round(CONTACTS * 0.6);
const IMPORT_SIZE = 1_000;
/** A quarter's middle, so bit 8 (the quarter two years back) is partly inside the 730 days. */
const NOW = new Date("2026-05-20T06:00:00.000Z");
const DAY = 86_400_000;
const HOUR = 3_600_000;
const ACTOR = { actor: "system:bench" };
const ORG_DOMAIN = "scoring-bench.example";
const RULE_CHANGE: ThresholdChanges = { sustained_2yr: { minQuarters: 6 } };
const SOURCES = availableSources({ enrichment: false });

type Counts = Storage.RequestCounts;

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k);
}

const at = (offsetDays: number) => new Date(NOW.getTime() + offsetDays * DAY);

/** Records what a correctness check found; any failure makes the run exit 1. */
const failures: string[] = [];
function check(ok: boolean, what: string): boolean {
  if (!ok) failures.push(what);
  return ok;
}

const between = (rng: () => number, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));

// ---- the generated org ----

type Profile =
  | "newsletter"
  | "inbound"
  | "aged"
  | "thread"
  | "meeting"
  | "outbound"
  | "quarters67"
  | "twoway"
  | "sustained"
  | "meetings";

/** Per (member, email): mostly cold, some known, a few warm. */
const PROFILE_MIX: readonly (readonly [Profile, number])[] = [
  ["newsletter", 16],
  ["inbound", 40],
  ["aged", 2],
  ["thread", 13],
  ["meeting", 8],
  ["outbound", 6],
  ["quarters67", 3],
  ["twoway", 6],
  ["sustained", 3],
  ["meetings", 3],
];

/**
 * How many members know a person: 55% nobody (a list of people to reach), then a heavy tail (a few
 * known by a dozen or more); about one pair per person on average.
 */
const KNOWERS: readonly (readonly [number, number])[] = [
  [0, 55],
  [1, 22],
  [2, 10],
  [3, 5.5],
  [4, 3],
  [5, 2],
  [6, 1],
  [8, 0.8],
  [12, 0.4],
  [20, 0.2],
  [30, 0.1],
];

interface Person {
  index: number;
  name: string;
  emails: string[];
  inA: boolean;
  inB: boolean;
}

interface GeneratedPair {
  user: number;
  email: string;
  profile: Profile;
  state: PairState | null;
}

const quarterStart = (index: number) => Date.UTC(Math.floor(index / 4), (index % 4) * 3, 1);
const quarterOf = (time: number) => {
  const date = new Date(time);
  return date.getUTCFullYear() * 4 + Math.floor(date.getUTCMonth() / 3);
};

class EventMaker {
  private sequence = 0;
  constructor(private readonly rng: () => number) {}

  /** A time `daysAgo` (fractional) before `now`, never after it and never past 729.9 days. */
  time(daysAgo: number, now = NOW.getTime()): string {
    const clamped = Math.min(729.9, Math.max(0.01, daysAgo));
    return new Date(now - Math.round(clamped * DAY)).toISOString();
  }

  mail(occurredAt: string, direction: "inbound" | "outbound", thread?: string, newsletter = false) {
    this.sequence += 1;
    const remoteId = `m${this.sequence}`;
    return {
      kind: "email",
      direction,
      occurredAt,
      threadId: thread ?? remoteId,
      remoteId,
      newsletter,
      bulk: false,
      recipientCount: 1,
    } satisfies RollupEvent;
  }

  meeting(occurredAt: string) {
    this.sequence += 1;
    const remoteId = `c${this.sequence}`;
    return {
      kind: "meeting",
      direction: "attended",
      occurredAt,
      threadId: remoteId,
      remoteId,
      newsletter: false,
      bulk: false,
      attendeeCount: 3,
      response: "accepted",
      cancelled: false,
    } satisfies RollupEvent;
  }

  /** Two-way mail in `quarters` consecutive UTC quarters from `first` back (1 in, 1 out each). */
  quarterly(first: number, quarters: number, now = NOW.getTime()): RollupEvent[] {
    const events: RollupEvent[] = [];
    const current = quarterOf(now);
    const floor = now - 729 * DAY;
    for (let q = first; q < first + quarters; q++) {
      const start = Math.max(quarterStart(current - q), floor);
      const end = Math.min(quarterStart(current - q + 1), now) - HOUR;
      const time = start + this.rng() * (end - start);
      const thread = `q${this.sequence}-${q}`;
      events.push(this.mail(new Date(time).toISOString(), "inbound", thread));
      events.push(this.mail(new Date(time + 2 * HOUR).toISOString(), "outbound", thread));
    }
    return events;
  }

  /** A pair's events for one profile, its latest activity `recent` days before now. */
  events(profile: Profile): RollupEvent[] {
    const rng = this.rng;
    const recent = rng() * 690;
    const spread = (span: number) => recent + rng() * span;
    switch (profile) {
      case "newsletter":
        return range(0, 1 + Math.floor(rng() ** 2 * 40)).map(() =>
          this.mail(this.time(spread(300)), "inbound", undefined, true),
        );
      case "inbound":
        return range(0, 1 + Math.floor(rng() ** 2 * 6)).map(() =>
          this.mail(this.time(spread(200)), "inbound"),
        );
      case "aged":
        // Kept (within 761 days) but past every window: stats all zero, no connection.
        return range(0, between(rng, 1, 3)).map(() =>
          this.mail(new Date(NOW.getTime() - (735 + rng() * 20) * DAY).toISOString(), "inbound"),
        );
      case "thread": {
        const start = spread(60);
        const thread = `t${this.sequence}`;
        return [
          this.mail(this.time(start + 1), "inbound", thread),
          this.mail(this.time(start), "outbound", thread),
          ...range(0, between(rng, 0, 3)).map(() => this.mail(this.time(spread(200)), "inbound")),
        ];
      }
      case "meeting":
        return [
          ...range(0, between(rng, 1, 2)).map(() => this.meeting(this.time(spread(150)))),
          ...range(0, between(rng, 0, 2)).map(() => this.mail(this.time(spread(200)), "inbound")),
        ];
      case "outbound":
        return range(0, between(rng, 3, 5)).map(() => this.mail(this.time(spread(120)), "outbound"));
      case "quarters67":
        return this.quarterly(1, between(rng, 6, 7));
      case "sustained":
        return this.quarterly(rng() < 0.5 ? 0 : 1, 8);
      case "twoway": {
        const start = rng() * 180;
        const events: RollupEvent[] = [];
        const messages = between(rng, 5, 14);
        for (let k = 0; k < messages; k++) {
          const thread = `w${this.sequence}`;
          const time = start + rng() * 150;
          events.push(this.mail(this.time(time + 0.5), "inbound", thread));
          events.push(this.mail(this.time(time), "outbound", thread));
        }
        return events;
      }
      case "meetings": {
        const start = rng() * 90;
        return range(0, between(rng, 3, 6)).map(() => this.meeting(this.time(start + rng() * 80)));
      }
    }
  }
}

interface GeneratedOrg {
  people: Person[];
  pairs: GeneratedPair[];
  /** The pair step 4 turns warm: a member of both teams with a one-email person in both collections. */
  turnBoth: { user: number; person: Person };
  /** …and a member of team A only with a person in A only. */
  turnOne: { user: number; person: Person };
  /** A pair whose stored score decays exactly at the instant of the nightly (step 2). */
  boundary: { user: number; person: Person };
  profile: {
    byProfile: Record<Profile, number>;
    knowers: number[];
    secondEmails: number;
    nonContactPairs: number;
    events: number;
  };
}

function generateOrg(rng: () => number): GeneratedOrg {
  const maker = new EventMaker(rng);
  const total = SIZE_A + SIZE_B - IN_BOTH;
  const people: Person[] = range(0, total).map((index) => {
    // The first IN_BOTH people are in both collections, then A only, then B only.
    const inA = index < SIZE_A;
    const inB = index < IN_BOTH || index >= SIZE_A;
    const emails = [`p${index}@corp${index % 97}.example`];
    if (rng() < SECOND_EMAIL_SHARE) emails.push(`p${index}.alt@mail.example`);
    return { index, name: `Person ${String(index).padStart(5, "0")}`, emails, inA, inB };
  });
  const byProfile = Object.fromEntries(PROFILE_MIX.map(([name]) => [name, 0])) as Record<Profile, number>;
  const knowers: number[] = [];
  const pairs: GeneratedPair[] = [];
  let events = 0;
  const addPair = (user: number, email: string, profile: Profile, list = maker.events(profile)) => {
    byProfile[profile] += 1;
    events += list.length;
    pairs.push({ user, email, profile, state: rebuildPair(list, NOW).pair });
  };
  for (const person of people) {
    const team = [...new Set([...(person.inA ? TEAM_A : []), ...(person.inB ? TEAM_B : [])])];
    const count = pick(rng, KNOWERS);
    knowers.push(count);
    const chosen = new Set<number>();
    for (let guard = 0; chosen.size < Math.min(count, USERS) && guard < 1_000; guard++) {
      // Mostly the collection's team; some pairs belong to members outside it (no link).
      chosen.add(
        rng() < 0.85 ? (team[Math.floor(rng() * team.length)] as number) : Math.floor(rng() * USERS),
      );
    }
    for (const user of [...chosen].sort((a, b) => a - b)) {
      const profile = pick(rng, PROFILE_MIX);
      addPair(user, person.emails[0] as string, profile);
      const second = person.emails[1];
      if (second !== undefined && rng() < 0.4) addPair(user, second, pick(rng, PROFILE_MIX));
    }
  }
  // Step 4's pairs: cold now (inbound only), replacing whatever was generated for them.
  const both = people.find((p) => p.inA && p.inB && p.emails.length === 1) as Person;
  const one = people.find((p) => p.inA && !p.inB && p.emails.length === 1) as Person;
  const boundaryPerson = people.find((p) => p.inA && !p.inB && p.emails.length === 1 && p !== one) as Person;
  const turnBoth = { user: 25, person: both };
  const turnOne = { user: 5, person: one };
  const boundary = { user: 6, person: boundaryPerson };
  for (const { user, person } of [turnBoth, turnOne, boundary]) {
    const email = person.emails[0] as string;
    const existing = pairs.findIndex((pair) => pair.user === user && pair.email === email);
    if (existing >= 0) {
      byProfile[(pairs[existing] as GeneratedPair).profile] -= 1;
      pairs.splice(existing, 1);
    }
  }
  addPair(turnBoth.user, turnBoth.person.emails[0] as string, "inbound", [
    maker.mail(maker.time(40), "inbound"),
  ]);
  addPair(turnOne.user, turnOne.person.emails[0] as string, "inbound", [
    maker.mail(maker.time(40), "inbound"),
  ]);
  // Last mail exactly 29 days before now: one day later its bonus (≤ 30 days) next steps down at
  // exactly now + 2 days, the instant of the nightly.
  addPair(boundary.user, boundary.person.emails[0] as string, "inbound", [
    maker.mail(new Date(NOW.getTime() - 29 * DAY).toISOString(), "inbound"),
  ]);
  // Correspondents who are no contact: any member, any profile.
  for (let k = 0; k < NON_CONTACT_PAIRS; k++) {
    addPair(
      Math.floor(rng() * USERS),
      `nc${Math.floor(rng() * NON_CONTACT_PAIRS)}@elsewhere.example`,
      pick(rng, PROFILE_MIX),
    );
  }
  // A member with the same non-contact twice keeps the last one (one pair item per member and email).
  const unique = new Map<string, GeneratedPair>();
  for (const pair of pairs) unique.set(`${pair.user}|${pair.email}`, pair);
  return {
    people,
    pairs: [...unique.values()],
    turnBoth,
    turnOne,
    boundary,
    profile: {
      byProfile,
      knowers,
      secondEmails: people.filter((p) => p.emails.length > 1).length,
      nonContactPairs: [...unique.values()].filter((pair) => pair.email.endsWith("@elsewhere.example"))
        .length,
      events,
    },
  };
}

/**
 * The pair item as the rollup writes it (rollup/pairs.ts `pairItem`), version 1, as of `now`,
 * without its gsi1 / gsi2 keys (the rollup's nightly indexes, which scoring never reads): three
 * times fewer writes to seed DynamoDB Local on disk.
 */
function pairItem(orgId: string, userId: string, email: string, state: PairState, now: Date, version = 1) {
  return {
    ...rollupKeys.pairStats(orgId, userId, email),
    entity: "pairStats",
    orgId,
    userId,
    email,
    stats: state.stats,
    applied: state.applied,
    rescuers: state.rescuers,
    flaggedInbound: state.flaggedInbound,
    quarters: state.quarters,
    nextAgingAt: state.nextAgingAt,
    version,
    asOf: now.toISOString(),
  };
}

// ---- capacity by table and index, and request latencies ----

type Part = "table" | "gsi1" | "gsi2";
interface ProbeReport {
  latency: Map<string, number[]>;
  read: Record<Part, number>;
  write: Record<Part, number>;
}
const probe = { on: false, report: emptyReport() };
const PROBE_MIDDLEWARE = "kithBenchScoringProbe";

function emptyReport(): ProbeReport {
  return { latency: new Map(), read: { table: 0, gsi1: 0, gsi2: 0 }, write: { table: 0, gsi1: 0, gsi2: 0 } };
}

interface IndexCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}
interface ConsumedByIndex {
  Table?: IndexCapacity;
  GlobalSecondaryIndexes?: Record<string, IndexCapacity>;
}

/**
 * A middleware just inside Kith's request counter: while `probe.on`, each request asks for
 * `INDEXES` instead of `TOTAL` (DynamoDB Local's `TOTAL` under-reports some multi-item
 * transactions, see bench/rollup.ts), and its latency and per-index units are recorded.
 */
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
      const report = probe.report;
      const samples = report.latency.get(api) ?? [];
      samples.push(performance.now() - started);
      report.latency.set(api, samples);
      const consumed = (result.output as { ConsumedCapacity?: ConsumedByIndex | ConsumedByIndex[] })
        .ConsumedCapacity;
      const into = /Get|Query|Scan/.test(api) ? report.read : report.write;
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

function describeParts(parts: Record<Part, number>, per: number): string {
  return `table ${units(parts.table / per)}, gsi1 ${units(parts.gsi1 / per)}, gsi2 ${units(parts.gsi2 / per)}`;
}

function describeLatencies(report: ProbeReport): string {
  return [...report.latency]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([api, samples]) => `${api} p50 ${ms(percentile(samples, 50))}, p95 ${ms(percentile(samples, 95))}`)
    .join("; ");
}

// ---- the measured steps ----

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

interface JobRun extends RecomputeOutcome {
  jobs: number;
  ms: number;
  jobMs: number[];
  counts: Counts;
  probe: ProbeReport;
  plan: { ms: number; counts: Counts; plans: number };
}

function emptyRun(): JobRun {
  return {
    targets: 0,
    linksWritten: 0,
    tierChanges: 0,
    reachRecomputes: 0,
    jobs: 0,
    ms: 0,
    jobMs: [],
    counts: emptyCounts(),
    probe: emptyReport(),
    plan: { ms: 0, counts: emptyCounts(), plans: 0 },
  };
}

function mergeRuns(runs: readonly JobRun[]): JobRun {
  const total = emptyRun();
  for (const run of runs) {
    total.targets += run.targets;
    total.linksWritten += run.linksWritten;
    total.tierChanges += run.tierChanges;
    total.reachRecomputes += run.reachRecomputes;
    total.jobs += run.jobs;
    total.ms += run.ms;
    total.jobMs.push(...run.jobMs);
    addCounts(total.counts, run.counts);
    total.plan.ms += run.plan.ms;
    total.plan.plans += run.plan.plans;
    addCounts(total.plan.counts, run.plan.counts);
    for (const [api, samples] of run.probe.latency) {
      total.probe.latency.set(api, [...(total.probe.latency.get(api) ?? []), ...samples]);
    }
    for (const part of ["table", "gsi1", "gsi2"] as const) {
      total.probe.read[part] += run.probe.read[part];
      total.probe.write[part] += run.probe.write[part];
    }
  }
  return total;
}

type PlanJob = Parameters<typeof planTargets>[0];

/**
 * One plan, then its targets `recomputeTargets`-ed 500 a job as the `scoring-jobs` queue does
 * (`inFlight` jobs at once), into `run`. Returns the planned targets.
 */
async function planAndRun(
  run: JobRun,
  plan: Omit<PlanJob, "kind" | "requestedAt">,
  source: StatsSource,
  now: Date,
  inFlight = 1,
): Promise<Target[]> {
  const planned = await measure(() =>
    planTargets({ kind: "plan", requestedAt: now.toISOString(), ...plan } as PlanJob, now),
  );
  run.plan.ms += planned.ms;
  run.plan.plans += 1;
  addCounts(run.plan.counts, planned.counts);
  await runJobs(run, plan.orgId, planned.result, source, now, inFlight);
  return planned.result;
}

async function runJobs(
  run: JobRun,
  orgId: string,
  targets: readonly Target[],
  source: StatsSource,
  now: Date,
  inFlight = 1,
): Promise<void> {
  const jobs: Target[][] = [];
  for (let start = 0; start < targets.length; start += TARGETS_PER_JOB) {
    jobs.push(targets.slice(start, start + TARGETS_PER_JOB));
  }
  probe.report = run.probe;
  probe.on = true;
  const started = performance.now();
  try {
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++] as Target[];
        const one = await measure(() => recomputeTargets(orgId, job, { source, now }));
        run.jobs += 1;
        run.jobMs.push(one.ms);
        run.targets += one.result.targets;
        run.linksWritten += one.result.linksWritten;
        run.tierChanges += one.result.tierChanges;
        run.reachRecomputes += one.result.reachRecomputes;
        addCounts(run.counts, one.counts);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(inFlight, jobs.length)) }, worker));
  } finally {
    probe.on = false;
    run.ms += performance.now() - started;
  }
}

function runRows(label: string, run: JobRun, rows: Row[], extra = ""): void {
  const perTarget = Math.max(1, run.targets);
  const perLink = Math.max(1, run.linksWritten);
  rows.push({
    measure: label,
    figure:
      `${thousands(run.targets)} targets, ${thousands(run.jobs)} jobs of ≤ ${TARGETS_PER_JOB}: ${secs(run.ms)} ` +
      `(${thousands(run.targets / Math.max(0.001, run.ms / 1000))} targets/s; job p50 ${secs(percentile(run.jobMs, 50))}, ` +
      `max ${secs(Math.max(0, ...run.jobMs))}); links written ${thousands(run.linksWritten)}, tier changes ` +
      `${thousands(run.tierChanges)}, reach recomputes ${thousands(run.reachRecomputes)}${extra}`,
    target: "figure",
  });
  rows.push({
    measure: "  planning",
    figure:
      `${run.plan.plans} plan${run.plan.plans === 1 ? "" : "s"}, ${secs(run.plan.ms)}; DynamoDB ` +
      `${describeCounts(run.plan.counts, 1)}, ${units(run.plan.counts.readUnits)} RCU`,
    target: "figure",
  });
  rows.push({
    measure: "  DynamoDB requests per target",
    figure: `${describeCounts(run.counts, perTarget)}; total ${thousands(run.counts.total)}`,
    target: "figure",
  });
  rows.push({
    measure: "  capacity per target",
    figure:
      `${units(run.counts.readUnits / perTarget)} RCU, ${units(run.counts.writeUnits / perTarget)} WCU ` +
      `(total ${thousands(run.counts.readUnits)} RCU, ${thousands(run.counts.writeUnits)} WCU)`,
    target: "figure",
  });
  rows.push({
    measure: "  capacity per link written",
    figure:
      run.linksWritten === 0
        ? "no link written"
        : `${units(run.counts.readUnits / perLink)} RCU, ${units(run.counts.writeUnits / perLink)} WCU; ` +
          `WCU ${describeParts(run.probe.write, perLink)}`,
    target: "figure",
  });
  rows.push({
    measure: "  DynamoDB latency per request",
    figure: describeLatencies(run.probe) || "no request",
    target: "figure",
  });
}

// ---- the in-memory reference ----

interface Expected {
  links: Map<string, { tier: Tier | null; score: number; lastInteractionAt: string | null }>;
  reach: Map<string, ReturnType<typeof reachabilityOf>>;
  /** Per link key, when its stored score next decays (evaluated at `now`). */
  nextDecay: Map<string, string | null>;
}

interface World {
  orgId: string;
  userIds: string[];
  collections: { id: string; team: number[]; contacts: Map<number, string> }[];
  people: Person[];
  /** `${userIndex}|${email}` → stats. */
  stats: Map<string, PairStats>;
}

const linkKey = (collectionId: string, contactId: string, userId: string) =>
  `${collectionId}/${contactId}/${userId}`;

function expected(world: World, rules: RuleSet, now: Date): Expected {
  const links: Expected["links"] = new Map();
  const reach: Expected["reach"] = new Map();
  const nextDecay: Expected["nextDecay"] = new Map();
  for (const collection of world.collections) {
    for (const [personIndex, contactId] of collection.contacts) {
      const person = world.people[personIndex] as Person;
      const connections = [];
      for (const user of collection.team) {
        const parts = person.emails
          .map((email) => world.stats.get(`${user}|${email}`))
          .filter((part): part is PairStats => part !== undefined);
        const stats = parts.length > 0 ? combineStats(parts) : null;
        const evaluation = evaluate({ stats }, rules, SOURCES, now);
        if (evaluation.tier === null) continue;
        const userId = world.userIds[user] as string;
        const key = linkKey(collection.id, contactId, userId);
        links.set(key, {
          tier: evaluation.tier,
          score: evaluation.score,
          lastInteractionAt: evaluation.lastInteractionAt,
        });
        nextDecay.set(key, evaluation.nextDecayAt);
        connections.push({
          userId,
          tier: evaluation.tier,
          score: evaluation.score,
          lastInteractionAt: evaluation.lastInteractionAt,
          optedOut: false,
        });
      }
      reach.set(`${collection.id}/${contactId}`, reachabilityOf(connections));
    }
  }
  return { links, reach, nextDecay };
}

interface Verification {
  links: number;
  expectedLinks: number;
  missing: number;
  extra: number;
  tierWrong: number;
  scoreWrong: number;
  reachWrong: number;
  reachTiers: Record<string, number>;
  linkTiers: Record<string, number>;
  samples: string[];
}

/** Every stored link and reachability item against the in-memory evaluation (not measured). */
async function verify(world: World, rules: RuleSet, now: Date): Promise<Verification> {
  const want = expected(world, rules, now);
  const result: Verification = {
    links: 0,
    expectedLinks: want.links.size,
    missing: 0,
    extra: 0,
    tierWrong: 0,
    scoreWrong: 0,
    reachWrong: 0,
    reachTiers: {},
    linkTiers: {},
    samples: [],
  };
  const seen = new Set<string>();
  for (const collection of world.collections) {
    const pk = scoringKeys.link(world.orgId, collection.id, "", "").pk;
    const items = await Storage.queryAll({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": pk, ":prefix": "LINK#" },
    });
    for (const item of items) {
      const link = fromLinkItem(item);
      const key = linkKey(link.collectionId, link.contactId, link.userId);
      seen.add(key);
      result.links += 1;
      const tier = link.override ?? link.computedTier;
      result.linkTiers[String(tier)] = (result.linkTiers[String(tier)] ?? 0) + 1;
      const wanted = want.links.get(key);
      if (!wanted) {
        result.extra += 1;
        if (result.samples.length < 3) result.samples.push(`extra link ${key}`);
        continue;
      }
      if (wanted.tier !== tier) {
        result.tierWrong += 1;
        if (result.samples.length < 3) result.samples.push(`${key}: tier ${tier}, expected ${wanted.tier}`);
      }
      if (wanted.score !== link.score) {
        result.scoreWrong += 1;
        if (result.samples.length < 3)
          result.samples.push(
            `${key}: score ${link.score}, expected ${wanted.score} (nextDecayAt ${link.nextDecayAt})`,
          );
      }
    }
    const reachItems = await Storage.queryAll({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": pk, ":prefix": "REACH#" },
    });
    for (const item of reachItems) {
      const reach = fromReachItem(item);
      result.reachTiers[reach.tier] = (result.reachTiers[reach.tier] ?? 0) + 1;
      const wanted = want.reach.get(`${collection.id}/${reach.contactId}`);
      const same =
        wanted !== undefined &&
        wanted.tier === reach.tier &&
        wanted.warm === reach.warm &&
        wanted.known === reach.known &&
        wanted.cold === reach.cold &&
        wanted.keyUserId === reach.keyUserId &&
        reach.computedVersion === reach.inputsVersion;
      if (!same) {
        result.reachWrong += 1;
        if (result.samples.length < 3)
          result.samples.push(
            `reach ${collection.id}/${reach.contactId}: ${reach.tier} ${reach.warm}/${reach.known}/${reach.cold} ` +
              `key ${reach.keyUserId}, expected ${wanted?.tier} ${wanted?.warm}/${wanted?.known}/${wanted?.cold} ` +
              `key ${wanted?.keyUserId}`,
          );
      }
    }
  }
  for (const key of want.links.keys()) if (!seen.has(key)) result.missing += 1;
  return result;
}

function verificationOk(v: Verification): boolean {
  return v.missing + v.extra + v.tierWrong + v.scoreWrong + v.reachWrong === 0;
}

function verificationRow(label: string, v: Verification): Row {
  const tiers = (counts: Record<string, number>, order: readonly string[]) =>
    order.map((tier) => `${tier} ${thousands(counts[tier] ?? 0)}`).join(", ");
  return {
    measure: label,
    figure:
      `${thousands(v.links)} links (${tiers(v.linkTiers, ["warm", "known", "cold"])}), expected ` +
      `${thousands(v.expectedLinks)}: missing ${v.missing}, extra ${v.extra}, wrong tier ${v.tierWrong}, ` +
      `wrong score ${v.scoreWrong}; reachability ${tiers(v.reachTiers, ["high", "medium", "low", "none"])}, ` +
      `wrong ${v.reachWrong}${v.samples.length > 0 ? ` (e.g. ${v.samples.join("; ")})` : ""}`,
    target: "all as evaluated in memory",
    met: check(verificationOk(v), `${label}: ${v.samples.join("; ") || "mismatch"}`),
  };
}

// ---- the run ----

export async function run(): Promise<void> {
  const started = performance.now();
  const inMemory = process.env.BENCH_DYNAMO === "memory";
  console.log(
    `scoring: strength and reachability on DynamoDB Local (${availableParallelism()} cores, node ` +
      `${process.versions.node}); DynamoDB Local ${inMemory ? "in memory" : "on disk"}; ${USERS} users, ` +
      `${thousands(CONTACTS)} contacts (A ${thousands(SIZE_A)}, B ${thousands(SIZE_B)}, ${IN_BOTH} people in both), ` +
      `seed ${SEED}, now ${NOW.toISOString()}`,
  );
  logger.setLogLevel("ERROR");
  failures.length = 0;

  await withBenchTable(
    { name: "scoring", table: TABLE, inMemory, env: { POWERTOOLS_LOG_LEVEL: "ERROR" } },
    async (bench) => {
      bench.onCleanup(installProbe());
      const rows: Row[] = [];

      // ---- the org, generated and written (not measured) ----
      let mark = performance.now();
      const rng = prng(SEED);
      const org = generateOrg(rng);
      const generateMs = performance.now() - mark;
      mark = performance.now();
      const { org: created } = await Orgs.create({ name: "Scoring Bench Co", slug: "scoring-bench-co" }, NOW);
      const orgId = created.id;
      const userIds: string[] = [];
      for (let k = 0; k < USERS; k++) {
        const user = await Identity.create(
          orgId,
          { name: `Member ${k}`, email: `member${k}@${ORG_DOMAIN}` },
          { ...ACTOR, now: NOW },
        );
        userIds.push(user.id);
      }
      const collections: World["collections"] = [];
      for (const [name, team, inIt] of [
        ["Collection A", TEAM_A, (p: Person) => p.inA],
        ["Collection B", TEAM_B, (p: Person) => p.inB],
      ] as const) {
        const collection = await Contacts.createCollection(orgId, { name }, { now: NOW });
        for (const user of team)
          await Contacts.addMember(orgId, collection.id, userIds[user] as string, { now: NOW });
        const members = org.people.filter(inIt);
        const contacts = new Map<number, string>();
        for (let start = 0; start < members.length; start += IMPORT_SIZE) {
          const part = members.slice(start, start + IMPORT_SIZE);
          const imported = await Contacts.importContacts(
            orgId,
            collection.id,
            part.map((person) => ({ name: person.name, emails: person.emails })),
            { now: NOW },
          );
          for (const [k, contact] of imported.entries()) contacts.set((part[k] as Person).index, contact.id);
        }
        collections.push({ id: collection.id, team: [...team], contacts });
      }
      const setupMs = performance.now() - mark;
      mark = performance.now();
      const stats = new Map<string, PairStats>();
      const pairItems = [];
      for (const pair of org.pairs) {
        if (!pair.state) continue;
        stats.set(`${pair.user}|${pair.email}`, pair.state.stats);
        pairItems.push(pairItem(orgId, userIds[pair.user] as string, pair.email, pair.state, NOW));
      }
      await Storage.db.batchPut(pairItems, { inFlight: 8 });
      const pairsMs = performance.now() - mark;
      const world: World = { orgId, userIds, collections, people: org.people, stats };
      const [collectionA, collectionB] = collections as [World["collections"][0], World["collections"][0]];
      const onTeams = collections.map((c) => [...c.contacts.keys()].length * c.team.length);
      const contactPairs = org.pairs.length - org.profile.nonContactPairs;
      const knowers = org.profile.knowers;
      rows.push({
        measure: `org: ${USERS} users, ${thousands(CONTACTS)} contacts (${org.people.length} people)`,
        figure:
          `A ${thousands(collectionA.contacts.size)} contacts × team ${TEAM_A.length}, B ${thousands(collectionB.contacts.size)} × ` +
          `${TEAM_B.length} (users 20–34 on both); ${IN_BOTH} people in both, ${org.profile.secondEmails} with 2 emails; ` +
          `${thousands(onTeams.reduce((a, b) => a + b, 0))} (member, contact) target pairs`,
        target: "figure",
      });
      rows.push({
        measure: "  pair items (member, email)",
        figure:
          `${thousands(org.pairs.length)} (${thousands(contactPairs)} with contacts' emails, ` +
          `${thousands(org.profile.nonContactPairs)} with no contact), from ${thousands(org.profile.events)} generated events; ` +
          `people known by 0: ${knowers.filter((k) => k === 0).length}, 1–2: ${knowers.filter((k) => k >= 1 && k <= 2).length}, ` +
          `3–5: ${knowers.filter((k) => k >= 3 && k <= 5).length}, 6+: ${knowers.filter((k) => k >= 6).length} (max ${Math.max(...knowers)})`,
        target: "figure",
      });
      rows.push({
        measure: "  profiles",
        figure: Object.entries(org.profile.byProfile)
          .map(([name, count]) => `${name} ${thousands(count)}`)
          .join(", "),
        target: "figure",
      });
      rows.push({
        measure: "  generated, written (not measured)",
        figure: `${ms(generateMs)}; users, collections, contacts ${secs(setupMs)}; pair items (BatchWriteItem) ${secs(pairsMs)}`,
        target: "figure",
      });

      // ---- 1. initial computation: member_added per collection and member ----
      const perCollection: { name: string; contacts: number; members: number; run: JobRun }[] = [];
      for (const [k, collection] of collections.entries()) {
        const run = emptyRun();
        for (const user of collection.team) {
          await planAndRun(
            run,
            { orgId, scope: "member_added", collectionId: collection.id, userId: userIds[user] as string },
            "pairs",
            NOW,
            JOBS_IN_FLIGHT,
          );
        }
        perCollection.push({
          name: k === 0 ? "A" : "B",
          contacts: collection.contacts.size,
          members: collection.team.length,
          run,
        });
      }
      const initial = mergeRuns(perCollection.map((one) => one.run));
      runRows(
        `1. initial: member_added × ${collections.reduce((n, c) => n + c.team.length, 0)} memberships, source pairs` +
          (JOBS_IN_FLIGHT > 1 ? `, ${JOBS_IN_FLIGHT} jobs in flight` : ""),
        initial,
        rows,
      );
      for (const { name, contacts, members, run } of perCollection) {
        rows.push({
          measure: `  per member of ${name} (${thousands(contacts)} contacts, ${members} members)`,
          figure:
            `${secs((run.ms + run.plan.ms) / members)}, ${perCall(run.jobs / members)} jobs; ${units(run.linksWritten / members)} ` +
            `links, ${units(run.reachRecomputes / members)} reach recomputes; ${thousands(run.counts.total / members)} requests, ` +
            `${thousands((run.counts.readUnits + run.plan.counts.readUnits) / members)} RCU, ` +
            `${thousands(run.counts.writeUnits / members)} WCU`,
          target: "figure",
        });
      }
      const initialCheck = await verify(world, DEFAULT_RULE_SET, NOW);
      rows.push(verificationRow("  check: links and reachability", initialCheck));

      // ---- 2. full recompute one day later, then the real nightly one more day later ----
      const fullAt = at(1);
      const full = emptyRun();
      await planAndRun(full, { orgId, scope: "rules" }, "snapshot", fullAt);
      runRows(`2. full recompute at now + 1 d: scope rules, source snapshot`, full, rows);
      const fullCheck = await verify(world, DEFAULT_RULE_SET, fullAt);
      rows.push(verificationRow("  check", fullCheck));

      const nightAt = at(2);
      const dueExpected = [...expected(world, DEFAULT_RULE_SET, fullAt).nextDecay.values()].filter(
        (next) => next !== null && next <= nightAt.toISOString(),
      ).length;
      const nightly = emptyRun();
      const nightTargets = await planAndRun(nightly, { orgId, scope: "nightly" }, "snapshot", nightAt);
      const boundary = {
        userId: userIds[org.boundary.user] as string,
        contactId: collectionA.contacts.get(org.boundary.person.index) as string,
      };
      const boundaryPlanned = nightTargets.some(
        (target) => target.userId === boundary.userId && target.contactId === boundary.contactId,
      );
      runRows(
        `2b. nightly at now + 2 d: scope nightly (decay due), source snapshot`,
        nightly,
        rows,
        `; due by the in-memory evaluation: ${thousands(dueExpected)}`,
      );
      rows.push({
        measure: "  planned vs due",
        figure:
          `${thousands(nightly.targets)} planned, ${thousands(dueExpected)} due (nextDecayAt ≤ now); the link whose ` +
          `nextDecayAt is exactly the nightly's now (${nightAt.toISOString()}): ${boundaryPlanned ? "planned" : "NOT planned"}`,
        target: "planned = due",
        met: check(
          nightly.targets === dueExpected,
          `nightly planned ${nightly.targets} of ${dueExpected} due links`,
        ),
      });
      const nightCheck = await verify(world, DEFAULT_RULE_SET, nightAt);
      rows.push(verificationRow("  check: every score current after the nightly", nightCheck));

      // ---- 3. a rule change ----
      const tuned = tuneRuleSet(DEFAULT_RULE_SET, RULE_CHANGE);
      const before = expected(world, DEFAULT_RULE_SET, nightAt);
      const after = expected(world, tuned, nightAt);
      let tierMoves = 0;
      for (const [key, link] of after.links) if (before.links.get(key)?.tier !== link.tier) tierMoves += 1;
      let reachMoves = 0;
      for (const [key, reach] of after.reach) if (before.reach.get(key)?.tier !== reach.tier) reachMoves += 1;
      const tune = await measure(() => tuneRules(orgId, RULE_CHANGE, { ...ACTOR, now: nightAt }));
      const change = emptyRun();
      const changeTargets = await planAndRun(change, { orgId, scope: "rules" }, "snapshot", nightAt);
      runRows(
        `3. rule change sustained_2yr minQuarters 8 → 6 (v${tune.result.version}), scope rules`,
        change,
        rows,
      );
      rows.push({
        measure: "  tier changes vs expected",
        figure:
          `${thousands(change.tierChanges)} tier changes (expected ${thousands(tierMoves)}); reachability tiers that ` +
          `move: ${thousands(reachMoves)}; links rewritten ${thousands(change.linksWritten)} of ${thousands(change.targets)}; ` +
          `tuneRules ${ms(tune.ms)}, ${describeCounts(tune.counts, 1)}`,
        target: "= expected",
        met: check(
          change.tierChanges === tierMoves,
          `rule change: ${change.tierChanges} tier changes, expected ${tierMoves}`,
        ),
      });
      const changeCheck = await verify(world, tuned, nightAt);
      rows.push(verificationRow("  check", changeCheck));

      // ---- 4. one pair turned cold → warm: the targets stats.changed names ----
      const maker = new EventMaker(prng(SEED + 1));
      const turn = async (which: { user: number; person: Person }, label: string, limit: number) => {
        const email = which.person.emails[0] as string;
        const warmEvents = maker.events("twoway");
        const state = rebuildPair(warmEvents, nightAt).pair as PairState;
        const userId = userIds[which.user] as string;
        await Storage.db.put({ Item: pairItem(orgId, userId, email, state, nightAt, 2) });
        stats.set(`${which.user}|${email}`, state.stats);
        const { Item: lookup } = await Storage.db.get({
          Key: rollupKeys.lookup(orgId, email),
          ConsistentRead: true,
        });
        const refs = [...((lookup?.contactRefs as Set<string> | undefined) ?? [])].sort();
        const targets: Target[] = refs.map((ref) => {
          const slash = ref.indexOf("/");
          return { userId, collectionId: ref.slice(0, slash), contactId: ref.slice(slash + 1) };
        });
        const one = emptyRun();
        await runJobs(one, orgId, targets, "pairs", nightAt);
        rows.push({
          measure: `4. ${label}`,
          figure:
            `${targets.length} targets (contacts on the lookup item), ${ms(one.ms)}; links written ${one.linksWritten}, ` +
            `tier changes ${one.tierChanges}; reach recomputes ${one.reachRecomputes}; DynamoDB ` +
            `${describeCounts(one.counts, 1)}, ${units(one.counts.readUnits)} RCU, ${units(one.counts.writeUnits)} WCU`,
          target: `reach recomputes ≤ ${limit} (collections holding the contact)`,
          met: check(
            one.reachRecomputes <= limit && one.tierChanges === limit,
            `${label}: ${one.reachRecomputes} reach recomputes, ${one.tierChanges} tier changes (want ${limit})`,
          ),
          short: `${one.reachRecomputes}/${limit}`,
        });
        return { targets, run: one };
      };
      const turnedBoth = await turn(
        org.turnBoth,
        "cold → warm, contact in both collections, member on both teams",
        2,
      );
      const turnedOne = await turn(org.turnOne, "cold → warm, contact in collection A only", 1);
      const turnCheck = await verify(world, tuned, nightAt);
      rows.push(verificationRow("  check", turnCheck));

      // ---- 5. redelivery ----
      const redeliveries: { label: string; run: JobRun }[] = [];
      for (const [label, targets, source] of [
        ["step 4 (both collections)", turnedBoth.targets, "pairs"],
        ["step 4 (one collection)", turnedOne.targets, "pairs"],
        [
          "rule change's last job",
          changeTargets.slice(-(changeTargets.length % TARGETS_PER_JOB || TARGETS_PER_JOB)),
          "snapshot",
        ],
      ] as const) {
        const again = emptyRun();
        await runJobs(again, orgId, targets, source, nightAt);
        redeliveries.push({ label, run: again });
        const writes = Object.keys(again.counts.byCommand).filter((api) => !/Get|Query/.test(api));
        rows.push({
          measure: `5. redelivery: ${label}`,
          figure:
            `${again.targets} targets, ${ms(again.ms)}; links written ${again.linksWritten}, reach recomputes ` +
            `${again.reachRecomputes}; DynamoDB ${describeCounts(again.counts, 1)}, ${units(again.counts.readUnits)} RCU, ` +
            `${units(again.counts.writeUnits)} WCU`,
          target: "0 links, 0 WCU",
          met: check(
            again.linksWritten === 0 && again.counts.writeUnits === 0 && writes.length === 0,
            `redelivery of ${label} wrote (${again.linksWritten} links, ${units(again.counts.writeUnits)} WCU)`,
          ),
        });
      }

      printTable(rows);
      const checked = rows.filter((row) => row.met !== undefined);
      const missed = checked.filter((row) => !row.met);
      const perLink = (r: JobRun) => Math.max(1, r.targets); // the full recompute's targets are links
      console.log(
        `summary: initial ${thousands(initial.targets)} targets → ${thousands(initial.linksWritten)} links in ` +
          `${secs(initial.ms + initial.plan.ms)} (${units(initial.counts.readUnits / perLink(initial))} RCU/target, ` +
          `${units(initial.counts.writeUnits / Math.max(1, initial.linksWritten))} WCU/link written); full recompute ` +
          `${thousands(full.targets)} links in ${secs(full.ms + full.plan.ms)}, ${units(full.counts.readUnits / perLink(full))} RCU + ` +
          `${units(full.counts.writeUnits / perLink(full))} WCU/link, ${thousands(full.linksWritten)} rewritten; nightly ` +
          `${thousands(nightly.targets)} planned in ${secs(nightly.ms + nightly.plan.ms)}; rule change ` +
          `${thousands(change.linksWritten)} links rewritten, ${thousands(change.tierChanges)} tier changes in ` +
          `${secs(change.ms + change.plan.ms)}; one tier change → reach recomputes ${turnedBoth.run.reachRecomputes} ` +
          `(≤ 2) / ${turnedOne.run.reachRecomputes} (≤ 1); redelivery ` +
          `${redeliveries.reduce((n, r) => n + r.run.counts.writeUnits, 0)} WCU; ` +
          `${checked.length - missed.length}/${checked.length} targets met` +
          `${missed.length > 0 ? ` (missed: ${missed.map((row) => row.measure.trim()).join("; ")})` : ""}; ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    },
  );
  if (failures.length > 0) {
    console.error(`scoring bench: correctness check failed: ${failures.join("; ")}`);
    process.exitCode = 1;
  }
}
