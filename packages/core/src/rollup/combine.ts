import { readPairs } from "./pairs";
import { consecutiveQuarters, emptyStats, type PairStats } from "./stats";

/**
 * A contact with several emails: the stats per (member, contact) combine the stats per (member,
 * email) as the contract says: counts add (two-way threads included), dates take the latest,
 * `hasResponseIn3mo` and the bitmap are OR-ed, and `activeQuartersConsecutive` is recomputed from
 * the combined bitmap.
 */
export function combineStats(parts: readonly PairStats[]): PairStats {
  const combined = emptyStats();
  const latest = (a: string | null, b: string | null) =>
    a === null ? b : b === null ? a : Date.parse(b) > Date.parse(a) ? b : a;
  for (const part of parts) {
    combined.emailIn12mo += part.emailIn12mo;
    combined.emailIn24mo += part.emailIn24mo;
    combined.emailOut12mo += part.emailOut12mo;
    combined.emailOut24mo += part.emailOut24mo;
    combined.newsletterIn24mo += part.newsletterIn24mo;
    combined.twoWayThreads += part.twoWayThreads;
    combined.meetings180d += part.meetings180d;
    combined.meetings24mo += part.meetings24mo;
    combined.lastEmailAt = latest(combined.lastEmailAt, part.lastEmailAt);
    combined.lastInboundAt = latest(combined.lastInboundAt, part.lastInboundAt);
    combined.lastOutboundAt = latest(combined.lastOutboundAt, part.lastOutboundAt);
    combined.lastMeetingAt = latest(combined.lastMeetingAt, part.lastMeetingAt);
    combined.hasResponseIn3mo ||= part.hasResponseIn3mo;
    combined.activityBitmap12q |= part.activityBitmap12q;
  }
  combined.activeQuartersConsecutive = consecutiveQuarters(combined.activityBitmap12q);
  return combined;
}

/**
 * The stats of one member with one contact, from the stored pairs of the contact's emails (one
 * BatchGetItem); null when the member has no stats with any of them.
 */
export async function contactStats(
  orgId: string,
  userId: string,
  emails: readonly string[],
): Promise<PairStats | null> {
  const pairs = await readPairs(orgId, userId, emails);
  if (pairs.size === 0) return null;
  return combineStats([...pairs.values()].map((pair) => pair.stats));
}
