import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFreshTableWithOrg } from "../../../../test/support/integration";
import { DAY, type EventSpec, interaction, storeEvents } from "../../../../test/support/rollup";
import * as Contacts from "../contacts";
import * as Users from "../identity/users";
import { applyEventChanges } from "../rollup/rollup";
import { db } from "../storage";
import { handleScoringEvent, planTargets, type ScoringEventMessage } from "./jobs";
import { scoringKeys } from "./keys";
import { setKeyConnectionOptOut, setOverride } from "./overrides";
import { getContactDetail, listContacts } from "./read";
import { recomputeTargets, type Target } from "./recompute";
import { getRules, tuneRules } from "./rulesets";

/**
 * Strength and reachability against DynamoDB Local: interaction events folded by the rollup, then
 * recomputed as the scoring queues do, and read back through the contract's reads.
 */

let table: Awaited<ReturnType<typeof useFreshTableWithOrg>>;
const NOW = new Date("2026-11-15T12:00:00.000Z");
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const ADMIN = { kind: "operator" as const, actor: "op:test" };

beforeAll(async () => {
  table = await useFreshTableWithOrg("Scoring Org");
});
afterAll(async () => table?.drop());

let sequence = 0;
async function user(name: string) {
  sequence += 1;
  return Users.create(
    table.orgId,
    { name, email: `${name.toLowerCase()}-${sequence}@team.example` },
    { actor: "system:test" },
  );
}

async function collection(name: string, members: readonly { id: string }[]) {
  const created = await Contacts.createCollection(table.orgId, { name });
  for (const member of members) await Contacts.addMember(table.orgId, created.id, member.id);
  return created;
}

/** Messages of both directions on separate threads, `count` each, over recent weeks. */
function correspondence(userId: string, email: string, inbound: number, outbound: number, meetings = 0) {
  const owner = { orgId: table.orgId, userId };
  const specs: EventSpec[] = [
    ...Array.from({ length: inbound }, (_, index) => ({
      at: ago(3 + index * 7),
      direction: "inbound" as const,
    })),
    ...Array.from({ length: outbound }, (_, index) => ({
      at: ago(4 + index * 7),
      direction: "outbound" as const,
    })),
    ...Array.from({ length: meetings }, (_, index) => ({
      at: ago(5 + index * 20),
      kind: "meeting" as const,
    })),
  ];
  return specs.map((spec) => interaction(owner, email, spec));
}

async function ingest(events: ReturnType<typeof correspondence>) {
  await storeEvents(events);
  await applyEventChanges(
    events.map((event) => ({ op: "insert" as const, event })),
    { now: NOW },
  );
}

const recompute = (targets: Target[]) =>
  recomputeTargets(table.orgId, targets, { source: "pairs", now: NOW });

describe("strength and reachability from interactions", () => {
  it("a warm member becomes the key connection with reasons and stats; the list sorts and filters by reachability", async () => {
    // prepare: Ann writes both ways with Rita (warm), Ben only receives from her (cold)
    const [ann, ben] = [await user("Ann"), await user("Ben")];
    const team = await collection("Warm team", [ann, ben]);
    const rita = await Contacts.createContact(table.orgId, team.id, {
      name: "Rita",
      emails: ["rita@ext.example"],
    });
    const nobody = await Contacts.createContact(table.orgId, team.id, {
      name: "Nora",
      emails: ["nora@ext.example"],
    });
    await ingest([
      ...correspondence(ann.id, "rita@ext.example", 6, 6),
      ...correspondence(ben.id, "rita@ext.example", 2, 0),
    ]);

    // act
    const outcome = await recompute([
      { userId: ann.id, collectionId: team.id, contactId: rita.id },
      { userId: ben.id, collectionId: team.id, contactId: rita.id },
      { userId: ann.id, collectionId: team.id, contactId: nobody.id },
    ]);

    // assess: two links, one reachability recompute (one contact)
    expect(outcome).toMatchObject({ linksWritten: 2, tierChanges: 2, reachRecomputes: 1 });
    const detail = await getContactDetail(ADMIN, table.orgId, team.id, rita.id);
    expect(detail.reachability).toMatchObject({
      tier: "high",
      warm: 1,
      known: 0,
      cold: 1,
      keyUserId: ann.id,
    });
    expect(detail.connections.map((connection) => [connection.userId, connection.tier])).toEqual([
      [ann.id, "warm"],
      [ben.id, "cold"],
    ]);
    const [first] = detail.connections;
    expect(first?.reasons.map((reason) => reason.code)).toEqual(["twoway_12mo_5plus", "outbound_24mo_3plus"]);
    expect(first?.reasons[0]?.detail).toBe("6 in / 6 out in 12 months");
    expect(first).toMatchObject({ computedTier: "warm", override: null, ruleSetVersion: 1 });
    expect(first?.stats).toMatchObject({ emailIn12mo: 6, emailOut12mo: 6 });
    expect(detail.connections[1]?.reasons.map((reason) => reason.code)).toEqual(["inbound_only_24mo"]);

    const byReach = await listContacts(ADMIN, table.orgId, team.id, { sort: "reachability" });
    expect(byReach.items.map((item) => [item.name, item.reachability?.tier])).toEqual([
      ["Rita", "high"],
      ["Nora", "none"],
    ]);
    const high = await listContacts(ADMIN, table.orgId, team.id, { reachability: "high" });
    expect(high.items.map((item) => item.id)).toEqual([rita.id]);
    const none = await listContacts(ADMIN, table.orgId, team.id, { reachability: "none,low" });
    expect(none.items.map((item) => item.id)).toEqual([nobody.id]);
    const byStrength = await listContacts(ADMIN, table.orgId, team.id, { sort: "strength" });
    expect(byStrength.items.map((item) => item.id)).toEqual([rita.id, nobody.id]);

    // a redelivery changes nothing
    expect(
      await recompute([
        { userId: ann.id, collectionId: team.id, contactId: rita.id },
        { userId: ben.id, collectionId: team.id, contactId: rita.id },
      ]),
    ).toMatchObject({ linksWritten: 0, tierChanges: 0, reachRecomputes: 0 });
  });

  it("pages of the reachability order neither skip nor repeat a contact", async () => {
    // prepare: 7 contacts, 3 reachable through one member
    const member = await user("Pager");
    const team = await collection("Paged team", [member]);
    const contacts = [];
    for (let index = 0; index < 7; index++) {
      contacts.push(
        await Contacts.createContact(table.orgId, team.id, {
          name: `Person ${index}`,
          emails: [`person${index}@paged.example`],
        }),
      );
    }
    for (const contact of contacts.slice(0, 3)) {
      await ingest(correspondence(member.id, contact.emails[0] as string, 1, 0));
    }
    await recompute(
      contacts.map((contact) => ({ userId: member.id, collectionId: team.id, contactId: contact.id })),
    );

    // act
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listContacts(ADMIN, table.orgId, team.id, {
        sort: "reachability",
        limit: "2",
        cursor,
      });
      seen.push(...page.items.map((item) => `${item.reachability?.tier}:${item.name}`));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    // assess
    expect(seen).toEqual([
      "low:Person 0",
      "low:Person 1",
      "low:Person 2",
      "none:Person 3",
      "none:Person 4",
      "none:Person 5",
      "none:Person 6",
    ]);
    await expect(
      listContacts(ADMIN, table.orgId, team.id, { sort: "name", limit: "2", cursor: "bm90LWEtY3Vyc29y" }),
    ).rejects.toMatchObject({ status: 400, code: "invalid_cursor" });
  });
});

describe("contacts from before reachability items existed", () => {
  it("the first recompute that links such a contact creates its reachability item", async () => {
    // prepare: a contact whose reachability item is gone, as one written before they existed
    const ray = await user("Ray");
    const team = await collection("Legacy team", [ray]);
    const old = await Contacts.createContact(table.orgId, team.id, {
      name: "Old",
      emails: ["old@ext.example"],
    });
    await db.delete({ Key: scoringKeys.reach(table.orgId, team.id, old.id) });
    await ingest(correspondence(ray.id, "old@ext.example", 6, 6));

    // act
    const outcome = await recompute([{ userId: ray.id, collectionId: team.id, contactId: old.id }]);

    // assess
    expect(outcome).toMatchObject({ linksWritten: 1, reachRecomputes: 1 });
    expect((await getContactDetail(ADMIN, table.orgId, team.id, old.id)).reachability).toMatchObject({
      tier: "high",
      keyUserId: ray.id,
    });
    const listed = await listContacts(ADMIN, table.orgId, team.id, { reachability: "high" });
    expect(listed.items.map((item) => item.name)).toEqual(["Old"]);
  });
});

describe("collection isolation", () => {
  it("a member of collection A never contributes to collection B, and cannot read it", async () => {
    // prepare: the same person is a contact in both collections; only Cleo (in A) knows them
    const [cleo, dana] = [await user("Cleo"), await user("Dana")];
    const a = await collection("A", [cleo]);
    const b = await collection("B", [dana]);
    const inA = await Contacts.createContact(table.orgId, a.id, { name: "Sam", emails: ["sam@ext.example"] });
    const inB = await Contacts.createContact(table.orgId, b.id, { name: "Sam", emails: ["sam@ext.example"] });
    await ingest(correspondence(cleo.id, "sam@ext.example", 6, 6));

    // act: the stats.changed the rollup publishes names both contacts
    const outcome = await recompute([
      { userId: cleo.id, collectionId: a.id, contactId: inA.id },
      { userId: cleo.id, collectionId: b.id, contactId: inB.id },
    ]);

    // assess
    expect(outcome.reachRecomputes).toBe(1);
    expect((await getContactDetail(ADMIN, table.orgId, a.id, inA.id)).reachability?.tier).toBe("high");
    const inCollectionB = await getContactDetail(ADMIN, table.orgId, b.id, inB.id);
    expect(inCollectionB.reachability).toMatchObject({ tier: "none", warm: 0, keyUserId: null });
    expect(inCollectionB.connections).toEqual([]);
    const cleoReader = { kind: "user" as const, userId: cleo.id, accessRole: "member" as const };
    await expect(getContactDetail(cleoReader, table.orgId, b.id, inB.id)).rejects.toMatchObject({
      status: 404,
      code: "collection_not_found",
    });
    await expect(listContacts(cleoReader, table.orgId, b.id, {})).rejects.toMatchObject({ status: 404 });
  });
});

describe("overrides and the key-connection opt-out", () => {
  it("an override wins over the computed tier, keeps it, is audited, and moves reachability at once", async () => {
    // prepare: Eve is cold with Omar
    const eve = await user("Eve");
    const team = await collection("Override team", [eve]);
    const omar = await Contacts.createContact(table.orgId, team.id, {
      name: "Omar",
      emails: ["omar@ext.example"],
    });
    await ingest(correspondence(eve.id, "omar@ext.example", 1, 0));
    await recompute([{ userId: eve.id, collectionId: team.id, contactId: omar.id }]);
    const self = {
      kind: "user" as const,
      actor: `user:${eve.id}`,
      userId: eve.id,
      accessRole: "member" as const,
    };

    // act
    const connection = await setOverride(self, table.orgId, team.id, omar.id, eve.id, "warm", NOW);

    // assess
    expect(connection).toMatchObject({ tier: "warm", computedTier: "cold", override: "warm" });
    expect((await getContactDetail(ADMIN, table.orgId, team.id, omar.id)).reachability).toMatchObject({
      tier: "high",
      warm: 1,
      cold: 0,
      keyUserId: eve.id,
    });
    const audit = await Users.listEvents(table.orgId, eve.id, {});
    expect(audit.items.find((event) => event.eventType === "strength_overridden")).toMatchObject({
      eventType: "strength_overridden",
      actor: `user:${eve.id}`,
      before: { collectionId: team.id, contactId: omar.id, override: null, computedTier: "cold" },
      after: { collectionId: team.id, contactId: omar.id, override: "warm", computedTier: "cold" },
    });
    // a recompute from new stats keeps the override
    await recompute([{ userId: eve.id, collectionId: team.id, contactId: omar.id }]);
    expect((await getContactDetail(ADMIN, table.orgId, team.id, omar.id)).connections[0]?.tier).toBe("warm");

    // clearing it goes back to the computed tier
    const cleared = await setOverride(self, table.orgId, team.id, omar.id, eve.id, null, NOW);
    expect(cleared).toMatchObject({ tier: "cold", override: null });
    expect((await getContactDetail(ADMIN, table.orgId, team.id, omar.id)).reachability?.tier).toBe("low");
  });

  it("an override can give a tier to a pair with no interaction, and a non-member cannot be overridden", async () => {
    const [fay, gus] = [await user("Fay"), await user("Gus")];
    const team = await collection("No-mail team", [fay]);
    const pat = await Contacts.createContact(table.orgId, team.id, {
      name: "Pat",
      emails: ["pat@ext.example"],
    });

    const connection = await setOverride(ADMIN, table.orgId, team.id, pat.id, fay.id, "known", NOW);
    expect(connection).toMatchObject({ tier: "known", computedTier: null, override: "known", reasons: [] });
    expect((await getContactDetail(ADMIN, table.orgId, team.id, pat.id)).reachability?.tier).toBe("medium");

    await expect(setOverride(ADMIN, table.orgId, team.id, pat.id, gus.id, "warm", NOW)).rejects.toMatchObject(
      {
        status: 404,
        code: "member_not_found",
      },
    );
  });

  it("an opted-out member still counts but is never the key connection", async () => {
    // prepare: Hal warm, Ida known with Quinn
    const [hal, ida] = [await user("Hal"), await user("Ida")];
    const team = await collection("Opt-out team", [hal, ida]);
    const quinn = await Contacts.createContact(table.orgId, team.id, {
      name: "Quinn",
      emails: ["quinn@ext.example"],
    });
    await ingest([
      ...correspondence(hal.id, "quinn@ext.example", 6, 6),
      ...correspondence(ida.id, "quinn@ext.example", 0, 3),
    ]);
    await recompute(
      [hal, ida].map((member) => ({ userId: member.id, collectionId: team.id, contactId: quinn.id })),
    );
    expect((await getContactDetail(ADMIN, table.orgId, team.id, quinn.id)).reachability?.keyUserId).toBe(
      hal.id,
    );

    // act: Hal opts out; the event's plan refreshes his contacts' reachability
    await setKeyConnectionOptOut(`user:${hal.id}`, table.orgId, hal.id, true, NOW);
    const targets = await planTargets(
      {
        kind: "plan",
        orgId: table.orgId,
        scope: "member_removed",
        collectionId: team.id,
        userId: hal.id,
        requestedAt: NOW.toISOString(),
      },
      NOW,
    );
    expect(targets.map((target) => target.contactId)).toContain(quinn.id);
    const { refreshReach } = await import("./recompute");
    const { readOptOuts } = await import("./store");
    await refreshReach(table.orgId, team.id, quinn.id, { now: NOW, optOuts: () => readOptOuts(table.orgId) });

    // assess
    expect((await getContactDetail(ADMIN, table.orgId, team.id, quinn.id)).reachability).toMatchObject({
      tier: "high",
      warm: 1,
      known: 1,
      keyUserId: ida.id,
    });
    const audit = await Users.listEvents(table.orgId, hal.id, {});
    expect(audit.items.find((event) => event.eventType === "key_connection_changed")).toMatchObject({
      eventType: "key_connection_changed",
      after: { optOut: true },
    });
  });
});

describe("recompute triggers", () => {
  it("a tuned threshold changes the tier and records the new version", async () => {
    // prepare: Jo has 4 two-way quarters... simpler: 3 meetings in 180 days is warm; tune to 4
    const jo = await user("Jo");
    const team = await collection("Rules team", [jo]);
    const kim = await Contacts.createContact(table.orgId, team.id, {
      name: "Kim",
      emails: ["kim@ext.example"],
    });
    await ingest(correspondence(jo.id, "kim@ext.example", 0, 0, 3));
    await recompute([{ userId: jo.id, collectionId: team.id, contactId: kim.id }]);
    expect((await getContactDetail(ADMIN, table.orgId, team.id, kim.id)).connections[0]?.tier).toBe("warm");

    // act
    const tuned = await tuneRules(
      table.orgId,
      { frequent_meetings_180d: { minMeetings: 4 } },
      { actor: "op:test", now: NOW },
    );
    const targets = await planTargets(
      { kind: "plan", orgId: table.orgId, scope: "rules", requestedAt: NOW.toISOString() },
      NOW,
    );
    await recomputeTargets(table.orgId, targets, { source: "snapshot", now: NOW });

    // assess
    expect(tuned.version).toBe(2);
    expect(
      (await getRules(table.orgId)).clauses.find((clause) => clause.code === "frequent_meetings_180d")
        ?.thresholds,
    ).toEqual({
      minMeetings: 4,
    });
    const connection = (await getContactDetail(ADMIN, table.orgId, team.id, kim.id)).connections[0];
    expect(connection).toMatchObject({ tier: "known", ruleSetVersion: 2 });
    expect(connection?.reasons.map((reason) => reason.code)).toEqual(["met_24mo"]);
  });

  it("the nightly plans a link exactly when its recency step is due, and its recompute lowers the score", async () => {
    // prepare
    const vic = await user("Vic");
    const team = await collection("Decay team", [vic]);
    const wes = await Contacts.createContact(table.orgId, team.id, {
      name: "Wes",
      emails: ["wes@ext.example"],
    });
    await ingest(correspondence(vic.id, "wes@ext.example", 1, 0));
    await recompute([{ userId: vic.id, collectionId: team.id, contactId: wes.id }]);
    const before = (await getContactDetail(ADMIN, table.orgId, team.id, wes.id)).connections[0];
    const { Item } = await db.get({
      Key: scoringKeys.link(table.orgId, team.id, wes.id, vic.id),
      ConsistentRead: true,
    });
    const due = new Date(Item?.nextDecayAt as string);
    const plan = (at: Date) =>
      planTargets({ kind: "plan", orgId: table.orgId, scope: "nightly", requestedAt: at.toISOString() }, at);

    // act
    const early = await plan(new Date(due.getTime() - 1));
    const onTime = await plan(due);
    await recomputeTargets(table.orgId, onTime, { source: "snapshot", now: due });

    // assess
    expect(early.map((target) => target.contactId)).not.toContain(wes.id);
    expect(onTime.map((target) => target.contactId)).toContain(wes.id);
    const after = (await getContactDetail(ADMIN, table.orgId, team.id, wes.id)).connections[0];
    expect(after?.score).toBeLessThan(before?.score as number);
    expect(after?.tier).toBe("cold");
  });

  it("a member leaving a collection stops counting there; a deleted contact takes its links", async () => {
    const [lea, max] = [await user("Lea"), await user("Max")];
    const team = await collection("Leaving team", [lea, max]);
    const ned = await Contacts.createContact(table.orgId, team.id, {
      name: "Ned",
      emails: ["ned@ext.example"],
    });
    await ingest([
      ...correspondence(lea.id, "ned@ext.example", 6, 6),
      ...correspondence(max.id, "ned@ext.example", 1, 0),
    ]);
    await recompute(
      [lea, max].map((member) => ({ userId: member.id, collectionId: team.id, contactId: ned.id })),
    );

    // act: Lea leaves; her links in the collection are planned and recomputed
    await Contacts.removeMember(table.orgId, team.id, lea.id);
    const leaving = await planTargets(
      {
        kind: "plan",
        orgId: table.orgId,
        scope: "member_removed",
        collectionId: team.id,
        userId: lea.id,
        requestedAt: NOW.toISOString(),
      },
      NOW,
    );
    await recomputeTargets(table.orgId, leaving, { source: "snapshot", now: NOW });

    // assess
    expect((await getContactDetail(ADMIN, table.orgId, team.id, ned.id)).reachability).toMatchObject({
      tier: "low",
      warm: 0,
      cold: 1,
      keyUserId: max.id,
    });

    // act: the contact is deleted; contact.deleted removes the remaining links
    await Contacts.deleteContact(table.orgId, team.id, ned.id);
    await handleScoringEvent(
      {
        detail: {
          id: "e1",
          type: "contact.deleted",
          occurredAt: NOW.toISOString(),
          orgId: table.orgId,
          data: { collectionId: team.id, contactId: ned.id, emailsRemoved: ["ned@ext.example"] },
        },
      } as ScoringEventMessage,
      NOW,
    );
    const left = await db.query({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: {
        ":pk": scoringKeys.link(table.orgId, team.id, ned.id, "").pk,
        ":prefix": scoringKeys.linkPrefix(ned.id),
      },
      ConsistentRead: true,
    });
    expect(left.Items).toEqual([]);
  });

  it("one tier change recomputes reachability once per collection holding the contact", async () => {
    // prepare: Ola is on three collections' teams, each with the contact
    const ola = await user("Ola");
    const teams = [
      await collection("C1", [ola]),
      await collection("C2", [ola]),
      await collection("C3", [ola]),
    ];
    const contacts: Contacts.Contact[] = [];
    for (const team of teams) {
      contacts.push(
        await Contacts.createContact(table.orgId, team.id, { name: "Una", emails: ["una@ext.example"] }),
      );
    }
    await ingest(correspondence(ola.id, "una@ext.example", 1, 0));
    const targets = teams.map((team, index) => ({
      userId: ola.id,
      collectionId: team.id,
      contactId: contacts[index]?.id as string,
    }));
    await recompute(targets);

    // act: enough mail to turn cold into warm
    await ingest(correspondence(ola.id, "una@ext.example", 5, 6));
    const outcome = await recompute(targets);

    // assess
    expect(outcome).toMatchObject({ tierChanges: 3, reachRecomputes: 3 });
  });
});
