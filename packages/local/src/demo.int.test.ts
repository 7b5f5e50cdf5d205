import * as Contacts from "@kith/core/contacts";
import * as Identity from "@kith/core/identity";
import * as Orgs from "@kith/core/orgs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFreshTable } from "../../../test/support/integration";
import { DEMO_MEMBERS, DEMO_ORG, type DemoSummary, seedDemoData } from "./demo";
import { DEMO_MAILBOXES, findDemoSpotlight } from "./demo-contacts";
import { demoMailboxTargets } from "./demo-mailboxes";
import { demoMailboxSize, demoMailWorld } from "./mailbox-providers";

/**
 * The demo seed against DynamoDB Local: two collections of ~300 contacts, every one a correspondent
 * of some demo mailbox, with the designed teams; the banner's contact found again by slug; and
 * nothing seeded into a database that already has an org.
 */

const system = { kind: "system" } as const;

async function allContacts(orgId: string, collectionId: string): Promise<Contacts.ContactListItem[]> {
  const items: Contacts.ContactListItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await Contacts.listContacts(system, orgId, collectionId, { limit: "200", cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

describe("seedDemoData into an empty database", () => {
  let table: Awaited<ReturnType<typeof useFreshTable>>;
  let summary: DemoSummary | undefined;
  let collections: Contacts.Collection[];
  let names: Map<string, string>;

  beforeAll(async () => {
    process.env.TOKEN_ENCRYPTION_KEY ||= "demo-int-test-token-encryption-key";
    table = await useFreshTable();
    summary = await seedDemoData();
    const orgId = summary?.orgId ?? "";
    collections = (await Contacts.listCollections(system, orgId, { limit: "50" })).items;
    const users = (await Identity.list(orgId, { limit: "200" })).items;
    names = new Map(users.map((user) => [user.id, user.name]));
  });

  afterAll(async () => {
    await table?.drop();
  });

  it("creates two collections whose teams are overlapping subsets of the active members", async () => {
    const orgId = summary?.orgId ?? "";
    const teams = await Promise.all(
      collections.map(async (collection) => {
        const members = await Contacts.listMembers(system, orgId, collection.id, { limit: "50" });
        return members.items.map((member) => names.get(member.userId)).sort();
      }),
    );

    expect(collections.map((collection) => collection.name)).toEqual([
      "Design partners",
      "Series A investors",
    ]);
    expect(teams).toEqual([
      ["Amara Okafor", "Diego Alvarez", "Maya Chen"],
      ["Lukas Becker", "Maya Chen", "Priya Natarajan"],
    ]);
    expect(summary?.collections.map((collection) => collection.contacts)).toEqual(
      await Promise.all(
        collections.map(async (collection) => (await allContacts(orgId, collection.id)).length),
      ),
    );
  });

  it("imports about 300 contacts, every email a correspondent of a demo mailbox; a few in both collections, a few with two emails", async () => {
    const orgId = summary?.orgId ?? "";
    const size = demoMailboxSize();
    const correspondents = new Set(
      DEMO_MEMBERS.flatMap((member) =>
        (["google", "microsoft"] as const).flatMap((provider) =>
          demoMailWorld(provider, member.email, { size })
            .correspondents()
            .map((person) => person.email),
        ),
      ),
    );
    const [partners, investors] = await Promise.all(
      collections.map((collection) => allContacts(orgId, collection.id)),
    );
    const contacts = [...(partners ?? []), ...(investors ?? [])];
    const emailsOf = (list: Contacts.ContactListItem[] = []) => new Set(list.flatMap((c) => c.emails));
    const partnerEmails = emailsOf(partners);

    expect(contacts.length).toBeGreaterThanOrEqual(280);
    expect(contacts.length).toBeLessThanOrEqual(330);
    expect(
      contacts.flatMap((contact) => contact.emails).filter((email) => !correspondents.has(email)),
    ).toEqual([]);
    expect(
      [...emailsOf(investors)].filter((email) => partnerEmails.has(email)).length,
    ).toBeGreaterThanOrEqual(3);
    expect(contacts.filter((contact) => contact.emails.length === 2).length).toBeGreaterThanOrEqual(4);
  });

  it("plans a mailbox for every active member (Maya on both providers), none for the suspended one", () => {
    const targets = demoMailboxTargets(summary?.userIds ?? new Map(), summary?.activeEmails ?? []);

    expect(targets.map((target) => `${target.email} ${target.provider}`).sort()).toEqual([
      "amara.okafor@acme.example google",
      "diego.alvarez@acme.example google",
      "lukas.becker@acme.example microsoft",
      "maya.chen@acme.example google",
      "maya.chen@acme.example microsoft",
      "priya.natarajan@acme.example microsoft",
    ]);
    expect(Object.keys(DEMO_MAILBOXES)).not.toContain("jordan.reyes@acme.example");
  });

  it("finds the banner's contact again by the org's slug: a contact of Design partners carrying Maya's strongest correspondent", async () => {
    const found = await findDemoSpotlight(DEMO_ORG.slug);
    const partners = collections[0] as Contacts.Collection;
    const contact = await Contacts.getContact(
      system,
      found?.orgId ?? "",
      found?.spotlight?.collectionId ?? "",
      found?.spotlight?.contactId ?? "",
    );
    const maya = demoMailWorld("google", "maya.chen@acme.example", { size: demoMailboxSize() });
    const stats = maya.correspondents().find((person) => contact.contact.emails.includes(person.email));

    expect(found?.orgId).toBe(summary?.orgId);
    expect(found?.spotlight?.collectionId).toBe(partners.id);
    // Warm for Maya by `twoway_12mo_5plus`: at least 5 messages each way in the last 12 months.
    expect(stats?.inbound12mo).toBeGreaterThanOrEqual(5);
    expect(stats?.outbound12mo).toBeGreaterThanOrEqual(5);
  });

  it("seeds nothing into a database that has an org", async () => {
    const again = await seedDemoData();
    const orgs = await Orgs.list({ limit: "50" });

    expect(again).toBeUndefined();
    expect(orgs.items.map((org) => org.slug)).toEqual([DEMO_ORG.slug]);
  });
});

describe("seedDemoData into a database with another org", () => {
  it("leaves it alone: no demo org, no collections", async () => {
    const table = await useFreshTable();
    try {
      const { org } = await Orgs.create({ name: "Someone Else" });

      const seeded = await seedDemoData();
      const orgs = await Orgs.list({ limit: "50" });
      const found = await findDemoSpotlight(DEMO_ORG.slug);

      expect(seeded).toBeUndefined();
      expect(orgs.items.map((item) => item.id)).toEqual([org.id]);
      expect(found).toBeUndefined();
      expect((await Contacts.listCollections(system, org.id, { limit: "50" })).items).toEqual([]);
    } finally {
      await table.drop();
    }
  });
});
