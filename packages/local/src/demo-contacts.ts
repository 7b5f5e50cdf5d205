import * as Contacts from "@kith/core/contacts";
import type { MailboxProvider } from "@kith/core/mailbox";
import * as Orgs from "@kith/core/orgs";
import { db } from "@kith/core/storage";
import type { WorldCorrespondent } from "@kith/sandbox";
import { type DemoMailboxSize, demoMailboxSize, demoMailWorld } from "./mailbox-providers";

/**
 * The demo's collections and contacts: people the demo members really correspond with in their
 * sandbox mailboxes (the deterministic {@link demoMailWorld} of each member and provider), so that
 * once the demo mailboxes are connected and backfilled (demo-mailboxes.ts), strength and
 * reachability come out varied:
 * - each collection's team is a subset of the active members (Maya in both, the others in one);
 * - every correspondent of a mailbox that gets connected and belongs to a team member is a contact
 *   of that member's collection: warm, known or cold for them;
 * - the strongest correspondents of mailboxes nobody connects (a member's other provider, and
 *   Jordan's, who is suspended) are contacts too: nobody reaches them ("none") until that mailbox
 *   is connected;
 * - a few newsletters that reach the team's mailboxes are contacts too, cold (`newsletter_only`);
 * - a few people are contacts of both collections (a contact is per collection), a few carry two
 *   emails (two correspondents of the same name: one person who changed jobs).
 *
 * Pure planning from the worlds: the same plan on every start with the same mailbox size, so a
 * restart finds the banner's contact again ({@link findDemoSpotlight}). Addresses are never `now`-
 * dependent: the worlds place their mail relative to their own `now`.
 */

type Member =
  | "maya.chen@acme.example"
  | "diego.alvarez@acme.example"
  | "priya.natarajan@acme.example"
  | "amara.okafor@acme.example"
  | "lukas.becker@acme.example"
  | "jordan.reyes@acme.example";

/** Which sandbox mailboxes the runtime connects for each active demo member after a fresh seed. */
export const DEMO_MAILBOXES: Readonly<Partial<Record<Member, readonly MailboxProvider[]>>> = {
  "maya.chen@acme.example": ["google", "microsoft"],
  "diego.alvarez@acme.example": ["google"],
  "amara.okafor@acme.example": ["google"],
  "priya.natarajan@acme.example": ["microsoft"],
  "lukas.becker@acme.example": ["microsoft"],
};

interface WorldRef {
  member: Member;
  provider: MailboxProvider;
}

interface CollectionDesign {
  name: string;
  /** The collection's team (its members), by email. */
  team: readonly Member[];
  /** Connected mailboxes of team members: all their correspondents become contacts. */
  known: readonly WorldRef[];
  /** Mailboxes nobody connects: their strongest correspondents become contacts nobody reaches. */
  unreached: readonly WorldRef[];
}

const DESIGN: readonly CollectionDesign[] = [
  {
    name: "Design partners",
    team: ["maya.chen@acme.example", "diego.alvarez@acme.example", "amara.okafor@acme.example"],
    known: [
      { member: "maya.chen@acme.example", provider: "google" },
      { member: "diego.alvarez@acme.example", provider: "google" },
      { member: "amara.okafor@acme.example", provider: "google" },
    ],
    unreached: [
      { member: "diego.alvarez@acme.example", provider: "microsoft" },
      { member: "amara.okafor@acme.example", provider: "microsoft" },
      { member: "jordan.reyes@acme.example", provider: "google" },
    ],
  },
  {
    name: "Series A investors",
    team: ["maya.chen@acme.example", "priya.natarajan@acme.example", "lukas.becker@acme.example"],
    known: [
      { member: "maya.chen@acme.example", provider: "microsoft" },
      { member: "priya.natarajan@acme.example", provider: "microsoft" },
      { member: "lukas.becker@acme.example", provider: "microsoft" },
    ],
    unreached: [
      { member: "priya.natarajan@acme.example", provider: "google" },
      { member: "lukas.becker@acme.example", provider: "google" },
      { member: "jordan.reyes@acme.example", provider: "microsoft" },
    ],
  },
];

/** Any fixed time: a world's mail is placed relative to its `now`, so the counts do not depend on it. */
const PLAN_NOW = Date.UTC(2025, 0, 1);
/** How many correspondents of each unreached mailbox become contacts. */
const UNREACHED_PER_MAILBOX = 16;
/** People who are contacts of both collections: the strongest of these mailboxes, listed in the other one too. */
const CROSS_LISTED: readonly (WorldRef & { count: number; into: number })[] = [
  { member: "maya.chen@acme.example", provider: "google", count: 3, into: 1 },
  { member: "priya.natarajan@acme.example", provider: "microsoft", count: 2, into: 0 },
];
/** Newsletter senders per collection (by address, from the team's connected mailboxes), and their names. */
const NEWSLETTERS_PER_COLLECTION = 3;
const NEWSLETTER_NAMES: Readonly<Record<string, string>> = {
  dailybrief: "Daily Brief",
  weeklydigest: "Weekly Digest",
  productnews: "Product News",
  deals: "Deals",
  eventsclub: "Events Club",
  techroundup: "Tech Roundup",
};
/** Contacts with two emails per collection. */
const TWO_EMAIL_CONTACTS = 3;

export interface DemoCollectionPlan {
  name: string;
  team: readonly string[];
  contacts: { name: string; emails: string[] }[];
}

export interface DemoContactsPlan {
  collections: DemoCollectionPlan[];
  /**
   * The banner's contact: in the first collection, the one carrying the correspondent of Maya's
   * Google mailbox with the most two-way mail in the last 12 months (at least 5 each way makes the
   * `twoway_12mo_5plus` clause, so her connection is warm).
   */
  spotlight: { collection: string; email: string };
  /**
   * A contact Maya barely corresponds with (the least mail of her Google mailbox's correspondents,
   * not the spotlight) whose enrichment profile puts them beside her at a past employer for years
   * (demo-enrichment.ts): warm through `long_work_overlap`, not through mail.
   */
  pastColleague: { collection: string; email: string };
}

function title(name: string): string {
  return name.replace(/\b\w/g, (letter) => letter.toUpperCase());
}

const byEmail = (a: { email: string }, b: { email: string }) =>
  a.email < b.email ? -1 : a.email > b.email ? 1 : 0;

/** The plan for the current mailbox size (`KITH_DEMO_MAILBOX_MESSAGES`, `KITH_DEMO_MAILBOX_MEETINGS`). */
export function demoContactsPlan(size: DemoMailboxSize = demoMailboxSize()): DemoContactsPlan {
  const worlds = new Map<string, WorldCorrespondent[]>();
  const correspondents = ({ member, provider }: WorldRef): WorldCorrespondent[] => {
    const key = `${provider}:${member}`;
    let found = worlds.get(key);
    if (!found) {
      // People only: newsletter senders are not anyone's contact.
      found = demoMailWorld(provider, member, { now: PLAN_NOW, size }).correspondents();
      worlds.set(key, found);
    }
    return found;
  };

  // People only: a newsletter sender is not anyone's contact (except the few chosen below).
  const people = (world: WorldRef) => correspondents(world).filter((person) => person.newsletters === 0);
  const collections = DESIGN.map((design, index) => {
    const newsletters = [
      ...new Set(
        design.known.flatMap((world) =>
          correspondents(world)
            .filter((sender) => sender.newsletters > 0 && sender.email.startsWith("news@"))
            .map((sender) => sender.email),
        ),
      ),
    ]
      .sort()
      .slice(0, NEWSLETTERS_PER_COLLECTION);
    const newsletterContacts = newsletters.map((email) => {
      const brand = email.slice("news@".length).split(".")[0] ?? email;
      return { name: NEWSLETTER_NAMES[brand] ?? brand, emails: [email] };
    });
    const candidates: WorldCorrespondent[] = [
      ...design.known.flatMap(people),
      ...design.unreached.flatMap((world) => people(world).slice(0, UNREACHED_PER_MAILBOX)),
      ...CROSS_LISTED.filter((cross) => cross.into === index).flatMap((cross) =>
        people(cross).slice(0, cross.count),
      ),
    ];
    // An address once per collection (the same person may turn up in two mailboxes).
    const unique = [...new Map(candidates.map((person) => [person.email, person])).values()];
    // Two correspondents of the same name from two connected mailboxes: one person, two emails.
    const knownEmails = new Set(design.known.flatMap(people).map((person) => person.email));
    const byName = new Map<string, WorldCorrespondent[]>();
    for (const person of unique.filter((candidate) => knownEmails.has(candidate.email))) {
      byName.set(person.name, [...(byName.get(person.name) ?? []), person]);
    }
    const merged = new Map<string, string[]>();
    for (const [, group] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (merged.size >= TWO_EMAIL_CONTACTS) break;
      const [first, second] = [...group].sort(byEmail);
      if (first && second) merged.set(first.email, [first.email, second.email]);
    }
    const absorbed = new Set([...merged.values()].map((emails) => emails[1]));
    const contacts = unique
      .filter((person) => !absorbed.has(person.email))
      .map((person) => ({ name: title(person.name), emails: merged.get(person.email) ?? [person.email] }))
      .concat(newsletterContacts);
    return { name: design.name, team: design.team, contacts };
  });

  const mayaGoogle = people({ member: "maya.chen@acme.example", provider: "google" });
  const strength = (person: WorldCorrespondent) => Math.min(person.inbound12mo, person.outbound12mo);
  const [spotlight] = [...mayaGoogle].sort((a, b) => strength(b) - strength(a) || byEmail(a, b));
  const signal = (person: WorldCorrespondent) => person.outbound + person.twoWayThreads + 2 * person.meetings;
  const [pastColleague] = mayaGoogle
    .filter((person) => person.email !== spotlight?.email && person.inbound + person.meetings > 0)
    .sort((a, b) => signal(a) - signal(b) || byEmail(a, b));
  return {
    collections,
    spotlight: { collection: DESIGN[0]?.name ?? "", email: spotlight?.email ?? "" },
    pastColleague: { collection: DESIGN[0]?.name ?? "", email: pastColleague?.email ?? "" },
  };
}

export interface SeededCollection {
  id: string;
  name: string;
  members: number;
  contacts: number;
}

/**
 * Creates the plan's collections, their teams and contacts (one bulk import per collection),
 * through the core functions. `userIds` maps each demo member's email to their user id.
 */
export async function seedDemoContacts(
  orgId: string,
  userIds: ReadonlyMap<string, string>,
  plan: DemoContactsPlan = demoContactsPlan(),
): Promise<SeededCollection[]> {
  const seeded: SeededCollection[] = [];
  for (const design of plan.collections) {
    const collection = await Contacts.createCollection(orgId, { name: design.name });
    for (const email of design.team) {
      const userId = userIds.get(email);
      if (!userId) throw new Error(`demo member ${email} was not created`);
      await Contacts.addMember(orgId, collection.id, userId);
    }
    await Contacts.importContacts(orgId, collection.id, design.contacts);
    seeded.push({
      id: collection.id,
      name: collection.name,
      members: design.team.length,
      contacts: design.contacts.length,
    });
  }
  return seeded;
}

export interface DemoSpotlight {
  orgId: string;
  collectionId: string;
  contactId: string;
}

/**
 * The demo org (by its slug) and the banner's contact in it, or undefined when there is no demo
 * org. Found the same way on every start: the collection by name, then the contact carrying the
 * plan's spotlight email (or, when the demo was seeded with another mailbox size, the collection's
 * first contact by name; none when the collection is gone).
 */
export async function findDemoSpotlight(
  slug: string,
  seededPlan?: Pick<DemoContactsPlan, "spotlight" | "pastColleague">,
): Promise<
  | { orgId: string; spotlight?: Omit<DemoSpotlight, "orgId">; pastColleague?: Omit<DemoSpotlight, "orgId"> }
  | undefined
> {
  const claim = await db.get({ Key: Orgs.keys.slugClaim(slug) });
  const orgId = claim.Item?.orgId as string | undefined;
  if (!orgId) return undefined;
  const plan = seededPlan ?? demoContactsPlan();
  const reader = { kind: "system" } as const;
  let cursor: string | undefined;
  let collectionId: string | undefined;
  do {
    const page = await Contacts.listCollections(reader, orgId, { limit: 200, cursor });
    collectionId = page.items.find((item) => item.name === plan.spotlight.collection)?.id;
    cursor = page.nextCursor ?? undefined;
  } while (!collectionId && cursor);
  if (!collectionId) return { orgId };
  cursor = undefined;
  let first: string | undefined;
  let spotlight: string | undefined;
  let pastColleague: string | undefined;
  do {
    const page = await Contacts.listContacts(reader, orgId, collectionId, { limit: "200", cursor });
    first ??= page.items[0]?.id;
    spotlight ??= page.items.find((item) => item.emails.includes(plan.spotlight.email))?.id;
    pastColleague ??= page.items.find((item) => item.emails.includes(plan.pastColleague.email))?.id;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && !(spotlight && pastColleague));
  // Seeded with another mailbox size (another plan): the collection's first contact by name.
  const chosen = spotlight ?? first;
  return {
    orgId,
    ...(chosen ? { spotlight: { collectionId, contactId: chosen } } : {}),
    ...(pastColleague ? { pastColleague: { collectionId, contactId: pastColleague } } : {}),
  };
}
