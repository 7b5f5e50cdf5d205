import { db } from "../storage";
import { CollectionNotFound } from "./errors";
import { fromCollectionItem, keys, type StoredCollection } from "./store";

/**
 * Who is reading a collection: what the handler kit resolved (`Http.Actor` fits). The route's
 * access rule has already checked the caller's org; this adds the collection.
 */
export type Reader =
  | { kind: "operator" | "system" }
  | { kind: "user"; userId: string; accessRole: "admin" | "member" };

/** Operators, the system and admin tokens read every collection of their org. */
export function readsEveryCollection(reader: Reader): boolean {
  return reader.kind !== "user" || reader.accessRole === "admin";
}

/**
 * The collection, read strongly consistent, or `CollectionNotFound`. Writers read it rather than
 * put a ConditionCheck on it in their transaction: every transaction writing to the collection
 * would then touch its item, and concurrent ones (an import's chunks, parallel creates) would
 * cancel each other. Collections are never deleted, so the read stays true.
 */
export async function requireCollection(orgId: string, collectionId: string): Promise<StoredCollection> {
  const { Item } = await db.get({ Key: keys.collection(orgId, collectionId), ConsistentRead: true });
  if (!Item) throw new CollectionNotFound();
  return fromCollectionItem(Item);
}

/**
 * The collection, if `reader` may read it: operators and admins read every collection of the org,
 * a member token only the collections it is a member of. Anything else is `CollectionNotFound`,
 * exactly as a collection that does not exist, so a member cannot probe other collections' ids.
 * One strongly consistent read (a BatchGetItem of the collection and the membership for a member),
 * so a member added a moment ago reads at once.
 */
export async function readableCollection(
  reader: Reader,
  orgId: string,
  collectionId: string,
): Promise<StoredCollection> {
  const collectionKey = keys.collection(orgId, collectionId);
  if (readsEveryCollection(reader)) return requireCollection(orgId, collectionId);
  const userId = (reader as Extract<Reader, { kind: "user" }>).userId;
  const items = await db.batchGet([collectionKey, keys.member(orgId, collectionId, userId)], true);
  const collection = items.find((item) => item.sk === collectionKey.sk);
  const membership = items.find((item) => item.entity === "collectionMember");
  if (!collection || !membership) throw new CollectionNotFound();
  return fromCollectionItem(collection);
}
