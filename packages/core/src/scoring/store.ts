import type { PairStats } from "../rollup/stats";
import { queryAll } from "../storage";
import type { Reason } from "./evaluate";
import { NO_KEY_STRENGTH_RANK, type ReachTierName, scoringKeys, strengthSortKey } from "./keys";
import { type ReachabilityCounts, tierRank } from "./reachability";
import type { Overlaps, Tier } from "./rules";

/**
 * The items of strength and reachability (keys.ts), and their mapping to the contract's
 * `Connection` and `Reachability`.
 */

/** The strength of one member with one contact in one collection. */
export interface StoredLink {
  orgId: string;
  collectionId: string;
  contactId: string;
  userId: string;
  /** What the rules say; null when the pair has no connection (only an override keeps it). */
  computedTier: Tier | null;
  override: Tier | null;
  score: number;
  reasons: Reason[];
  stats: PairStats | null;
  /** The overlap facts from both sides' work and education histories; null without both profiles. */
  overlaps: Overlaps | null;
  lastInteractionAt: string | null;
  nextDecayAt: string | null;
  ruleSetVersion: number;
  computedAt: string;
  version: number;
}

export function effectiveTier(link: Pick<StoredLink, "computedTier" | "override">): Tier | null {
  return link.override ?? link.computedTier;
}

export function linkItem(link: StoredLink): Record<string, unknown> {
  return {
    ...scoringKeys.link(link.orgId, link.collectionId, link.contactId, link.userId),
    entity: "strengthLink",
    ...link,
    tier: effectiveTier(link),
    gsi1pk: scoringKeys.linksOfUser(link.orgId, link.userId),
    gsi1sk: `${link.collectionId}#${link.contactId}`,
    gsi2pk: scoringKeys.linksOfOrg(link.orgId),
    gsi2sk: `${link.nextDecayAt ?? "~"}#${link.collectionId}#${link.contactId}#${link.userId}`,
  };
}

export function fromLinkItem(item: Record<string, unknown>): StoredLink {
  return {
    orgId: item.orgId as string,
    collectionId: item.collectionId as string,
    contactId: item.contactId as string,
    userId: item.userId as string,
    computedTier: (item.computedTier as Tier | null | undefined) ?? null,
    override: (item.override as Tier | null | undefined) ?? null,
    score: (item.score as number | undefined) ?? 0,
    reasons: (item.reasons as Reason[] | undefined) ?? [],
    stats: (item.stats as PairStats | null | undefined) ?? null,
    overlaps: (item.overlaps as Overlaps | null | undefined) ?? null,
    lastInteractionAt: (item.lastInteractionAt as string | null | undefined) ?? null,
    nextDecayAt: (item.nextDecayAt as string | null | undefined) ?? null,
    ruleSetVersion: (item.ruleSetVersion as number | undefined) ?? 0,
    computedAt: item.computedAt as string,
    version: item.version as number,
  };
}

/** The contract's `Connection`. */
export function toConnection(link: StoredLink) {
  return {
    userId: link.userId,
    tier: effectiveTier(link),
    computedTier: link.computedTier,
    override: link.override,
    score: link.score,
    reasons: link.reasons,
    lastInteractionAt: link.lastInteractionAt,
    stats: link.stats,
    ruleSetVersion: link.ruleSetVersion,
    computedAt: link.computedAt,
  };
}
export type ConnectionView = ReturnType<typeof toConnection>;

/** The link attributes a recompute may change: equal means nothing to write. */
export function sameLink(a: StoredLink, b: StoredLink): boolean {
  return (
    a.computedTier === b.computedTier &&
    a.override === b.override &&
    a.score === b.score &&
    a.lastInteractionAt === b.lastInteractionAt &&
    a.nextDecayAt === b.nextDecayAt &&
    a.ruleSetVersion === b.ruleSetVersion &&
    canonical(a.reasons) === canonical(b.reasons) &&
    canonical(a.stats) === canonical(b.stats) &&
    canonical(a.overlaps) === canonical(b.overlaps)
  );
}

/** JSON with object keys sorted: DynamoDB gives a map's keys back in no particular order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : inner,
  );
}

export interface StoredReach extends ReachabilityCounts {
  orgId: string;
  collectionId: string;
  contactId: string;
  computedAt: string;
  /** Moved by every write of one of the contact's links in this collection. */
  inputsVersion: number;
  /** The `inputsVersion` this reachability was computed from: behind it means stale. */
  computedVersion: number;
  keyTierRank: number;
  keyScore: number;
  /** Emails enrichment resolved to this contact, beyond its own: their stats count as the contact's. */
  resolvedEmails: string[];
  /** The contact's person at the enrichment provider, once enriched. */
  findemId: string | null;
}

export function fromReachItem(item: Record<string, unknown>): StoredReach {
  return {
    orgId: item.orgId as string,
    collectionId: item.collectionId as string,
    contactId: item.contactId as string,
    tier: (item.tier as ReachTierName | undefined) ?? "none",
    warm: (item.warm as number | undefined) ?? 0,
    known: (item.known as number | undefined) ?? 0,
    cold: (item.cold as number | undefined) ?? 0,
    keyUserId: (item.keyUserId as string | null | undefined) ?? null,
    computedAt: item.computedAt as string,
    inputsVersion: (item.inputsVersion as number | undefined) ?? 0,
    computedVersion: (item.computedVersion as number | undefined) ?? 0,
    keyTierRank: (item.keyTierRank as number | undefined) ?? NO_KEY_STRENGTH_RANK,
    keyScore: (item.keyScore as number | undefined) ?? 0,
    resolvedEmails: [...((item.resolvedEmails as Set<string> | undefined) ?? [])].sort(),
    findemId: (item.findemId as string | null | undefined) ?? null,
  };
}

/** The contract's `Reachability`. */
export function toReachability(reach: StoredReach) {
  return {
    tier: reach.tier,
    warm: reach.warm,
    known: reach.known,
    cold: reach.cold,
    keyUserId: reach.keyUserId,
    computedAt: reach.computedAt,
  };
}
export type ReachabilityView = ReturnType<typeof toReachability>;

/** The key-dependent sort attributes of a reachability item. */
export function reachSortAttributes(
  collectionId: string,
  contactId: string,
  counts: ReachabilityCounts,
  key: { tier: Tier | null; score: number } | undefined,
) {
  const keyTierRank = key ? tierRank(key.tier) : NO_KEY_STRENGTH_RANK;
  const keyScore = key?.score ?? 0;
  return {
    gsi1pk: scoringKeys.reachByTier(collectionId, counts.tier),
    gsi2sk: strengthSortKey(keyTierRank, keyScore, contactId),
    keyTierRank,
    keyScore,
  };
}

/** Every link of one contact in one collection, strongly consistent. */
export async function readContactLinks(
  orgId: string,
  collectionId: string,
  contactId: string,
): Promise<StoredLink[]> {
  const items = await queryAll({
    KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
    ExpressionAttributeValues: {
      ":pk": scoringKeys.link(orgId, collectionId, contactId, "").pk,
      ":prefix": scoringKeys.linkPrefix(contactId),
    },
    ConsistentRead: true,
  });
  return items.map(fromLinkItem);
}

/** The members of the org who opted out of being a key connection. */
export async function readOptOuts(orgId: string): Promise<Set<string>> {
  const items = await queryAll({
    KeyConditionExpression: "pk = :pk",
    ExpressionAttributeValues: { ":pk": scoringKeys.optOuts(orgId) },
    ProjectionExpression: "userId",
    ConsistentRead: true,
  });
  return new Set(items.map((item) => item.userId as string));
}
