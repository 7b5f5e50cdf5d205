import "./quiet-logs";
import type { Collection, Contact } from "@kith/core/contacts";
import type { Org } from "@kith/core/orgs";
import { db } from "@kith/core/storage";
import { beforeAll, describe, expect, it } from "vitest";
// The lookup item's keys, straight from the file that defines them (fixed; the rest of the rollup moves).
import { contactRef, rollupKeys } from "../../packages/core/src/rollup/keys";
import { expectError, ISO_TIMESTAMP, type Item, type Page, type Reply, useRouteGateway } from "./support";

/**
 * Collections and contacts over HTTP: the manifest's routes behind the local gateway, against a
 * DynamoDB Local table of their own (read directly to prove what a request wrote, or did not).
 */

const routes = useRouteGateway();
let org: Org;
let adminToken: string;
/** A member of collection A only. */
let reader: { id: string; token: string };
/** A member of the org in no collection. */
let outsider: { id: string; token: string };
let collectionA: Collection;
let collectionB: Collection;

beforeAll(async () => {
  org = await routes.createOrg("Contacts Co");
  const admin = await routes.createUser(org.id, { name: "Admin", accessRole: "admin" });
  adminToken = (await routes.mintToken(org.id, admin.id)).token;
  const readerUser = await routes.createUser(org.id, { name: "Reader" });
  reader = { id: readerUser.id, token: (await routes.mintToken(org.id, readerUser.id)).token };
  const outsiderUser = await routes.createUser(org.id, { name: "Outsider" });
  outsider = { id: outsiderUser.id, token: (await routes.mintToken(org.id, outsiderUser.id)).token };
  collectionA = await newCollection("A Accounts");
  collectionB = await newCollection("B Accounts");
  expect(
    (await routes.api("POST", `${collectionPath(collectionA.id)}/members`, { body: { userId: reader.id } }))
      .status,
  ).toBe(201);
});

const collectionsPath = () => `/v1/orgs/${org.id}/collections`;
const collectionPath = (collectionId: string) => `${collectionsPath()}/${collectionId}`;
const contactsPath = (collectionId: string) => `${collectionPath(collectionId)}/contacts`;
const contactPath = (collectionId: string, contactId: string) => `${contactsPath(collectionId)}/${contactId}`;

async function newCollection(name = "Collection"): Promise<Collection> {
  const reply = await routes.api<Collection>("POST", collectionsPath(), { body: { name } });
  expect(reply.status).toBe(201);
  return reply.body;
}

async function newContact(collectionId: string, body: Record<string, unknown>): Promise<Contact> {
  const reply = await routes.api<Contact>("POST", contactsPath(collectionId), { body });
  if (reply.status !== 201) throw new Error(`create contact: ${reply.status} ${reply.text}`);
  return reply.body;
}

/** Contact and claim items of one collection: what "nothing was written" is about. */
async function contactItems(collectionId: string): Promise<Item[]> {
  return (await routes.tableItems()).filter(
    (item) =>
      (item.entity === "contact" || item.entity === "contactEmailClaim") &&
      item.collectionId === collectionId,
  );
}

async function lookupRefs(email: string): Promise<string[]> {
  const { Item } = await db.get({ Key: rollupKeys.lookup(org.id, email), ConsistentRead: true });
  return [...((Item?.contactRefs as Set<string> | undefined) ?? [])].sort();
}

/** The domain events the table's outbox holds of one type. */
async function outboxEvents(type: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return (await routes.tableItems())
    .filter((item) => item.entity === "outbox")
    .flatMap((item) => JSON.parse(String(item.outbox)) as { type: string; data: Record<string, unknown> }[])
    .filter((event) => event.type === type);
}

describe("collections", () => {
  it("POST creates a collection: 201 {id, name, createdAt, updatedAt}, with collection.created", async () => {
    // act
    const reply = await routes.api("POST", collectionsPath(), {
      token: adminToken,
      body: { name: "  Angels " },
    });

    // assess
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      id: expect.any(String),
      name: "Angels",
      createdAt: expect.stringMatching(ISO_TIMESTAMP),
      updatedAt: reply.body.createdAt,
    });
    expect(await outboxEvents("collection.created")).toContainEqual(
      expect.objectContaining({ data: { collectionId: reply.body.id, name: "Angels" } }),
    );
  });

  it("GET lists every collection for an admin, and only its own for a member token", async () => {
    // act
    const asAdmin = await routes.api<Page<Collection>>("GET", `${collectionsPath()}?limit=200`, {
      token: adminToken,
    });
    const asReader = await routes.api<Page<Collection>>("GET", collectionsPath(), { token: reader.token });
    const asOutsider = await routes.api<Page<Collection>>("GET", collectionsPath(), {
      token: outsider.token,
    });

    // assess
    expect(asAdmin.body.items.map((collection) => collection.id)).toEqual(
      expect.arrayContaining([collectionA.id, collectionB.id]),
    );
    expect(asReader.body).toEqual({ items: [collectionA], nextCursor: null });
    expect(asOutsider.body).toEqual({ items: [], nextCursor: null });
  });

  it("members: POST adds (201, then 200 again), GET lists, DELETE removes (204, idempotent), each with its event", async () => {
    // prepare
    const target = await newCollection("Membership");
    const user = await routes.createUser(org.id, { name: "Joiner" });
    const membersPath = `${collectionPath(target.id)}/members`;

    // act
    const added = await routes.api("POST", membersPath, { token: adminToken, body: { userId: user.id } });
    const again = await routes.api("POST", membersPath, { token: adminToken, body: { userId: user.id } });
    const listed = await routes.api("GET", membersPath, { token: adminToken });
    const removed = await routes.api("DELETE", `${membersPath}/${user.id}`, { token: adminToken });
    const removedAgain = await routes.api("DELETE", `${membersPath}/${user.id}`, { token: adminToken });
    const listedAfter = await routes.api("GET", membersPath, { token: adminToken });

    // assess
    expect([added.status, again.status, listed.status, removed.status, removedAgain.status]).toEqual([
      201, 200, 200, 204, 204,
    ]);
    expect(added.body).toEqual({
      collectionId: target.id,
      userId: user.id,
      addedAt: expect.stringMatching(ISO_TIMESTAMP),
    });
    expect(again.body).toEqual(added.body);
    expect(listed.body).toEqual({ items: [added.body], nextCursor: null });
    expect(listedAfter.body).toEqual({ items: [], nextCursor: null });
    const data = { collectionId: target.id, userId: user.id };
    expect((await outboxEvents("collection.member_added")).map((event) => event.data)).toContainEqual(data);
    expect((await outboxEvents("collection.member_removed")).map((event) => event.data)).toContainEqual(data);
  });

  it("adding a user who is not in the org is 404 user_not_found; an unknown collection is 404 collection_not_found", async () => {
    // prepare
    const otherOrg = await routes.createOrg();
    const stranger = await routes.createUser(otherOrg.id, { name: "Stranger" });
    const before = await routes.tableItems();

    // act
    const unknownUser = await routes.api("POST", `${collectionPath(collectionB.id)}/members`, {
      body: { userId: stranger.id },
    });
    const unknownCollection = await routes.api(
      "POST",
      `${collectionPath("01JNOSUCHCOLLECTION0000000")}/members`,
      {
        body: { userId: reader.id },
      },
    );

    // assess
    expectError(unknownUser, 404, "user_not_found");
    expectError(unknownCollection, 404, "collection_not_found");
    expect(await routes.tableItems()).toEqual(before);
  });
});

describe("contacts", () => {
  it("POST creates a contact: 201 Contact with normalized emails, a claim each and the lookup reference", async () => {
    // prepare
    const email = routes.email("jane");

    // act
    const reply = await routes.api("POST", contactsPath(collectionA.id), {
      token: adminToken,
      body: { name: " Jane Roe ", emails: [`  ${email.toUpperCase()}  `], linkedinHandle: "jane-roe" },
    });

    // assess
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      id: expect.any(String),
      collectionId: collectionA.id,
      name: "Jane Roe",
      emails: [email.toLowerCase()],
      linkedinHandle: "jane-roe",
      createdAt: expect.stringMatching(ISO_TIMESTAMP),
      updatedAt: reply.body.createdAt,
    });
    expect(await lookupRefs(email.toLowerCase())).toEqual([contactRef(collectionA.id, reply.body.id)]);
    const detail = await routes.api("GET", contactPath(collectionA.id, reply.body.id));
    expect(detail.body).toEqual({
      contact: reply.body,
      reachability: {
        tier: "none",
        warm: 0,
        known: 0,
        cold: 0,
        keyUserId: null,
        computedAt: reply.body.createdAt,
      },
      connections: [],
    });
  });

  it("an email a contact of the collection holds is 409 email_taken naming it, and nothing is written; another collection may hold it", async () => {
    // prepare
    const email = routes.email("dup").toLowerCase();
    await newContact(collectionA.id, { name: "Holder", emails: [email] });
    const before = await routes.tableItems();

    // act
    const clash = await routes.api("POST", contactsPath(collectionA.id), {
      body: { name: "Clash", emails: [email.toUpperCase()] },
    });
    const tableAfterClash = await routes.tableItems();
    const elsewhere = await routes.api("POST", contactsPath(collectionB.id), {
      body: { name: "Elsewhere", emails: [email] },
    });

    // assess
    expect(expectError(clash, 409, "email_taken")).toEqual({ email });
    expect(clash.body.error.message).toContain(email);
    expect(tableAfterClash).toEqual(before);
    expect(elsewhere.status).toBe(201);
  });

  it("a contact without emails, with more than 10, or with an invalid one is 400 naming the field", async () => {
    // prepare
    const eleven = Array.from({ length: 11 }, () => routes.email("many"));
    const before = await routes.tableItems();

    // act
    const replies = await Promise.all([
      routes.api("POST", contactsPath(collectionA.id), { body: { name: "None", emails: [] } }),
      routes.api("POST", contactsPath(collectionA.id), { body: { name: "Many", emails: eleven } }),
      routes.api("POST", contactsPath(collectionA.id), { body: { name: "Bad", emails: ["not an email"] } }),
      routes.api("POST", contactsPath(collectionA.id), { body: { emails: [routes.email()] } }),
    ]);

    // assess
    expect(replies.map((reply) => Object.keys(expectError(reply, 400, "invalid_input")))).toEqual([
      ["emails"],
      ["emails"],
      ["emails.0"],
      ["name"],
    ]);
    expect(await routes.tableItems()).toEqual(before);
  });

  it("PATCH adding and removing emails moves the claims and the lookup item's contactRefs, with contact.updated", async () => {
    // prepare
    const [kept, dropped, added] = ["kept", "dropped", "added"].map((prefix) =>
      routes.email(prefix).toLowerCase(),
    ) as [string, string, string];
    const contact = await newContact(collectionA.id, { name: "Mover", emails: [kept, dropped] });
    const ref = contactRef(collectionA.id, contact.id);

    // act
    const reply = await routes.api("PATCH", contactPath(collectionA.id, contact.id), {
      token: adminToken,
      body: { emails: [kept, added], linkedinHandle: "https://www.linkedin.com/in/mover/" },
    });

    // assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      id: contact.id,
      name: "Mover",
      emails: [kept, added],
      linkedinHandle: "mover",
    });
    expect([await lookupRefs(kept), await lookupRefs(added), await lookupRefs(dropped)]).toEqual([
      [ref],
      [ref],
      [],
    ]);
    const claims = (await contactItems(collectionA.id)).filter((item) => item.contactId === contact.id);
    expect(claims.map((item) => item.email).sort()).toEqual([added, kept].sort());
    expect((await outboxEvents("contact.updated")).map((event) => event.data)).toContainEqual({
      collectionId: collectionA.id,
      contactId: contact.id,
      emailsAdded: [added],
      emailsRemoved: [dropped],
    });
  });

  it("DELETE is 204 and removes the contact, its claims and its lookup references, with contact.deleted", async () => {
    // prepare
    const email = routes.email("gone").toLowerCase();
    const contact = await newContact(collectionA.id, { name: "Leaving", emails: [email] });

    // act
    const reply = await routes.api("DELETE", contactPath(collectionA.id, contact.id), { token: adminToken });
    const again = await routes.api("DELETE", contactPath(collectionA.id, contact.id), { token: adminToken });
    const read = await routes.api("GET", contactPath(collectionA.id, contact.id));

    // assess
    expect(reply.status).toBe(204);
    expectError(again, 404, "contact_not_found");
    expectError(read, 404, "contact_not_found");
    expect(
      (await contactItems(collectionA.id)).filter(
        (item) => item.contactId === contact.id || item.id === contact.id,
      ),
    ).toEqual([]);
    expect(await lookupRefs(email)).toEqual([]);
    expect((await outboxEvents("contact.deleted")).map((event) => event.data)).toContainEqual({
      collectionId: collectionA.id,
      contactId: contact.id,
      emailsAdded: [],
      emailsRemoved: [email],
    });
  });

  it("GET lists by name, each with its reachability; sort=reachability|strength and reachability= answer from the reachability index", async () => {
    // prepare
    const target = await newCollection("Listing");
    for (const name of ["Charlie", "alpha", "Bravo"])
      await newContact(target.id, { name, emails: [routes.email()] });

    // act
    const byName = await routes.api<Page<Contact & { reachability: { tier: string } | null }>>(
      "GET",
      `${contactsPath(target.id)}?sort=name&limit=2`,
    );
    const next = await routes.api<Page<Contact>>(
      "GET",
      `${contactsPath(target.id)}?limit=2&cursor=${encodeURIComponent(byName.body.nextCursor ?? "")}`,
    );
    const ordered = await Promise.all(
      ["sort=reachability", "sort=strength", "reachability=none", "reachability=high,medium"].map((query) =>
        routes.api<Page<Contact>>("GET", `${contactsPath(target.id)}?${query}`),
      ),
    );
    const invalid = await routes.api("GET", `${contactsPath(target.id)}?sort=age`);
    const badTier = await routes.api("GET", `${contactsPath(target.id)}?reachability=warmish`);

    // assess
    expect(byName.body.items.map((contact) => [contact.name, contact.reachability?.tier])).toEqual([
      ["alpha", "none"],
      ["Bravo", "none"],
    ]);
    expect(next.body.items.map((contact) => contact.name)).toEqual(["Charlie"]);
    expect(next.body.nextCursor).toBeNull();
    expect(ordered.map((reply) => reply.body.items.map((contact) => contact.name))).toEqual([
      ["alpha", "Bravo", "Charlie"],
      expect.arrayContaining(["alpha", "Bravo", "Charlie"]),
      ["alpha", "Bravo", "Charlie"],
      [],
    ]);
    expect(expectError(invalid, 400, "invalid_input")).toHaveProperty("sort");
    expect(expectError(badTier, 400, "invalid_input")).toHaveProperty("reachability");
  });
});

describe("who may read and write", () => {
  it("a member of collection A reads A's collection, members, contacts and each contact", async () => {
    // prepare
    const contact = await newContact(collectionA.id, { name: "Readable", emails: [routes.email()] });

    // act
    const replies = await Promise.all(
      [
        collectionPath(collectionA.id),
        `${collectionPath(collectionA.id)}/members`,
        contactsPath(collectionA.id),
        contactPath(collectionA.id, contact.id),
      ].map((path) => routes.api("GET", path, { token: reader.token })),
    );

    // assess
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200]);
    expect(replies[0]?.body).toEqual(collectionA);
    expect(replies[3]?.body.contact).toEqual(contact);
  });

  it("collection B is 404 collection_not_found to a member of A, as to a member in no collection, exactly as a collection that does not exist", async () => {
    // prepare
    const contact = await newContact(collectionB.id, { name: "Hidden", emails: [routes.email()] });
    const paths = (collectionId: string) => [
      collectionPath(collectionId),
      `${collectionPath(collectionId)}/members`,
      contactsPath(collectionId),
      contactPath(collectionId, contact.id),
    ];

    // act
    const asReader = await Promise.all(
      paths(collectionB.id).map((path) => routes.api("GET", path, { token: reader.token })),
    );
    const asOutsider = await Promise.all(
      [...paths(collectionA.id), ...paths(collectionB.id)].map((path) =>
        routes.api("GET", path, { token: outsider.token }),
      ),
    );
    const missing = await Promise.all(
      paths("01JNOSUCHCOLLECTION0000000").map((path) => routes.api("GET", path, { token: reader.token })),
    );

    // assess
    for (const reply of [...asReader, ...asOutsider, ...missing])
      expectError(reply, 404, "collection_not_found");
    expect(asReader.map((reply) => reply.body)).toEqual(missing.map((reply) => reply.body));
  });

  it("a member token may not write (403), even in its own collection, and nothing is written", async () => {
    // prepare
    const contact = await newContact(collectionA.id, { name: "Untouchable", emails: [routes.email()] });
    const before = await routes.tableItems();
    const attempts: [string, string, unknown][] = [
      ["POST", collectionsPath(), { name: "Mine" }],
      ["POST", `${collectionPath(collectionA.id)}/members`, { userId: outsider.id }],
      ["DELETE", `${collectionPath(collectionA.id)}/members/${reader.id}`, undefined],
      ["POST", contactsPath(collectionA.id), { name: "New", emails: [routes.email()] }],
      ["POST", contactsPath(collectionA.id), { items: [{ name: "New", emails: [routes.email()] }] }],
      ["PATCH", contactPath(collectionA.id, contact.id), { name: "Renamed" }],
      ["DELETE", contactPath(collectionA.id, contact.id), undefined],
    ];

    // act
    const replies: Reply[] = [];
    for (const [method, path, body] of attempts)
      replies.push(await routes.api(method, path, { token: reader.token, body }));

    // assess
    for (const reply of replies) expectError(reply, 403, "forbidden");
    expect(await routes.tableItems()).toEqual(before);
  });

  it("an admin of another org gets 404 on this org's collections and contacts", async () => {
    // prepare
    const otherOrg = await routes.createOrg();
    const otherAdmin = await routes.createUser(otherOrg.id, { name: "Other Admin", accessRole: "admin" });
    const { token } = await routes.mintToken(otherOrg.id, otherAdmin.id);
    const contact = await newContact(collectionA.id, { name: "Private", emails: [routes.email()] });

    // act
    const replies = await Promise.all([
      routes.api("GET", collectionsPath(), { token }),
      routes.api("GET", contactsPath(collectionA.id), { token }),
      routes.api("GET", contactPath(collectionA.id, contact.id), { token }),
      routes.api("PATCH", contactPath(collectionA.id, contact.id), { token, body: { name: "Hijacked" } }),
    ]);

    // assess
    for (const reply of replies) expectError(reply, 404, "org_not_found");
  });
});

describe("bulk import", () => {
  it("1,001 items is 400 and nothing is written", async () => {
    // prepare
    const target = await newCollection("Too Many");
    const items = Array.from({ length: 1_001 }, (_, index) => ({
      name: `N${index}`,
      emails: [`n${index}@toomany.example.com`],
    }));

    // act
    const reply = await routes.api("POST", contactsPath(target.id), { token: adminToken, body: { items } });

    // assess
    expect(expectError(reply, 400, "invalid_input")).toHaveProperty("items");
    expect(await contactItems(target.id)).toEqual([]);
  });

  it("invalid items are 400 listing each bad item's index and field, and nothing is written", async () => {
    // prepare
    const target = await newCollection("Invalid Items");

    // act
    const reply = await routes.api("POST", contactsPath(target.id), {
      body: {
        items: [
          { name: "Good", emails: [routes.email()] },
          { name: "No Emails", emails: [] },
          { name: "Good Too", emails: [routes.email()] },
          { name: "Bad", emails: [routes.email(), "@nope"], extra: true },
        ],
      },
    });

    // assess
    expect(expectError(reply, 400, "invalid_input")).toEqual({
      "items.1.emails": expect.any(String),
      "items.3.emails.1": expect.any(String),
      "items.3.extra": "unknown field",
    });
    expect(await contactItems(target.id)).toEqual([]);
  });

  it("an email given twice in the batch, or already a contact's, is 409 email_taken naming it, and nothing is written", async () => {
    // prepare
    const target = await newCollection("Duplicates");
    const existing = routes.email("existing").toLowerCase();
    await newContact(target.id, { name: "Existing", emails: [existing] });
    const twice = routes.email("twice").toLowerCase();
    const before = await contactItems(target.id);

    // act
    const inBatch = await routes.api("POST", contactsPath(target.id), {
      body: {
        items: [
          { name: "One", emails: [twice] },
          { name: "Two", emails: [routes.email()] },
          { name: "Three", emails: [routes.email(), ` ${twice.toUpperCase()}`] },
        ],
      },
    });
    const againstExisting = await routes.api("POST", contactsPath(target.id), {
      body: {
        items: [
          { name: "Fresh", emails: [routes.email()] },
          { name: "Clash", emails: [existing] },
        ],
      },
    });

    // assess
    expect(expectError(inBatch, 409, "email_taken")).toEqual({ email: twice, items: [0, 2] });
    expect(inBatch.body.error.message).toContain(twice);
    expect(expectError(againstExisting, 409, "email_taken")).toEqual({ email: existing });
    expect(await contactItems(target.id)).toEqual(before);
  });

  it("exactly 1,000 contacts in one call are 201 {items} in input order, and all of them list", async () => {
    // prepare
    const target = await newCollection("Thousand");
    const items = Array.from({ length: 1_000 }, (_, index) => ({
      name: `Contact ${String(index).padStart(4, "0")}`,
      emails: [`Person.${index}@Thousand.Example.com`],
    }));

    // act
    const reply = await routes.api<{ items: Contact[] }>("POST", contactsPath(target.id), {
      token: adminToken,
      body: { items },
    });

    // assess
    expect(reply.status).toBe(201);
    expect(reply.body.items.map((contact) => contact.emails)).toEqual(
      items.map((_, index) => [`person.${index}@thousand.example.com`]),
    );
    const listed: Contact[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page: Reply<Page<Contact>> = await routes.api(
        "GET",
        `${contactsPath(target.id)}?limit=200${query}`,
      );
      listed.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(listed.map((contact) => contact.name)).toEqual(items.map((item) => item.name));
    expect(
      (await contactItems(target.id)).filter((item) => item.entity === "contactEmailClaim"),
    ).toHaveLength(1_000);
    const created = (await outboxEvents("contact.created")).filter(
      (event) => event.data.collectionId === target.id,
    );
    expect(created).toHaveLength(1_000);
  }, 90_000);
});
