import { monotonicFactory } from "ulid";
import type * as core from "zod/v4/core";
import type { DomainEvent } from "../events";
import { commit, db, retryOnConflict } from "../storage";
import { InvalidInput } from "../util/errors";
import { requireCollection } from "./access";
import { ContactChanged, ContactNotFound, LookupGone } from "./errors";
import { ContactCreated, ContactDeleted, ContactUpdated } from "./events";
import {
  type Contact,
  type CreateContactInput,
  CreateContactInputSchema,
  type UpdateContactInput,
  UpdateContactInputSchema,
  type ValidContactInput,
} from "./schemas";
import {
  emailsGained,
  emailsLost,
  fromContactItem,
  keys,
  planContactWrites,
  type StoredContact,
  toContact,
} from "./store";

/**
 * Contacts of a collection: the people a team wants to reach. Each write is one transaction holding
 * the contact item (conditioned on the version read), the claim of every email it gains or frees,
 * the rollup's lookup item of each of those emails, and its domain event. Contacts come only from
 * these functions, never from mail.
 */

const nextContactId = monotonicFactory();

/** A new contact's stored form; ids are time-ordered, so contacts created together keep their order. */
export function newContact(
  orgId: string,
  collectionId: string,
  input: ValidContactInput,
  now: Date,
): StoredContact {
  const timestamp = now.toISOString();
  return {
    id: nextContactId(now.getTime()),
    orgId,
    collectionId,
    name: input.name,
    emails: input.emails,
    linkedinHandle: input.linkedinHandle ?? null,
    createdAt: timestamp,
    updatedAt: timestamp,
    version: 1,
  };
}

/** What a contact's event says changed: the emails gained and lost between the two states. */
export function changeData(change: { before?: StoredContact; after?: StoredContact }) {
  const contact = (change.after ?? change.before) as StoredContact;
  return {
    collectionId: contact.collectionId,
    contactId: contact.id,
    emailsAdded: emailsGained(change.before, change.after),
    emailsRemoved: emailsLost(change.before, change.after),
  };
}

/** `zod` issues → the contract's `details`, each field named by its dotted path (`items.3.name`). */
export function invalidInput(message: string, issues: readonly core.$ZodIssue[]): InvalidInput {
  const details: Record<string, string> = {};
  for (const issue of issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
    details[field] ??= issue.message;
  }
  return new InvalidInput(message, details);
}

/**
 * Commits the writes of several contacts' changes, with their events, as one transaction. A
 * lookup item that vanished under a removal (the rollup owns those items) leaves nothing to remove:
 * the transaction is built again without that removal, at most once per email.
 */
export async function commitContactChanges(
  changes: readonly { before?: StoredContact; after?: StoredContact }[],
  events: readonly DomainEvent[],
  options: { now?: Date } = {},
): Promise<void> {
  const goneLookups = new Set<string>();
  for (;;) {
    const items = changes.flatMap((change) => planContactWrites(change, goneLookups));
    try {
      await commit(items, { events, now: options.now });
      return;
    } catch (error) {
      if (!(error instanceof LookupGone) || goneLookups.has(error.email)) throw error;
      goneLookups.add(error.email);
    }
  }
}

const isContactChanged = (error: unknown) => error instanceof ContactChanged;

/** The contact as stored, read strongly consistent (callers go on to write). */
export async function requireContact(
  orgId: string,
  collectionId: string,
  contactId: string,
): Promise<StoredContact> {
  const { Item } = await db.get({ Key: keys.contact(orgId, collectionId, contactId), ConsistentRead: true });
  if (!Item) throw new ContactNotFound();
  return fromContactItem(Item);
}

/**
 * Creates one contact in an existing collection. The contact and a claim per email are one
 * transaction: an email another contact of the collection holds (even one a concurrent request
 * claims a moment earlier) is `email_taken`, naming it, and nothing is written.
 */
export async function createContact(
  orgId: string,
  collectionId: string,
  input: CreateContactInput,
  options: { now?: Date } = {},
): Promise<Contact> {
  const parsed = CreateContactInputSchema.safeParse(input);
  if (!parsed.success) throw invalidInput("The contact is invalid", parsed.error.issues);
  await requireCollection(orgId, collectionId);
  const now = options.now ?? new Date();
  const contact = newContact(orgId, collectionId, parsed.data, now);
  // A transaction that collides with another on the same claim is cancelled without a condition
  // result; run it again, and it then commits or names the claim it lost.
  await retryOnConflict(
    () =>
      commitContactChanges(
        [{ after: contact }],
        [ContactCreated.create(orgId, changeData({ after: contact }), now)],
        { now },
      ),
    () => false,
  );
  return toContact(contact);
}

/**
 * Reading contacts (the list with reachability, the detail with connections) is strength's: the
 * items it reads are strength's (scoring/read.ts).
 */
export { getContactDetail as getContact, listContacts } from "../scoring/read";

function sameContent(a: StoredContact, b: StoredContact): boolean {
  return (
    a.name === b.name &&
    a.linkedinHandle === b.linkedinHandle &&
    a.emails.length === b.emails.length &&
    a.emails.every((email, index) => b.emails[index] === email)
  );
}

/**
 * Applies a partial update; `emails` replaces the list. Each email gained is claimed (409
 * `email_taken` naming it, nothing written) and gets the contact's reference on its lookup item;
 * each email lost frees its claim and reference. A lost race with another write of the contact is
 * retried on fresh state. A PATCH that changes nothing writes nothing.
 */
export async function updateContact(
  orgId: string,
  collectionId: string,
  contactId: string,
  input: UpdateContactInput,
  options: { now?: Date } = {},
): Promise<Contact> {
  const parsed = UpdateContactInputSchema.safeParse(input);
  if (!parsed.success) throw invalidInput("The change is invalid", parsed.error.issues);
  const changes = parsed.data;
  return retryOnConflict(async () => {
    const before = await requireContact(orgId, collectionId, contactId);
    const now = options.now ?? new Date();
    const after: StoredContact = {
      ...before,
      name: changes.name ?? before.name,
      emails: changes.emails ?? before.emails,
      linkedinHandle: changes.linkedinHandle !== undefined ? changes.linkedinHandle : before.linkedinHandle,
      updatedAt: now.toISOString(),
      version: before.version + 1,
    };
    if (sameContent(before, after)) return toContact(before);
    await commitContactChanges(
      [{ before, after }],
      [ContactUpdated.create(orgId, changeData({ before, after }), now)],
      {
        now,
      },
    );
    return toContact(after);
  }, isContactChanged);
}

/** Deletes the contact with its claims, and takes its reference off each email's lookup item. */
export async function deleteContact(
  orgId: string,
  collectionId: string,
  contactId: string,
  options: { now?: Date } = {},
): Promise<void> {
  await retryOnConflict(async () => {
    const before = await requireContact(orgId, collectionId, contactId);
    const now = options.now ?? new Date();
    await commitContactChanges([{ before }], [ContactDeleted.create(orgId, changeData({ before }), now)], {
      now,
    });
  }, isContactChanged);
}
