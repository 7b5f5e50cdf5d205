import "./quiet-logs";
import { randomUUID } from "node:crypto";
import { signLinear } from "@kith/sandbox";
import { LinearWebhookClient } from "@linear/sdk/webhooks";
import { beforeAll, describe, expect, it } from "vitest";
import { eventTypes, expectError, useRouteGateway } from "./support";
import {
  connect,
  deliver,
  unmappedEntry,
  usersOf,
  useWebhookSecrets,
  WEBHOOK_SECRETS,
} from "./webhook-support";

const SECRET = WEBHOOK_SECRETS.LINEAR_WEBHOOK_SECRET;
const PATH = "/webhooks/linear";
const ACTOR = "system:webhook:linear";

interface Actor {
  id: string;
  type?: string;
  name?: string;
  email?: string;
}

/** An Issue webhook as Linear documents it: `action`, `type`, `actor`, `data`, `organizationId`. */
function issueEvent(organizationId: string, actor: Actor | undefined, action = "create") {
  const issueId = randomUUID();
  return {
    action,
    type: "Issue",
    ...(actor
      ? { actor: { type: "user", url: `https://linear.app/acme/profiles/${actor.id.slice(0, 8)}`, ...actor } }
      : {}),
    createdAt: new Date().toISOString(),
    data: {
      id: issueId,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      number: 123,
      title: "Webhook retries double-count sightings",
      priority: 2,
      identifier: "ENG-123",
      teamId: randomUUID(),
      stateId: randomUUID(),
      creatorId: actor?.id ?? randomUUID(),
      labelIds: [],
      subscriberIds: actor ? [actor.id] : [],
      url: "https://linear.app/acme/issue/ENG-123/webhook-retries-double-count-sightings",
    },
    url: "https://linear.app/acme/issue/ENG-123/webhook-retries-double-count-sightings",
    organizationId,
    webhookId: randomUUID(),
  };
}

describe("routes: POST /webhooks/linear", () => {
  const routes = useRouteGateway();
  beforeAll(() => useWebhookSecrets());

  async function connected(settings?: Record<string, unknown>) {
    const org = await routes.createOrg();
    const organizationId = randomUUID();
    await connect(routes, org.id, {
      provider: "linear",
      externalTenantId: organizationId,
      ...(settings ? { settings } : {}),
    });
    return { orgId: org.id, organizationId };
  }

  function person(): Actor & { name: string; email: string } {
    return { id: randomUUID(), type: "user", name: "Grace Hopper", email: routes.email("linear") };
  }

  it("signs exactly as LinearWebhookClient verifies: the library accepts the body and signature the tests send", () => {
    // prepare
    const signed = signLinear(issueEvent(randomUUID(), person()), SECRET);

    // act
    const verified = new LinearWebhookClient(SECRET).verify(
      Buffer.from(signed.body),
      signed.headers["linear-signature"] as string,
    );

    // assess
    expect(verified).toBe(true);
    expect(JSON.parse(signed.body).webhookTimestamp).toEqual(expect.any(Number));
    expect(() =>
      new LinearWebhookClient("another-secret").verify(
        Buffer.from(signed.body),
        signed.headers["linear-signature"] as string,
      ),
    ).toThrow();
  });

  it("creates a user with the linear identity and the actor's verified email when no one has it", async () => {
    // prepare
    const { orgId, organizationId } = await connected();
    const actor = person();

    // act
    const reply = await deliver(routes, PATH, signLinear(issueEvent(organizationId, actor), SECRET));

    // assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ received: true, outcome: "processed" });
    const users = await usersOf(routes, orgId);
    expect(users).toHaveLength(1);
    const user = (await routes.getUser(orgId, users[0]?.id as string)).body;
    expect(user).toMatchObject({
      name: actor.name,
      email: actor.email,
      identities: [{ kind: "linear", externalId: actor.id, createdAt: expect.any(String) }],
    });
    const events = await routes.events(orgId, user.id);
    expect(eventTypes(events)).toContain("user_created");
    expect(events.every((event) => event.actor === ACTOR)).toBe(true);
    expect(await unmappedEntry(routes, orgId, "linear", actor.id)).toBeUndefined();
    const resolved = await routes.api("GET", `/v1/orgs/${orgId}/resolve?kind=linear&externalId=${actor.id}`);
    expect(resolved.body.id).toBe(user.id);
  });

  it("verifies a body with non-ASCII text byte for byte and keeps the actor's name", async () => {
    // prepare
    const { orgId, organizationId } = await connected();
    const actor = { ...person(), name: "Zoë Ångström 日本 🎉" };

    // act
    const reply = await deliver(routes, PATH, signLinear(issueEvent(organizationId, actor), SECRET));

    // assess
    expect(reply.status).toBe(200);
    expect(await usersOf(routes, orgId)).toEqual([
      expect.objectContaining({ name: actor.name, email: actor.email }),
    ]);
  });

  it("links the identity to the user who owns the actor's email, with an auto_link audit event", async () => {
    // prepare
    const { orgId, organizationId } = await connected();
    const actor = { ...person(), email: routes.email("owner") };
    const owner = await routes.createUser(orgId, { email: actor.email.toUpperCase() });

    // act
    const reply = await deliver(routes, PATH, signLinear(issueEvent(organizationId, actor), SECRET));

    // assess
    expect(reply.body.outcome).toBe("processed");
    expect((await routes.getUser(orgId, owner.id)).body.identities).toEqual([
      { kind: "linear", externalId: actor.id, createdAt: expect.any(String) },
    ]);
    const autoLinks = (await routes.events(orgId, owner.id)).filter(
      (event) => event.eventType === "auto_link",
    );
    expect(autoLinks).toHaveLength(1);
    expect(autoLinks[0]?.actor).toBe(ACTOR);
    expect((await usersOf(routes, orgId)).map((user) => user.id)).toEqual([owner.id]);
  });

  it("gives exactly one user for 10 concurrent deliveries about the same new person", async () => {
    // prepare
    const { orgId, organizationId } = await connected();
    const actor = person();
    const deliveries = Array.from({ length: 10 }, () =>
      signLinear(issueEvent(organizationId, actor, "update"), SECRET),
    );

    // act
    const replies = await Promise.all(deliveries.map((delivery) => deliver(routes, PATH, delivery)));

    // assess
    expect(replies.map((reply) => [reply.status, reply.body.outcome])).toEqual(
      Array.from({ length: 10 }, () => [200, "processed"]),
    );
    const users = await usersOf(routes, orgId);
    expect(users).toHaveLength(1);
    const user = (await routes.getUser(orgId, users[0]?.id as string)).body;
    expect(user.identities.map((identity: { externalId: string }) => identity.externalId)).toEqual([
      actor.id,
    ]);
    expect(user.email).toBe(actor.email);
    expect(
      eventTypes(await routes.events(orgId, user.id)).filter((type) => type === "user_created"),
    ).toHaveLength(1);
    expect(await unmappedEntry(routes, orgId, "linear", actor.id)).toBeUndefined();
  });

  it("links exactly once for 10 concurrent deliveries about a person whose email a user owns", async () => {
    // prepare
    const { orgId, organizationId } = await connected();
    const actor = person();
    const owner = await routes.createUser(orgId, { email: actor.email });

    // act
    const replies = await Promise.all(
      Array.from({ length: 10 }, () =>
        deliver(routes, PATH, signLinear(issueEvent(organizationId, actor), SECRET)),
      ),
    );

    // assess
    expect(replies.every((reply) => reply.status === 200 && reply.body.outcome === "processed")).toBe(true);
    expect((await usersOf(routes, orgId)).map((user) => user.id)).toEqual([owner.id]);
    expect(
      eventTypes(await routes.events(orgId, owner.id)).filter((type) => type === "auto_link"),
    ).toHaveLength(1);
  });

  it("treats a replayed Linear-Delivery as a duplicate: no second user, audit event or count", async () => {
    // prepare
    const { orgId, organizationId } = await connected();
    const actor = person();
    const created = signLinear(issueEvent(organizationId, actor), SECRET);
    const anonymous = signLinear(issueEvent(organizationId, undefined), SECRET);
    const creatorId = JSON.parse(anonymous.body).data.creatorId as string;

    // act
    const first = [await deliver(routes, PATH, created), await deliver(routes, PATH, anonymous)];
    const [user] = await usersOf(routes, orgId);
    const eventsAfterFirst = await routes.events(orgId, user?.id as string);
    const itemsAfterFirst = await routes.orgItems(orgId);
    const replays = await Promise.all([
      deliver(routes, PATH, created),
      deliver(routes, PATH, created),
      deliver(routes, PATH, anonymous),
    ]);

    // assess
    expect(first.map((reply) => reply.body.outcome)).toEqual(["processed", "processed"]);
    expect(replays.map((reply) => [reply.status, reply.body.outcome])).toEqual([
      [200, "duplicate"],
      [200, "duplicate"],
      [200, "duplicate"],
    ]);
    expect(await usersOf(routes, orgId)).toHaveLength(1);
    expect(await routes.events(orgId, user?.id as string)).toEqual(eventsAfterFirst);
    expect((await unmappedEntry(routes, orgId, "linear", creatorId))?.count).toBe(1);
    expect(await routes.orgItems(orgId)).toEqual(itemsAfterFirst);
  });

  it("leaves a creator without an email unmapped: no user is created without a verified email", async () => {
    // prepare
    const { orgId, organizationId } = await connected();
    const payload = issueEvent(organizationId, undefined);

    // act
    const reply = await deliver(routes, PATH, signLinear(payload, SECRET));

    // assess
    expect(reply.body.outcome).toBe("processed");
    expect(await unmappedEntry(routes, orgId, "linear", payload.data.creatorId)).toMatchObject({
      count: 1,
      sampleEventType: "linear:Issue.create",
    });
    expect(await usersOf(routes, orgId)).toEqual([]);
  });

  it("ignores the integration's own bot user and app or integration actors, writing nothing", async () => {
    // prepare
    const botUserId = randomUUID();
    const { orgId, organizationId } = await connected({ botUserId: botUserId.toUpperCase() });
    const before = await routes.orgItems(orgId);
    const email = routes.email("app");

    // act
    const replies = [
      await deliver(
        routes,
        PATH,
        signLinear(issueEvent(organizationId, { id: botUserId, name: "Kith", email }), SECRET),
      ),
      await deliver(
        routes,
        PATH,
        signLinear(
          issueEvent(organizationId, { id: randomUUID(), type: "oauthClient", name: "Zapier", email }),
          SECRET,
        ),
      ),
      await deliver(
        routes,
        PATH,
        signLinear(
          issueEvent(organizationId, { id: randomUUID(), type: "OauthClient", name: "Zapier", email }),
          SECRET,
        ),
      ),
      await deliver(
        routes,
        PATH,
        signLinear(
          issueEvent(organizationId, { id: randomUUID(), type: "integration", name: "GitHub", email }),
          SECRET,
        ),
      ),
    ];

    // assess
    expect(replies.map((reply) => [reply.status, reply.body.outcome])).toEqual(
      Array.from({ length: 4 }, () => [200, "ignored"]),
    );
    expect(await routes.orgItems(orgId)).toEqual(before);
  });

  it("answers 202 for an organizationId with no integration, writing nothing", async () => {
    // prepare
    const before = await routes.tableItems();

    // act
    const replies = [
      await deliver(routes, PATH, signLinear(issueEvent(randomUUID(), person()), SECRET)),
      await deliver(routes, PATH, signLinear(issueEvent("not-a-uuid", person()), SECRET)),
    ];

    // assess
    expect(replies.map((reply) => [reply.status, reply.body.outcome])).toEqual([
      [202, "unknown_tenant"],
      [202, "unknown_tenant"],
    ]);
    expect(await routes.tableItems()).toEqual(before);
  });

  it("refuses a bad or missing signature and a stale or future webhookTimestamp with 401, writing nothing", async () => {
    // prepare
    const { organizationId } = await connected();
    const payload = issueEvent(organizationId, person());
    const good = signLinear(payload, SECRET);
    const { "linear-signature": _, ...unsigned } = good.headers;
    const now = Date.now();
    const before = await routes.tableItems();

    // act
    const replies = [
      await deliver(routes, PATH, signLinear(payload, "the-wrong-secret")),
      await deliver(routes, PATH, { body: good.body, headers: unsigned }),
      await deliver(routes, PATH, { body: good.body.replace('"create"', '"remove"'), headers: good.headers }),
      await deliver(routes, PATH, signLinear(payload, SECRET, { timestampMs: now - 61_000 })),
      await deliver(routes, PATH, signLinear(payload, SECRET, { timestampMs: now - 10 * 60_000 })),
      await deliver(routes, PATH, signLinear(payload, SECRET, { timestampMs: now + 61_000 })),
      // Signed, but with no webhookTimestamp in the body at all.
      await deliver(routes, PATH, signLinear(JSON.stringify(payload), SECRET)),
    ];

    // assess
    for (const reply of replies) expectError(reply, 401, "unauthenticated");
    expect(await routes.tableItems()).toEqual(before);
  });

  it("answers 400 for signed malformed JSON or a missing Linear-Delivery and 413 over 1 MiB, writing nothing", async () => {
    // prepare
    const { organizationId } = await connected();
    const noDelivery = signLinear(issueEvent(organizationId, person()), SECRET);
    delete noDelivery.headers["linear-delivery"];
    const before = await routes.tableItems();

    // act
    const malformed = await deliver(routes, PATH, signLinear('{"type": "Issue",', SECRET));
    const missingDelivery = await deliver(routes, PATH, noDelivery);
    const oversized = await deliver(
      routes,
      PATH,
      signLinear({ ...issueEvent(organizationId, person()), pad: "x".repeat(1024 * 1024) }, SECRET),
    );

    // assess
    expectError(malformed, 400, "invalid_json");
    expect(missingDelivery.status).toBe(400);
    expectError(oversized, 413, "payload_too_large");
    expect(await routes.tableItems()).toEqual(before);
  });
});
