import { keys as contactKeys } from "../contacts/store";
import { statsChangedFor } from "../rollup/events";
import { contactRef, parseContactRef, rollupKeys } from "../rollup/keys";
import { settleLookup } from "../rollup/lookup";
import { scoringKeys } from "../scoring/keys";
import { commit, db, type GuardedItem, TransactionCancelled } from "../storage";
import { type CachedLookup, lookupEmail, normalizeEmail, noteOrgUse } from "./cache";
import type { EnrichmentProvider } from "./provider";

// The rollup's `Resolver` (rollup/resolver.ts) reads what is recorded here: an email resolves to
// the contacts carrying it and to its `resolvedRefs`, so every reader of the lookup item sees
// enrichment's matches without calling Findem.

/**
 * Resolution through enrichment (seed 002's resolver flow, DR-02): a correspondent email no
 * contact carries may still be a contact's, under another address. The email's person comes from
 * the cache or Findem (F1); a usable match is matched to the org's contacts by LinkedIn handle
 * first (handles are globally unique), then by the person's other known emails. Ambiguous,
 * low-confidence and unknown answers leave the email as it was: unresolved, negatively cached.
 *
 * What is found is recorded on the org's own items, never on the cache:
 * - the rollup's lookup item per (org, email) gets `resolvedRefs`, the contacts it resolves to
 *   beyond those carrying it, so the rollup's `stats.changed` reaches them and the email leaves
 *   the unresolved-correspondents queue;
 * - each such contact's reachability item gets the email in `resolvedEmails`, so strength combines
 *   the member's stats with it into the contact's, as it does for the contact's own emails;
 * - `stats.changed` for every member with signal on the email, for the contacts that gained or
 *   lost it, in the same transaction.
 */

/** The contacts of the org with this LinkedIn handle, in any collection (gsi2 of the contact items). */
export async function contactsByHandle(orgId: string, handle: string): Promise<string[]> {
  const result = await db.query({
    IndexName: "gsi2",
    KeyConditionExpression: "gsi2pk = :pk",
    ExpressionAttributeValues: { ":pk": contactKeys.contactsByHandle(orgId, handle) },
  });
  return (result.Items ?? []).map((item) => contactRef(item.collectionId as string, item.id as string));
}

/** The contacts carrying any of these emails (the lookup items' `contactRefs`). */
async function contactsByEmails(orgId: string, emails: readonly string[]): Promise<string[]> {
  if (emails.length === 0) return [];
  const items = await db.batchGet(
    emails.map((email) => rollupKeys.lookup(orgId, email)),
    true,
  );
  return items.flatMap((item) => [...((item.contactRefs as Set<string> | undefined) ?? [])]);
}

/** The contacts an answer points at, handle first, then the known emails. */
export async function matchContacts(orgId: string, lookup: CachedLookup): Promise<string[]> {
  const match = lookup.outcome === "match" ? lookup.match : null;
  if (!match) return [];
  if (match.linkedinHandle) {
    const byHandle = await contactsByHandle(orgId, match.linkedinHandle);
    if (byHandle.length > 0) return [...new Set(byHandle)].sort();
  }
  const known = [...new Set(match.emails.map(normalizeEmail))];
  return [...new Set(await contactsByEmails(orgId, known))].sort();
}

export interface ResolveOutcome {
  /** Whether Findem was asked (false: the cache answered). */
  called: boolean;
  outcome: CachedLookup["outcome"] | "no_signal";
  added: string[];
  removed: string[];
}

const MAX_ATTEMPTS = 6;

/**
 * Resolves one correspondent of an org and records the result. Idempotent: a redelivery finds the
 * same answer in the cache and the same refs on the items, and writes nothing. Throws
 * `EnrichmentDeferred` when the provider cannot answer now.
 */
export async function resolveCorrespondent(
  provider: EnrichmentProvider,
  orgId: string,
  rawEmail: string,
  now = new Date(),
): Promise<ResolveOutcome> {
  const email = normalizeEmail(rawEmail);
  const first = await db.get({ Key: rollupKeys.lookup(orgId, email), ConsistentRead: true });
  // The lookup item is where members' signal lives: without it nobody has counted mail with the email.
  if (!first.Item) return { called: false, outcome: "no_signal", added: [], removed: [] };
  const { lookup, cached } = await lookupEmail(provider, email, now);
  await noteOrgUse(lookup, orgId);
  for (let attempt = 1; ; attempt++) {
    const { Item } = await db.get({ Key: rollupKeys.lookup(orgId, email), ConsistentRead: true });
    if (!Item) return { called: !cached, outcome: "no_signal", added: [], removed: [] };
    const direct = (Item.contactRefs as Set<string> | undefined) ?? new Set<string>();
    const before = new Set((Item.resolvedRefs as Set<string> | undefined) ?? []);
    const candidates = (await matchContacts(orgId, lookup)).filter((ref) => !direct.has(ref));
    const existing = await existingReachItems(orgId, [...new Set([...candidates, ...before])]);
    const after = new Set(candidates.filter((ref) => existing.has(ref)));
    const added = [...after].filter((ref) => !before.has(ref)).sort();
    const removed = [...before].filter((ref) => !after.has(ref)).sort();
    const recheckAt = lookup.expiresAt;
    const unchanged =
      added.length === 0 &&
      removed.length === 0 &&
      Item.enrichmentOutcome === lookup.outcome &&
      Item.enrichmentRecheckAt === recheckAt;
    if (unchanged) return { called: !cached, outcome: lookup.outcome, added, removed };
    try {
      await commit(recordResolution(orgId, email, Item, after, { added, removed, existing, lookup }), {
        events: statsChangedForMembers(orgId, Item, [...added, ...removed], now),
        now,
      });
      if (after.size === 0 && before.size > 0) await settleLookup(orgId, email);
      return { called: !cached, outcome: lookup.outcome, added, removed };
    } catch (error) {
      if (!(error instanceof TransactionCancelled) || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
    }
  }
}

/** Which of these contacts still exist (their reachability item is created and deleted with them). */
async function existingReachItems(orgId: string, refs: readonly string[]): Promise<Set<string>> {
  if (refs.length === 0) return new Set();
  const items = await db.batchGet(
    refs.map((ref) => {
      const { collectionId, contactId } = parseContactRef(ref);
      return scoringKeys.reach(orgId, collectionId, contactId);
    }),
    true,
  );
  return new Set(items.map((item) => contactRef(item.collectionId as string, item.contactId as string)));
}

function recordResolution(
  orgId: string,
  email: string,
  lookupItem: Record<string, unknown>,
  after: ReadonlySet<string>,
  change: { added: string[]; removed: string[]; existing: ReadonlySet<string>; lookup: CachedLookup },
): GuardedItem[] {
  const version = (lookupItem.version as number | undefined) ?? 0;
  const resolvedNow = after.size > 0;
  const items: GuardedItem[] = [
    {
      Update: {
        Key: rollupKeys.lookup(orgId, email),
        UpdateExpression:
          `SET version = :next, enrichmentOutcome = :outcome, enrichmentRecheckAt = :recheck` +
          (resolvedNow ? ", resolvedRefs = :refs REMOVE gsi1pk, gsi1sk" : " REMOVE resolvedRefs"),
        ConditionExpression: "version = :read",
        ExpressionAttributeValues: {
          ":read": version,
          ":next": version + 1,
          ":outcome": change.lookup.outcome,
          ":recheck": change.lookup.expiresAt,
          ...(resolvedNow ? { ":refs": new Set(after) } : {}),
        },
      },
    },
  ];
  for (const ref of change.added) items.push(reachEmailUpdate(orgId, ref, email, "ADD"));
  for (const ref of change.removed) {
    if (change.existing.has(ref)) items.push(reachEmailUpdate(orgId, ref, email, "DELETE"));
  }
  return items;
}

function reachEmailUpdate(orgId: string, ref: string, email: string, op: "ADD" | "DELETE"): GuardedItem {
  const { collectionId, contactId } = parseContactRef(ref);
  return {
    Update: {
      Key: scoringKeys.reach(orgId, collectionId, contactId),
      UpdateExpression: `${op} resolvedEmails :email`,
      // A contact deleted meanwhile cancels the transaction, which is redone without it.
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeValues: { ":email": new Set([email]) },
    },
  };
}

/** Every member with signal on the email: their stats with these contacts moved. */
function statsChangedForMembers(
  orgId: string,
  lookupItem: Record<string, unknown>,
  refs: readonly string[],
  now: Date,
) {
  if (refs.length === 0) return [];
  const members = Object.keys((lookupItem.members as Record<string, unknown> | undefined) ?? {}).sort();
  return members.map((userId) => statsChangedFor(orgId, userId, refs, now));
}
