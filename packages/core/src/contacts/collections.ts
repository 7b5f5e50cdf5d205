import { monotonicFactory } from "ulid";
import { UserNotFound } from "../identity/errors";
import { keys as identityKeys } from "../identity/store";
import { existsCheck as orgExistsCheck } from "../orgs/store";
import {
  commit,
  db,
  decodeCursor,
  encodeCursor,
  type Page,
  pageSize,
  queryPage,
  retryOnConflict,
} from "../storage";
import { type Reader, readableCollection, readsEveryCollection, requireCollection } from "./access";
import { CollectionCreated, CollectionMemberAdded, CollectionMemberRemoved } from "./events";
import {
  type Collection,
  type CollectionMember,
  type CreateCollectionInput,
  CreateCollectionInputSchema,
} from "./schemas";
import {
  collectionItem,
  fromCollectionItem,
  keys,
  memberItem,
  type StoredCollection,
  toCollection,
  toMember,
} from "./store";

/**
 * Collections of contacts and their members. A member of a collection reads its contacts and counts
 * in its reachability; admins and operators manage both.
 */

const nextCollectionId = monotonicFactory();

/** A membership put lost to an existing one: the user is a member already (an idempotent add). */
class AlreadyMember extends Error {
  override readonly name = "AlreadyMember";
}

/** A membership delete found none: nothing to remove (an idempotent remove). */
class NotAMember extends Error {
  override readonly name = "NotAMember";
}

/**
 * Creates a collection in the org, with `collection.created`, in one transaction that also checks
 * the org exists.
 */
export async function createCollection(
  orgId: string,
  input: CreateCollectionInput,
  options: { now?: Date } = {},
): Promise<Collection> {
  const { name } = CreateCollectionInputSchema.parse(input);
  const now = options.now ?? new Date();
  const timestamp = now.toISOString();
  const collection: StoredCollection = {
    id: nextCollectionId(now.getTime()),
    orgId,
    name,
    createdAt: timestamp,
    updatedAt: timestamp,
  };
  await retryOnConflict(
    () =>
      commit(
        [
          orgExistsCheck(orgId),
          { Put: { Item: collectionItem(collection), ConditionExpression: "attribute_not_exists(pk)" } },
        ],
        { events: [CollectionCreated.create(orgId, { collectionId: collection.id, name }, now)], now },
      ),
    () => false,
  );
  return toCollection(collection);
}

/** The collection, for a reader who may read it (`readableCollection`); else `CollectionNotFound`. */
export async function getCollection(
  reader: Reader,
  orgId: string,
  collectionId: string,
): Promise<Collection> {
  return toCollection(await readableCollection(reader, orgId, collectionId));
}

const COLLECTION_CURSOR = ["pk", "sk", "gsi1pk", "gsi1sk"] as const;
const MEMBER_CURSOR = ["pk", "sk", "gsi2pk", "gsi2sk"] as const;

/**
 * One page of collections, by name: every collection of the org for operators and admins, and for
 * a member token only the collections it belongs to (one Query of its memberships, then one
 * BatchGetItem of those collections).
 */
export async function listCollections(
  reader: Reader,
  orgId: string,
  input: { limit?: string | number; cursor?: string },
): Promise<Page<Collection>> {
  const limit = pageSize(input.limit);
  if (readsEveryCollection(reader)) {
    const gsi1pk = keys.collectionsByName(orgId);
    const { items, nextKey } = await queryPage(
      {
        IndexName: "gsi1",
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": gsi1pk },
        ExclusiveStartKey: decodeCursor(input.cursor, { keys: COLLECTION_CURSOR, partition: { gsi1pk } }),
      },
      limit,
      COLLECTION_CURSOR,
    );
    return {
      items: items.map((item) => toCollection(fromCollectionItem(item))),
      nextCursor: encodeCursor(nextKey),
    };
  }
  const userId = (reader as Extract<Reader, { kind: "user" }>).userId;
  const gsi2pk = keys.collectionsOfMember(orgId, userId);
  const { items: memberships, nextKey } = await queryPage(
    {
      IndexName: "gsi2",
      KeyConditionExpression: "gsi2pk = :pk",
      ExpressionAttributeValues: { ":pk": gsi2pk },
      ExclusiveStartKey: decodeCursor(input.cursor, { keys: MEMBER_CURSOR, partition: { gsi2pk } }),
    },
    limit,
    MEMBER_CURSOR,
  );
  const collectionKeys = memberships.map((item) => keys.collection(orgId, item.collectionId as string));
  const byId = new Map(
    (await db.batchGet(collectionKeys)).map((item) => [item.id as string, fromCollectionItem(item)]),
  );
  const items = memberships.flatMap((item) => {
    const collection = byId.get(item.collectionId as string);
    return collection ? [toCollection(collection)] : [];
  });
  return { items, nextCursor: encodeCursor(nextKey) };
}

/**
 * Makes a user of the org a member of the collection. The user's existence is checked in the same
 * transaction as the membership (`user_not_found` otherwise). Adding a member twice changes
 * nothing: `added` is false and the existing membership is returned, with no event.
 */
export async function addMember(
  orgId: string,
  collectionId: string,
  userId: string,
  options: { now?: Date } = {},
): Promise<{ added: boolean; member: CollectionMember }> {
  const collection = await requireCollection(orgId, collectionId);
  const existing = await db.get({ Key: keys.member(orgId, collectionId, userId), ConsistentRead: true });
  if (existing.Item) return { added: false, member: toMember(existing.Item) };
  const now = options.now ?? new Date();
  const item = memberItem(collection, userId, now.toISOString());
  try {
    await retryOnConflict(
      () =>
        commit(
          [
            {
              Put: { Item: item, ConditionExpression: "attribute_not_exists(pk)" },
              onConditionFailed: () => new AlreadyMember(),
            },
            {
              ConditionCheck: {
                Key: identityKeys.user(orgId, userId),
                ConditionExpression: "attribute_exists(pk)",
              },
              onConditionFailed: () => new UserNotFound(),
            },
          ],
          { events: [CollectionMemberAdded.create(orgId, { collectionId, userId }, now)], now },
        ),
      () => false,
    );
  } catch (error) {
    if (!(error instanceof AlreadyMember)) throw error;
    // A concurrent add won: that membership is the answer.
    const { Item } = await db.get({ Key: keys.member(orgId, collectionId, userId), ConsistentRead: true });
    return { added: false, member: Item ? toMember(Item) : toMember(item) };
  }
  return { added: true, member: toMember(item) };
}

/**
 * Ends a user's membership of the collection. Removing someone who is not a member changes nothing
 * (still a success, with no event); an unknown collection is `CollectionNotFound`.
 */
export async function removeMember(
  orgId: string,
  collectionId: string,
  userId: string,
  options: { now?: Date } = {},
): Promise<{ removed: boolean }> {
  await requireCollection(orgId, collectionId);
  const now = options.now ?? new Date();
  try {
    await retryOnConflict(
      () =>
        commit(
          [
            {
              Delete: {
                Key: keys.member(orgId, collectionId, userId),
                ConditionExpression: "attribute_exists(pk)",
              },
              onConditionFailed: () => new NotAMember(),
            },
          ],
          { events: [CollectionMemberRemoved.create(orgId, { collectionId, userId }, now)], now },
        ),
      () => false,
    );
  } catch (error) {
    if (error instanceof NotAMember) return { removed: false };
    throw error;
  }
  return { removed: true };
}

/** One page of the collection's members, by user id, for a reader of the collection. */
export async function listMembers(
  reader: Reader,
  orgId: string,
  collectionId: string,
  input: { limit?: string | number; cursor?: string },
): Promise<Page<CollectionMember>> {
  await readableCollection(reader, orgId, collectionId);
  const pk = keys.collectionPartition(orgId, collectionId);
  const cursorKeys = ["pk", "sk"] as const;
  const { items, nextKey } = await queryPage(
    {
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": pk, ":prefix": keys.memberPrefix },
      ExclusiveStartKey: decodeCursor(input.cursor, {
        keys: cursorKeys,
        partition: { pk },
        prefixes: { sk: keys.memberPrefix },
      }),
    },
    pageSize(input.limit),
    cursorKeys,
  );
  return { items: items.map(toMember), nextCursor: encodeCursor(nextKey) };
}
