import * as z from "zod/mini";

/** The contract's shapes of strength and reachability ("Contacts, strength and reachability"). */

export const TierSchema = z.enum(["warm", "known", "cold"]);

export const ReasonSchema = z
  .object({ code: z.string(), tier: TierSchema, detail: z.string() })
  .register(z.globalRegistry, { id: "StrengthReason" });

export const PairStatsSchema = z
  .object({
    emailIn12mo: z.int(),
    emailIn24mo: z.int(),
    emailOut12mo: z.int(),
    emailOut24mo: z.int(),
    newsletterIn24mo: z.int(),
    twoWayThreads: z.int(),
    lastEmailAt: z.nullable(z.string()),
    lastInboundAt: z.nullable(z.string()),
    lastOutboundAt: z.nullable(z.string()),
    hasResponseIn3mo: z.boolean(),
    activityBitmap12q: z.int(),
    activeQuartersConsecutive: z.int(),
    meetings180d: z.int(),
    meetings24mo: z.int(),
    lastMeetingAt: z.nullable(z.string()),
  })
  .register(z.globalRegistry, { id: "ConnectionStats" });

export const ConnectionSchema = z
  .object({
    userId: z.string(),
    tier: z.nullable(TierSchema).check(z.describe("The override when one is set, else computedTier")),
    computedTier: z.nullable(TierSchema),
    override: z.nullable(TierSchema),
    score: z
      .number()
      .check(z.describe("Sorts within a tier and picks the key connection (docs/decisions.md)")),
    reasons: z.array(ReasonSchema),
    lastInteractionAt: z.nullable(z.string()),
    stats: z.nullable(PairStatsSchema),
    ruleSetVersion: z.int(),
    computedAt: z.iso.datetime(),
  })
  .register(z.globalRegistry, { id: "Connection" });

export const OverrideInputSchema = z
  .strictObject({ override: z.nullable(TierSchema) })
  .register(z.globalRegistry, { id: "StrengthOverrideInput" });

export const KeyConnectionInputSchema = z
  .strictObject({ optOut: z.boolean() })
  .register(z.globalRegistry, { id: "KeyConnectionInput" });

export const KeyConnectionSchema = z
  .object({ userId: z.string(), optOut: z.boolean(), updatedAt: z.iso.datetime() })
  .register(z.globalRegistry, { id: "KeyConnection" });

export const RulesSchema = z
  .object({
    version: z.int(),
    clauses: z.array(
      z.object({
        code: z.string(),
        tier: TierSchema,
        weight: z.number(),
        requires: z.enum(["email", "calendar", "enrichment", "investor_data", "network_data"]),
        thresholds: z.record(z.string(), z.number()),
        bounds: z
          .record(z.string(), z.object({ min: z.number(), max: z.number() }))
          .check(z.describe("What each threshold may be tuned to")),
        active: z.boolean().check(z.describe("False when the org lacks the data the clause requires")),
      }),
    ),
  })
  .register(z.globalRegistry, { id: "Rules" });

export const TuneRulesInputSchema = z
  .strictObject({
    thresholds: z.record(
      z.string().check(z.maxLength(64)),
      z.record(z.string().check(z.maxLength(64)), z.number()),
    ),
  })
  .register(z.globalRegistry, { id: "TuneRulesInput" });
