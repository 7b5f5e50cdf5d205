import type { TransactItem } from "../storage";

/**
 * Where the rollup keeps its state. Everything about one correspondent of an org lives in one
 * partition, `CORR#<org>#<email>`:
 * - `#LOOKUP`: the lookup item per (org, email). It holds the contacts that carry the email (in any
 *   collection of the org) and, summed over the members, the signal the unresolved-correspondents
 *   queue ranks by. It is in that queue's index (gsi1 `ORG#<org>#UNRESOLVED`) exactly when no
 *   contact carries the email and some member has a counted interaction with it.
 * - `STATS#<user>`: the statistics per (user, correspondent), with the state their incremental
 *   update needs (per-quarter counts, the next time a window edge passes).
 * - `THREAD#<user>#<thread>`: per (user, correspondent, thread): counted messages each way, their
 *   latest times, and the events the state already reflects (so a redelivery changes nothing).
 * Reading a correspondent's members, or rebuilding one pair, is then a Query on one partition.
 */

export const rollupKeys = {
  partition: (orgId: string, email: string) => `CORR#${orgId}#${email}`,
  lookup: (orgId: string, email: string) => ({ pk: rollupKeys.partition(orgId, email), sk: "#LOOKUP" }),
  pairStats: (orgId: string, userId: string, email: string) => ({
    pk: rollupKeys.partition(orgId, email),
    sk: `STATS#${userId}`,
  }),
  pairStatsPrefix: "STATS#",
  thread: (orgId: string, userId: string, email: string, threadKey: string) => ({
    pk: rollupKeys.partition(orgId, email),
    sk: `THREAD#${userId}#${threadKey}`,
  }),
  threadPrefix: (userId: string) => `THREAD#${userId}#`,
  /** gsi1 of the lookup items: the org's unresolved correspondents, best first. */
  unresolved: (orgId: string) => `ORG#${orgId}#UNRESOLVED`,
  /** gsi1 of the pair items: every pair of the org, by the next time a window edge passes. */
  pairsByAging: (orgId: string) => `ORG#${orgId}#PAIRS`,
  /** gsi2 of the pair items: the pairs of the org by the hour they last changed. */
  pairsByTouch: (orgId: string) => `ORG#${orgId}#PAIRS-TOUCHED`,
};

/** How a contact is named in a lookup item's `contactRefs` set: `<collectionId>/<contactId>`. */
export function contactRef(collectionId: string, contactId: string): string {
  return `${collectionId}/${contactId}`;
}

export interface ContactRef {
  collectionId: string;
  contactId: string;
}

export function parseContactRef(ref: string): ContactRef {
  const slash = ref.indexOf("/");
  return { collectionId: ref.slice(0, slash), contactId: ref.slice(slash + 1) };
}

/**
 * A contact now carries this email: part of the contact's own transaction. The email leaves the
 * unresolved queue at once; `version` moves so a rollup write that read the item before retries.
 */
export function addContactRef(orgId: string, email: string, ref: string): TransactItem {
  return {
    Update: {
      Key: rollupKeys.lookup(orgId, email),
      UpdateExpression:
        "ADD contactRefs :ref, version :one SET entity = :entity, orgId = :org, email = :email REMOVE gsi1pk, gsi1sk",
      ExpressionAttributeValues: {
        ":ref": new Set([ref]),
        ":one": 1,
        ":entity": "correspondent",
        ":org": orgId,
        ":email": email,
      },
    },
  };
}

/**
 * The contact no longer carries this email. Whether the email goes back into the unresolved
 * queue depends on the signal stored on the item, so `settleLookup` (rollup) re-reads it afterwards.
 */
export function removeContactRef(orgId: string, email: string, ref: string): TransactItem {
  return {
    Update: {
      Key: rollupKeys.lookup(orgId, email),
      UpdateExpression: "DELETE contactRefs :ref ADD version :one",
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeValues: { ":ref": new Set([ref]), ":one": 1 },
    },
  };
}
