import { ConditionFailed, db, type GuardedItem } from "../storage";
import { DirectoryChangeStale } from "./errors";
import { keys } from "./store";

/**
 * The writes directory sync makes to an org. They live here, with the org's other writes, so the
 * org module alone knows the item's update expressions; directory sync decides when to make them.
 */

/**
 * The ordering guard, as a condition: a change applies only if its event id is greater than the
 * last one applied; with no event id stored (an org linked or created another way), only if its
 * `updated_at` is not older than the directory timestamp stored.
 */
const ORDERING_GUARD =
  "attribute_exists(pk) AND (lastEventId < :eventId OR (attribute_not_exists(lastEventId) AND " +
  "(attribute_not_exists(directoryUpdatedAt) OR directoryUpdatedAt <= :directoryUpdatedAt)))";

export interface DirectoryChange {
  orgId: string;
  directoryOrgId: string;
  eventId: string;
  name: string;
  /** The directory's `updated_at` of this state. */
  directoryUpdatedAt: string;
  /** The org's status after the change: a delete disables, nothing re-enables. */
  status: "active" | "disabled";
  now: Date;
}

/** One directory event applied to an existing org, as a transaction item under the ordering guard. */
export function directoryChangeItem(change: DirectoryChange): GuardedItem {
  return {
    Update: {
      Key: keys.org(change.orgId),
      UpdateExpression:
        "SET #name = :name, directoryId = :dir, lastEventId = :eventId, directoryUpdatedAt = :directoryUpdatedAt, " +
        "updatedAt = :now, #status = :status",
      ConditionExpression: ORDERING_GUARD,
      ExpressionAttributeNames: { "#name": "name", "#status": "status" },
      ExpressionAttributeValues: {
        ":name": change.name,
        ":dir": change.directoryOrgId,
        ":eventId": change.eventId,
        ":directoryUpdatedAt": change.directoryUpdatedAt,
        ":now": change.now.toISOString(),
        ":status": change.status,
      },
    },
    onConditionFailed: () => new DirectoryChangeStale(change.orgId, change.eventId),
  };
}

/**
 * A snapshot of the directory organization (no event id) renames the org if it is newer than what
 * the org holds; an older or equal one changes nothing.
 */
export async function applyDirectorySnapshot(
  orgId: string,
  snapshot: { name: string; directoryUpdatedAt: string },
  now = new Date(),
): Promise<boolean> {
  try {
    await db.update({
      Key: keys.org(orgId),
      UpdateExpression: "SET #name = :name, directoryUpdatedAt = :directoryUpdatedAt, updatedAt = :now",
      ConditionExpression:
        "attribute_exists(pk) AND (attribute_not_exists(directoryUpdatedAt) OR directoryUpdatedAt < :directoryUpdatedAt)",
      ExpressionAttributeNames: { "#name": "name" },
      ExpressionAttributeValues: {
        ":name": snapshot.name,
        ":directoryUpdatedAt": snapshot.directoryUpdatedAt,
        ":now": now.toISOString(),
      },
    });
    return true;
  } catch (error) {
    if (error instanceof ConditionFailed) return false;
    throw error;
  }
}

/** Disables an org whose directory organization is gone (deleted longer ago than events are kept). */
export async function disableForDirectory(orgId: string, now = new Date()): Promise<void> {
  await db.update({
    Key: keys.org(orgId),
    UpdateExpression: "SET #status = :disabled, updatedAt = :now",
    ConditionExpression: "attribute_exists(pk)",
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: { ":disabled": "disabled", ":now": now.toISOString() },
  });
}
