import { type Reader, readableCollection } from "../contacts/access";
import { ContactNotFound } from "../contacts/errors";
import type { Contact, ContactListItem, ListContactsQuery } from "../contacts/schemas";
import { keys as contactKeys, fromContactItem, toContact } from "../contacts/store";
import { db, decodeCursor, encodeCursor, type Page, pageSize, queryPage } from "../storage";
import { type ReachTierName, scoringKeys } from "./keys";
import { compareConnections, REACH_TIERS } from "./reachability";
import {
  type ConnectionView,
  effectiveTier,
  fromReachItem,
  type ReachabilityView,
  readContactLinks,
  toConnection,
  toReachability,
} from "./store";

/**
 * The contract's reads of strength and reachability: the contacts list with each item's
 * reachability, filtered and sorted through the reachability items' indexes (never a Scan), and a
 * contact's detail with its connections, best first.
 */

const CONTACT_CURSOR = ["pk", "sk", "gsi1pk", "gsi1sk"] as const;
/** A position in a list read from several index partitions: the list, a tier, the last sort key. */
const MERGED_CURSOR = ["list", "tier", "after"] as const;

function parseTiers(filter: string | undefined): ReachTierName[] | undefined {
  if (filter === undefined) return undefined;
  const wanted = new Set(filter.split(",").map((tier) => tier.trim()));
  return REACH_TIERS.filter((tier) => wanted.has(tier));
}

export async function listContacts(
  reader: Reader,
  orgId: string,
  collectionId: string,
  query: ListContactsQuery,
): Promise<Page<ContactListItem>> {
  await readableCollection(reader, orgId, collectionId);
  const limit = pageSize(query.limit);
  const sort = query.sort ?? "name";
  const tiers = parseTiers(query.reachability);
  if (sort === "name" && tiers === undefined) return byName(orgId, collectionId, query.cursor, limit);
  const list = `${collectionId}|${sort}|${(tiers ?? REACH_TIERS).join(",")}`;
  const position = decodeCursor(query.cursor, { keys: MERGED_CURSOR, partition: { list } });
  const page =
    sort === "strength"
      ? await byStrength(collectionId, tiers, position?.after, limit)
      : sort === "reachability"
        ? await byReachability(collectionId, tiers ?? [...REACH_TIERS], position, limit)
        : await byNameWithin(collectionId, tiers ?? [...REACH_TIERS], position?.after, limit);
  const contacts = await readContacts(
    orgId,
    collectionId,
    page.items.map((item) => item.contactId as string),
  );
  const items: ContactListItem[] = [];
  for (const item of page.items) {
    const contact = contacts.get(item.contactId as string);
    if (contact) items.push({ ...contact, reachability: toReachability(fromReachItem(item)) });
  }
  return {
    items,
    nextCursor: page.next ? encodeCursor({ list, tier: page.next.tier, after: page.next.after }) : null,
  };
}

/** The plain list by name, each contact joined with its reachability item (one BatchGetItem). */
async function byName(
  orgId: string,
  collectionId: string,
  cursor: string | undefined,
  limit: number,
): Promise<Page<ContactListItem>> {
  const gsi1pk = contactKeys.contactsByName(collectionId);
  const { items, nextKey } = await queryPage(
    {
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": gsi1pk },
      ExclusiveStartKey: decodeCursor(cursor, { keys: CONTACT_CURSOR, partition: { gsi1pk } }),
    },
    limit,
    CONTACT_CURSOR,
  );
  const contacts = items.map((item) => toContact(fromContactItem(item)));
  const reaches = await readReaches(
    orgId,
    collectionId,
    contacts.map((contact) => contact.id),
  );
  return {
    items: contacts.map((contact) => ({ ...contact, reachability: reaches.get(contact.id) ?? null })),
    nextCursor: encodeCursor(nextKey),
  };
}

interface IndexPage {
  items: Record<string, unknown>[];
  next: { tier: string; after: string } | undefined;
}

/** Tier after tier (high first), by name within a tier. */
async function byReachability(
  collectionId: string,
  tiers: readonly ReachTierName[],
  position: Record<string, string> | undefined,
  limit: number,
): Promise<IndexPage> {
  const startTier = position ? Math.max(0, tiers.indexOf(position.tier as ReachTierName)) : 0;
  const items: Record<string, unknown>[] = [];
  for (let index = startTier; index < tiers.length && items.length <= limit; index++) {
    const tier = tiers[index] as ReachTierName;
    const after = index === startTier ? position?.after : undefined;
    const rest = await queryTier(collectionId, tier, after, limit + 1 - items.length);
    items.push(...rest);
  }
  return cut(items, limit, (item) => reachTierOf(item));
}

/** By name across the chosen tiers: each tier's partition read from the cursor on, merged. */
async function byNameWithin(
  collectionId: string,
  tiers: readonly ReachTierName[],
  after: string | undefined,
  limit: number,
): Promise<IndexPage> {
  const parts = await Promise.all(tiers.map((tier) => queryTier(collectionId, tier, after, limit + 1)));
  const merged = parts.flat().sort((a, b) => ((a.gsi1sk as string) < (b.gsi1sk as string) ? -1 : 1));
  return cut(merged, limit, () => "");
}

/** By the key connection's tier, then its score; `tiers` filters on reachability. */
async function byStrength(
  collectionId: string,
  tiers: readonly ReachTierName[] | undefined,
  after: string | undefined,
  limit: number,
): Promise<IndexPage> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  const filter = tiers ? Object.fromEntries(tiers.map((tier, index) => [`:tier${index}`, tier])) : {};
  do {
    const page = await db.query({
      IndexName: "gsi2",
      KeyConditionExpression: after ? "gsi2pk = :pk AND gsi2sk > :after" : "gsi2pk = :pk",
      ...(tiers ? { FilterExpression: `tier IN (${Object.keys(filter).join(", ")})` } : {}),
      ExpressionAttributeValues: {
        ":pk": scoringKeys.reachByStrength(collectionId),
        ...(after ? { ":after": after } : {}),
        ...filter,
      },
      Limit: limit + 1,
      ExclusiveStartKey: start,
    });
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start && items.length <= limit);
  return cut(items, limit, () => "", "gsi2sk");
}

async function queryTier(
  collectionId: string,
  tier: ReachTierName,
  after: string | undefined,
  limit: number,
) {
  const page = await db.query({
    IndexName: "gsi1",
    KeyConditionExpression: after ? "gsi1pk = :pk AND gsi1sk > :after" : "gsi1pk = :pk",
    ExpressionAttributeValues: {
      ":pk": scoringKeys.reachByTier(collectionId, tier),
      ...(after ? { ":after": after } : {}),
    },
    Limit: limit,
  });
  return (page.Items ?? []) as Record<string, unknown>[];
}

const reachTierOf = (item: Record<string, unknown>) => (item.tier as string | undefined) ?? "none";

/** The first `limit` items, and where the next page starts when there are more. */
function cut(
  items: Record<string, unknown>[],
  limit: number,
  tierOf: (item: Record<string, unknown>) => string,
  sortKey: "gsi1sk" | "gsi2sk" = "gsi1sk",
): IndexPage {
  if (items.length <= limit) return { items, next: undefined };
  const page = items.slice(0, limit);
  const last = page[page.length - 1] as Record<string, unknown>;
  return { items: page, next: { tier: tierOf(last), after: last[sortKey] as string } };
}

async function readContacts(orgId: string, collectionId: string, ids: readonly string[]) {
  const items = await db.batchGet(ids.map((id) => contactKeys.contact(orgId, collectionId, id)));
  return new Map<string, Contact>(
    items.map((item) => [item.id as string, toContact(fromContactItem(item))] as const),
  );
}

async function readReaches(orgId: string, collectionId: string, ids: readonly string[]) {
  const items = await db.batchGet(ids.map((id) => scoringKeys.reach(orgId, collectionId, id)));
  return new Map<string, ReachabilityView>(
    items.map((item) => [item.contactId as string, toReachability(fromReachItem(item))] as const),
  );
}

export interface ContactDetailView {
  contact: Contact;
  reachability: ReachabilityView | null;
  connections: ConnectionView[];
}

/** `{contact, reachability, connections}`: every member with a tier, best first. */
export async function getContactDetail(
  reader: Reader,
  orgId: string,
  collectionId: string,
  contactId: string,
): Promise<ContactDetailView> {
  await readableCollection(reader, orgId, collectionId);
  const [items, links] = await Promise.all([
    db.batchGet(
      [
        contactKeys.contact(orgId, collectionId, contactId),
        scoringKeys.reach(orgId, collectionId, contactId),
      ],
      true,
    ),
    readContactLinks(orgId, collectionId, contactId),
  ]);
  const contactItem = items.find((item) => item.entity === "contact");
  if (!contactItem) throw new ContactNotFound();
  const reachItem = items.find((item) => item.entity === "reachability");
  const connections = links
    .filter((link) => effectiveTier(link) !== null)
    .sort((a, b) =>
      compareConnections(
        {
          userId: a.userId,
          tier: effectiveTier(a),
          score: a.score,
          lastInteractionAt: a.lastInteractionAt,
          optedOut: false,
        },
        {
          userId: b.userId,
          tier: effectiveTier(b),
          score: b.score,
          lastInteractionAt: b.lastInteractionAt,
          optedOut: false,
        },
      ),
    )
    .map(toConnection);
  return {
    contact: toContact(fromContactItem(contactItem)),
    reachability: reachItem ? toReachability(fromReachItem(reachItem)) : null,
    connections,
  };
}
