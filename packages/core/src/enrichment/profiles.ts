import { createHash } from "node:crypto";
import { keys as contactKeys, fromContactItem } from "../contacts/store";
import { emailsOf, readUser } from "../identity/store";
import { scoringKeys } from "../scoring/keys";
import { commit, db, type GuardedItem, type OutboxEvent } from "../storage";
import { ContactEnriched, UserEnriched } from "./events";
import { enrichmentKeys } from "./keys";
import type { EnrichmentProvider, Profile } from "./provider";

/**
 * Profiles: the work and education history of members (F4, on connect and weekly) and of contacts
 * (F2, or F3 by email when no handle is known, lazily: when a contact first has a connection).
 * A profile is stored once per person (`ENRICHED#PERSON#<id>`), with an item per member or contact
 * that depends on it, so F7 knows whom a profile update concerns. Strength reads both sides'
 * profiles when it recomputes and computes the overlaps per (member, contact) there
 * (overlaps.ts), storing them on the link with the stats they were computed from.
 */

/** A contact found by nobody stays unenriched this long before it is asked about again. */
const CONTACT_MISS_RECHECK_DAYS = 30;
/** A member's emails tried in order (primary first) before giving up until next week. */
const MAX_USER_EMAILS_TRIED = 3;

export interface StoredProfile extends Profile {
  fetchedAt: string;
  hash: string;
}

export function profileHash(profile: Profile): string {
  const canonical = JSON.stringify({
    work: profile.work.map((entry) => [entry.organization.id, entry.organization.size, entry.from, entry.to]),
    education: profile.education.map((entry) => [entry.school.id, entry.from, entry.to]),
  });
  return createHash("sha256").update(canonical).digest("hex").slice(0, 32);
}

function profileItem(profile: Profile, now: Date): Record<string, unknown> {
  return {
    ...enrichmentKeys.profile(profile.findemId),
    entity: "enrichedProfile",
    findemId: profile.findemId,
    linkedinHandle: profile.linkedinHandle,
    emails: profile.emails,
    work: profile.work,
    education: profile.education,
    hash: profileHash(profile),
    fetchedAt: now.toISOString(),
  };
}

export function fromProfileItem(item: Record<string, unknown>): StoredProfile {
  return {
    findemId: item.findemId as string,
    linkedinHandle: (item.linkedinHandle as string | null | undefined) ?? null,
    emails: (item.emails as string[] | undefined) ?? [],
    work: (item.work as Profile["work"] | undefined) ?? [],
    education: (item.education as Profile["education"] | undefined) ?? [],
    fetchedAt: item.fetchedAt as string,
    hash: item.hash as string,
  };
}

/** Profiles by person, one BatchGetItem per 100. */
export async function readProfiles(findemIds: readonly string[]): Promise<Map<string, StoredProfile>> {
  const unique = [...new Set(findemIds)];
  if (unique.length === 0) return new Map();
  const items = await db.batchGet(unique.map((id) => enrichmentKeys.profile(id)));
  return new Map(items.map((item) => [item.findemId as string, fromProfileItem(item)]));
}

/** The person each member is, from their enrichment items. */
export async function readUserPersons(
  orgId: string,
  userIds: readonly string[],
): Promise<Map<string, string>> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return new Map();
  const items = await db.batchGet(unique.map((userId) => enrichmentKeys.user(orgId, userId)));
  const persons = new Map<string, string>();
  for (const item of items) if (item.findemId) persons.set(item.userId as string, item.findemId as string);
  return persons;
}

export interface EnrichOutcome {
  findemId: string | null;
  changed: boolean;
  calls: number;
}

/**
 * Enriches a member: their profile by their emails (F4). Publishes `user.enriched` in the same
 * write when the person or the history changed, so strength recomputes their pairs.
 */
export async function enrichUser(
  provider: EnrichmentProvider,
  orgId: string,
  userId: string,
  now = new Date(),
): Promise<EnrichOutcome> {
  const user = await readUser(orgId, userId);
  if (!user) return { findemId: null, changed: false, calls: 0 };
  let profile: Profile | null = null;
  let calls = 0;
  for (const email of emailsOf(user).slice(0, MAX_USER_EMAILS_TRIED)) {
    calls++;
    profile = await provider.enrich({ email });
    if (profile) break;
  }
  const key = enrichmentKeys.user(orgId, userId);
  const { Item: before } = await db.get({ Key: key, ConsistentRead: true });
  const beforeId = (before?.findemId as string | null | undefined) ?? null;
  const hash = profile ? profileHash(profile) : null;
  const changed = beforeId !== (profile?.findemId ?? null) || (before?.profileHash ?? null) !== hash;
  const items: GuardedItem[] = [
    {
      Put: {
        Item: {
          ...key,
          entity: "userEnrichment",
          orgId,
          userId,
          findemId: profile?.findemId ?? null,
          profileHash: hash,
          checkedAt: now.toISOString(),
        },
      },
    },
  ];
  if (profile) {
    items.push({ Put: { Item: profileItem(profile, now) } });
    items.push({
      Put: {
        Item: {
          ...enrichmentKeys.userDependent(profile.findemId, orgId, userId),
          entity: "profileDependent",
          kind: "user",
          orgId,
          userId,
        },
      },
    });
  }
  if (beforeId && beforeId !== profile?.findemId) {
    items.push({ Delete: { Key: enrichmentKeys.userDependent(beforeId, orgId, userId) } });
  }
  const events: OutboxEvent[] = changed ? [UserEnriched.create(orgId, { userId }, now)] : [];
  await commit(items, { events, now });
  return { findemId: profile?.findemId ?? null, changed, calls };
}

/**
 * Enriches a contact once it has a connection: by its LinkedIn handle (F2), else by its first email
 * (F3). A contact already enriched is left alone (F7 refreshes it); one nobody could find is asked
 * again after {@link CONTACT_MISS_RECHECK_DAYS} days. Publishes `contact.enriched` when it changed.
 */
export async function enrichContact(
  provider: EnrichmentProvider,
  orgId: string,
  collectionId: string,
  contactId: string,
  options: { now?: Date; force?: boolean } = {},
): Promise<EnrichOutcome> {
  const now = options.now ?? new Date();
  const items = await db.batchGet(
    [contactKeys.contact(orgId, collectionId, contactId), scoringKeys.reach(orgId, collectionId, contactId)],
    true,
  );
  const contactItem = items.find((item) => item.entity === "contact");
  const reach = items.find((item) => item.entity === "reachability");
  if (!contactItem || !reach) return { findemId: null, changed: false, calls: 0 };
  const beforeId = (reach.findemId as string | null | undefined) ?? null;
  if (!options.force) {
    if (beforeId) return { findemId: beforeId, changed: false, calls: 0 };
    const checkedAt = reach.enrichmentCheckedAt as string | undefined;
    if (checkedAt && now.getTime() - Date.parse(checkedAt) < CONTACT_MISS_RECHECK_DAYS * 86_400_000) {
      return { findemId: null, changed: false, calls: 0 };
    }
  }
  const contact = fromContactItem(contactItem);
  const input = contact.linkedinHandle
    ? { linkedinHandle: contact.linkedinHandle }
    : contact.emails[0]
      ? { email: contact.emails[0] }
      : undefined;
  const profile = input ? await provider.enrich(input) : null;
  const hash = profile ? profileHash(profile) : null;
  const changed = beforeId !== (profile?.findemId ?? null) || (reach.profileHash ?? null) !== hash;
  const writes: GuardedItem[] = [
    {
      Update: {
        Key: scoringKeys.reach(orgId, collectionId, contactId),
        UpdateExpression: "SET findemId = :id, profileHash = :hash, enrichmentCheckedAt = :at",
        // Deleted meanwhile: the enrichment goes with it.
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: {
          ":id": profile?.findemId ?? null,
          ":hash": hash,
          ":at": now.toISOString(),
        },
      },
    },
  ];
  if (profile) {
    writes.push({ Put: { Item: profileItem(profile, now) } });
    writes.push({
      Put: {
        Item: {
          ...enrichmentKeys.contactDependent(profile.findemId, orgId, collectionId, contactId),
          entity: "profileDependent",
          kind: "contact",
          orgId,
          collectionId,
          contactId,
        },
      },
    });
  }
  if (beforeId && beforeId !== profile?.findemId) {
    writes.push({
      Delete: { Key: enrichmentKeys.contactDependent(beforeId, orgId, collectionId, contactId) },
    });
  }
  const events = changed ? [ContactEnriched.create(orgId, { collectionId, contactId }, now)] : [];
  await commit(writes, { events, now });
  return { findemId: profile?.findemId ?? null, changed, calls: input ? 1 : 0 };
}

/**
 * F7: a person's profile changed at the provider. It is fetched again; when its history moved,
 * every member and contact depending on it is re-enriched (`user.enriched`, `contact.enriched`).
 */
export async function refreshPerson(
  provider: EnrichmentProvider,
  findemId: string,
  now = new Date(),
): Promise<{ dependents: number; changed: boolean }> {
  const { Item: stored } = await db.get({ Key: enrichmentKeys.profile(findemId), ConsistentRead: true });
  const profile = await provider.profileById(findemId);
  const hash = profile ? profileHash(profile) : null;
  const changed = (stored?.hash ?? null) !== hash;
  if (profile) await db.put({ Item: profileItem(profile, now) });
  else if (stored) await db.delete({ Key: enrichmentKeys.profile(findemId) });
  const dependents: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.query({
      KeyConditionExpression: "pk = :pk AND sk > :after",
      ExpressionAttributeValues: { ":pk": enrichmentKeys.personPartition(findemId), ":after": "#~" },
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    dependents.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  if (!changed) return { dependents: dependents.length, changed };
  const byOrg = new Map<string, OutboxEvent[]>();
  for (const dependent of dependents) {
    const orgId = dependent.orgId as string;
    const event =
      dependent.kind === "user"
        ? UserEnriched.create(orgId, { userId: dependent.userId as string }, now)
        : ContactEnriched.create(
            orgId,
            { collectionId: dependent.collectionId as string, contactId: dependent.contactId as string },
            now,
          );
    byOrg.set(orgId, [...(byOrg.get(orgId) ?? []), event]);
  }
  for (const events of byOrg.values()) {
    for (let start = 0; start < events.length; start += 50) {
      await commit([], { events: events.slice(start, start + 50), now });
    }
  }
  return { dependents: dependents.length, changed };
}
