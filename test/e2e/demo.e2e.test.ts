import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_WEBHOOK_SECRETS } from "@kith/local/runtime";
import { signSlack } from "@kith/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalRuntime, poll, startLocalRuntime } from "../support/processes";

const OPERATOR_KEY = "e2e-demo-operator-key";

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface Org {
  id: string;
  name: string;
  slug: string;
}
interface User {
  id: string;
  name: string;
  email: string | null;
  accessRole: string;
  status: string;
  identities: { kind: string; externalId: string }[];
  tokens: unknown[];
}
interface Unmapped {
  kind: string;
  externalId: string;
  count: number;
  candidates: string[];
}

/** `npm start` on `dataDir`, in its own process group, once `/_local/health` answers 200. */
async function start(dataDir: string, env: Record<string, string> = {}): Promise<LocalRuntime> {
  const instance = await startLocalRuntime({
    dataDir,
    // Small demo mailboxes: the demo's connects start backfills, which a stop must not wait long for.
    env: {
      OPERATOR_API_KEY: OPERATOR_KEY,
      KITH_DEMO: "",
      KITH_DEMO_MAILBOX_MESSAGES: "60",
      KITH_DEMO_MAILBOX_MEETINGS: "10",
      // On, as `npm start` has it: the demo's past colleague is warm through enrichment.
      KITH_ENRICHMENT: "",
      ...env,
    },
    timeoutMs: 45_000,
  });
  running.add(instance);
  return instance;
}

/** SIGTERM and wait for a clean exit, so DynamoDB Local has written its data before a restart. */
async function stop(instance: LocalRuntime): Promise<void> {
  await instance.stop();
  running.delete(instance);
}

async function get<T>(instance: LocalRuntime, path: string): Promise<T> {
  const response = await fetch(`${instance.baseUrl}${path}`, {
    headers: { authorization: `Bearer ${OPERATOR_KEY}` },
  });
  expect(response.status, `GET ${path}`).toBe(200);
  return (await response.json()) as T;
}

const running = new Set<LocalRuntime>();
const dataDirs: string[] = [];
function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kith-demo-"));
  dataDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const instance of running) instance.kill();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

const DEMO_NAMES = [
  "Amara Okafor",
  "Diego Alvarez",
  "Jordan Reyes",
  "Lukas Becker",
  "Maya Chen",
  "Priya Natarajan",
];

describe("demo data (KITH_DEMO unset: seed an empty database)", () => {
  let dataDir: string;
  let first: LocalRuntime;
  let org: Org;
  let users: User[];
  let unmapped: Unmapped[];

  beforeAll(async () => {
    dataDir = freshDataDir();
    first = await start(dataDir);
    const orgs = await get<Page<Org>>(first, "/v1/orgs");
    org = orgs.items[0] as Org;
    users = (await get<Page<User>>(first, `/v1/orgs/${org.id}/users?limit=200`)).items;
    unmapped = (await get<Page<Unmapped>>(first, `/v1/orgs/${org.id}/unmapped`)).items;
  });

  it("seeds the Acme Robotics org and logs one line naming it", async () => {
    const orgs = await get<Page<Org>>(first, "/v1/orgs");

    expect(orgs.items).toEqual([expect.objectContaining({ name: "Acme Robotics", slug: "acme" })]);
    expect(first.output()).toContain(
      `demo data: org acme (${org.id}), 6 users, 3 unmapped identities, 3 integrations`,
    );
  });

  it("lists the demo users ordered by name: one admin, one suspended, identities on every platform, no tokens", () => {
    const kinds = new Set(users.flatMap((user) => user.identities.map((identity) => identity.kind)));

    expect(users.map((user) => user.name)).toEqual(DEMO_NAMES);
    expect(users.filter((user) => user.accessRole === "admin").map((user) => user.name)).toEqual([
      "Maya Chen",
    ]);
    expect(users.filter((user) => user.status === "suspended").map((user) => user.name)).toEqual([
      "Jordan Reyes",
    ]);
    expect([...kinds].sort()).toEqual(["github", "gitlab", "linear", "slack", "workos"]);
    // Linked by resolution through his verified email, not at creation.
    expect(
      users.find((user) => user.name === "Lukas Becker")?.identities.map((identity) => identity.kind),
    ).toContain("linear");
    expect(users.every((user) => user.tokens.length === 0)).toBe(true);
    expect(first.output()).not.toMatch(/kith_[0-9A-Za-z]{32,}/);
  });

  it("lists the unmapped sightings, the one with Priya's unverified email naming her as candidate", () => {
    const priya = users.find((user) => user.name === "Priya Natarajan");

    expect(unmapped).toHaveLength(3);
    expect(unmapped[0]).toMatchObject({ kind: "slack", count: 2 });
    expect(unmapped.find((entry) => entry.kind === "github")?.candidates).toEqual([priya?.id]);
    expect(unmapped.find((entry) => entry.kind === "linear")?.candidates).toEqual([]);
  });

  it("connects the demo Slack team, GitHub installation and Linear workspace, showing no secret", async () => {
    const integrations = await get<
      Page<{ provider: string; externalTenantId: string; settings: Record<string, unknown> }>
    >(first, `/v1/orgs/${org.id}/integrations`);

    expect(integrations.items.map((item) => item.provider).sort()).toEqual(["github", "linear", "slack"]);
    expect(JSON.stringify(integrations)).not.toContain("xoxb-");
  });

  it("seeds two collections of contacts and prints the demo lines of the banner: the operator token as a variable, one contact and the list by reachability", async () => {
    const collections = await get<Page<{ id: string; name: string }>>(
      first,
      `/v1/orgs/${org.id}/collections`,
    );
    const partners = collections.items.find((item) => item.name === "Design partners");
    const contacts = await get<Page<{ id: string; emails: string[] }>>(
      first,
      `/v1/orgs/${org.id}/collections/${partners?.id}/contacts?limit=200`,
    );
    const contactId = /KITH_CONTACT=(\S+)/.exec(first.output())?.[1];

    expect(collections.items.map((item) => item.name)).toEqual(["Design partners", "Series A investors"]);
    expect(first.output()).toMatch(/demo data: 2 collections, Design partners \(3 members, \d+ contacts\)/);
    expect(first.output()).toContain(
      `KITH_TOKEN="$OPERATOR_API_KEY" KITH_ORG=${org.id} KITH_COLLECTION=${partners?.id} KITH_CONTACT=`,
    );
    expect(first.output()).not.toContain(OPERATOR_KEY);
    expect(contacts.items.map((item) => item.id)).toContain(contactId);
    expect(first.output()).toContain(
      `${first.baseUrl}/v1/orgs/${org.id}/collections/${partners?.id}/contacts?sort=reachability`,
    );
  });

  it("connects a sandbox mailbox for every active member through the OAuth flow: Google, Microsoft or both, none for the suspended one", async () => {
    const accounts = await poll(
      async () => {
        const all = await Promise.all(
          users.map(async (user) => {
            const listed = await get<{ accounts: { provider: string }[] }>(
              first,
              `/v1/orgs/${org.id}/users/${user.id}/mailbox`,
            );
            return listed.accounts.map((account) => `${user.name} ${account.provider}`);
          }),
        );
        const flat = all.flat().sort();
        return flat.length === 6 ? flat : undefined;
      },
      30_000,
      "the demo's six mailboxes to be connected",
    );

    expect(accounts).toEqual([
      "Amara Okafor google",
      "Diego Alvarez google",
      "Lukas Becker microsoft",
      "Maya Chen google",
      "Maya Chen microsoft",
      "Priya Natarajan microsoft",
    ]);
    // The accounts are listed once stored; the runtime logs its summary after the last connect returns.
    const summary = await poll(
      async () => first.output().match(/demo mailboxes: \d+ of \d+ connected/)?.[0],
      30_000,
      "the demo mailboxes' summary line",
    );
    expect(summary).toBe("demo mailboxes: 6 of 6 connected");
  });

  it("enrichment turns the banner's past colleague warm through long_work_overlap, though their mail alone is not", async () => {
    const url = /warm through a past job \(enrichment, long_work_overlap\): (\S+)/.exec(first.output())?.[1];
    expect(url, "the banner's enrichment line").toBeDefined();
    const path = new URL(url as string).pathname;
    const maya = users.find((user) => user.name === "Maya Chen");

    const connection = await poll(
      async () => {
        const detail = await get<{
          connections: { userId: string; tier: string; reasons: { code: string }[] }[];
        }>(first, path);
        const hers = detail.connections.find((one) => one.userId === maya?.id);
        return hers?.reasons.some((reason) => reason.code === "long_work_overlap") ? hers : undefined;
      },
      90_000,
      "Maya's connection with the past colleague to carry long_work_overlap",
    );

    expect(connection.tier).toBe("warm");
    const codes = connection.reasons.map((reason) => reason.code);
    // Warm because of the overlap: no mail clause of the warm tier is met.
    expect(codes).not.toContain("twoway_12mo_5plus");
    expect(codes).not.toContain("sustained_2yr");
    expect(codes).not.toContain("frequent_meetings_180d");
    const rules = await get<{ clauses: { active: boolean }[] }>(first, `/v1/orgs/${org.id}/rules`);
    expect(rules.clauses.filter((clause) => clause.active)).toHaveLength(14);
  });

  it("a restart on the same DATA_DIR seeds nothing again, and sealed secrets still open (a Slack guest is looked up)", async () => {
    await stop(first);

    const second = await start(dataDir);
    const orgs = await get<Page<Org>>(second, "/v1/orgs");
    const usersAfter = await get<Page<User>>(second, `/v1/orgs/${org.id}/users?limit=200`);
    const unmappedAfter = await get<Page<Unmapped>>(second, `/v1/orgs/${org.id}/unmapped`);
    const guestMessage = signSlack(
      {
        type: "event_callback",
        team_id: "T04ACME7Q",
        event_id: `Ev0RESTART${Date.now()}`,
        event_time: Math.floor(Date.now() / 1000),
        event: { type: "message", channel: "C04FIELD", user: "U07GUEST9", ts: "1.0" },
      },
      DEFAULT_WEBHOOK_SECRETS.SLACK_SIGNING_SECRET,
    );
    const slackReply = await fetch(`${second.baseUrl}/webhooks/slack`, {
      method: "POST",
      headers: guestMessage.headers,
      body: guestMessage.body,
    });
    const guestAfter = (await get<Page<Unmapped>>(second, `/v1/orgs/${org.id}/unmapped`)).items.find(
      (entry) => entry.externalId === "T04ACME7Q:U07GUEST9",
    );
    await stop(second);

    expect(orgs.items.map((item) => item.id)).toEqual([org.id]);
    expect(usersAfter.items.map((user) => user.id)).toEqual(users.map((user) => user.id));
    expect(unmappedAfter.items).toEqual(unmapped);
    expect(second.output()).not.toContain("demo data:");
    expect(second.output()).not.toContain("demo mailboxes:");
    // The banner finds the demo org and the same contact again.
    expect(/KITH_CONTACT=(\S+)/.exec(second.output())?.[1]).toBe(
      /KITH_CONTACT=(\S+)/.exec(first.output())?.[1],
    );
    // The bot token sealed before the restart opened (else a 500); the guest is counted, not made a user.
    expect(slackReply.status).toBe(200);
    expect(guestAfter?.count).toBe(3);
  });
});

describe("demo data with KITH_DEMO=0", () => {
  it("leaves a fresh database empty", async () => {
    const instance = await start(freshDataDir(), { KITH_DEMO: "0" });
    const orgs = await get<Page<Org>>(instance, "/v1/orgs");
    await stop(instance);

    expect(orgs.items).toEqual([]);
    expect(instance.output()).not.toContain("demo data:");
    expect(instance.output()).not.toContain("KITH_ORG=");
  });
});
