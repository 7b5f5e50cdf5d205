import * as z from "zod/mini";
import { db, MAX_TRANSACTION_ITEMS, retryOnConflict } from "../storage";
import { logger } from "../util/logger";
import { requireCollection } from "./access";
import { changeData, commitContactChanges, createContact, invalidInput, newContact } from "./contacts";
import { ContactChanged, ContactEmailTaken, DuplicateEmailInImport } from "./errors";
import { ContactCreated, ContactDeleted } from "./events";
import {
  CONTACT_LIMITS,
  type Contact,
  type CreateContactInput,
  CreateContactInputSchema,
  type CreateContactsInput,
} from "./schemas";
import { fromContactItem, keys, planContactWrites, type StoredContact, toContact } from "./store";

/**
 * Bulk import: up to 1,000 contacts, all or nothing (docs/decisions.md, "Contacts and
 * collections"). DynamoDB has no transaction that large, so the import
 * 1. validates every item (a 400 lists each bad item's fields, `items.<index>.<field>`);
 * 2. refuses an email given to two items (409 naming it);
 * 3. reads every (collection, email) claim it would write (BatchGetItem) and refuses one that
 *    exists (409 naming it);
 * 4. writes the contacts in transactions of at most 100 items, each contact whole in one of them
 *    with its claims, lookup references and `contact.created`;
 * 5. if a transaction still loses (a concurrent write claimed an email after step 3), deletes the
 *    contacts the earlier transactions wrote, with `contact.deleted`, and answers the 409.
 * Until step 5 ends, a reader may see part of an import that is then taken back.
 */

/** Transactions of one import in flight at once: fast enough for 1,000 contacts in a few seconds. */
const WRITES_IN_FLIGHT = 4;
/** BatchGetItem requests (of 100 keys) in flight at once during the pre-check. */
const READS_IN_FLIGHT = 8;

const ImportSchema = z.object({
  items: z
    .array(CreateContactInputSchema)
    .check(
      z.minLength(1),
      z.maxLength(CONTACT_LIMITS.importItems, `at most ${CONTACT_LIMITS.importItems} contacts per import`),
    ),
});

/** Runs `work` over `inputs`, at most `inFlight` at a time, results in input order. */
async function mapInFlight<T, R>(
  inputs: readonly T[],
  inFlight: number,
  work: (input: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const index = next++;
      results[index] = await work(inputs[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(inFlight, inputs.length)) }, worker));
  return results;
}

function chunks<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < values.length; start += size) out.push(values.slice(start, start + size));
  return out;
}

/**
 * Groups contacts into transactions: each holds whole contacts and one outbox item, so at most
 * `MAX_TRANSACTION_ITEMS` items. A contact is at most 22 items (10 emails).
 */
export function packContacts(contacts: readonly StoredContact[]): StoredContact[][] {
  const budget = MAX_TRANSACTION_ITEMS - 1;
  const groups: StoredContact[][] = [];
  let current: StoredContact[] = [];
  let used = 0;
  for (const contact of contacts) {
    const size = planContactWrites({ after: contact }).length;
    if (used + size > budget && current.length > 0) {
      groups.push(current);
      current = [];
      used = 0;
    }
    current.push(contact);
    used += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** The first email (in input order) given to more than one item, with those items' indexes. */
function duplicateInBatch(items: readonly { emails: string[] }[]): DuplicateEmailInImport | undefined {
  const seen = new Map<string, number[]>();
  for (const [index, item] of items.entries()) {
    for (const email of item.emails) seen.set(email, [...(seen.get(email) ?? []), index]);
  }
  for (const [email, indexes] of seen) {
    if (indexes.length > 1) return new DuplicateEmailInImport(email, indexes);
  }
  return undefined;
}

/** The first email (in input order) a contact of the collection already holds. */
async function firstTaken(
  orgId: string,
  collectionId: string,
  emails: readonly string[],
): Promise<string | undefined> {
  const claimKeys = emails.map((email) => keys.emailClaim(orgId, collectionId, email));
  const found = (
    await mapInFlight(chunks(claimKeys, 100), READS_IN_FLIGHT, (group) => db.batchGet(group, true))
  ).flat();
  const taken = new Set(found.map((item) => item.email as string));
  return emails.find((email) => taken.has(email));
}

/**
 * Takes back what an import wrote before it failed: each contact, read again (a PATCH may have
 * changed it meanwhile; one never written is absent and skipped), is deleted with its claims and
 * references, and `contact.deleted`.
 */
async function compensate(orgId: string, written: readonly StoredContact[]): Promise<void> {
  for (const group of chunks(written, 100)) {
    await retryOnConflict(
      async () => {
        const items = await db.batchGet(
          group.map((contact) => keys.contact(orgId, contact.collectionId, contact.id)),
          true,
        );
        const current = items.map(fromContactItem);
        for (const part of packContacts(current)) {
          const now = new Date();
          await commitContactChanges(
            part.map((before) => ({ before })),
            part.map((before) => ContactDeleted.create(orgId, changeData({ before }), now)),
            { now },
          );
        }
      },
      (error) => error instanceof ContactChanged,
    );
  }
}

/**
 * Imports `items` into the collection, all or nothing: every contact is created, or none is (see
 * above). Returns the contacts in input order.
 */
export async function importContacts(
  orgId: string,
  collectionId: string,
  items: readonly CreateContactInput[],
  options: { now?: Date } = {},
): Promise<Contact[]> {
  const parsed = ImportSchema.safeParse({ items });
  if (!parsed.success) throw invalidInput("Some contacts of the import are invalid", parsed.error.issues);
  const inputs = parsed.data.items;

  await requireCollection(orgId, collectionId);
  const duplicate = duplicateInBatch(inputs);
  if (duplicate) throw duplicate;
  const taken = await firstTaken(
    orgId,
    collectionId,
    inputs.flatMap((input) => input.emails),
  );
  if (taken !== undefined) throw new ContactEmailTaken(taken);

  const now = options.now ?? new Date();
  const contacts = inputs.map((input) => newContact(orgId, collectionId, input, now));
  const groups = packContacts(contacts);
  // Every transaction sent, committed or not: one that failed in flight (a timeout) may still
  // have committed, and the compensation reads each contact back, skipping those that are absent.
  const sent: StoredContact[][] = [];
  let failure: unknown;
  await mapInFlight(groups, WRITES_IN_FLIGHT, async (group) => {
    // After a failure, the transactions not yet sent are not sent.
    if (failure !== undefined) return;
    sent.push(group);
    try {
      await retryOnConflict(
        () =>
          commitContactChanges(
            group.map((after) => ({ after })),
            group.map((after) => ContactCreated.create(orgId, changeData({ after }), now)),
            { now },
          ),
        () => false,
      );
    } catch (error) {
      failure ??= error;
    }
  });
  if (failure === undefined) return contacts.map(toContact);

  const toUndo = sent.flat();
  try {
    await compensate(orgId, toUndo);
  } catch (error) {
    // The contacts it could not take back stay, each whole (its claims and references with it).
    logger.error("a failed contact import could not be taken back", {
      orgId,
      collectionId,
      contactIdsSent: toUndo.map((contact) => contact.id),
      error,
    });
    throw error;
  }
  throw failure;
}

/** `POST …/contacts`: one contact, or a bulk import (`{items}`). */
export async function createContacts(
  orgId: string,
  collectionId: string,
  input: CreateContactsInput,
  options: { now?: Date } = {},
): Promise<Contact | { items: Contact[] }> {
  if (input.items !== undefined) {
    return { items: await importContacts(orgId, collectionId, input.items, options) };
  }
  const { name, emails, linkedinHandle } = input;
  return createContact(
    orgId,
    collectionId,
    { name: name ?? "", emails: emails ?? [], linkedinHandle },
    options,
  );
}
