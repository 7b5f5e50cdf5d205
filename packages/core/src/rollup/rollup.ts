import { keys as identityKeys } from "../identity/store";
import { db } from "../storage";
import { eventFromItem, type InteractionEvent } from "../sync/event";
import { logger } from "../util/logger";
import { applyChange, type EventChange, type PairRef, rebuildStoredPair } from "./pairs";
import { eventFingerprint } from "./stats";

/**
 * From interaction events to statistics: the consumer of the table's stream of interaction
 * events (inserted by the syncers, deleted by wipes, sweeps and TTL), the rebuild of a set of
 * pairs, and the `stats.changed` events both publish.
 */

/** One change of an interaction-event item, as the table's stream reports it. */
export interface EventItemChange {
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

/** A replaced event (a meeting's response changed) is the old one removed and the new one inserted. */
export function eventChangesOf(change: EventItemChange): EventChange[] {
  const before = change.oldImage ? eventFromItem(change.oldImage) : undefined;
  const after = change.newImage && change.eventName !== "REMOVE" ? eventFromItem(change.newImage) : undefined;
  if (before && after && eventFingerprint(before) === eventFingerprint(after)) return [];
  const changes: EventChange[] = [];
  if (before && change.eventName !== "INSERT") changes.push({ op: "remove", event: before });
  if (after) changes.push({ op: "insert", event: after });
  return changes;
}

function pairId(ref: PairRef): string {
  return `${ref.orgId}\u0000${ref.userId}\u0000${ref.email}`;
}

/**
 * The org's own addresses are never correspondents: any email a user of the org has claimed (the
 * member's own, an alias, a teammate's). The syncers leave them out at ingestion; checking again
 * here keeps a teammate added later, or an event written by anything else, out of the stats.
 */
async function orgAddresses(pairs: readonly PairRef[]): Promise<Set<string>> {
  // BatchGetItem in chunks of 100, one key per (org, email).
  const keys = new Map<string, Record<string, unknown>>();
  for (const pair of pairs) {
    const key = identityKeys.emailClaim(pair.orgId, pair.email);
    keys.set(key.pk, key);
  }
  if (keys.size === 0) return new Set();
  const claims = await db.batchGet([...keys.values()]);
  return new Set(claims.map((claim) => claim.pk as string));
}

function isOrgAddress(claimed: Set<string>, ref: PairRef): boolean {
  return claimed.has(identityKeys.emailClaim(ref.orgId, ref.email).pk);
}

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface ApplyResult {
  /** Index of the first change that failed; every change before it is applied. */
  failedAt?: number;
  applied: number;
  /** Changes that moved a pair's public stats (each published `stats.changed` when a contact carries the email). */
  changed: number;
}

/**
 * Folds a batch of event changes into the stats. Changes of one pair are applied in order, one at
 * a time; different pairs run side by side. When a change fails, the changes of its pair after it
 * are not attempted, and `failedAt` is the earliest failed index, so the stream retries from there
 * (every change is idempotent, so those already applied after it are no-ops on the retry).
 */
export async function applyEventChanges(
  changes: readonly EventChange[],
  options: { now?: Date; concurrency?: number } = {},
): Promise<ApplyResult> {
  const now = options.now ?? new Date();
  const byPair = new Map<string, { ref: PairRef; entries: { index: number; change: EventChange }[] }>();
  changes.forEach((change, index) => {
    const ref = { orgId: change.event.orgId, userId: change.event.userId, email: change.event.correspondent };
    const id = pairId(ref);
    const group = byPair.get(id) ?? { ref, entries: [] };
    group.entries.push({ index, change });
    byPair.set(id, group);
  });
  const groups = [...byPair.values()];
  const claimed = await orgAddresses(groups.map((group) => group.ref));
  let changed = 0;
  let failedAt: number | undefined;
  let applied = 0;
  await inParallel(groups, options.concurrency ?? 8, async (group) => {
    if (isOrgAddress(claimed, group.ref)) return;
    for (const { index, change } of group.entries) {
      try {
        if ((await applyChange(change, now)).changed) changed += 1;
        applied += 1;
      } catch (error) {
        logger.warn("rollup change failed; the stream retries it", { index, error });
        failedAt = failedAt === undefined ? index : Math.min(failedAt, index);
        return;
      }
    }
  });
  return { failedAt, applied, changed };
}

/** Rebuilds pairs from their events (nightly, full rebuild, a contact's resolution). */
export async function rebuildPairs(
  pairs: readonly PairRef[],
  options: { now?: Date; concurrency?: number } = {},
): Promise<{ rebuilt: number; changed: number }> {
  const now = options.now ?? new Date();
  const claimed = await orgAddresses(pairs);
  let changedCount = 0;
  await inParallel(pairs, options.concurrency ?? 8, async (ref) => {
    const outcome = await rebuildStoredPair(ref, now, { exclude: isOrgAddress(claimed, ref) });
    if (outcome.changed) changedCount += 1;
  });
  return { rebuilt: pairs.length, changed: changedCount };
}

export type { EventChange, InteractionEvent, PairRef };

/**
 * The stream consumer's entry: item changes of interaction events, in stream order. `failedAt`
 * is the index of the first record whose change failed.
 */
export async function applyStreamChanges(
  records: readonly EventItemChange[],
  options: { now?: Date } = {},
): Promise<{ failedAt?: number }> {
  const changes: EventChange[] = [];
  const recordOf: number[] = [];
  records.forEach((record, index) => {
    const entity = (record.newImage ?? record.oldImage)?.entity;
    if (entity !== "interactionEvent") return;
    for (const change of eventChangesOf(record)) {
      changes.push(change);
      recordOf.push(index);
    }
  });
  const result = await applyEventChanges(changes, options);
  return { failedAt: result.failedAt === undefined ? undefined : recordOf[result.failedAt] };
}
