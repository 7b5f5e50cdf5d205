import { DAY_MS, emptyStats, type PairStats } from "../rollup/stats";
import {
  type Clause,
  type Condition,
  type DataSource,
  type FactName,
  isActive,
  NO_OVERLAPS,
  type Overlaps,
  type RuleSet,
  type StatFactName,
  TIERS,
  type Tier,
} from "./rules";

export interface Reason {
  code: string;
  tier: Tier;
  detail: string;
}

export interface Evaluation {
  tier: Tier | null;
  score: number;
  reasons: Reason[];
  ruleSetVersion: number;
  lastInteractionAt: string | null;
  /** When the score's recency term next steps down, or null when it cannot drop any more. */
  nextDecayAt: string | null;
}

/**
 * The recency term of the score, by whole days since the last interaction (the first step whose
 * `withinDays` is not exceeded applies; past the last step it is 0). A step function rather than a
 * smooth decay so a stored score stays exact until `nextDecayAt`, and a job can re-score the pairs
 * past that instant instead of sweeping every pair daily. The bonus (at most 1.0) only orders pairs
 * of one tier, so a recent message outranks an older one of the same strength.
 */
export const RECENCY_STEPS: readonly { withinDays: number; bonus: number }[] = Object.freeze([
  { withinDays: 30, bonus: 1.0 },
  { withinDays: 90, bonus: 0.6 },
  { withinDays: 180, bonus: 0.3 },
  { withinDays: 365, bonus: 0.1 },
]);

/** A counted message, a newsletter or a counted meeting: enough for a cold connection. */
export function hasInteraction(stats: PairStats | null): boolean {
  if (stats === null) return false;
  return stats.emailIn24mo + stats.emailOut24mo > 0 || stats.newsletterIn24mo > 0 || stats.meetings24mo > 0;
}

/**
 * The tier, score and reasons of one (user, contact) under `rules`, skipping the clauses whose data
 * is not `available`. Pure: the same inputs always give the same evaluation.
 */
export function evaluate(
  input: { stats: PairStats | null; overlaps?: Overlaps | null },
  rules: RuleSet,
  available: ReadonlySet<DataSource>,
  now: Date,
): Evaluation {
  const stats = input.stats ?? emptyStats();
  const overlaps = input.overlaps ?? NO_OVERLAPS;
  const fact = (name: FactName): number =>
    isOverlapFact(name) ? overlaps[name] : stats[name as StatFactName];

  const met = rules.clauses.filter(
    (clause) => isActive(clause, available) && clause.conditions.every((c) => holds(c, clause, fact)),
  );
  const lastInteractionAt = latest(stats.lastEmailAt, stats.lastMeetingAt);
  const tier =
    TIERS.find((candidate) => met.some((clause) => clause.tier === candidate)) ??
    (hasInteraction(input.stats) ? "cold" : null);
  if (tier === null) {
    return {
      tier,
      score: 0,
      reasons: [],
      ruleSetVersion: rules.version,
      lastInteractionAt,
      nextDecayAt: null,
    };
  }

  const recency = recencyOf(lastInteractionAt, now);
  // In hundredths, as integers, so the sum cannot drift with the order of the weights.
  const hundredths = met.reduce((sum, clause) => sum + toHundredths(clause.weight), recency.hundredths);
  return {
    tier,
    score: hundredths / 100,
    reasons: met.map((clause) => ({ code: clause.code, tier: clause.tier, detail: describe(clause, fact) })),
    ruleSetVersion: rules.version,
    lastInteractionAt,
    nextDecayAt: recency.nextDecayAt,
  };
}

function isOverlapFact(name: FactName): name is keyof Overlaps {
  return Object.hasOwn(NO_OVERLAPS, name);
}

function holds(condition: Condition, clause: Clause, fact: (name: FactName) => number): boolean {
  const actual = fact(condition.fact);
  const expected =
    typeof condition.value === "number" ? condition.value : threshold(clause, condition.value.threshold);
  switch (condition.op) {
    case ">=":
      return actual >= expected;
    case ">":
      return actual > expected;
    case "<=":
      return actual <= expected;
    case "<":
      return actual < expected;
    case "=":
      return actual === expected;
  }
}

function threshold(clause: Clause, name: string): number {
  const value = Object.hasOwn(clause.thresholds, name) ? clause.thresholds[name] : undefined;
  // A stored rule set naming a threshold it lacks is corrupt: fail loudly rather than guess a tier.
  if (value === undefined) throw new Error(`Clause ${clause.code} has no threshold ${name}`);
  return value;
}

function describe(clause: Clause, fact: (name: FactName) => number): string {
  return clause.describe.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    if (isFactName(name)) return String(fact(name));
    if (Object.hasOwn(clause.thresholds, name)) return String(clause.thresholds[name]);
    return placeholder;
  });
}

const STAT_FACTS: ReadonlySet<string> = new Set(
  Object.entries(emptyStats())
    .filter(([, value]) => typeof value === "number")
    .map(([name]) => name),
);

function isFactName(name: string): name is FactName {
  return STAT_FACTS.has(name) || Object.hasOwn(NO_OVERLAPS, name);
}

function latest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function toHundredths(value: number): number {
  return Math.round(value * 100);
}

function recencyOf(
  lastInteractionAt: string | null,
  now: Date,
): { hundredths: number; nextDecayAt: string | null } {
  if (lastInteractionAt === null) return { hundredths: 0, nextDecayAt: null };
  const last = Date.parse(lastInteractionAt);
  // A time after now (clock skew) is as recent as it gets.
  const days = Math.max(0, Math.floor((now.getTime() - last) / DAY_MS));
  const index = RECENCY_STEPS.findIndex((step) => days <= step.withinDays);
  const step = RECENCY_STEPS[index];
  if (step === undefined) return { hundredths: 0, nextDecayAt: null };
  const bonus = toHundredths(step.bonus);
  // The first later step edge past which the bonus is lower; an equal bonus is no decay.
  for (let edge = index; edge < RECENCY_STEPS.length; edge += 1) {
    const after = RECENCY_STEPS[edge + 1];
    if ((after === undefined ? 0 : toHundredths(after.bonus)) < bonus) {
      const withinDays = RECENCY_STEPS[edge]?.withinDays ?? step.withinDays;
      return { hundredths: bonus, nextDecayAt: new Date(last + (withinDays + 1) * DAY_MS).toISOString() };
    }
  }
  return { hundredths: bonus, nextDecayAt: null };
}
