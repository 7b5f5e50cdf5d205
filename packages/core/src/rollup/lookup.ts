import { keys as identityKeys } from "../identity/store";
import {
  ConditionFailed,
  db,
  decodeCursor,
  encodeCursor,
  type Page,
  pageSize,
  type TransactItem,
} from "../storage";
import { rollupKeys } from "./keys";
import type { PairStats } from "./stats";

/**
 * The lookup item per (org, email), rollup side: which members have a counted interaction with
 * the email, and their signal (`members.<userId>`), summed for the unresolved-correspondents
 * queue. The contacts side (`contactRefs`) is written by the contacts module (keys.ts). The item
 * is in the queue's index exactly when no contact carries the email and some member has signal;
 * every writer bumps `version`, and the rollup's writes are conditioned on the version it read,
 * so the index entry always agrees with both sides.
 */

/** One member's signal with a correspondent, as the queue ranks it. */
export interface Contribution {
  twoWayThreads: number;
  meetings: number;
  lastInteractionAt: string | null;
}

/** A member has signal with a correspondent when some message or meeting counts (newsletters do not). */
export function contributionOf(stats: PairStats | undefined): Contribution | null {
  if (!stats) return null;
  if (stats.emailIn24mo + stats.emailOut24mo + stats.meetings24mo === 0) return null;
  const times = [stats.lastEmailAt, stats.lastMeetingAt].filter((time): time is string => time !== null);
  const last = times.length > 0 ? times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) : null;
  return { twoWayThreads: stats.twoWayThreads, meetings: stats.meetings24mo, lastInteractionAt: last };
}

interface Totals {
  users: string[];
  twoWayThreads: number;
  meetings: number;
  lastInteractionAt: string | null;
}

function totals(members: Record<string, Contribution>): Totals {
  const users = Object.keys(members).sort();
  let twoWayThreads = 0;
  let meetings = 0;
  let last: string | null = null;
  for (const contribution of Object.values(members)) {
    twoWayThreads += contribution.twoWayThreads;
    meetings += contribution.meetings;
    const time = contribution.lastInteractionAt;
    if (time !== null && (last === null || Date.parse(time) > Date.parse(last))) last = time;
  }
  return { users, twoWayThreads, meetings, lastInteractionAt: last };
}

const RANK_CAP = 999_999;
const TIME_CAP = 9_999_999_999_999;

/** Ascending order is best first: two-way threads, then meetings, then the latest interaction. */
function rankKey(email: string, sums: Totals): string {
  const descending = (value: number) => String(RANK_CAP - Math.min(value, RANK_CAP)).padStart(6, "0");
  const time = sums.lastInteractionAt === null ? TIME_CAP : TIME_CAP - Date.parse(sums.lastInteractionAt);
  return `${descending(sums.twoWayThreads)}#${descending(sums.meetings)}#${String(time).padStart(13, "0")}#${email}`;
}

function sameContribution(a: Contribution | undefined, b: Contribution | null): boolean {
  if (!a || !b) return !a && !b;
  return (
    a.twoWayThreads === b.twoWayThreads &&
    a.meetings === b.meetings &&
    a.lastInteractionAt === b.lastInteractionAt
  );
}

function refsOf(lookup: Record<string, unknown> | undefined): Set<string> {
  return (lookup?.contactRefs as Set<string> | undefined) ?? new Set();
}

/**
 * The write that records a member's new signal on the lookup item (read as `lookup`), or null
 * when it is unchanged. Conditioned on the version read: a concurrent contact or member change
 * cancels it, and the caller retries on fresh state.
 */
export function writeContribution(
  ref: { orgId: string; userId: string; email: string },
  lookup: Record<string, unknown> | undefined,
  after: Contribution | null,
  now = new Date(),
): TransactItem | null {
  const members = { ...((lookup?.members as Record<string, Contribution> | undefined) ?? {}) };
  if (sameContribution(members[ref.userId], after)) return null;
  if (after) members[ref.userId] = after;
  else delete members[ref.userId];
  const sums = totals(members);
  const listed = !isResolved(lookup) && sums.users.length > 0;
  const version = (lookup?.version as number | undefined) ?? 0;
  // Everything other writers keep on the item (contact refs, enrichment's resolution) is carried
  // over; the index keys are decided here, and an outbox already relayed is not carried.
  const { gsi1pk: _pk, gsi1sk: _sk, outbox: _outbox, ...kept } = lookup ?? {};
  const item: Record<string, unknown> = {
    ...kept,
    ...rollupKeys.lookup(ref.orgId, ref.email),
    entity: "correspondent",
    orgId: ref.orgId,
    email: ref.email,
    members,
    ...sums,
    version: version + 1,
    ...(after && needsEnrichment(lookup, now) ? { enrichmentRequestedAt: now.toISOString() } : {}),
    ...(listed ? { gsi1pk: rollupKeys.unresolved(ref.orgId), gsi1sk: rankKey(ref.email, sums) } : {}),
  };
  return lookup
    ? {
        Put: {
          Item: item,
          ConditionExpression: "version = :read",
          ExpressionAttributeValues: { ":read": version },
        },
      }
    : { Put: { Item: item, ConditionExpression: "attribute_not_exists(pk)" } };
}

/** Whether some contact carries the email, or enrichment resolved it to one. */
function isResolved(lookup: Record<string, unknown> | undefined): boolean {
  return refsOf(lookup).size > 0 || ((lookup?.resolvedRefs as Set<string> | undefined)?.size ?? 0) > 0;
}

/**
 * A correspondent with signal is asked about once (enrichment's stream consumer picks up a new
 * `enrichmentRequestedAt`), and again when the answer it got has expired from the cache.
 */
function needsEnrichment(lookup: Record<string, unknown> | undefined, now: Date): boolean {
  if (!lookup?.enrichmentRequestedAt) return true;
  const recheckAt = lookup.enrichmentRecheckAt as number | undefined;
  return recheckAt !== undefined && recheckAt * 1000 <= now.getTime();
}

/**
 * After a contact lost an email: the email goes back into the unresolved queue when no contact
 * carries it any more and some member has signal with it.
 */
export async function settleLookup(orgId: string, email: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const lookup = (await db.get({ Key: rollupKeys.lookup(orgId, email), ConsistentRead: true })).Item;
    if (!lookup) return;
    const sums = totals((lookup.members as Record<string, Contribution> | undefined) ?? {});
    const shouldList = !isResolved(lookup) && sums.users.length > 0;
    const listed = lookup.gsi1pk !== undefined;
    const rank = shouldList ? rankKey(email, sums) : undefined;
    if (shouldList === listed && lookup.gsi1sk === rank) return;
    try {
      await db.update({
        Key: rollupKeys.lookup(orgId, email),
        UpdateExpression: shouldList
          ? "SET gsi1pk = :pk, gsi1sk = :sk, version = :next"
          : "REMOVE gsi1pk, gsi1sk SET version = :next",
        ConditionExpression: "version = :read",
        ExpressionAttributeValues: {
          ":read": lookup.version,
          ":next": (lookup.version as number) + 1,
          ...(shouldList ? { ":pk": rollupKeys.unresolved(orgId), ":sk": rank } : {}),
        },
      });
      return;
    } catch (error) {
      if (attempt >= 8 || !(error instanceof ConditionFailed)) throw error;
    }
  }
}

/** The members with signal for a correspondent (from the lookup item). */
export async function membersWithSignal(orgId: string, email: string): Promise<string[]> {
  const lookup = (await db.get({ Key: rollupKeys.lookup(orgId, email), ConsistentRead: true })).Item;
  return Object.keys((lookup?.members as Record<string, unknown> | undefined) ?? {});
}

export interface UnresolvedCorrespondent {
  email: string;
  users: string[];
  twoWayThreads: number;
  meetings: number;
  lastInteractionAt: string | null;
}

/**
 * The org's unresolved correspondents, best first, from the queue's index. A teammate's address
 * (an email claimed by a user of the org, e.g. one added after the mail was counted) is left out.
 */
export async function listUnresolved(
  orgId: string,
  input: { limit?: string | number; cursor?: string },
): Promise<Page<UnresolvedCorrespondent>> {
  const limit = pageSize(input.limit);
  const result = await db.query({
    IndexName: "gsi1",
    KeyConditionExpression: "gsi1pk = :pk",
    ExpressionAttributeValues: { ":pk": rollupKeys.unresolved(orgId) },
    Limit: limit,
    ExclusiveStartKey: decodeCursor(input.cursor, {
      keys: ["pk", "sk", "gsi1pk", "gsi1sk"],
      partition: { gsi1pk: rollupKeys.unresolved(orgId) },
    }),
  });
  const items = (result.Items ?? []) as Record<string, unknown>[];
  const claims = items.length
    ? await db.batchGet(items.map((item) => identityKeys.emailClaim(orgId, item.email as string)))
    : [];
  const teammates = new Set(claims.map((claim) => claim.pk as string));
  return {
    items: items
      .filter((item) => !teammates.has(identityKeys.emailClaim(orgId, item.email as string).pk))
      .map((item) => ({
        email: item.email as string,
        users: (item.users as string[]) ?? [],
        twoWayThreads: item.twoWayThreads as number,
        meetings: item.meetings as number,
        lastInteractionAt: (item.lastInteractionAt as string | null) ?? null,
      })),
    nextCursor: encodeCursor(result.LastEvaluatedKey),
  };
}
