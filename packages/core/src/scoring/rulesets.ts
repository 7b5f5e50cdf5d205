import { enrichmentConfigured } from "../enrichment/configured";
import { get as getOrg } from "../orgs/orgs";
import { commit, db, retryOnConflict } from "../storage";
import { Conflict } from "../util/errors";
import { RulesChanged } from "./events";
import { scoringKeys } from "./keys";
import {
  availableSources,
  type DataSource,
  DEFAULT_RULE_SET,
  isActive,
  type RuleSet,
  type ThresholdChanges,
  tuneRuleSet,
} from "./rules";

/**
 * Each org's rule set, versioned: version 1 is the default (never stored), and every tuning stores
 * the next version beside the earlier ones, so a result's `ruleSetVersion` can always be looked up.
 */

class RulesRaced extends Conflict {
  constructor() {
    super("rules_changed", "The rule set changed while this change was being made; try again");
  }
}

/**
 * The data an org has for the clauses to use: mail and calendars always; enrichment when the
 * deployment has a provider (the same for every org: members and contacts are enriched alike).
 */
export function orgSources(_orgId: string): ReadonlySet<DataSource> {
  return availableSources({ enrichment: enrichmentConfigured() });
}

/** The org's current rule set, read strongly consistent (a recompute must not use an older one). */
export async function currentRuleSet(orgId: string): Promise<RuleSet> {
  const { Items } = await db.query({
    KeyConditionExpression: "pk = :pk",
    ExpressionAttributeValues: { ":pk": scoringKeys.rules(orgId) },
    ScanIndexForward: false,
    Limit: 1,
    ConsistentRead: true,
  });
  const stored = Items?.[0]?.ruleSet as RuleSet | undefined;
  return stored ?? DEFAULT_RULE_SET;
}

/** `GET /rules`: every clause, with whether the org's data lets it run. */
export function rulesView(rules: RuleSet, sources: ReadonlySet<DataSource>) {
  return {
    version: rules.version,
    clauses: rules.clauses.map((clause) => ({
      code: clause.code,
      tier: clause.tier,
      weight: clause.weight,
      requires: clause.requires,
      thresholds: { ...clause.thresholds },
      bounds: Object.fromEntries(Object.entries(clause.bounds).map(([name, bound]) => [name, { ...bound }])),
      active: isActive(clause, sources),
    })),
  };
}
export type RulesView = ReturnType<typeof rulesView>;

/** The org's rules; an org that does not exist is a 404 (an operator may name any id). */
export async function getRules(orgId: string): Promise<RulesView> {
  await getOrg(orgId);
  return rulesView(await currentRuleSet(orgId), orgSources(orgId));
}

/**
 * An admin's tuning: the next version, stored only if no other tuning took that number first (a
 * lost race is retried on the newer rule set), with `rules.changed` in the same write so every pair
 * of the org is recomputed in the background.
 */
export async function tuneRules(
  orgId: string,
  changes: ThresholdChanges,
  options: { actor: string; now?: Date },
): Promise<RulesView> {
  const now = options.now ?? new Date();
  await getOrg(orgId);
  const tuned = await retryOnConflict(
    async () => {
      const current = await currentRuleSet(orgId);
      const next = tuneRuleSet(current, changes);
      await commit(
        [
          {
            Put: {
              Item: {
                pk: scoringKeys.rules(orgId),
                sk: scoringKeys.rulesVersion(next.version),
                entity: "ruleSet",
                orgId,
                version: next.version,
                ruleSet: next,
                changes,
                actor: options.actor,
                createdAt: now.toISOString(),
              },
              ConditionExpression: "attribute_not_exists(pk)",
            },
            onConditionFailed: () => new RulesRaced(),
          },
        ],
        {
          events: [
            RulesChanged.create(orgId, { version: next.version, previousVersion: current.version }, now),
          ],
          now,
        },
      );
      return next;
    },
    (error) => error instanceof RulesRaced,
  );
  return rulesView(tuned, orgSources(orgId));
}
