import { describe, expect, it } from "vitest";
import { DAY_MS, emptyStats, type PairStats } from "../rollup/stats";
import { KithError } from "../util/errors";
import { evaluate, hasInteraction, RECENCY_STEPS } from "./evaluate";
import {
  type ConnectionSummary,
  compareConnections,
  REACH_TIERS,
  type ReachTier,
  reachabilityOf,
  tierRank,
} from "./reachability";
import {
  availableSources,
  type DataSource,
  DEFAULT_RULE_SET,
  type FactName,
  isActive,
  NO_OVERLAPS,
  type Overlaps,
  type RuleSet,
  type ThresholdChanges,
  TIERS,
  tuneRuleSet,
} from "./rules";

const NOW = new Date("2026-05-15T12:00:00.000Z");
const ALL_SOURCES: ReadonlySet<DataSource> = new Set<DataSource>([
  "email",
  "calendar",
  "enrichment",
  "investor_data",
  "network_data",
]);
const MAIL_AND_CALENDAR = availableSources();
const WITH_ENRICHMENT = availableSources({ enrichment: true });

function ago(days: number, extraMs = 0): string {
  return new Date(NOW.getTime() - days * DAY_MS - extraMs).toISOString();
}

type Facts = Partial<Record<FactName, number>> & Partial<Pick<PairStats, "lastEmailAt" | "lastMeetingAt">>;

/** Splits facts into the stats and overlaps `evaluate` reads; unnamed facts are zero. */
function input(facts: Facts): { stats: PairStats; overlaps: Overlaps } {
  const stats: PairStats = emptyStats();
  const overlaps: Overlaps = { ...NO_OVERLAPS };
  for (const [name, value] of Object.entries(facts)) {
    if (Object.hasOwn(NO_OVERLAPS, name)) overlaps[name as keyof Overlaps] = value as number;
    else Object.assign(stats, { [name]: value });
  }
  return { stats, overlaps };
}

function metCodes(facts: Facts, rules: RuleSet = DEFAULT_RULE_SET, available = ALL_SOURCES): string[] {
  return evaluate(input(facts), rules, available, NOW).reasons.map((reason) => reason.code);
}

function clause(code: string) {
  const found = DEFAULT_RULE_SET.clauses.find((candidate) => candidate.code === code);
  if (found === undefined) throw new Error(`no clause ${code}`);
  return found;
}

describe("the default rule set", () => {
  it("holds the 16 clauses of scoring.md in table order with their tiers, weights and sources", () => {
    const table = DEFAULT_RULE_SET.clauses.map((c) => [c.code, c.tier, c.weight, c.requires]);

    expect(DEFAULT_RULE_SET.version).toBe(1);
    expect(table).toEqual([
      ["twoway_12mo_5plus", "warm", 3.0, "email"],
      ["sustained_2yr", "warm", 2.5, "email"],
      ["frequent_meetings_180d", "warm", 2.5, "calendar"],
      ["long_work_overlap", "warm", 2.0, "enrichment"],
      ["small_team_overlap", "warm", 2.0, "enrichment"],
      ["twoway_24mo", "known", 1.5, "email"],
      ["met_24mo", "known", 1.5, "calendar"],
      ["outbound_24mo_3plus", "known", 1.0, "email"],
      ["work_overlap", "known", 1.0, "enrichment"],
      ["education_overlap", "known", 0.8, "enrichment"],
      ["investor_overlap", "known", 0.8, "investor_data"],
      ["inbound_only_24mo", "cold", 0.3, "email"],
      ["newsletter_only", "cold", 0.1, "email"],
      ["same_company_no_overlap", "cold", 0.2, "enrichment"],
      ["same_school_no_overlap", "cold", 0.2, "enrichment"],
      ["linkedin_first_degree", "cold", 0.3, "network_data"],
    ]);
  });

  it("is plain data that survives a JSON round trip, with bounds for every threshold", () => {
    const roundTripped = JSON.parse(JSON.stringify(DEFAULT_RULE_SET));

    expect(roundTripped).toEqual(DEFAULT_RULE_SET);
    for (const c of DEFAULT_RULE_SET.clauses) {
      expect(Object.keys(c.bounds).sort(), c.code).toEqual(Object.keys(c.thresholds).sort());
      for (const [name, value] of Object.entries(c.thresholds)) {
        const bounds = c.bounds[name];
        expect(bounds?.min, `${c.code}.${name}`).toBeGreaterThanOrEqual(1);
        expect(value, `${c.code}.${name}`).toBeGreaterThanOrEqual(bounds?.min ?? Number.NaN);
        expect(value, `${c.code}.${name}`).toBeLessThanOrEqual(bounds?.max ?? Number.NaN);
      }
    }
  });

  it("every threshold-named condition names a threshold of its clause", () => {
    for (const c of DEFAULT_RULE_SET.clauses) {
      for (const condition of c.conditions) {
        if (typeof condition.value !== "number") {
          expect(Object.keys(c.thresholds), c.code).toContain(condition.value.threshold);
        }
      }
    }
  });
});

describe("clause predicates at their threshold edges", () => {
  // `fact` is varied around `edge`; `others` holds the other conditions of the clause.
  const edges: { code: string; fact: FactName; edge: number; others?: Facts }[] = [
    { code: "twoway_12mo_5plus", fact: "emailIn12mo", edge: 5, others: { emailOut12mo: 5 } },
    { code: "twoway_12mo_5plus", fact: "emailOut12mo", edge: 5, others: { emailIn12mo: 5 } },
    { code: "sustained_2yr", fact: "activeQuartersConsecutive", edge: 8 },
    { code: "frequent_meetings_180d", fact: "meetings180d", edge: 3 },
    { code: "long_work_overlap", fact: "workOverlapMonths", edge: 24 },
    { code: "small_team_overlap", fact: "smallTeamOverlapMonths", edge: 6 },
    { code: "twoway_24mo", fact: "twoWayThreads", edge: 1 },
    { code: "met_24mo", fact: "meetings24mo", edge: 1 },
    { code: "outbound_24mo_3plus", fact: "emailOut24mo", edge: 3 },
    { code: "work_overlap", fact: "workOverlapMonths", edge: 1 },
    { code: "education_overlap", fact: "educationOverlapMonths", edge: 1 },
    { code: "investor_overlap", fact: "investorOverlap", edge: 1 },
    { code: "inbound_only_24mo", fact: "emailIn24mo", edge: 1 },
    { code: "newsletter_only", fact: "newsletterIn24mo", edge: 1 },
    { code: "same_company_no_overlap", fact: "sameCompanyNoOverlap", edge: 1 },
    { code: "same_school_no_overlap", fact: "sameSchoolNoOverlap", edge: 1 },
    { code: "linkedin_first_degree", fact: "linkedinFirstDegree", edge: 1 },
  ];

  it("covers all 16 clauses", () => {
    expect(new Set(edges.map((e) => e.code))).toEqual(new Set(DEFAULT_RULE_SET.clauses.map((c) => c.code)));
  });

  it.each(edges)(
    "$code: $fact one below $edge is unmet, at and above are met",
    ({ code, fact, edge, others }) => {
      const below = metCodes({ ...others, [fact]: edge - 1 });
      const at = metCodes({ ...others, [fact]: edge });
      const above = metCodes({ ...others, [fact]: edge + 1 });

      expect(below).not.toContain(code);
      expect(at).toContain(code);
      expect(above).toContain(code);
    },
  );

  it.each(edges)("$code is active only where its data is available", ({ code, fact, edge, others }) => {
    const facts = { ...others, [fact]: edge };
    const { requires } = clause(code);

    expect(metCodes(facts, DEFAULT_RULE_SET, MAIL_AND_CALENDAR).includes(code)).toBe(
      requires === "email" || requires === "calendar",
    );
    expect(metCodes(facts, DEFAULT_RULE_SET, WITH_ENRICHMENT).includes(code)).toBe(
      requires !== "investor_data" && requires !== "network_data",
    );
  });

  it("inbound_only_24mo needs no outbound mail", () => {
    expect(metCodes({ emailIn24mo: 4, emailOut24mo: 0 })).toContain("inbound_only_24mo");
    expect(metCodes({ emailIn24mo: 4, emailOut24mo: 1 })).not.toContain("inbound_only_24mo");
  });

  it("newsletter_only needs no other mail in either direction", () => {
    expect(metCodes({ newsletterIn24mo: 2 })).toContain("newsletter_only");
    expect(metCodes({ newsletterIn24mo: 2, emailIn24mo: 1 })).not.toContain("newsletter_only");
    expect(metCodes({ newsletterIn24mo: 2, emailOut24mo: 1 })).not.toContain("newsletter_only");
  });
});

describe("availableSources", () => {
  it("leaves 8 of 16 clauses active with mail and calendar, 14 with enrichment", () => {
    const active = (available: ReadonlySet<DataSource>) =>
      DEFAULT_RULE_SET.clauses.filter((c) => isActive(c, available)).length;

    expect([...MAIL_AND_CALENDAR].sort()).toEqual(["calendar", "email"]);
    expect(active(MAIL_AND_CALENDAR)).toBe(8);
    expect(active(availableSources({ enrichment: false }))).toBe(8);
    expect(active(WITH_ENRICHMENT)).toBe(14);
  });
});

describe("tier", () => {
  it("is the first tier with a met clause, and the reasons list every met clause in rule-set order", () => {
    const facts = {
      emailIn12mo: 6,
      emailOut12mo: 6,
      emailIn24mo: 6,
      emailOut24mo: 6,
      sameSchoolNoOverlap: 1,
    };

    const evaluation = evaluate(input(facts), DEFAULT_RULE_SET, WITH_ENRICHMENT, NOW);

    expect(evaluation.tier).toBe("warm");
    expect(evaluation.reasons).toEqual([
      { code: "twoway_12mo_5plus", tier: "warm", detail: "6 in / 6 out in 12 months" },
      { code: "outbound_24mo_3plus", tier: "known", detail: "6 messages sent in 24 months" },
      { code: "same_school_no_overlap", tier: "cold", detail: "1 schools in common, at different times" },
    ]);
  });

  it("is known when the best met clause is known", () => {
    const evaluation = evaluate(
      input({ meetings24mo: 2, meetings180d: 2 }),
      DEFAULT_RULE_SET,
      ALL_SOURCES,
      NOW,
    );

    expect(evaluation.tier).toBe("known");
    expect(evaluation.reasons.map((r) => r.code)).toEqual(["met_24mo"]);
  });

  it("is cold for an interaction that meets no clause", () => {
    const stats = { ...emptyStats(), emailIn24mo: 2, emailOut24mo: 1, lastEmailAt: ago(400) };

    const evaluation = evaluate({ stats }, DEFAULT_RULE_SET, MAIL_AND_CALENDAR, NOW);

    expect(evaluation).toEqual({
      tier: "cold",
      score: 0,
      reasons: [],
      ruleSetVersion: 1,
      lastInteractionAt: ago(400),
      nextDecayAt: null,
    });
  });

  it("is null with score 0 and no reasons without any interaction or met clause", () => {
    const evaluation = evaluate({ stats: null }, DEFAULT_RULE_SET, ALL_SOURCES, NOW);
    const zeroStats = evaluate({ stats: emptyStats(), overlaps: null }, DEFAULT_RULE_SET, ALL_SOURCES, NOW);

    expect(evaluation).toEqual({
      tier: null,
      score: 0,
      reasons: [],
      ruleSetVersion: 1,
      lastInteractionAt: null,
      nextDecayAt: null,
    });
    expect(zeroStats.tier).toBeNull();
  });

  it("comes from a met enrichment clause alone, without mail; not without enrichment", () => {
    const overlaps = { ...NO_OVERLAPS, workOverlapMonths: 30 };

    const enriched = evaluate({ stats: null, overlaps }, DEFAULT_RULE_SET, WITH_ENRICHMENT, NOW);
    const plain = evaluate({ stats: null, overlaps }, DEFAULT_RULE_SET, MAIL_AND_CALENDAR, NOW);

    expect(enriched.tier).toBe("warm");
    expect(enriched.score).toBe(3);
    expect(enriched.reasons.map((r) => r.detail)).toEqual([
      "worked at the same organization for 30 months",
      "30 months of overlap at the same organization",
    ]);
    expect(enriched.lastInteractionAt).toBeNull();
    expect(plain.tier).toBeNull();
  });

  it("hasInteraction counts messages, newsletters and meetings, nothing else", () => {
    expect(hasInteraction(null)).toBe(false);
    expect(hasInteraction(emptyStats())).toBe(false);
    expect(hasInteraction({ ...emptyStats(), emailIn24mo: 1 })).toBe(true);
    expect(hasInteraction({ ...emptyStats(), emailOut24mo: 1 })).toBe(true);
    expect(hasInteraction({ ...emptyStats(), newsletterIn24mo: 1 })).toBe(true);
    expect(hasInteraction({ ...emptyStats(), meetings24mo: 1 })).toBe(true);
    expect(hasInteraction({ ...emptyStats(), activeQuartersConsecutive: 1 })).toBe(false);
  });

  it("fills describe placeholders with thresholds as well as facts", () => {
    const evaluation = evaluate(input({ smallTeamOverlapMonths: 7 }), DEFAULT_RULE_SET, WITH_ENRICHMENT, NOW);

    expect(evaluation.reasons[0]).toEqual({
      code: "small_team_overlap",
      tier: "warm",
      detail: "worked together for 7 months at an organization of 50 people or fewer",
    });
  });
});

describe("score", () => {
  const mail = { emailIn12mo: 7, emailOut12mo: 9, emailIn24mo: 7, emailOut24mo: 9, twoWayThreads: 2 };

  it("is the sum of met weights plus the recency step, the same for the same inputs", () => {
    const facts = { ...mail, lastEmailAt: ago(10), lastMeetingAt: ago(40) };

    const first = evaluate(input(facts), DEFAULT_RULE_SET, MAIL_AND_CALENDAR, NOW);
    const second = evaluate(input(facts), DEFAULT_RULE_SET, MAIL_AND_CALENDAR, new Date(NOW.getTime()));

    // twoway_12mo_5plus 3.0 + twoway_24mo 1.5 + outbound_24mo_3plus 1.0 + recency (10 days) 1.0
    expect(first.score).toBe(6.5);
    expect(first.reasons[0]?.detail).toBe("7 in / 9 out in 12 months");
    expect(first.lastInteractionAt).toBe(ago(10));
    expect(first.nextDecayAt).toBe(new Date(Date.parse(ago(10)) + 31 * DAY_MS).toISOString());
    expect(second).toEqual(first);
  });

  it("takes the later of the last message and the last meeting", () => {
    const evaluation = evaluate(
      input({ meetings24mo: 1, lastEmailAt: ago(200), lastMeetingAt: ago(50) }),
      DEFAULT_RULE_SET,
      MAIL_AND_CALENDAR,
      NOW,
    );

    expect(evaluation.lastInteractionAt).toBe(ago(50));
    expect(evaluation.score).toBe(2.1); // met_24mo 1.5 + recency (50 days) 0.6
  });

  it("sums in hundredths, so small weights add up without floating drift", () => {
    const facts = {
      newsletterIn24mo: 1,
      sameCompanyNoOverlap: 1,
      sameSchoolNoOverlap: 1,
      lastEmailAt: ago(100),
    };

    const evaluation = evaluate(input(facts), DEFAULT_RULE_SET, WITH_ENRICHMENT, NOW);

    expect(evaluation.tier).toBe("cold");
    expect(evaluation.score).toBe(0.8); // 0.1 + 0.2 + 0.2 + recency (100 days) 0.3
  });

  // Days since the last interaction → the bonus, and the day the bonus next drops (null: never).
  const steps: [number, number, number | null][] = [
    [0, 1.0, 31],
    [30, 1.0, 31],
    [31, 0.6, 91],
    [90, 0.6, 91],
    [91, 0.3, 181],
    [180, 0.3, 181],
    [181, 0.1, 366],
    [365, 0.1, 366],
    [366, 0, null],
    [700, 0, null],
  ];

  it.each(steps)(
    "%i days after the last interaction adds %f, next dropping on day %s",
    (days, bonus, dropDay) => {
      const last = ago(days, 1); // a millisecond past the whole day: still `days` whole days
      const facts = { twoWayThreads: 1, emailIn24mo: 1, emailOut24mo: 1, lastEmailAt: last };

      const evaluation = evaluate(input(facts), DEFAULT_RULE_SET, MAIL_AND_CALENDAR, NOW);

      expect(evaluation.score).toBe(Math.round((1.5 + bonus) * 100) / 100);
      expect(evaluation.nextDecayAt).toBe(
        dropDay === null ? null : new Date(Date.parse(last) + dropDay * DAY_MS).toISOString(),
      );
    },
  );

  it("keeps its score until nextDecayAt and drops exactly then", () => {
    const facts = input({ twoWayThreads: 1, emailIn24mo: 1, emailOut24mo: 1, lastEmailAt: ago(85) });
    const now = evaluate(facts, DEFAULT_RULE_SET, MAIL_AND_CALENDAR, NOW);
    const decayAt = Date.parse(now.nextDecayAt ?? "");

    const justBefore = evaluate(facts, DEFAULT_RULE_SET, MAIL_AND_CALENDAR, new Date(decayAt - 1));
    const atDecay = evaluate(facts, DEFAULT_RULE_SET, MAIL_AND_CALENDAR, new Date(decayAt));

    expect(now.score).toBe(2.1);
    expect(justBefore.score).toBe(2.1);
    expect(atDecay.score).toBe(1.8);
    expect(atDecay.nextDecayAt).toBe(new Date(Date.parse(ago(85)) + 181 * DAY_MS).toISOString());
  });

  it("uses recency steps that decrease, so every nextDecayAt is a real drop", () => {
    const bonuses = RECENCY_STEPS.map((step) => step.bonus);
    const days = RECENCY_STEPS.map((step) => step.withinDays);

    expect(bonuses).toEqual([...bonuses].sort((a, b) => b - a));
    expect(days).toEqual([...days].sort((a, b) => a - b));
    expect(bonuses.at(-1)).toBeGreaterThan(0);
  });
});

describe("tuneRuleSet", () => {
  function rejection(changes: ThresholdChanges, current: RuleSet = DEFAULT_RULE_SET): KithError {
    try {
      tuneRuleSet(current, changes);
    } catch (error) {
      if (error instanceof KithError) return error;
      throw error;
    }
    throw new Error("tuneRuleSet accepted the changes");
  }

  it("sustained_2yr at 6 quarters turns a pair warm under a new version", () => {
    const facts = { activeQuartersConsecutive: 6, emailIn24mo: 8, emailOut24mo: 2, twoWayThreads: 1 };

    const tuned = tuneRuleSet(DEFAULT_RULE_SET, { sustained_2yr: { minQuarters: 6 } });
    const before = evaluate(input(facts), DEFAULT_RULE_SET, MAIL_AND_CALENDAR, NOW);
    const after = evaluate(input(facts), tuned, MAIL_AND_CALENDAR, NOW);

    expect(tuned.version).toBe(2);
    expect(before.tier).toBe("known");
    expect(after.tier).toBe("warm");
    expect(after.ruleSetVersion).toBe(2);
    expect(after.reasons[0]?.code).toBe("sustained_2yr");
  });

  it("changes only the named thresholds and leaves its input as it was", () => {
    const snapshot = structuredClone(DEFAULT_RULE_SET);

    const tuned = tuneRuleSet(DEFAULT_RULE_SET, { twoway_12mo_5plus: { minOutbound: 3 } });
    const again = tuneRuleSet(tuned, { small_team_overlap: { maxOrgSize: 20 } });

    expect(DEFAULT_RULE_SET).toEqual(snapshot);
    expect(clause("twoway_12mo_5plus").thresholds).toEqual({ minInbound: 5, minOutbound: 5 });
    expect(tuned.clauses[0]?.thresholds).toEqual({ minInbound: 5, minOutbound: 3 });
    expect(again.version).toBe(3);
    expect(again.clauses[0]?.thresholds).toEqual({ minInbound: 5, minOutbound: 3 });
    expect(again.clauses[4]?.thresholds).toEqual({ minMonths: 6, maxOrgSize: 20 });
    expect(tuned.clauses.slice(1)).toEqual(DEFAULT_RULE_SET.clauses.slice(1));
    expect(JSON.parse(JSON.stringify(again))).toEqual(again);
  });

  it("accepts the bounds themselves", () => {
    const tuned = tuneRuleSet(DEFAULT_RULE_SET, {
      sustained_2yr: { minQuarters: 9 },
      met_24mo: { minMeetings: 1 },
    });

    expect(tuned.clauses[1]?.thresholds).toEqual({ minQuarters: 9 });
  });

  it("rejects every bad field at once, naming each thresholds.<code>.<name>", () => {
    const changes = {
      nope: { minX: 3 },
      twoway_24mo: { minMessages: 2 },
      sustained_2yr: { minQuarters: 6.5 },
      met_24mo: { minMeetings: 0 },
      long_work_overlap: { minMonths: 601 },
      investor_overlap: { minInvestors: 1 },
      outbound_24mo_3plus: { minOutbound: "4" as unknown as number },
    };

    const error = rejection(changes);

    expect(error.name).toBe("InvalidInput");
    expect(error.status).toBe(400);
    expect(error.details).toEqual({
      "thresholds.nope.minX": "unknown clause",
      "thresholds.twoway_24mo.minMessages": "unknown threshold",
      "thresholds.sustained_2yr.minQuarters": "not an integer",
      "thresholds.met_24mo.minMeetings": "must be between 1 and 1000",
      "thresholds.long_work_overlap.minMonths": "must be between 1 and 600",
      "thresholds.investor_overlap.minInvestors": "unknown threshold",
      "thresholds.outbound_24mo_3plus.minOutbound": "not an integer",
    });
  });

  it("rejects sustained_2yr past 9 quarters, where the bitmap is always clear", () => {
    expect(rejection({ sustained_2yr: { minQuarters: 10 } }).details).toEqual({
      "thresholds.sustained_2yr.minQuarters": "must be between 1 and 9",
    });
  });

  it("rejects an empty change set", () => {
    expect(rejection({}).status).toBe(400);
    expect(rejection({ twoway_24mo: {} }).status).toBe(400);
    expect(rejection({ nope: {} }).details).toEqual({ "thresholds.nope": "unknown clause" });
  });

  it("does not take inherited names for clauses or thresholds", () => {
    const changes = JSON.parse('{"__proto__": {"x": 1}, "met_24mo": {"toString": 2}}');

    expect(rejection(changes).details).toEqual({
      "thresholds.__proto__.x": "unknown clause",
      "thresholds.met_24mo.toString": "unknown threshold",
    });
  });
});

describe("reachabilityOf", () => {
  let nextUser = 0;
  function member(
    tier: ConnectionSummary["tier"],
    overrides: Partial<ConnectionSummary> = {},
  ): ConnectionSummary {
    nextUser += 1;
    return {
      userId: `u${String(nextUser).padStart(3, "0")}`,
      tier,
      score: 1,
      lastInteractionAt: null,
      optedOut: false,
      ...overrides,
    };
  }
  function members(warm: number, known: number, cold: number, none = 0): ConnectionSummary[] {
    return [
      ...Array.from({ length: warm }, () => member("warm")),
      ...Array.from({ length: known }, () => member("known")),
      ...Array.from({ length: cold }, () => member("cold")),
      ...Array.from({ length: none }, () => member(null)),
    ];
  }

  const boundaries: [number, number, number, number, ReachTier][] = [
    [0, 0, 0, 0, "none"],
    [0, 0, 0, 4, "none"],
    [1, 0, 0, 0, "high"],
    [0, 2, 0, 0, "medium"],
    [0, 3, 0, 0, "high"],
    [0, 1, 0, 0, "medium"],
    [0, 0, 1, 0, "low"],
    [0, 0, 4, 0, "low"],
    [0, 0, 5, 0, "medium"],
    [0, 0, 9, 0, "medium"],
    [0, 0, 10, 0, "high"],
    [0, 2, 9, 3, "medium"],
    [0, 1, 4, 0, "medium"],
    [1, 2, 9, 0, "high"],
  ];

  it.each(boundaries)(
    "%i warm, %i known, %i cold, %i without a tier → %s",
    (warm, known, cold, none, tier) => {
      const result = reachabilityOf(members(warm, known, cold, none));

      expect(REACH_TIERS).toContain(tier);
      expect(result).toMatchObject({ tier, warm, known, cold });
    },
  );

  it("has no key connection without members", () => {
    expect(reachabilityOf([])).toEqual({ tier: "none", warm: 0, known: 0, cold: 0, keyUserId: null });
  });

  it("picks the key connection by tier before score", () => {
    const result = reachabilityOf([
      member("cold", { userId: "a", score: 9 }),
      member("known", { userId: "b", score: 1 }),
      member(null, { userId: "0" }),
    ]);

    expect(result.keyUserId).toBe("b");
  });

  it("breaks a tier tie by the higher score", () => {
    const result = reachabilityOf([
      member("known", { userId: "a", score: 1.5 }),
      member("known", { userId: "b", score: 2 }),
    ]);

    expect(result.keyUserId).toBe("b");
  });

  it("breaks a score tie by the more recent interaction, none being the oldest", () => {
    const older = member("warm", { userId: "a", lastInteractionAt: ago(40) });
    const newer = member("warm", { userId: "b", lastInteractionAt: ago(3) });
    const never = member("warm", { userId: "0", lastInteractionAt: null });

    expect(reachabilityOf([older, never, newer]).keyUserId).toBe("b");
    expect(reachabilityOf([never, older]).keyUserId).toBe("a");
  });

  it("breaks a full tie by the lower user id", () => {
    const when = ago(5);

    const result = reachabilityOf([
      member("warm", { userId: "u9", lastInteractionAt: when }),
      member("warm", { userId: "u10", lastInteractionAt: when }),
      member("warm", { userId: "u2", lastInteractionAt: when }),
    ]);

    expect(result.keyUserId).toBe("u10");
  });

  it("skips opted-out members as key connection but still counts them", () => {
    const result = reachabilityOf([
      member("warm", { userId: "a", optedOut: true }),
      member("cold", { userId: "b" }),
    ]);

    expect(result).toEqual({ tier: "high", warm: 1, known: 0, cold: 1, keyUserId: "b" });
  });

  it("has no key connection when every member opted out", () => {
    const result = reachabilityOf([
      member("known", { userId: "a", optedOut: true }),
      member("known", { userId: "b", optedOut: true }),
    ]);

    expect(result).toEqual({ tier: "medium", warm: 0, known: 2, cold: 0, keyUserId: null });
  });

  it("orders connections best first in the same order as the key connection", () => {
    const list = [
      member(null, { userId: "n" }),
      member("cold", { userId: "c", score: 5 }),
      member("known", { userId: "k2", score: 2, lastInteractionAt: null }),
      member("known", { userId: "k1", score: 2, lastInteractionAt: ago(1) }),
      member("known", { userId: "k0", score: 3 }),
      member("warm", { userId: "w" }),
    ];

    const sorted = [...list].sort(compareConnections).map((c) => c.userId);

    expect(sorted).toEqual(["w", "k0", "k1", "k2", "c", "n"]);
    expect(reachabilityOf(list).keyUserId).toBe(sorted[0]);
  });

  it("ranks tiers warm, known, cold, then no connection", () => {
    expect([...TIERS, null].map(tierRank)).toEqual([0, 1, 2, 3]);
  });
});
