import type { Tier } from "./rules";

export type ReachTier = "high" | "medium" | "low" | "none";
/** Best first. */
export const REACH_TIERS: readonly ReachTier[] = ["high", "medium", "low", "none"];

/** One team member's connection to a contact, as reachability reads it. */
export interface ConnectionSummary {
  userId: string;
  /** Effective tier: the override when there is one, else the computed tier. */
  tier: Tier | null;
  score: number;
  lastInteractionAt: string | null;
  /** The member has opted out of being an intro route. */
  optedOut: boolean;
}

export interface ReachabilityCounts {
  tier: ReachTier;
  warm: number;
  known: number;
  cold: number;
  keyUserId: string | null;
}

/** scoring.md "Reachability"; fixed, not tunable per org. */
export const HIGH_MIN_WARM = 1;
export const HIGH_MIN_KNOWN = 3;
export const HIGH_MIN_COLD = 10;
export const MEDIUM_MIN_KNOWN = 1;
export const MEDIUM_MIN_COLD = 5;
export const LOW_MIN_COLD = 1;

const TIER_RANK: Readonly<Record<Tier, number>> = { warm: 0, known: 1, cold: 2 };

/** Lower is better: warm 0, known 1, cold 2, no connection 3. */
export function tierRank(tier: Tier | null): number {
  return tier === null ? 3 : TIER_RANK[tier];
}

/**
 * Best first: the better tier, then the higher score, then the more recent interaction (none is
 * oldest), then the lower user id, so the order is total and the key connection deterministic.
 */
export function compareConnections(a: ConnectionSummary, b: ConnectionSummary): number {
  return (
    tierRank(a.tier) - tierRank(b.tier) ||
    b.score - a.score ||
    interactionTime(b) - interactionTime(a) ||
    (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)
  );
}

function interactionTime(connection: ConnectionSummary): number {
  return connection.lastInteractionAt === null
    ? Number.NEGATIVE_INFINITY
    : Date.parse(connection.lastInteractionAt);
}

/**
 * The reachability of one contact for one collection from its members' connections. Members
 * without a tier count nowhere; opted-out members count but are never the key connection.
 */
export function reachabilityOf(connections: readonly ConnectionSummary[]): ReachabilityCounts {
  const counts = { warm: 0, known: 0, cold: 0 };
  let key: ConnectionSummary | null = null;
  for (const connection of connections) {
    if (connection.tier === null) continue;
    counts[connection.tier] += 1;
    if (!connection.optedOut && (key === null || compareConnections(connection, key) < 0)) key = connection;
  }
  return { tier: reachTier(counts), ...counts, keyUserId: key?.userId ?? null };
}

function reachTier({ warm, known, cold }: { warm: number; known: number; cold: number }): ReachTier {
  if (warm >= HIGH_MIN_WARM || known >= HIGH_MIN_KNOWN || cold >= HIGH_MIN_COLD) return "high";
  if (known >= MEDIUM_MIN_KNOWN || cold >= MEDIUM_MIN_COLD) return "medium";
  if (cold >= LOW_MIN_COLD) return "low";
  return "none";
}
