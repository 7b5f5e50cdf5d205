import "./quiet-logs";
import { signGitHubDelivery } from "@kith/sandbox";
import examples from "@octokit/webhooks-examples";
import { beforeAll, describe, expect, it } from "vitest";
import { expectError, type Item, type Reply, useRouteGateway } from "./support";
import {
  connect,
  deliver,
  unmappedEntry,
  usersOf,
  useWebhookSecrets,
  WEBHOOK_SECRETS,
} from "./webhook-support";

const SECRET = WEBHOOK_SECRETS.GITHUB_WEBHOOK_SECRET;
const PATH = "/webhooks/github";

/** The fields of a GitHub payload these tests read; the examples' own types are a union of 58 events. */
interface Payload {
  action?: string;
  sender?: { id: number; login: string; type: string; email?: string | null };
  installation?: { id: number };
  organization?: { id: number };
  repository?: { owner?: { id: number } };
  [field: string]: unknown;
}

interface Example {
  event: string;
  payload: Payload;
  /** `event.action#n`, for failure messages. */
  label: string;
}

/** Every example that has a sender (325 of them), with the event name GitHub sends it under. */
const EXAMPLES: Example[] = examples.flatMap((definition) =>
  (definition.examples as unknown as Payload[])
    .filter((payload) => payload.sender !== undefined)
    .map((payload, index) => ({
      event: definition.name,
      payload,
      label: `${definition.name}${payload.action ? `.${payload.action}` : ""}#${index}`,
    })),
);

/** The tenant GitHub's payload names: installation, else organization, else repository owner. */
function tenantOf(payload: Payload): string | undefined {
  const id = payload.installation?.id ?? payload.organization?.id ?? payload.repository?.owner?.id;
  return id === undefined ? undefined : String(id);
}

/** A person, as opposed to a GitHub App (`Bot`, `…[bot]`) or an organization acting. */
function isPerson(payload: Payload): boolean {
  return payload.sender?.type === "User" && !payload.sender.login.endsWith("[bot]");
}

/** The example for an event (and action), to build hand-made deliveries from real payloads. */
function example(event: string, action?: string): Payload {
  const found = EXAMPLES.find(
    (candidate) => candidate.event === event && (action === undefined || candidate.payload.action === action),
  );
  if (!found) throw new Error(`no @octokit/webhooks-examples payload for ${event}.${action}`);
  return structuredClone(found.payload);
}

let idSequence = 0;
/** A GitHub id (installation, organization, account) no example uses: theirs are all below 10^8. */
function freshId(): number {
  idSequence += 1;
  return 9_000_000_000 + idSequence;
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of the results. */
async function pooled<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(runners);
  return results;
}

describe("routes: POST /webhooks/github", () => {
  const routes = useRouteGateway();
  beforeAll(() => useWebhookSecrets());

  /** Connects a fresh installation to a fresh org. */
  async function installedOrg(): Promise<{ orgId: string; installation: number }> {
    const org = await routes.createOrg();
    const installation = freshId();
    await connect(routes, org.id, { provider: "github", externalTenantId: String(installation) });
    return { orgId: org.id, installation };
  }

  /** Item keys of the table that mention a delivery id (its dedupe record, if one was written). */
  function mentioning(items: readonly Item[], deliveryIds: ReadonlySet<string>): Item[] {
    return items.filter((item) => [...deliveryIds].some((id) => String(item.pk).includes(id)));
  }

  it("handles every @octokit/webhooks-examples payload with a sender: people become unmapped by numeric id, bots and organizations are ignored", async () => {
    // prepare: one org per tenant the examples name, connected by the id GitHub routes on
    const routed = EXAMPLES.filter((entry) => tenantOf(entry.payload) !== undefined);
    const tenants = [...new Set(routed.map((entry) => tenantOf(entry.payload) as string))];
    const orgOfTenant = new Map<string, string>();
    await pooled(tenants, 4, async (tenant) => {
      const org = await routes.createOrg();
      await connect(routes, org.id, { provider: "github", externalTenantId: tenant });
      orgOfTenant.set(tenant, org.id);
    });
    const deliveries = await Promise.all(
      routed.map(async (entry) => ({
        entry,
        signed: await signGitHubDelivery(entry.payload, SECRET, entry.event),
      })),
    );

    // act
    const replies = await pooled(deliveries, 8, ({ signed }) => deliver(routes, PATH, signed));

    // assess: each reply
    const wrong: string[] = [];
    const ignoredDeliveries = new Set<string>();
    deliveries.forEach(({ entry, signed }, index) => {
      const reply = replies[index] as Reply;
      const expected = entry.event === "ping" || !isPerson(entry.payload) ? "ignored" : "processed";
      if (expected === "ignored") ignoredDeliveries.add(signed.headers["x-github-delivery"] as string);
      if (reply.status !== 200 || reply.body?.outcome !== expected) {
        wrong.push(`${entry.label}: expected 200 ${expected}, got ${reply.status} ${reply.text}`);
      }
    });
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(325);
    expect(wrong).toEqual([]);
    expect(ignoredDeliveries.size).toBeGreaterThan(20);

    // assess: per org, exactly the people, each counted once per delivery, with login and event kept
    for (const tenant of tenants) {
      const orgId = orgOfTenant.get(tenant) as string;
      const people = new Map<string, { count: number; logins: Set<string>; events: Set<string> }>();
      for (const { entry } of deliveries) {
        if (tenantOf(entry.payload) !== tenant || entry.event === "ping" || !isPerson(entry.payload))
          continue;
        const sender = entry.payload.sender as NonNullable<Payload["sender"]>;
        const seen = people.get(String(sender.id)) ?? { count: 0, logins: new Set(), events: new Set() };
        seen.count += 1;
        seen.logins.add(sender.login);
        seen.events.add(`github:${entry.event}${entry.payload.action ? `.${entry.payload.action}` : ""}`);
        people.set(String(sender.id), seen);
      }
      const reply = await routes.api("GET", `/v1/orgs/${orgId}/unmapped?kind=github&limit=200`);
      const entries = reply.body.items as Item[];
      expect(
        Object.fromEntries(entries.map((item) => [item.externalId, item.count])),
        `unmapped entries of tenant ${tenant}`,
      ).toEqual(Object.fromEntries([...people].map(([id, seen]) => [id, seen.count])));
      for (const item of entries) {
        const seen = people.get(item.externalId as string);
        expect(item.kind).toBe("github");
        expect(
          [...(seen?.logins ?? [])].some((login) => String(item.sampleContext).includes(login)),
          `sampleContext ${item.sampleContext} names a login of ${item.externalId}`,
        ).toBe(true);
        expect(seen?.events.has(item.sampleEventType as string), `${item.sampleEventType}`).toBe(true);
      }
      // Payload emails are unverified and GitHub senders are never created as users.
      expect(await usersOf(routes, orgId)).toEqual([]);
    }

    // assess: ignored deliveries wrote nothing, not even a dedupe record
    expect(mentioning(await routes.tableItems(), ignoredDeliveries)).toEqual([]);
  }, 60_000);

  it("answers 202 for the examples that name no installation, organization or repository, writing nothing", async () => {
    // prepare
    const tenantless = EXAMPLES.filter((entry) => tenantOf(entry.payload) === undefined);
    const before = await routes.tableItems();

    // act
    const replies = await pooled(tenantless, 8, async (entry) =>
      deliver(routes, PATH, await signGitHubDelivery(entry.payload, SECRET, entry.event)),
    );

    // assess
    expect(tenantless.length).toBeGreaterThan(0);
    expect(replies.map((reply) => [reply.status, reply.body?.outcome])).toEqual(
      tenantless.map(() => [202, "unknown_tenant"]),
    );
    expect(await routes.tableItems()).toEqual(before);
  });

  it("answers 202 for an installation with no integration, writing nothing", async () => {
    // prepare
    const payload = { ...example("issues", "opened"), installation: { id: freshId() } };
    delete payload.organization;
    delete payload.repository;
    const before = await routes.tableItems();

    // act
    const reply = await deliver(routes, PATH, await signGitHubDelivery(payload, SECRET, "issues"));

    // assess
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({ received: true, outcome: "unknown_tenant" });
    expect(await routes.tableItems()).toEqual(before);
  });

  it("routes by installation first, falling back to the organization and then the repository owner", async () => {
    // prepare: the installation is not connected, the organization is
    const org = await routes.createOrg();
    const organizationId = freshId();
    await connect(routes, org.id, { provider: "github", externalTenantId: String(organizationId) });
    const viaOrganization = {
      ...example("issues", "opened"),
      installation: { id: freshId() },
      organization: { ...(example("issues", "opened").organization ?? {}), id: organizationId },
    };
    const ownerOrg = await routes.createOrg();
    const ownerId = freshId();
    await connect(routes, ownerOrg.id, { provider: "github", externalTenantId: String(ownerId) });
    const viaOwner = example("issues", "opened");
    delete viaOwner.installation;
    delete viaOwner.organization;
    viaOwner.repository = { ...viaOwner.repository, owner: { ...viaOwner.repository?.owner, id: ownerId } };
    const senderId = String(viaOwner.sender?.id);

    // act
    const replies = [
      await deliver(routes, PATH, await signGitHubDelivery(viaOrganization, SECRET, "issues")),
      await deliver(routes, PATH, await signGitHubDelivery(viaOwner, SECRET, "issues")),
    ];

    // assess
    expect(replies.map((reply) => [reply.status, reply.body.outcome])).toEqual([
      [200, "processed"],
      [200, "processed"],
    ]);
    expect(await unmappedEntry(routes, org.id, "github", senderId)).toMatchObject({ count: 1 });
    expect(await unmappedEntry(routes, ownerOrg.id, "github", senderId)).toMatchObject({ count: 1 });
  });

  it("matches a typed tenant id only against its own kind: installation:N is never some organization's id N", async () => {
    // prepare: org A connected installation N, typed; a stranger's payload names N as its organization
    const victim = await routes.createOrg();
    const shared = freshId();
    await connect(routes, victim.id, { provider: "github", externalTenantId: `installation:${shared}` });
    const stranger = {
      ...example("issues", "opened"),
      installation: { id: freshId() },
      organization: { ...(example("issues", "opened").organization ?? {}), id: shared },
    };
    stranger.repository = { ...stranger.repository, owner: { ...stranger.repository?.owner, id: freshId() } };
    const own = { ...example("issues", "opened"), installation: { id: shared } };
    const before = await routes.orgItems(victim.id);

    // act
    const strangerReply = await deliver(routes, PATH, await signGitHubDelivery(stranger, SECRET, "issues"));
    const afterStranger = await routes.orgItems(victim.id);
    const ownReply = await deliver(routes, PATH, await signGitHubDelivery(own, SECRET, "issues"));

    // assess
    expect(strangerReply.status).toBe(202);
    expect(afterStranger).toEqual(before);
    expect([ownReply.status, ownReply.body.outcome]).toEqual([200, "processed"]);
  });

  it("resolves a known sender by numeric id: 200 processed, no unmapped entry, no audit event", async () => {
    // prepare
    const { orgId, installation } = await installedOrg();
    const payload = { ...example("issues", "opened"), installation: { id: installation } };
    const sender = payload.sender as NonNullable<Payload["sender"]>;
    const user = await routes.createUser(orgId, {
      email: routes.email("octo"),
      identities: [{ kind: "github", externalId: String(sender.id) }],
    });
    const eventsBefore = await routes.events(orgId, user.id);

    // act
    const reply = await deliver(routes, PATH, await signGitHubDelivery(payload, SECRET, "issues"));

    // assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ received: true, outcome: "processed" });
    expect(await unmappedEntry(routes, orgId, "github", String(sender.id))).toBeUndefined();
    expect(await routes.events(orgId, user.id)).toEqual(eventsBefore);
  });

  it("never links a sender by the payload's email, even when a user owns it: the sender stays unmapped", async () => {
    // prepare: marketplace_purchase is the one event whose sender carries an email
    const { orgId, installation } = await installedOrg();
    const payload = { ...example("marketplace_purchase", "purchased"), installation: { id: installation } };
    const sender = payload.sender as NonNullable<Payload["sender"]>;
    expect(sender.email).toEqual(expect.stringContaining("@"));
    const owner = await routes.createUser(orgId, { email: sender.email as string });
    const eventsBefore = await routes.events(orgId, owner.id);

    // act
    const reply = await deliver(
      routes,
      PATH,
      await signGitHubDelivery(payload, SECRET, "marketplace_purchase"),
    );

    // assess
    expect(reply.status).toBe(200);
    expect(reply.body.outcome).toBe("processed");
    expect(await unmappedEntry(routes, orgId, "github", String(sender.id))).toMatchObject({ count: 1 });
    expect((await routes.getUser(orgId, owner.id)).body.identities).toEqual([]);
    expect(await routes.events(orgId, owner.id)).toEqual(eventsBefore);
    const resolved = await routes.api(
      "GET",
      `/v1/orgs/${orgId}/resolve?kind=github&externalId=${encodeURIComponent(String(sender.id))}`,
    );
    expect(resolved.status).toBe(404);
    expect((await usersOf(routes, orgId)).map((user) => user.id)).toEqual([owner.id]);
  });

  it("treats a replayed X-GitHub-Delivery as a duplicate: no second count, no second audit event", async () => {
    // prepare: one unknown sender, one linked sender
    const { orgId, installation } = await installedOrg();
    const unknown = { ...example("issues", "opened"), installation: { id: installation } };
    const unknownId = String(unknown.sender?.id);
    const linked = {
      ...example("issues", "opened"),
      installation: { id: installation },
      sender: { ...(unknown.sender as NonNullable<Payload["sender"]>), id: freshId(), login: "linked-dev" },
    };
    const user = await routes.createUser(orgId, {
      email: routes.email("linked"),
      identities: [{ kind: "github", externalId: String(linked.sender.id) }],
    });
    const unknownDelivery = await signGitHubDelivery(unknown, SECRET, "issues");
    const linkedDelivery = await signGitHubDelivery(linked, SECRET, "issues");

    // act
    const first = [await deliver(routes, PATH, unknownDelivery), await deliver(routes, PATH, linkedDelivery)];
    const countAfterFirst = (await unmappedEntry(routes, orgId, "github", unknownId))?.count;
    const eventsAfterFirst = await routes.events(orgId, user.id);
    const itemsAfterFirst = await routes.orgItems(orgId);
    const replays = [
      await deliver(routes, PATH, unknownDelivery),
      await deliver(routes, PATH, linkedDelivery),
    ];

    // assess
    expect(first.map((reply) => [reply.status, reply.body.outcome])).toEqual([
      [200, "processed"],
      [200, "processed"],
    ]);
    expect(replays.map((reply) => [reply.status, reply.body.outcome])).toEqual([
      [200, "duplicate"],
      [200, "duplicate"],
    ]);
    expect(countAfterFirst).toBe(1);
    expect((await unmappedEntry(routes, orgId, "github", unknownId))?.count).toBe(1);
    expect(await routes.events(orgId, user.id)).toEqual(eventsAfterFirst);
    expect(await routes.orgItems(orgId)).toEqual(itemsAfterFirst);
  });

  it("counts concurrent replays of one delivery once", async () => {
    // prepare
    const { orgId, installation } = await installedOrg();
    const payload = { ...example("issues", "opened"), installation: { id: installation } };
    const delivery = await signGitHubDelivery(payload, SECRET, "issues");

    // act
    const replies = await Promise.all(Array.from({ length: 8 }, () => deliver(routes, PATH, delivery)));

    // assess
    // The others either arrived while the first held its lease (503, retry later) or after (200 duplicate).
    const outcomes = replies.map(
      (reply) => `${reply.status} ${reply.body.outcome ?? reply.body.error?.code}`,
    );
    expect(outcomes.filter((outcome) => outcome === "200 processed")).toHaveLength(1);
    expect(
      outcomes.filter((outcome) => outcome === "200 duplicate" || outcome === "503 delivery_in_progress"),
    ).toHaveLength(7);
    expect(await unmappedEntry(routes, orgId, "github", String(payload.sender?.id))).toMatchObject({
      count: 1,
    });
  });

  it("verifies a body with non-ASCII text byte for byte", async () => {
    // prepare
    const { orgId, installation } = await installedOrg();
    const payload = example("issues", "opened");
    const issue = payload.issue as Record<string, unknown>;
    const unicode = {
      ...payload,
      installation: { id: installation },
      issue: { ...issue, title: "Crash on naïve café names — 日本語 🎉", body: "Zoë's résumé\u2028fails" },
    };

    // act
    const reply = await deliver(routes, PATH, await signGitHubDelivery(unicode, SECRET, "issues"));

    // assess
    expect(reply.status).toBe(200);
    expect(reply.body.outcome).toBe("processed");
    expect(await unmappedEntry(routes, orgId, "github", String(payload.sender?.id))).toMatchObject({
      count: 1,
    });
  });

  it("answers a signed ping with 200 ignored and writes nothing", async () => {
    // prepare
    const { installation } = await installedOrg();
    const ping = { ...example("ping"), installation: { id: installation } };
    const before = await routes.tableItems();

    // act
    const reply = await deliver(routes, PATH, await signGitHubDelivery(ping, SECRET, "ping"));

    // assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ received: true, outcome: "ignored" });
    expect(await routes.tableItems()).toEqual(before);
  });

  it("refuses a bad or missing X-Hub-Signature-256 with 401, writing nothing", async () => {
    // prepare
    const { installation } = await installedOrg();
    const payload = { ...example("issues", "opened"), installation: { id: installation } };
    const good = await signGitHubDelivery(payload, SECRET, "issues");
    const { "x-hub-signature-256": _, ...unsigned } = good.headers;
    const before = await routes.tableItems();

    // act
    const replies = [
      await deliver(routes, PATH, await signGitHubDelivery(payload, "the-wrong-secret", "issues")),
      await deliver(routes, PATH, { body: good.body, headers: unsigned }),
      await deliver(routes, PATH, { body: good.body.replace("opened", "closed"), headers: good.headers }),
      await deliver(routes, PATH, {
        body: good.body,
        headers: { ...good.headers, "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
      }),
      await deliver(routes, PATH, {
        body: good.body,
        headers: {
          ...good.headers,
          "x-hub-signature-256": (good.headers["x-hub-signature-256"] as string).slice(7),
        },
      }),
    ];

    // assess
    for (const reply of replies) expectError(reply, 401, "unauthenticated");
    expect(await routes.tableItems()).toEqual(before);
  });

  it("answers 400 for signed malformed JSON, 413 over 1 MiB and 400 without X-GitHub-Delivery, writing nothing", async () => {
    // prepare
    const { installation } = await installedOrg();
    const payload = { ...example("issues", "opened"), installation: { id: installation } };
    const noDeliveryId = await signGitHubDelivery(payload, SECRET, "issues");
    delete noDeliveryId.headers["x-github-delivery"];
    const before = await routes.tableItems();

    // act
    const malformed = await deliver(
      routes,
      PATH,
      await signGitHubDelivery('{"action": "opened",', SECRET, "issues"),
    );
    const oversized = await deliver(
      routes,
      PATH,
      await signGitHubDelivery({ ...payload, pad: "x".repeat(1024 * 1024) }, SECRET, "issues"),
    );
    const missingId = await deliver(routes, PATH, noDeliveryId);

    // assess
    expectError(malformed, 400, "invalid_json");
    expectError(oversized, 413, "payload_too_large");
    expect(missingId.status).toBe(400);
    expect(await routes.tableItems()).toEqual(before);
  });
});
