import type { PairStats } from "../rollup/stats";
import { InvalidInput } from "../util/errors";

/**
 * The clauses of scoring.md as data. A rule set is stored per org and version, so it holds no
 * functions: `evaluate.ts` interprets the conditions and knows no clause by name, and adding a
 * signal means adding a clause here.
 */

export type Tier = "warm" | "known" | "cold";
/** Best first: the tier of a pair is the first of these with a met clause. */
export const TIERS: readonly Tier[] = ["warm", "known", "cold"];

export type DataSource = "email" | "calendar" | "enrichment" | "investor_data" | "network_data";

/** Overlap facts per (user, contact); all zero until enrichment exists (a later issue fills them). */
export interface Overlaps {
  workOverlapMonths: number;
  /**
   * Months of overlap at an organization whose size is at most small_team_overlap's `maxOrgSize`:
   * the enrichment step applies that threshold when it computes this fact, because organization
   * sizes are not facts of the pair.
   */
  smallTeamOverlapMonths: number;
  /** Organizations both worked at, without overlapping dates. */
  sameCompanyNoOverlap: number;
  educationOverlapMonths: number;
  /** Schools both attended, without overlapping dates. */
  sameSchoolNoOverlap: number;
  investorOverlap: number;
  linkedinFirstDegree: number;
}

export const NO_OVERLAPS: Readonly<Overlaps> = Object.freeze({
  workOverlapMonths: 0,
  smallTeamOverlapMonths: 0,
  sameCompanyNoOverlap: 0,
  educationOverlapMonths: 0,
  sameSchoolNoOverlap: 0,
  investorOverlap: 0,
  linkedinFirstDegree: 0,
});

type NumericKeys<T> = { [K in keyof T]-?: T[K] extends number ? K : never }[keyof T];
export type StatFactName = NumericKeys<PairStats>;
export type FactName = StatFactName | keyof Overlaps;

export type Operator = ">=" | ">" | "<=" | "<" | "=";

export interface Condition {
  fact: FactName;
  op: Operator;
  /** A literal, or the name of one of the clause's thresholds. */
  value: number | { threshold: string };
}

export interface Clause {
  code: string;
  tier: Tier;
  weight: number;
  requires: DataSource;
  /** All must hold for the clause to be met. */
  conditions: readonly Condition[];
  thresholds: Readonly<Record<string, number>>;
  /** Bounds each threshold may be tuned within. */
  bounds: Readonly<Record<string, { min: number; max: number }>>;
  /** The human reason; `{name}` is replaced by the fact or threshold of that name. */
  describe: string;
}

export interface RuleSet {
  version: number;
  clauses: readonly Clause[];
}

/** A "min" threshold of 0 would make its clause true for everyone. */
const COUNT = { min: 1, max: 1000 };
const MONTHS = { min: 1, max: 600 };
/** Bits 9 to 11 of the activity bitmap stay clear (nothing older than 730 days counts). */
const QUARTERS = { min: 1, max: 9 };
const ORG_SIZE = { min: 1, max: 100_000 };

function atLeast(fact: FactName, threshold: string): Condition {
  return { fact, op: ">=", value: { threshold } };
}

function none(fact: FactName): Condition {
  return { fact, op: "=", value: 0 };
}

/** Version 1: the 16 clauses of scoring.md in its table order, with its weights and thresholds. */
export const DEFAULT_RULE_SET: RuleSet = deepFreeze<RuleSet>({
  version: 1,
  clauses: [
    {
      code: "twoway_12mo_5plus",
      tier: "warm",
      weight: 3.0,
      requires: "email",
      conditions: [atLeast("emailIn12mo", "minInbound"), atLeast("emailOut12mo", "minOutbound")],
      thresholds: { minInbound: 5, minOutbound: 5 },
      bounds: { minInbound: COUNT, minOutbound: COUNT },
      describe: "{emailIn12mo} in / {emailOut12mo} out in 12 months",
    },
    {
      code: "sustained_2yr",
      tier: "warm",
      weight: 2.5,
      requires: "email",
      conditions: [atLeast("activeQuartersConsecutive", "minQuarters")],
      thresholds: { minQuarters: 8 },
      bounds: { minQuarters: QUARTERS },
      describe: "two-way email in {activeQuartersConsecutive} consecutive quarters",
    },
    {
      code: "frequent_meetings_180d",
      tier: "warm",
      weight: 2.5,
      requires: "calendar",
      conditions: [atLeast("meetings180d", "minMeetings")],
      thresholds: { minMeetings: 3 },
      bounds: { minMeetings: COUNT },
      describe: "{meetings180d} meetings in 180 days",
    },
    {
      code: "long_work_overlap",
      tier: "warm",
      weight: 2.0,
      requires: "enrichment",
      conditions: [atLeast("workOverlapMonths", "minMonths")],
      thresholds: { minMonths: 24 },
      bounds: { minMonths: MONTHS },
      describe: "worked at the same organization for {workOverlapMonths} months",
    },
    {
      code: "small_team_overlap",
      tier: "warm",
      weight: 2.0,
      requires: "enrichment",
      // maxOrgSize has no condition here: enrichment applies it when computing smallTeamOverlapMonths.
      conditions: [atLeast("smallTeamOverlapMonths", "minMonths")],
      thresholds: { minMonths: 6, maxOrgSize: 50 },
      bounds: { minMonths: MONTHS, maxOrgSize: ORG_SIZE },
      describe:
        "worked together for {smallTeamOverlapMonths} months at an organization of {maxOrgSize} people or fewer",
    },
    {
      code: "twoway_24mo",
      tier: "known",
      weight: 1.5,
      requires: "email",
      conditions: [atLeast("twoWayThreads", "minThreads")],
      thresholds: { minThreads: 1 },
      bounds: { minThreads: COUNT },
      describe: "{twoWayThreads} two-way threads in 24 months",
    },
    {
      code: "met_24mo",
      tier: "known",
      weight: 1.5,
      requires: "calendar",
      conditions: [atLeast("meetings24mo", "minMeetings")],
      thresholds: { minMeetings: 1 },
      bounds: { minMeetings: COUNT },
      describe: "{meetings24mo} meetings in 24 months",
    },
    {
      code: "outbound_24mo_3plus",
      tier: "known",
      weight: 1.0,
      requires: "email",
      conditions: [atLeast("emailOut24mo", "minOutbound")],
      thresholds: { minOutbound: 3 },
      bounds: { minOutbound: COUNT },
      describe: "{emailOut24mo} messages sent in 24 months",
    },
    {
      code: "work_overlap",
      tier: "known",
      weight: 1.0,
      requires: "enrichment",
      conditions: [atLeast("workOverlapMonths", "minMonths")],
      thresholds: { minMonths: 1 },
      bounds: { minMonths: MONTHS },
      describe: "{workOverlapMonths} months of overlap at the same organization",
    },
    {
      code: "education_overlap",
      tier: "known",
      weight: 0.8,
      requires: "enrichment",
      conditions: [atLeast("educationOverlapMonths", "minMonths")],
      thresholds: { minMonths: 1 },
      bounds: { minMonths: MONTHS },
      describe: "{educationOverlapMonths} months of overlap at the same school",
    },
    {
      code: "investor_overlap",
      tier: "known",
      weight: 0.8,
      requires: "investor_data",
      conditions: [{ fact: "investorOverlap", op: ">=", value: 1 }],
      thresholds: {},
      bounds: {},
      describe: "{investorOverlap} investors in common",
    },
    {
      code: "inbound_only_24mo",
      tier: "cold",
      weight: 0.3,
      requires: "email",
      conditions: [atLeast("emailIn24mo", "minInbound"), none("emailOut24mo")],
      thresholds: { minInbound: 1 },
      bounds: { minInbound: COUNT },
      describe: "{emailIn24mo} messages received and none sent in 24 months",
    },
    {
      code: "newsletter_only",
      tier: "cold",
      weight: 0.1,
      requires: "email",
      conditions: [atLeast("newsletterIn24mo", "minNewsletters"), none("emailIn24mo"), none("emailOut24mo")],
      thresholds: { minNewsletters: 1 },
      bounds: { minNewsletters: COUNT },
      describe: "{newsletterIn24mo} newsletters and no other mail in 24 months",
    },
    {
      code: "same_company_no_overlap",
      tier: "cold",
      weight: 0.2,
      requires: "enrichment",
      conditions: [atLeast("sameCompanyNoOverlap", "minOrganizations")],
      thresholds: { minOrganizations: 1 },
      bounds: { minOrganizations: COUNT },
      describe: "{sameCompanyNoOverlap} organizations in common, at different times",
    },
    {
      code: "same_school_no_overlap",
      tier: "cold",
      weight: 0.2,
      requires: "enrichment",
      conditions: [atLeast("sameSchoolNoOverlap", "minSchools")],
      thresholds: { minSchools: 1 },
      bounds: { minSchools: COUNT },
      describe: "{sameSchoolNoOverlap} schools in common, at different times",
    },
    {
      code: "linkedin_first_degree",
      tier: "cold",
      weight: 0.3,
      requires: "network_data",
      conditions: [{ fact: "linkedinFirstDegree", op: ">=", value: 1 }],
      thresholds: {},
      bounds: {},
      describe: "first-degree LinkedIn connection",
    },
  ],
});

/** Per clause code, the thresholds to change and their new values. */
export type ThresholdChanges = Record<string, Record<string, number>>;

/**
 * A new rule set, version `current.version + 1`, with the given thresholds changed; `current` is
 * left as it was. Throws `InvalidInput` when the change set is empty or any change is bad, with
 * `details` naming every bad field as `thresholds.<code>.<name>`.
 */
export function tuneRuleSet(current: RuleSet, changes: ThresholdChanges): RuleSet {
  const clausesByCode = new Map(current.clauses.map((clause) => [clause.code, clause]));
  const problems: Record<string, string> = {};
  let changeCount = 0;
  for (const [code, named] of Object.entries(changes)) {
    const clause = clausesByCode.get(code);
    const entries = named !== null && typeof named === "object" ? Object.entries(named) : [];
    if (entries.length === 0 && clause === undefined) problems[`thresholds.${code}`] = "unknown clause";
    for (const [name, value] of entries) {
      changeCount += 1;
      const problem = thresholdProblem(clause, name, value);
      if (problem !== null) problems[`thresholds.${code}.${name}`] = problem;
    }
  }
  if (Object.keys(problems).length > 0) throw new InvalidInput("Invalid threshold changes", problems);
  if (changeCount === 0) {
    throw new InvalidInput("No threshold to change", { thresholds: "no threshold to change" });
  }
  return {
    version: current.version + 1,
    clauses: current.clauses.map((clause) => {
      const tuned = Object.hasOwn(changes, clause.code) ? changes[clause.code] : undefined;
      return { ...structuredClone(clause), thresholds: { ...clause.thresholds, ...tuned } };
    }),
  };
}

function thresholdProblem(clause: Clause | undefined, name: string, value: unknown): string | null {
  if (clause === undefined) return "unknown clause";
  const bounds = Object.hasOwn(clause.bounds, name) ? clause.bounds[name] : undefined;
  if (bounds === undefined || !Object.hasOwn(clause.thresholds, name)) return "unknown threshold";
  if (typeof value !== "number" || !Number.isSafeInteger(value)) return "not an integer";
  if (value < bounds.min || value > bounds.max) return `must be between ${bounds.min} and ${bounds.max}`;
  return null;
}

/**
 * The data sources an org has. Kith ingests mail and calendars for everyone; enrichment only when
 * the org has it; investor and network data do not exist yet.
 */
export function availableSources(options: { enrichment?: boolean } = {}): ReadonlySet<DataSource> {
  const sources = new Set<DataSource>(["email", "calendar"]);
  if (options.enrichment === true) sources.add("enrichment");
  return sources;
}

/** An inactive clause is not evaluated: its data is missing for the org, so it cannot be met. */
export function isActive(clause: Clause, available: ReadonlySet<DataSource>): boolean {
  return available.has(clause.requires);
}

/** The default rule set is shared by every request of a warm Lambda; a mutation would leak across orgs. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
