import * as Identity from "@kith/core/identity";
import * as Integrations from "@kith/core/integrations";
import * as Orgs from "@kith/core/orgs";
import {
  type DemoContactsPlan,
  demoContactsPlan,
  type SeededCollection,
  seedDemoContacts,
} from "./demo-contacts";
import { log } from "./log";
import { LOCAL_SLACK_BOT } from "./slack";

/**
 * Demo data for `npm start`: one org with a handful of people and a few identities nobody holds
 * yet, so the admin API has something to show on first run. Everything goes through the core
 * functions (claims, audit events and domain events exactly as a real request writes them), and
 * nothing secret is created: no tokens are minted.
 *
 * The org also gets two collections of contacts, people the members correspond with in their
 * sandbox mailboxes (demo-contacts.ts); after the start, the runtime connects those mailboxes
 * (demo-mailboxes.ts), so strength and reachability have mail to be computed from.
 *
 * Seeded only into a database with no orgs at all, so a restart never duplicates it and a database
 * someone has already used is never touched. `KITH_DEMO=0` skips it (the runtime checks that).
 */

export const DEMO_ORG = { name: "Acme Robotics", slug: "acme" } as const;

/** Audit actor for everything the seed writes. */
const ACTOR = "system:demo";
const SLACK_TEAM = "T04ACME7Q";

/**
 * The demo org's integrations, so signed deliveries work out of the box (README shows curl for
 * each): the Slack team with the sandbox's bot token, a GitHub App installation and a Linear
 * workspace, verified with the local default secrets.
 */
export const DEMO_INTEGRATIONS = {
  slack: {
    provider: "slack",
    externalTenantId: SLACK_TEAM,
    settings: { botToken: LOCAL_SLACK_BOT.token, botUserId: LOCAL_SLACK_BOT.botUserId },
  },
  github: { provider: "github", externalTenantId: "31415926" },
  linear: { provider: "linear", externalTenantId: "7d1e5a2c-3b4f-4a6e-9c8d-0e1f2a3b4c5d" },
} as const satisfies Record<string, Integrations.CreateIntegrationInput>;

interface DemoUser {
  input: Identity.CreateUserInput;
  /** Set after creation, so the audit trail shows a real `status_changed`. */
  suspend?: true;
  /** Linked afterwards through resolution by a verified email, as a webhook would (`auto_link`). */
  resolvedLater?: Identity.IdentityRef;
}

const USERS: readonly DemoUser[] = [
  {
    input: {
      name: "Maya Chen",
      email: "maya.chen@acme.example",
      emailAliases: ["maya@acme.example"],
      role: "VP Engineering",
      accessRole: "admin",
      timezone: "America/Los_Angeles",
      identities: [
        { kind: "slack", externalId: `${SLACK_TEAM}:U04MAYA01` },
        { kind: "github", externalId: "5839201" },
        { kind: "workos", externalId: "directory_user_01HZACME0MAYA000000000000" },
      ],
    },
  },
  {
    input: {
      name: "Diego Alvarez",
      email: "diego.alvarez@acme.example",
      emailAliases: ["diego@acme.example"],
      role: "Staff Robotics Engineer",
      timezone: "America/Mexico_City",
      identities: [
        { kind: "slack", externalId: `${SLACK_TEAM}:U04DIEGO2` },
        { kind: "github", externalId: "7710342" },
        { kind: "gitlab", externalId: "2214587" },
        { kind: "workos", externalId: "directory_user_01HZACME0DIEGO00000000000" },
      ],
    },
  },
  {
    input: {
      name: "Priya Natarajan",
      email: "priya.natarajan@acme.example",
      emailAliases: ["priya@acme.example"],
      role: "Product Manager",
      timezone: "Europe/London",
      preferredChannel: "email",
      identities: [
        { kind: "slack", externalId: `${SLACK_TEAM}:U04PRIYA3` },
        { kind: "linear", externalId: "3f6c2a1e-8b4d-4c1a-9e2f-7a5b6c8d9e01" },
        { kind: "workos", externalId: "directory_user_01HZACME0PRIYA00000000000" },
      ],
    },
  },
  {
    input: {
      name: "Amara Okafor",
      email: "amara.okafor@acme.example",
      role: "Firmware Engineer",
      timezone: "Africa/Lagos",
      identities: [
        { kind: "slack", externalId: `${SLACK_TEAM}:U04AMARA4` },
        { kind: "gitlab", externalId: "gitlab.acme.example:4021" },
        { kind: "github", externalId: "9023118" },
      ],
    },
  },
  {
    input: {
      name: "Lukas Becker",
      email: "lukas.becker@acme.example",
      role: "Site Reliability Engineer",
      timezone: "Europe/Berlin",
      identities: [
        { kind: "slack", externalId: `${SLACK_TEAM}:U04LUKAS5` },
        { kind: "github", externalId: "4410927" },
      ],
    },
    resolvedLater: { kind: "linear", externalId: "b7e1d4c2-5a3f-4e8b-a1c9-0d2e3f4a5b62" },
  },
  {
    input: {
      name: "Jordan Reyes",
      email: "jordan.reyes@acme.example",
      role: "Contract Mechanical Engineer",
      timezone: "America/Chicago",
      notes: "Contract ended; access suspended.",
      identities: [
        { kind: "slack", externalId: `${SLACK_TEAM}:U04JORDN6` },
        { kind: "github", externalId: "6650213" },
      ],
    },
    suspend: true,
  },
];

/**
 * The demo members as mailbox owners: the accounts the local Google and Microsoft sandboxes know,
 * each with a synthetic mailbox (mailbox-providers.ts).
 */
export const DEMO_MEMBERS: readonly { name: string; email: string; aliases: readonly string[] }[] =
  USERS.flatMap(({ input }) =>
    input.email ? [{ name: input.name, email: input.email, aliases: input.emailAliases ?? [] }] : [],
  );

interface DemoSighting {
  ref: Identity.IdentityRef;
  email?: string;
  source: string;
  eventType: string;
  context: string;
}

/**
 * Identities seen on webhooks that no user holds. The GitHub one came with an unverified email
 * that Priya owns, so she is listed as its candidate; the Slack guest is seen twice.
 */
const SIGHTINGS: readonly DemoSighting[] = [
  {
    ref: { kind: "slack", externalId: `${SLACK_TEAM}:U07GUEST9` },
    source: "webhook:slack",
    eventType: "message",
    context: "message in #field-ops",
  },
  {
    ref: { kind: "slack", externalId: `${SLACK_TEAM}:U07GUEST9` },
    source: "webhook:slack",
    eventType: "reaction_added",
    context: "reaction in #field-ops",
  },
  {
    ref: { kind: "github", externalId: "8812634" },
    email: "priya@acme.example",
    source: "webhook:github",
    eventType: "pull_request.opened",
    context: "acme/arm-controller#142 opened",
  },
  {
    ref: { kind: "linear", externalId: "c2a9e8f1-6d4b-4f3a-8b2c-1e0d9f8a7b63" },
    source: "webhook:linear",
    eventType: "Issue.create",
    context: "ROB-318 created",
  },
];

export interface DemoSummary {
  orgId: string;
  slug: string;
  users: number;
  unmapped: number;
  integrations: number;
  /** Each demo member's user id, by primary email. */
  userIds: Map<string, string>;
  /** Which members are active (the others get no mailbox connected). */
  activeEmails: string[];
  collections: SeededCollection[];
  /** The plan the contacts came from (its spotlight is the banner's contact). */
  plan: DemoContactsPlan;
}

/**
 * Seeds the demo org when the database has no org yet; returns what it seeded, or undefined when it
 * left the database alone.
 */
export async function seedDemoData(): Promise<DemoSummary | undefined> {
  const existing = await Orgs.list({ limit: 1 });
  if (existing.items.length > 0) return undefined;

  const { org } = await Orgs.create(DEMO_ORG);

  const userIds = new Map<string, string>();
  for (const user of USERS) {
    const created = await Identity.create(org.id, user.input, { actor: ACTOR });
    if (user.input.email) userIds.set(user.input.email, created.id);
    if (user.suspend) {
      await Identity.update(org.id, created.id, { status: "suspended" }, { actor: ACTOR });
    }
    if (user.resolvedLater) {
      await Identity.resolve(org.id, user.resolvedLater, {
        email: user.input.email ?? undefined,
        emailVerified: true,
        source: "demo",
        allowCreate: false,
      });
    }
  }

  // In order: the Slack guest's second sighting must follow its first.
  for (const sighting of SIGHTINGS) {
    await Identity.resolve(org.id, sighting.ref, {
      email: sighting.email,
      emailVerified: false,
      source: sighting.source,
      allowCreate: false,
      sighting: { eventType: sighting.eventType, context: sighting.context },
    });
  }

  for (const integration of Object.values(DEMO_INTEGRATIONS)) {
    await Integrations.create(org.id, integration, { actor: ACTOR });
  }

  const plan = demoContactsPlan();
  const collections = await seedDemoContacts(org.id, userIds, plan);

  const summary: DemoSummary = {
    integrations: Object.keys(DEMO_INTEGRATIONS).length,
    orgId: org.id,
    slug: org.slug,
    users: USERS.length,
    unmapped: new Set(SIGHTINGS.map((sighting) => `${sighting.ref.kind}#${sighting.ref.externalId}`)).size,
    userIds,
    activeEmails: USERS.flatMap((user) => (user.suspend || !user.input.email ? [] : [user.input.email])),
    collections,
    plan,
  };
  log(
    "info",
    `demo data: org ${summary.slug} (${summary.orgId}), ${summary.users} users, ${summary.unmapped} unmapped identities, ${summary.integrations} integrations`,
  );
  log(
    "info",
    `demo data: ${collections.length} collections, ${collections.map((c) => `${c.name} (${c.members} members, ${c.contacts} contacts)`).join(", ")}`,
  );
  return summary;
}
