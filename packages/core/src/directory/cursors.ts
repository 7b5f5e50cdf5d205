import { commit, db, type GuardedItem, TransactionCancelled } from "../storage";

/**
 * Where each directory event stream stands: one cursor per directory organization (its
 * organization and membership events) and one for the user stream (`user.*` events, which concern
 * no organization). Cursors only ever move forward, so a replayed event cannot move one back.
 */

export const cursorKeys = {
  organization: (directoryOrgId: string) => ({ pk: `DIRSYNC#${directoryOrgId}`, sk: "#CURSOR" }),
  users: () => ({ pk: "DIRSYNC_USERS", sk: "#CURSOR" }),
};

/** The gsi1 partition listing every organization cursor: the daily reconcile's work list. */
const CURSOR_INDEX_PARTITION = "DIRSYNC";

export interface Cursor {
  lastEventId?: string;
  syncedAt?: string;
}

/** Moves an organization's cursor to `eventId`, as a transaction item; never backwards. */
export function organizationCursorItem(directoryOrgId: string, eventId: string, now: Date): GuardedItem {
  return {
    Update: {
      Key: cursorKeys.organization(directoryOrgId),
      UpdateExpression:
        "SET entity = :entity, directoryOrgId = :dir, lastEventId = :eventId, syncedAt = :now, gsi1pk = :index, gsi1sk = :dir",
      ConditionExpression: "attribute_not_exists(lastEventId) OR lastEventId < :eventId",
      ExpressionAttributeValues: {
        ":entity": "directoryCursor",
        ":dir": directoryOrgId,
        ":eventId": eventId,
        ":now": now.toISOString(),
        ":index": CURSOR_INDEX_PARTITION,
      },
    },
  };
}

/** Moves the user stream's cursor to `eventId`; it stays out of the reconcile's organization list. */
export function usersCursorItem(eventId: string, now: Date): GuardedItem {
  return {
    Update: {
      Key: cursorKeys.users(),
      UpdateExpression: "SET entity = :entity, lastEventId = :eventId, syncedAt = :now",
      ConditionExpression: "attribute_not_exists(lastEventId) OR lastEventId < :eventId",
      ExpressionAttributeValues: {
        ":entity": "directoryUsersCursor",
        ":eventId": eventId,
        ":now": now.toISOString(),
      },
    },
  };
}

/** Moves a cursor unless it is already at or past the event (a replay). */
export async function advance(item: GuardedItem): Promise<void> {
  try {
    await commit([item]);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
  }
}

/** The stored cursor of a directory organization. */
export async function cursor(directoryOrgId: string): Promise<Cursor | undefined> {
  const result = await db.get({ Key: cursorKeys.organization(directoryOrgId), ConsistentRead: true });
  return result.Item as Cursor | undefined;
}

/** The stored cursor of the user stream. */
export async function usersCursor(): Promise<Cursor | undefined> {
  const result = await db.get({ Key: cursorKeys.users(), ConsistentRead: true });
  return result.Item as Cursor | undefined;
}

/** Every directory organization we hold a cursor for (the reconcile schedule's work list). */
export async function knownDirectoryOrganizations(): Promise<string[]> {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await db.query({
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": CURSOR_INDEX_PARTITION },
      ExclusiveStartKey: startKey,
    });
    for (const item of result.Items ?? []) ids.push(item.directoryOrgId as string);
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return ids;
}
