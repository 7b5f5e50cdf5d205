import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { scanTable, type TableItem, useFreshTableWithOrg } from "../../../../test/support/integration";
import * as Identity from "../identity";
import { contactRef, rollupKeys } from "../rollup/keys";
import { db } from "../storage";
import { InvalidInput } from "../util/errors";
import type { Reader } from "./access";
import { readableCollection } from "./access";
import { addMember, createCollection, listCollections, listMembers, removeMember } from "./collections";
import { createContact, deleteContact, getContact, listContacts, updateContact } from "./contacts";
import { CollectionNotFound, ContactEmailTaken, ContactNotFound } from "./errors";
import { importContacts } from "./import";
import type { Contact, ContactListItem } from "./schemas";
import { keys } from "./store";

/**
 * Collections and contacts against DynamoDB Local: claims, the rollup's lookup references, the
 * outbox events each write carries, the all-or-nothing bulk import (with its compensation) and who
 * may read a collection.
 */

let table: Awaited<ReturnType<typeof useFreshTableWithOrg>>;
let orgId: string;
const operator: Reader = { kind: "operator" };
const admin: Reader = { kind: "user", userId: "admin-user", accessRole: "admin" };

beforeAll(async () => {
  table = await useFreshTableWithOrg("Contacts Org");
  orgId = table.orgId;
});

afterAll(async () => {
  await table?.drop();
});

afterEach(() => {
  vi.restoreAllMocks();
});

let counter = 0;
function email(prefix = "person"): string {
  counter += 1;
  return `${prefix}.${counter}@example.com`;
}

async function collection(name = "Prospects") {
  return createCollection(orgId, { name });
}

async function member(name = "Member"): Promise<{ id: string; reader: Reader }> {
  const user = await Identity.create(orgId, { name }, { actor: "op:test" });
  return { id: user.id, reader: { kind: "user", userId: user.id, accessRole: "member" } };
}

interface OutboxEvent {
  id: string;
  type: string;
  orgId: string | null;
  data: Record<string, unknown>;
}

/** Every domain event the table's outbox holds, in write order of their ids. */
function outboxEvents(items: readonly TableItem[]): OutboxEvent[] {
  return items
    .filter((item) => item.entity === "outbox")
    .flatMap((item) => JSON.parse(String(item.outbox)) as OutboxEvent[])
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Items of one collection's contacts and claims: what "nothing was written" is about. */
function contactItems(items: readonly TableItem[], collectionId: string): TableItem[] {
  return items.filter(
    (item) =>
      (item.entity === "contact" || item.entity === "contactEmailClaim") &&
      item.collectionId === collectionId,
  );
}

async function lookupRefs(address: string): Promise<string[]> {
  const { Item } = await db.get({ Key: rollupKeys.lookup(orgId, address), ConsistentRead: true });
  return [...((Item?.contactRefs as Set<string> | undefined) ?? [])].sort();
}

async function claimOwner(collectionId: string, address: string): Promise<unknown> {
  return (await db.get({ Key: keys.emailClaim(orgId, collectionId, address), ConsistentRead: true })).Item
    ?.contactId;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("collections", () => {
  it("create writes the collection with collection.created in the same write", async () => {
    // prepare
    const now = new Date("2031-02-03T04:05:06.000Z");

    // act
    const created = await createCollection(orgId, { name: "  Series A Investors " }, { now });

    // assess
    expect(created).toEqual({
      id: expect.any(String),
      name: "Series A Investors",
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    const events = outboxEvents(await scanTable()).filter((event) => event.type === "collection.created");
    expect(events).toContainEqual(
      expect.objectContaining({ orgId, data: { collectionId: created.id, name: "Series A Investors" } }),
    );
  });

  it("a collection in an org that does not exist is org_not_found and writes nothing", async () => {
    // prepare
    const before = await scanTable();

    // act
    const error = await caught(createCollection("00000000-0000-4000-8000-00000000dead", { name: "Ghost" }));

    // assess
    expect(error).toMatchObject({ status: 404, code: "org_not_found" });
    expect(await scanTable()).toEqual(before);
  });

  it("adding a member checks the user exists, is idempotent, and each change carries its event", async () => {
    // prepare
    const target = await collection("Members");
    const { id: userId } = await member();

    // act
    const first = await addMember(orgId, target.id, userId);
    const again = await addMember(orgId, target.id, userId);
    const unknownUser = await caught(addMember(orgId, target.id, "01JNOSUCHUSER0000000000000"));
    const unknownCollection = await caught(addMember(orgId, "01JNOSUCHCOLLECTION0000000", userId));
    const removed = await removeMember(orgId, target.id, userId);
    const removedAgain = await removeMember(orgId, target.id, userId);

    // assess
    expect(first).toEqual({
      added: true,
      member: { collectionId: target.id, userId, addedAt: expect.any(String) },
    });
    expect(again).toEqual({ added: false, member: first.member });
    expect(unknownUser).toMatchObject({ status: 404, code: "user_not_found" });
    expect(unknownCollection).toBeInstanceOf(CollectionNotFound);
    expect([removed, removedAgain]).toEqual([{ removed: true }, { removed: false }]);
    const events = outboxEvents(await scanTable()).filter((event) => event.data.collectionId === target.id);
    expect(events.map((event) => [event.type, event.data.userId])).toEqual([
      ["collection.created", undefined],
      ["collection.member_added", userId],
      ["collection.member_removed", userId],
    ]);
  });

  it("operators and admins list every collection; a member token lists only its own, by name, page by page", async () => {
    // prepare
    const { id: userId, reader } = await member("Lister");
    const mine = [await collection("zz Mine Two"), await collection("zz Mine One")];
    const notMine = await collection("zz Not Mine");
    for (const own of mine) await addMember(orgId, own.id, userId);

    // act
    const firstPage = await listCollections(reader, orgId, { limit: 1 });
    const secondPage = await listCollections(reader, orgId, { limit: 1, cursor: firstPage.nextCursor ?? "" });
    const everything = await listCollections(admin, orgId, { limit: 200 });
    const asOperator = await listCollections(operator, orgId, { limit: 200 });

    // assess
    expect([...firstPage.items, ...secondPage.items].map((found) => found.name)).toEqual([
      "zz Mine One",
      "zz Mine Two",
    ]);
    expect(secondPage.nextCursor).toBeNull();
    expect(everything.items.map((found) => found.id)).toEqual(
      expect.arrayContaining([...mine.map((c) => c.id), notMine.id]),
    );
    expect(asOperator.items).toEqual(everything.items);
    const names = everything.items.map((found) => found.name.toLowerCase());
    expect(names).toEqual([...names].sort());
  });

  it("a member's cursor is refused on the org's list and the other way round (invalid_cursor)", async () => {
    // prepare
    const { id: userId, reader } = await member("Cursor");
    for (const name of ["c1", "c2"]) await addMember(orgId, (await collection(name)).id, userId);
    const memberCursor = (await listCollections(reader, orgId, { limit: 1 })).nextCursor as string;
    const adminCursor = (await listCollections(admin, orgId, { limit: 1 })).nextCursor as string;

    // act
    const onAdmin = await caught(listCollections(admin, orgId, { cursor: memberCursor }));
    const onMember = await caught(listCollections(reader, orgId, { cursor: adminCursor }));

    // assess
    expect(onAdmin).toMatchObject({ status: 400, code: "invalid_cursor" });
    expect(onMember).toMatchObject({ status: 400, code: "invalid_cursor" });
  });
});

describe("who may read a collection", () => {
  it("a member reads its collection and gets collection_not_found on another; admins and operators read both", async () => {
    // prepare
    const a = await collection("A");
    const b = await collection("B");
    const { id: userId, reader } = await member("Reader");
    await addMember(orgId, a.id, userId);

    // act
    const readsA = await readableCollection(reader, orgId, a.id);
    const onB = await caught(readableCollection(reader, orgId, b.id));
    const onMissing = await caught(readableCollection(reader, orgId, "01JNOSUCHCOLLECTION0000000"));
    const adminReadsB = await readableCollection(admin, orgId, b.id);
    const operatorReadsB = await readableCollection(operator, orgId, b.id);

    // assess
    expect(readsA.id).toBe(a.id);
    expect(onB).toBeInstanceOf(CollectionNotFound);
    // The same answer as a collection that does not exist: nothing to probe.
    expect(onMissing).toEqual(onB);
    expect([adminReadsB.id, operatorReadsB.id]).toEqual([b.id, b.id]);
  });

  it("a member removed from the collection can no longer read it or its contacts", async () => {
    // prepare
    const target = await collection("Leaving");
    const contact = await createContact(orgId, target.id, { name: "Kept", emails: [email()] });
    const { id: userId, reader } = await member("Leaver");
    await addMember(orgId, target.id, userId);
    expect((await getContact(reader, orgId, target.id, contact.id)).contact.id).toBe(contact.id);

    // act
    await removeMember(orgId, target.id, userId);

    // assess
    expect(await caught(getContact(reader, orgId, target.id, contact.id))).toBeInstanceOf(CollectionNotFound);
    expect(await caught(listContacts(reader, orgId, target.id, {}))).toBeInstanceOf(CollectionNotFound);
    expect(await caught(listMembers(reader, orgId, target.id, {}))).toBeInstanceOf(CollectionNotFound);
  });
});

describe("contacts", () => {
  it("create normalizes emails (trimmed, lower-cased, each once), claims each, and references it on its lookup item", async () => {
    // prepare
    const target = await collection();
    const address = email("jane");

    // act
    const created = await createContact(orgId, target.id, {
      name: " Jane Doe ",
      emails: [`  ${address.toUpperCase()} `, address, "Jane.Work@Example.COM"],
      linkedinHandle: "https://www.linkedin.com/in/jane-doe/",
    });

    // assess
    expect(created).toEqual({
      id: expect.any(String),
      collectionId: target.id,
      name: "Jane Doe",
      emails: [address, "jane.work@example.com"],
      linkedinHandle: "jane-doe",
      createdAt: expect.any(String),
      updatedAt: created.createdAt,
    });
    expect(await claimOwner(target.id, address)).toBe(created.id);
    expect(await claimOwner(target.id, "jane.work@example.com")).toBe(created.id);
    expect(await lookupRefs(address)).toEqual([contactRef(target.id, created.id)]);
    const event = outboxEvents(await scanTable()).find(
      (candidate) => candidate.type === "contact.created" && candidate.data.contactId === created.id,
    );
    expect(event?.data).toEqual({
      collectionId: target.id,
      contactId: created.id,
      emailsAdded: [address, "jane.work@example.com"],
      emailsRemoved: [],
    });
  });

  it("an email another contact of the collection holds is email_taken naming it, and nothing is written", async () => {
    // prepare
    const target = await collection();
    const address = email("taken");
    await createContact(orgId, target.id, { name: "First", emails: [address] });
    const before = await scanTable();

    // act
    const error = await caught(
      createContact(orgId, target.id, { name: "Second", emails: [email(), address.toUpperCase()] }),
    );

    // assess
    expect(error).toBeInstanceOf(ContactEmailTaken);
    expect(error).toMatchObject({ status: 409, code: "email_taken", details: { email: address } });
    expect((error as Error).message).toContain(address);
    expect(await scanTable()).toEqual(before);
  });

  it("the same email may be a contact in two collections; the lookup item references both", async () => {
    // prepare
    const first = await collection("One");
    const second = await collection("Two");
    const address = email("shared");

    // act
    const a = await createContact(orgId, first.id, { name: "In One", emails: [address] });
    const b = await createContact(orgId, second.id, { name: "In Two", emails: [address] });

    // assess
    expect(await lookupRefs(address)).toEqual(
      [contactRef(first.id, a.id), contactRef(second.id, b.id)].sort(),
    );
    expect([await claimOwner(first.id, address), await claimOwner(second.id, address)]).toEqual([a.id, b.id]);
  });

  it("a contact in a collection that does not exist is collection_not_found and writes nothing", async () => {
    // prepare
    const before = await scanTable();

    // act
    const error = await caught(
      createContact(orgId, "01JNOSUCHCOLLECTION0000000", { name: "Nobody", emails: [email()] }),
    );

    // assess
    expect(error).toBeInstanceOf(CollectionNotFound);
    expect(await scanTable()).toEqual(before);
  });

  it("a contact with no email, more than 10, or an invalid one is invalid_input naming the field", async () => {
    // prepare
    const target = await collection();
    const eleven = Array.from({ length: 11 }, () => email());

    // act
    const errors = await Promise.all([
      caught(createContact(orgId, target.id, { name: "None", emails: [] })),
      caught(createContact(orgId, target.id, { name: "Many", emails: eleven })),
      caught(createContact(orgId, target.id, { name: "Bad", emails: ["not-an-email"] })),
    ]);

    // assess
    for (const error of errors) expect(error).toBeInstanceOf(InvalidInput);
    expect(errors.map((error) => Object.keys((error as InvalidInput).details ?? {}))).toEqual([
      ["emails"],
      ["emails"],
      ["emails.0"],
    ]);
  });

  it("PATCH adding and removing emails moves the claims and the lookup references, with contact.updated", async () => {
    // prepare
    const target = await collection();
    const [kept, dropped, added] = [email("kept"), email("dropped"), email("added")];
    const contact = await createContact(orgId, target.id, { name: "Mover", emails: [kept, dropped] });
    const ref = contactRef(target.id, contact.id);

    // act
    const updated = await updateContact(orgId, target.id, contact.id, {
      name: "Mover Renamed",
      emails: [kept, ` ${added.toUpperCase()}`],
    });

    // assess
    expect(updated).toMatchObject({ name: "Mover Renamed", emails: [kept, added], linkedinHandle: null });
    expect([await claimOwner(target.id, kept), await claimOwner(target.id, added)]).toEqual([
      contact.id,
      contact.id,
    ]);
    expect(await claimOwner(target.id, dropped)).toBeUndefined();
    expect(await lookupRefs(kept)).toEqual([ref]);
    expect(await lookupRefs(added)).toEqual([ref]);
    expect(await lookupRefs(dropped)).toEqual([]);
    const event = outboxEvents(await scanTable()).find(
      (candidate) => candidate.type === "contact.updated" && candidate.data.contactId === contact.id,
    );
    expect(event?.data).toEqual({
      collectionId: target.id,
      contactId: contact.id,
      emailsAdded: [added],
      emailsRemoved: [dropped],
    });
  });

  it("PATCH to an email another contact holds is email_taken and changes nothing; a PATCH changing nothing writes nothing", async () => {
    // prepare
    const target = await collection();
    const theirs = email("theirs");
    await createContact(orgId, target.id, { name: "Holder", emails: [theirs] });
    const mine = await createContact(orgId, target.id, { name: "Me", emails: [email("mine")] });
    const before = await scanTable();

    // act
    const error = await caught(updateContact(orgId, target.id, mine.id, { emails: [theirs] }));
    const unchanged = await updateContact(orgId, target.id, mine.id, { name: "Me", emails: mine.emails });

    // assess
    expect(error).toMatchObject({ status: 409, code: "email_taken", details: { email: theirs } });
    expect(unchanged).toEqual(mine);
    expect(await scanTable()).toEqual(before);
  });

  it("a lookup item removed meanwhile does not block a PATCH that drops its email", async () => {
    // prepare
    const target = await collection();
    const [gone, kept] = [email("gone"), email("kept")];
    const contact = await createContact(orgId, target.id, { name: "Orphan", emails: [gone, kept] });
    await db.delete({ Key: rollupKeys.lookup(orgId, gone) });

    // act
    const updated = await updateContact(orgId, target.id, contact.id, { emails: [kept] });

    // assess
    expect(updated.emails).toEqual([kept]);
    expect(await claimOwner(target.id, gone)).toBeUndefined();
    // The removal did not bring a skeleton lookup item back.
    expect(
      (await db.get({ Key: rollupKeys.lookup(orgId, gone), ConsistentRead: true })).Item,
    ).toBeUndefined();
  });

  it("DELETE removes the contact, its claims and its references, with contact.deleted listing every email", async () => {
    // prepare
    const target = await collection();
    const other = await collection("Other");
    const [only, shared] = [email("only"), email("shared")];
    const contact = await createContact(orgId, target.id, { name: "Leaving", emails: [only, shared] });
    const elsewhere = await createContact(orgId, other.id, { name: "Stays", emails: [shared] });

    // act
    await deleteContact(orgId, target.id, contact.id);
    const again = await caught(deleteContact(orgId, target.id, contact.id));

    // assess
    expect(again).toBeInstanceOf(ContactNotFound);
    expect(contactItems(await scanTable(), target.id)).toEqual([]);
    expect(await lookupRefs(only)).toEqual([]);
    expect(await lookupRefs(shared)).toEqual([contactRef(other.id, elsewhere.id)]);
    const event = outboxEvents(await scanTable()).find(
      (candidate) => candidate.type === "contact.deleted" && candidate.data.contactId === contact.id,
    );
    expect(event?.data).toEqual({
      collectionId: target.id,
      contactId: contact.id,
      emailsAdded: [],
      emailsRemoved: [only, shared],
    });
  });

  it("lists by name (case-insensitive) then id, page by page, each with reachability none until someone connects", async () => {
    // prepare
    const target = await collection();
    for (const name of ["bob", "Alice", "carol", "alice"]) {
      await createContact(orgId, target.id, { name, emails: [email()] });
    }

    // act
    const pages: ContactListItem[][] = [];
    let cursor: string | undefined;
    do {
      const page = await listContacts(admin, orgId, target.id, { limit: "3", cursor });
      pages.push(page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    // assess
    const listed = pages.flat();
    expect(pages.map((page) => page.length)).toEqual([3, 1]);
    expect(listed.map((contact) => contact.name.toLowerCase())).toEqual(["alice", "alice", "bob", "carol"]);
    expect(listed.map((contact) => contact.reachability?.tier)).toEqual(["none", "none", "none", "none"]);
    const alices = listed.slice(0, 2).map((contact) => contact.id);
    expect(alices).toEqual([...alices].sort());
  });
});

describe("bulk import", () => {
  it("an import spanning several transactions writes every contact whole: its claims, lookup references and contact.created", async () => {
    // prepare: contacts of 10 emails are 22 items each, 4 to a transaction, so 14 of them need 4.
    // (The 1,000-contact import runs once, through the HTTP route: test/routes/contacts.int.test.ts.)
    const target = await collection("Several Transactions");
    const items = Array.from({ length: 14 }, (_, index) => ({
      name: `Contact ${String(index).padStart(2, "0")}`,
      emails: Array.from({ length: 10 }, (_, n) => `bulk.${index}.${n}@several.example.com`),
    }));

    // act
    const imported = await importContacts(orgId, target.id, items);

    // assess
    expect(imported.map((contact) => contact.emails)).toEqual(items.map((item) => item.emails));
    const stored = await scanTable();
    const mine = contactItems(stored, target.id);
    expect(mine.filter((item) => item.entity === "contact")).toHaveLength(14);
    const claims = mine.filter((item) => item.entity === "contactEmailClaim");
    expect(claims).toHaveLength(140);
    const owners = new Map(
      imported.flatMap((contact) => contact.emails.map((address) => [address, contact.id])),
    );
    for (const claim of claims) expect(claim.contactId).toBe(owners.get(claim.email as string));
    const refs = stored.filter(
      (item) => item.entity === "correspondent" && String(item.email).endsWith("@several.example.com"),
    );
    expect(refs).toHaveLength(140);
    for (const ref of refs) {
      expect([...(ref.contactRefs as Set<string>)]).toEqual([
        contactRef(target.id, owners.get(ref.email as string) as string),
      ]);
    }
    const created = outboxEvents(stored).filter(
      (event) => event.type === "contact.created" && event.data.collectionId === target.id,
    );
    expect(created.map((event) => event.data.contactId).sort()).toEqual(
      imported.map((contact) => contact.id).sort(),
    );
    expect(created.map((event) => (event.data.emailsAdded as string[]).length)).toEqual(Array(14).fill(10));
    // One transaction (one outbox item) per group of 4 contacts, each carrying its contacts' events.
    const carriers = stored.filter(
      (item) =>
        item.entity === "outbox" &&
        String(item.outbox).includes(target.id) &&
        String(item.outbox).includes("contact.created"),
    );
    expect(carriers.map((item) => (JSON.parse(String(item.outbox)) as unknown[]).length)).toEqual([
      4, 4, 4, 2,
    ]);
  });

  it("1,001 contacts is invalid_input and writes nothing", async () => {
    // prepare
    const target = await collection();
    const items = Array.from({ length: 1_001 }, (_, index) => ({
      name: `Too Many ${index}`,
      emails: [`many.${index}@example.com`],
    }));
    const before = await scanTable();

    // act
    const error = await caught(importContacts(orgId, target.id, items));

    // assess
    expect(error).toBeInstanceOf(InvalidInput);
    expect((error as InvalidInput).details).toHaveProperty("items");
    expect(await scanTable()).toEqual(before);
  });

  it("invalid items are invalid_input listing each bad item's index and field, and nothing is written", async () => {
    // prepare
    const target = await collection();
    const before = await scanTable();

    // act
    const error = await caught(
      importContacts(orgId, target.id, [
        { name: "Good", emails: [email()] },
        { name: "Bad Email", emails: ["nope"] },
        { name: "Fine", emails: [email()] },
        { name: "  ", emails: [email()] },
      ]),
    );

    // assess
    expect(error).toBeInstanceOf(InvalidInput);
    expect((error as InvalidInput).details).toEqual({
      "items.1.emails.0": expect.any(String),
      "items.3.name": expect.any(String),
    });
    expect(await scanTable()).toEqual(before);
  });

  it("an email given to two items is email_taken naming it, and nothing is written", async () => {
    // prepare
    const target = await collection();
    const twice = email("twice");
    const before = await scanTable();

    // act
    const error = await caught(
      importContacts(orgId, target.id, [
        { name: "One", emails: [email(), twice] },
        { name: "Two", emails: [email()] },
        { name: "Three", emails: [twice.toUpperCase()] },
      ]),
    );

    // assess
    expect(error).toMatchObject({
      status: 409,
      code: "email_taken",
      details: { email: twice, items: [0, 2] },
    });
    expect(await scanTable()).toEqual(before);
  });

  it("an email a contact of the collection already holds is email_taken naming it, and nothing is written", async () => {
    // prepare
    const target = await collection();
    const existing = email("existing");
    await createContact(orgId, target.id, { name: "Already", emails: [existing] });
    const before = await scanTable();

    // act
    const error = await caught(
      importContacts(orgId, target.id, [
        { name: "New", emails: [email()] },
        { name: "Clash", emails: [existing] },
      ]),
    );

    // assess
    expect(error).toMatchObject({ status: 409, code: "email_taken", details: { email: existing } });
    expect(await scanTable()).toEqual(before);
  });

  it("a transaction that loses a race after the pre-check: the chunks already written are taken back, and it is email_taken", async () => {
    // prepare: 120 contacts of one email are 4 transactions; between the pre-check and the writes,
    // another request gives the last item's email to a contact of the collection.
    const target = await collection("Race");
    const items = Array.from({ length: 120 }, (_, index) => ({
      name: `Racer ${index}`,
      emails: [`race.${index}@race.example.com`],
    }));
    const contested = "race.119@race.example.com";
    const realTransactWrite = db.transactWrite;
    let winning: Promise<Contact> | undefined;
    vi.spyOn(db, "transactWrite").mockImplementation(async (writes, token) => {
      // Every transaction of the import waits for the competing contact; its own goes through.
      const competing = writes.some((write) => write.Put?.Item?.name === "Winner");
      if (!competing) {
        winning ??= createContact(orgId, target.id, { name: "Winner", emails: [contested] });
        await winning;
      }
      return realTransactWrite(writes, token);
    });

    // act
    const error = await caught(importContacts(orgId, target.id, items));

    // assess
    expect(error).toMatchObject({ status: 409, code: "email_taken", details: { email: contested } });
    const winnerId = ((await winning) as Contact).id;
    const stored = await scanTable();
    const left = contactItems(stored, target.id);
    expect(left.map((item) => [item.entity, item.name ?? item.email])).toEqual(
      expect.arrayContaining([
        ["contact", "Winner"],
        ["contactEmailClaim", contested],
      ]),
    );
    expect(left).toHaveLength(2);
    const refs = stored.filter(
      (item) => item.entity === "correspondent" && String(item.email).endsWith("@race.example.com"),
    );
    const withRefs = refs.filter((item) => (item.contactRefs as Set<string> | undefined)?.size);
    expect(withRefs.map((item) => [...(item.contactRefs as Set<string>)])).toEqual([
      [contactRef(target.id, winnerId)],
    ]);
    // Every contact a chunk created was announced, and every one taken back was announced deleted.
    const events = outboxEvents(stored).filter((event) => event.data.collectionId === target.id);
    const created = events.filter(
      (event) => event.type === "contact.created" && event.data.contactId !== winnerId,
    );
    const deleted = events.filter((event) => event.type === "contact.deleted");
    expect(created.length).toBeGreaterThan(0);
    expect(new Set(deleted.map((event) => event.data.contactId))).toEqual(
      new Set(created.map((event) => event.data.contactId)),
    );
  });
});
