import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanTable, useFreshTableWithOrg } from "../../../../test/support/integration";
import { DAY, deleteEvents, type EventSpec, interaction, storeEvents } from "../../../../test/support/rollup";
import * as Contacts from "../contacts";
import * as Users from "../identity/users";
import { accountPut, freshSyncState, type StoredAccount } from "../mailbox/store";
import { db } from "../storage";
import type { InteractionEvent } from "../sync/event";
import { contactStats } from "./combine";
import { allPairs, type ContactChangeMessage, handleContactChange, nightlyPairs } from "./jobs";
import { addContactRef, contactRef, rollupKeys } from "./keys";
import { listUnresolved } from "./lookup";
import { readPairs } from "./pairs";
import { lookupResolver } from "./resolver";
import { applyEventChanges, applyStreamChanges, rebuildPairs } from "./rollup";
import { rebuildPair } from "./stats";

/**
 * The rollup against DynamoDB Local: events written to the table as the syncers write them,
 * folded in as the stream delivers them, and rebuilt as the nightly and full jobs do.
 */

let table: Awaited<ReturnType<typeof useFreshTableWithOrg>>;
const NOW = new Date("2026-11-15T12:00:00.000Z");
const ago = (days: number, from = NOW) => new Date(from.getTime() - days * DAY);

beforeAll(async () => {
  table = await useFreshTableWithOrg("Rollup Org");
});

afterAll(async () => {
  await table?.drop();
});

let userSequence = 0;
function member() {
  userSequence += 1;
  return { orgId: table.orgId, userId: `u-rollup-${userSequence}` };
}

async function insert(events: readonly InteractionEvent[], now = NOW) {
  await storeEvents(events);
  return applyEventChanges(
    events.map((event) => ({ op: "insert" as const, event })),
    { now },
  );
}

async function remove(events: readonly InteractionEvent[], now = NOW) {
  await deleteEvents(events);
  return applyEventChanges(
    events.map((event) => ({ op: "remove" as const, event })),
    { now },
  );
}

async function statsOf(userId: string, email: string, orgId = table.orgId) {
  return (await readPairs(orgId, userId, [email])).get(email)?.stats;
}

async function statsChangedEvents(): Promise<
  { orgId: string; data: { userId: string; contactIds: string[] } }[]
> {
  const items = await scanTable();
  return items
    .filter((item) => item.entity === "outbox")
    .flatMap((item) => JSON.parse(item.outbox as string) as { type: string; orgId: string; data: never }[])
    .filter((event) => event.type === "stats.changed");
}

async function giveContact(email: string, collectionId: string, contactId: string) {
  await db.transactWrite([addContactRef(table.orgId, email, contactRef(collectionId, contactId))]);
}

describe("incremental updates through the table", () => {
  it("counts a redelivered event once, and un-counts a deleted one", async () => {
    const owner = member();
    const email = "ada@ext.example";
    const events = [
      interaction(owner, email, { at: ago(10), direction: "inbound", thread: "t1" }),
      interaction(owner, email, { at: ago(9), direction: "outbound", thread: "t1" }),
    ];
    expect((await insert(events)).failedAt).toBeUndefined();
    const once = await statsOf(owner.userId, email);
    expect(once).toMatchObject({ emailIn12mo: 1, emailOut12mo: 1, twoWayThreads: 1, hasResponseIn3mo: true });
    const again = await insert(events);
    expect(await statsOf(owner.userId, email)).toEqual(once);
    expect(again.changed).toBe(0);
    await remove(events.slice(1));
    expect(await statsOf(owner.userId, email)).toMatchObject({
      emailIn12mo: 1,
      emailOut12mo: 0,
      twoWayThreads: 0,
      hasResponseIn3mo: false,
      lastOutboundAt: null,
    });
    await remove(events.slice(1));
    expect(await statsOf(owner.userId, email)).toMatchObject({ emailIn12mo: 1, emailOut12mo: 0 });
    await remove(events.slice(0, 1));
    expect(await statsOf(owner.userId, email)).toBeUndefined();
    const leftovers = (await scanTable()).filter(
      (item) => item.pk === rollupKeys.partition(table.orgId, email),
    );
    expect(leftovers.filter((item) => item.entity !== "correspondent")).toEqual([]);
  });

  it("reads a stream batch: a replaced meeting is the old one removed and the new one counted", async () => {
    const owner = member();
    const email = "grace@ext.example";
    const pending = interaction(owner, email, { at: ago(3), kind: "meeting", response: "needsAction" });
    const accepted = { ...pending, response: "accepted" as const };
    await storeEvents([pending]);
    const { eventItem } = await import("../sync/event");
    await applyStreamChanges([{ eventName: "INSERT", newImage: eventItem(pending) }], { now: NOW });
    expect(await statsOf(owner.userId, email)).toBeUndefined();
    await applyStreamChanges(
      [
        { eventName: "MODIFY", oldImage: eventItem(pending), newImage: eventItem(accepted) },
        { eventName: "INSERT", newImage: { entity: "contact", pk: "x", sk: "y" } },
      ],
      { now: NOW },
    );
    expect(await statsOf(owner.userId, email)).toMatchObject({ meetings180d: 1, meetings24mo: 1 });
    await applyStreamChanges([{ eventName: "REMOVE", oldImage: eventItem(accepted) }], { now: NOW });
    expect(await statsOf(owner.userId, email)).toBeUndefined();
  });

  it("never counts the member's own addresses, aliases or teammates", async () => {
    const alice = await Users.create(
      table.orgId,
      { name: "Alice", email: "alice@team.example", emailAliases: ["al@team.example"] },
      { actor: "op:test" },
    );
    const bob = await Users.create(
      table.orgId,
      { name: "Bob", email: "bob@team.example" },
      { actor: "op:test" },
    );
    const owner = { orgId: table.orgId, userId: alice.id };
    const events = ["alice@team.example", "al@team.example", "bob@team.example"].map((email) =>
      interaction(owner, email, { at: ago(5), direction: "outbound" }),
    );
    await insert(events);
    for (const email of ["alice@team.example", "al@team.example", "bob@team.example"]) {
      expect(await statsOf(alice.id, email)).toBeUndefined();
    }
    expect(bob.id).not.toBe(alice.id);
    const outsider = interaction(owner, "outsider@ext.example", { at: ago(5), direction: "outbound" });
    await insert([outsider]);
    expect(await statsOf(alice.id, "outsider@ext.example")).toMatchObject({ emailOut12mo: 1 });
  });

  it("equals a rebuild for random inserts, deletions and redeliveries", async () => {
    const email = "random@ext.example";
    const spec = fc.record({
      days: fc.integer({ min: -5, max: 760 }),
      direction: fc.constantFrom("inbound", "outbound", "attended"),
      thread: fc.constantFrom("a", "b", "c"),
      newsletter: fc.boolean(),
      recipients: fc.constantFrom(1, 5, 21),
      response: fc.constantFrom("accepted", "declined", "organizer", "needsAction"),
    });
    const operation = fc.record({ kind: fc.constantFrom("insert", "remove", "redeliver"), pick: fc.nat() });
    await fc.assert(
      fc.asyncProperty(
        fc.array(spec, { minLength: 1, maxLength: 8 }),
        fc.array(operation, { maxLength: 10 }),
        async (specs, ops) => {
          const owner = member();
          const events = specs.map((value) =>
            interaction(owner, email, {
              at: ago(value.days),
              direction: value.direction as EventSpec["direction"],
              thread: value.thread,
              newsletter: value.direction === "inbound" && value.newsletter,
              recipients: value.recipients,
              response: value.response as EventSpec["response"],
            }),
          );
          await insert(events);
          const present = new Set(events);
          for (const op of ops) {
            const event = events[op.pick % events.length] as InteractionEvent;
            if (op.kind === "remove") {
              await remove([event]);
              present.delete(event);
            } else {
              if (op.kind === "insert") present.add(event);
              if (present.has(event)) await insert([event]);
              else await remove([event]);
            }
          }
          const expected = rebuildPair([...present], NOW).pair?.stats;
          expect(await statsOf(owner.userId, email)).toEqual(expected);
          const rebuilt = await rebuildPairs([{ orgId: table.orgId, userId: owner.userId, email }], {
            now: NOW,
          });
          expect(rebuilt.changed).toBe(0);
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe("resolution", () => {
  it("publishes stats.changed for the contacts carrying the email, and keeps a contact's emails apart until combined", async () => {
    const owner = member();
    await giveContact("linus@ext.example", "col-1", "contact-linus");
    await insert([interaction(owner, "linus@ext.example", { at: ago(2), direction: "inbound" })]);
    const published = (await statsChangedEvents()).filter((event) => event.data.userId === owner.userId);
    expect(published.map((event) => event.data.contactIds)).toEqual([["contact-linus"]]);

    await insert([
      interaction(owner, "linus@work.example", { at: ago(1), direction: "outbound", thread: "w" }),
      interaction(owner, "linus@work.example", { at: ago(400), direction: "inbound", thread: "w" }),
    ]);
    const combined = await contactStats(table.orgId, owner.userId, [
      "linus@ext.example",
      "linus@work.example",
    ]);
    expect(combined).toMatchObject({
      emailIn12mo: 1,
      emailIn24mo: 2,
      emailOut12mo: 1,
      twoWayThreads: 1,
      lastEmailAt: ago(1).toISOString(),
      lastInboundAt: ago(2).toISOString(),
    });
    expect(await contactStats(table.orgId, owner.userId, ["nobody@ext.example"])).toBeNull();
  });

  it("resolves emails to the contacts carrying them through the lookup items (the Resolver)", async () => {
    await giveContact("resolved@ext.example", "col-r", "contact-r1");
    await giveContact("resolved@ext.example", "col-s", "contact-r2");
    const resolved = await lookupResolver.resolve(table.orgId, [
      "resolved@ext.example",
      "nobody@ext.example",
    ]);
    expect(resolved.get("resolved@ext.example")).toEqual([
      { collectionId: "col-r", contactId: "contact-r1" },
      { collectionId: "col-s", contactId: "contact-r2" },
    ]);
    expect(resolved.get("nobody@ext.example")).toEqual([]);
  });

  it("publishes stats.changed in the write that moved the stats, so a retry after a crash has nothing left to lose", async () => {
    const owner = member();
    await giveContact("crash@ext.example", "col-c", "contact-crash");
    const event = interaction(owner, "crash@ext.example", { at: ago(1), direction: "outbound" });
    await storeEvents([event]);
    const first = await applyEventChanges([{ op: "insert", event }], { now: NOW });
    const retried = await applyEventChanges([{ op: "insert", event }], { now: NOW });
    expect([first.changed, retried.changed]).toEqual([1, 0]);
    const published = (await statsChangedEvents()).filter((entry) => entry.data.userId === owner.userId);
    expect(published.map((entry) => entry.data.contactIds)).toEqual([["contact-crash"]]);
  });

  it("a contact created after its events resolves them and its stats appear; an email removed makes them disappear", async () => {
    const owner = member();
    await insert([
      interaction(owner, "late@ext.example", { at: ago(6), direction: "inbound", thread: "l" }),
      interaction(owner, "late@ext.example", { at: ago(5), direction: "outbound", thread: "l" }),
      interaction(owner, "late.alt@ext.example", { at: ago(20), kind: "meeting" }),
    ]);
    const queued = async () =>
      (await listUnresolved(table.orgId, { limit: 200 })).items.map((item) => item.email);
    expect(await queued()).toEqual(expect.arrayContaining(["late@ext.example", "late.alt@ext.example"]));

    const collection = await Contacts.createCollection(table.orgId, { name: "Late" });
    const contact = await Contacts.createContact(table.orgId, collection.id, {
      name: "Late Comer",
      emails: ["Late@Ext.example", "late.alt@ext.example"],
    });
    expect(await queued()).not.toContain("late@ext.example");
    expect(await queued()).not.toContain("late.alt@ext.example");
    const delivered = (type: string, added: string[], removed: string[]): ContactChangeMessage => ({
      version: "0",
      id: `bus-${type}-${added.length}-${removed.length}`,
      "detail-type": type,
      source: "kith",
      account: "000000000000",
      time: NOW.toISOString(),
      region: "us-east-1",
      resources: [],
      detail: {
        id: `ev-${type}`,
        type: type as "contact.created",
        occurredAt: NOW.toISOString(),
        orgId: table.orgId,
        data: {
          collectionId: collection.id,
          contactId: contact.id,
          emailsAdded: added,
          emailsRemoved: removed,
        },
      },
    });
    expect(await handleContactChange(delivered("contact.created", contact.emails, []))).toEqual({
      members: 1,
    });
    const published = (await statsChangedEvents()).filter((event) =>
      event.data.contactIds.includes(contact.id),
    );
    expect(published.map((event) => event.data.userId)).toEqual([owner.userId]);
    expect(await contactStats(table.orgId, owner.userId, contact.emails)).toMatchObject({
      emailIn12mo: 1,
      emailOut12mo: 1,
      twoWayThreads: 1,
      meetings180d: 1,
    });

    const updated = await Contacts.updateContact(table.orgId, collection.id, contact.id, {
      emails: ["late.alt@ext.example"],
    });
    await handleContactChange(delivered("contact.updated", [], ["late@ext.example"]));
    expect(await contactStats(table.orgId, owner.userId, updated.emails)).toMatchObject({
      emailIn12mo: 0,
      twoWayThreads: 0,
      meetings180d: 1,
    });
    expect(await queued()).toContain("late@ext.example");
    expect(await queued()).not.toContain("late.alt@ext.example");
    await Contacts.deleteContact(table.orgId, collection.id, contact.id);
    await handleContactChange(delivered("contact.deleted", [], ["late.alt@ext.example"]));
    expect(await queued()).toEqual(expect.arrayContaining(["late@ext.example", "late.alt@ext.example"]));
  });

  it("ranks unresolved correspondents by two-way threads, meetings, recency; contacts, bulk and newsletter senders are left out", async () => {
    const org = await useFreshTableWithOrg("Unresolved Org");
    try {
      const owner = { orgId: org.orgId, userId: "u-queue" };
      const other = { orgId: org.orgId, userId: "u-queue-2" };
      await insert([
        interaction(owner, "recent@ext.example", { at: ago(1), direction: "inbound" }),
        interaction(owner, "older@ext.example", { at: ago(30), direction: "inbound" }),
        interaction(owner, "met@ext.example", { at: ago(40), kind: "meeting" }),
        interaction(owner, "twoway@ext.example", { at: ago(50), direction: "inbound", thread: "tw" }),
        interaction(owner, "twoway@ext.example", { at: ago(49), direction: "outbound", thread: "tw" }),
        interaction(other, "twoway@ext.example", { at: ago(60), kind: "meeting" }),
        interaction(owner, "bulk@ext.example", { at: ago(1), direction: "inbound", recipients: 40 }),
        interaction(owner, "news@ext.example", { at: ago(1), direction: "inbound", newsletter: true }),
        interaction(owner, "known@ext.example", { at: ago(1), direction: "inbound" }),
      ]);
      await db.transactWrite([addContactRef(org.orgId, "known@ext.example", contactRef("c", "k"))]);
      const page = await listUnresolved(org.orgId, {});
      expect(page.items.map((item) => item.email)).toEqual([
        "twoway@ext.example",
        "met@ext.example",
        "recent@ext.example",
        "older@ext.example",
      ]);
      expect(page.items[0]).toMatchObject({ users: ["u-queue", "u-queue-2"], twoWayThreads: 1, meetings: 1 });
      const second = await listUnresolved(org.orgId, {
        limit: 2,
        cursor: (await listUnresolved(org.orgId, { limit: 2 })).nextCursor ?? undefined,
      });
      expect(second.items.map((item) => item.email)).toEqual(["recent@ext.example", "older@ext.example"]);
    } finally {
      await org.drop();
      process.env.KITH_TABLE_NAME = table.tableName;
    }
  });
});

describe("rebuilds", () => {
  it("the nightly plan finds pairs touched in the last 36 hours and pairs a window edge passed", async () => {
    const org = await useFreshTableWithOrg("Nightly Org");
    try {
      const owner = { orgId: org.orgId, userId: "u-night" };
      const yearEdge = interaction(owner, "edge@ext.example", {
        at: new Date(ago(365).getTime() + 3_600_000),
        direction: "inbound",
      });
      await insert([yearEdge], NOW);
      expect(await statsOf(owner.userId, "edge@ext.example", org.orgId)).toMatchObject({
        emailIn12mo: 1,
        emailIn24mo: 1,
      });
      const threeDaysLater = new Date(NOW.getTime() + 3 * DAY);
      const due = await nightlyPairs(org.orgId, threeDaysLater);
      expect(due).toEqual([{ orgId: org.orgId, userId: "u-night", email: "edge@ext.example" }]);
      const touched = await nightlyPairs(org.orgId, new Date(NOW.getTime() + 30 * 60_000));
      expect(touched.map((pair) => pair.email)).toEqual(["edge@ext.example"]);
      const result = await rebuildPairs(due, { now: threeDaysLater });
      expect(result.changed).toBe(1);
      expect(await statsOf(owner.userId, "edge@ext.example", org.orgId)).toMatchObject({
        emailIn12mo: 0,
        emailIn24mo: 1,
      });
      expect(await nightlyPairs(org.orgId, new Date(threeDaysLater.getTime() + 2 * DAY))).toEqual([]);
    } finally {
      await org.drop();
      process.env.KITH_TABLE_NAME = table.tableName;
    }
  });

  it("a full rebuild finds every member's events, including pairs the stream never delivered", async () => {
    const org = await useFreshTableWithOrg("Full Org");
    try {
      const user = await Users.create(
        org.orgId,
        { name: "Full", email: "full@team.example" },
        { actor: "op:test" },
      );
      const stamp = NOW.toISOString();
      const account: StoredAccount = {
        accountId: "acct-full",
        orgId: org.orgId,
        userId: user.id,
        provider: "google",
        email: "full@team.example",
        scopes: { mail: true, calendar: false },
        grantedScopes: [],
        status: "connected",
        sync: { mail: freshSyncState(true), calendar: freshSyncState(false) },
        tokenVersion: 0,
        connectedAt: stamp,
        updatedAt: stamp,
      };
      await db.transactWrite([accountPut(account)]);
      const owner = { orgId: org.orgId, userId: user.id, accountId: "acct-full" };
      await storeEvents([
        interaction(owner, "one@ext.example", { at: ago(3), direction: "inbound" }),
        interaction(owner, "two@ext.example", { at: ago(4), direction: "outbound" }),
      ]);
      const pairs = await allPairs(org.orgId);
      expect(pairs.map((pair) => pair.email).sort()).toEqual(["one@ext.example", "two@ext.example"]);
      await rebuildPairs(pairs, { now: NOW });
      expect(await statsOf(user.id, "one@ext.example", org.orgId)).toMatchObject({ emailIn12mo: 1 });
      expect(await statsOf(user.id, "two@ext.example", org.orgId)).toMatchObject({ emailOut12mo: 1 });
    } finally {
      await org.drop();
      process.env.KITH_TABLE_NAME = table.tableName;
    }
  });
});
