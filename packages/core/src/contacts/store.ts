import { addContactRef, contactRef, removeContactRef } from "../rollup/keys";
import { deleteReachItem, upsertReachItem } from "../scoring/keys";
import type { GuardedItem } from "../storage";
import { ContactChanged, ContactEmailTaken, LookupGone } from "./errors";
import type { Collection, CollectionMember, Contact } from "./schemas";

/**
 * How collections, their members and their contacts are laid out in the single table
 * (docs/data-model.md, "Collections and contacts"), and how a change to one contact turns into
 * transaction items. A collection's own items share its partition; each (collection, email) claim
 * has a partition of its own, so a bulk import's writes spread over many partitions.
 */

export const keys = {
  collectionPartition: (orgId: string, collectionId: string) => `ORG#${orgId}#COLLECTION#${collectionId}`,
  collection: (orgId: string, collectionId: string) => ({
    pk: keys.collectionPartition(orgId, collectionId),
    sk: "#COLLECTION",
  }),
  /** gsi1 of the collection items: the org's collections, by name. */
  collectionsByName: (orgId: string) => `ORG#${orgId}#COLLECTIONS`,
  member: (orgId: string, collectionId: string, userId: string) => ({
    pk: keys.collectionPartition(orgId, collectionId),
    sk: `${keys.memberPrefix}${userId}`,
  }),
  memberPrefix: "MEMBER#",
  /** gsi2 of the membership items: one member's collections, by the collection's name. */
  collectionsOfMember: (orgId: string, userId: string) => `ORG#${orgId}#MEMBER#${userId}#COLLECTIONS`,
  contact: (orgId: string, collectionId: string, contactId: string) => ({
    pk: keys.collectionPartition(orgId, collectionId),
    sk: `CONTACT#${contactId}`,
  }),
  /** gsi1 of the contact items: a collection's contacts, by name then id. */
  contactsByName: (collectionId: string) => `COLLECTION#${collectionId}#CONTACTS`,
  /** gsi2 of the contact items: the org's contacts with one LinkedIn handle, in any collection (enrichment matches by it). */
  contactsByHandle: (orgId: string, handle: string) => `ORG#${orgId}#LINKEDIN#${handle.toLowerCase()}`,
  /** The claim that makes an email one contact's within its collection. */
  emailClaim: (orgId: string, collectionId: string, email: string) => ({
    pk: `ORG#${orgId}#COLLECTION#${collectionId}#EMAIL#${email}`,
    sk: "#CLAIM",
  }),
};

export interface StoredCollection {
  id: string;
  orgId: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface StoredContact {
  id: string;
  orgId: string;
  collectionId: string;
  name: string;
  /** Lower-cased and trimmed, each claimed in the collection; 1 to 10. */
  emails: string[];
  linkedinHandle: string | null;
  createdAt: string;
  updatedAt: string;
  /** Incremented by every write; each write is conditioned on the version it read. */
  version: number;
}

/** Below every character a name key keeps (control characters are dropped from the key). */
const NAME_SEPARATOR = String.fromCharCode(1);

/**
 * A case-insensitive name, then the id, so equal names stay distinct and a list never skips or
 * repeats one; "Al" sorts before "Al Green".
 */
export function nameSortKey(name: string, id: string): string {
  const folded = [...name.toLocaleLowerCase("en-US")]
    .filter((character) => character >= " ")
    .join("")
    .slice(0, 200);
  return `${folded}${NAME_SEPARATOR}${id}`;
}

export function collectionItem(collection: StoredCollection): Record<string, unknown> {
  return {
    ...keys.collection(collection.orgId, collection.id),
    entity: "collection",
    ...collection,
    gsi1pk: keys.collectionsByName(collection.orgId),
    gsi1sk: nameSortKey(collection.name, collection.id),
  };
}

export function fromCollectionItem(item: Record<string, unknown>): StoredCollection {
  return {
    id: item.id as string,
    orgId: item.orgId as string,
    name: item.name as string,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}

export function toCollection(collection: StoredCollection): Collection {
  const { id, name, createdAt, updatedAt } = collection;
  return { id, name, createdAt, updatedAt };
}

export function memberItem(collection: StoredCollection, userId: string, addedAt: string) {
  return {
    ...keys.member(collection.orgId, collection.id, userId),
    entity: "collectionMember",
    orgId: collection.orgId,
    collectionId: collection.id,
    userId,
    addedAt,
    // The member's collections list in the same order as the org's.
    gsi2pk: keys.collectionsOfMember(collection.orgId, userId),
    gsi2sk: nameSortKey(collection.name, collection.id),
  };
}

export function toMember(item: Record<string, unknown>): CollectionMember {
  return {
    collectionId: item.collectionId as string,
    userId: item.userId as string,
    addedAt: item.addedAt as string,
  };
}

export function contactItem(contact: StoredContact): Record<string, unknown> {
  return {
    ...keys.contact(contact.orgId, contact.collectionId, contact.id),
    entity: "contact",
    ...contact,
    gsi1pk: keys.contactsByName(contact.collectionId),
    gsi1sk: nameSortKey(contact.name, contact.id),
    ...(contact.linkedinHandle
      ? {
          gsi2pk: keys.contactsByHandle(contact.orgId, contact.linkedinHandle),
          gsi2sk: `${contact.collectionId}#${contact.id}`,
        }
      : {}),
  };
}

export function fromContactItem(item: Record<string, unknown>): StoredContact {
  return {
    id: item.id as string,
    orgId: item.orgId as string,
    collectionId: item.collectionId as string,
    name: item.name as string,
    emails: (item.emails as string[] | undefined) ?? [],
    linkedinHandle: (item.linkedinHandle as string | null | undefined) ?? null,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    version: item.version as number,
  };
}

export function toContact(contact: StoredContact): Contact {
  const { id, collectionId, name, emails, linkedinHandle, createdAt, updatedAt } = contact;
  return { id, collectionId, name, emails, linkedinHandle, createdAt, updatedAt };
}

/** The emails `after` carries and `before` does not. */
export function emailsGained(before: StoredContact | undefined, after: StoredContact | undefined): string[] {
  const had = new Set(before?.emails ?? []);
  return (after?.emails ?? []).filter((email) => !had.has(email));
}

/** The emails `before` carried and `after` does not. */
export function emailsLost(before: StoredContact | undefined, after: StoredContact | undefined): string[] {
  return emailsGained(after, before);
}

/**
 * Every write of one contact's change ("before → after": a create, an update or a delete), for one
 * transaction:
 * - the contact item, put on create (`attribute_not_exists`), else conditioned on the version read;
 * - a claim for every email gained, `attribute_not_exists`, so two contacts of a collection can never
 *   both hold an email, even when two requests race (`email_taken`, naming it);
 * - the claim of every email lost, deleted only while this contact owns it (never another's);
 * - the rollup's lookup item per (org, email): the contact's reference added for every email gained
 *   and removed for every email lost (except those in `goneLookups`, which no longer exist);
 * - the contact's reachability item: created with the contact (tier `none`), renamed with it (the
 *   `sort=name` order within a tier), deleted with it.
 * The lookup updates come last: when several conditions fail, the first in request order names the
 * error, and a claim or version conflict is the one a caller needs to see.
 */
export function planContactWrites(
  change: { before?: StoredContact; after?: StoredContact },
  goneLookups: ReadonlySet<string> = new Set(),
): GuardedItem[] {
  const { before, after } = change;
  const contact = (after ?? before) as StoredContact;
  const { orgId, collectionId, id } = contact;
  const ref = contactRef(collectionId, id);
  const items: GuardedItem[] = [];
  if (after) {
    items.push({
      Put: {
        Item: contactItem(after),
        ...(before
          ? {
              ConditionExpression: "version = :version",
              ExpressionAttributeValues: { ":version": before.version },
            }
          : { ConditionExpression: "attribute_not_exists(pk)" }),
      },
      onConditionFailed: () => new ContactChanged(),
    });
  } else if (before) {
    items.push({
      Delete: {
        Key: keys.contact(orgId, collectionId, id),
        ConditionExpression: "version = :version",
        ExpressionAttributeValues: { ":version": before.version },
      },
      onConditionFailed: () => new ContactChanged(),
    });
  }
  if (after && (!before || before.name !== after.name)) {
    items.push(upsertReachItem(after, nameSortKey(after.name, after.id), after.updatedAt));
  } else if (!after && before) {
    items.push(deleteReachItem(before));
  }
  const gained = emailsGained(before, after);
  const lost = emailsLost(before, after);
  for (const email of gained) {
    items.push({
      Put: {
        Item: {
          ...keys.emailClaim(orgId, collectionId, email),
          entity: "contactEmailClaim",
          orgId,
          collectionId,
          email,
          contactId: id,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      },
      onConditionFailed: () => new ContactEmailTaken(email),
    });
  }
  for (const email of lost) {
    items.push({
      Delete: {
        Key: keys.emailClaim(orgId, collectionId, email),
        // Absent is fine too: that is the state this delete brings about.
        ConditionExpression: "attribute_not_exists(pk) OR contactId = :contactId",
        ExpressionAttributeValues: { ":contactId": id },
      },
      onConditionFailed: () => new ContactChanged(),
    });
  }
  for (const email of gained) items.push(addContactRef(orgId, email, ref));
  for (const email of lost) {
    if (goneLookups.has(email)) continue;
    items.push({ ...removeContactRef(orgId, email, ref), onConditionFailed: () => new LookupGone(email) });
  }
  return items;
}
