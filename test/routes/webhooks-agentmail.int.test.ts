import "./quiet-logs";
import { randomUUID } from "node:crypto";
import { signAgentMail } from "@kith/sandbox";
import { beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "../support/integration";
import { eventTypes, expectError, useRouteGateway } from "./support";
import {
  AGENTMAIL_SECRET,
  connect,
  deliver,
  GITLAB_TOKEN,
  unmappedEntry,
  usersOf,
  useWebhookSecrets,
} from "./webhook-support";

const ACTOR = "system:webhook:agentmail";
const INBOX = "team-kith@agentmail.to";

interface MessageOptions {
  eventType?: string;
  from?: unknown;
  authentication?: Record<string, unknown>;
  headers?: Record<string, string | string[]>;
  labels?: string[];
}

/** A webhook event in AgentMail's documented shape: `{type, event_type, event_id, message: {…}}`. */
function mailEvent(fromEmail: string, options: MessageOptions = {}) {
  const eventType = options.eventType ?? "message.received";
  return {
    type: "event",
    event_type: eventType,
    event_id: `evt_${randomUUID().replaceAll("-", "")}`,
    message: {
      inbox_id: INBOX,
      thread_id: `thd_${randomUUID().replaceAll("-", "")}`,
      message_id: `<${randomUUID()}@mail.example.com>`,
      labels: options.labels ?? [eventType === "message.sent" ? "sent" : "received"],
      timestamp: new Date().toISOString(),
      from: options.from ?? [{ name: "Ada Lovelace", email: fromEmail }],
      to: [{ name: "Kith", email: INBOX }],
      subject: "Quarterly numbers",
      preview: "Here are the numbers you asked for",
      size: 2048,
      ...(options.authentication ? { authentication: options.authentication } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    },
  };
}

/** AgentMail's verdict fields: SPF passed for the From domain (every test sender is @example.com). */
const SPF_PASS = { authentication: { spf: "pass", spfDomain: "example.com", dkim: "none" } };
const AUTH_RESULTS_DKIM_PASS = {
  headers: {
    "Authentication-Results":
      "mx.agentmail.to; dkim=pass header.i=@example.com header.s=s1 header.b=abc123; spf=softfail smtp.mailfrom=example.com; dmarc=pass",
  },
};

describe("routes: POST /webhooks/agentmail/{integrationId}", () => {
  const routes = useRouteGateway();
  beforeAll(() => useWebhookSecrets());

  async function connected() {
    const org = await routes.createOrg();
    const integration = await connect(routes, org.id, {
      provider: "agentmail",
      externalTenantId: uniqueName("inbox"),
      secret: AGENTMAIL_SECRET,
      settings: { allowedDomains: ["example.com"] },
    });
    return { orgId: org.id, path: integration.webhookPath, integrationId: integration.id };
  }

  it("answers with the webhook path carrying the integration id", async () => {
    // act
    const { path, integrationId } = await connected();

    // assess
    expect(path).toBe(`/webhooks/agentmail/${integrationId}`);
  });

  it("creates a user with an email identity when SPF passed and no one has the address", async () => {
    // prepare
    const { orgId, path } = await connected();
    const email = routes.email("ada");

    // act
    const reply = await deliver(
      routes,
      path,
      signAgentMail(mailEvent(email.toUpperCase(), SPF_PASS), AGENTMAIL_SECRET),
    );

    // assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ received: true, outcome: "processed" });
    const users = await usersOf(routes, orgId);
    expect(users).toHaveLength(1);
    const user = (await routes.getUser(orgId, users[0]?.id as string)).body;
    expect(user).toMatchObject({
      name: "Ada Lovelace",
      email,
      identities: [{ kind: "email", externalId: email, createdAt: expect.any(String) }],
    });
    const events = await routes.events(orgId, user.id);
    expect(eventTypes(events)).toContain("user_created");
    expect(events.every((event) => event.actor === ACTOR)).toBe(true);
  });

  it("does not trust a pass for another domain, a verdict without its domain, or a forged lower Authentication-Results header", async () => {
    // prepare
    const { orgId, path } = await connected();
    const email = routes.email("victim");
    const owner = await routes.createUser(orgId, { email });
    const forgeries = [
      { authentication: { spf: "pass", spfDomain: "attacker.io" } },
      { authentication: { dkim: { result: "pass", domain: "attacker.io" } } },
      { authentication: { spf: "pass" } },
      {
        headers: {
          "Authentication-Results":
            "mx.agentmail.to; spf=pass smtp.mailfrom=bounce@attacker.io; dkim=pass header.d=attacker.io",
        },
      },
      { headers: { "Authentication-Results": "mx.attacker.io; dkim=pass header.d=example.com; dmarc=pass" } },
      {
        headers: {
          "Authentication-Results": [
            "mx.agentmail.to; spf=none smtp.mailfrom=example.com; dkim=none",
            "forged.example; dkim=pass header.d=example.com; spf=pass smtp.mailfrom=example.com",
          ],
        },
      },
    ];

    // act
    for (const forgery of forgeries) {
      await deliver(routes, path, signAgentMail(mailEvent(email, forgery), AGENTMAIL_SECRET));
    }

    // assess
    expect((await routes.getUser(orgId, owner.id)).body.identities).toEqual([]);
    expect(await unmappedEntry(routes, orgId, "email", email)).toMatchObject({
      count: forgeries.length,
      candidates: [owner.id],
    });
  });

  it("trusts an aligned pass: SPF for a subdomain of the From domain, or DMARC", async () => {
    // prepare
    const { orgId, path } = await connected();
    const [first, second] = [routes.email("aligned"), routes.email("dmarc")];

    // act
    await deliver(
      routes,
      path,
      signAgentMail(
        mailEvent(first, {
          headers: {
            "authentication-results": "mx.agentmail.to; spf=pass smtp.mailfrom=bounces.example.com",
          },
        }),
        AGENTMAIL_SECRET,
      ),
    );
    await deliver(
      routes,
      path,
      signAgentMail(mailEvent(second, { authentication: { dmarc: "pass" } }), AGENTMAIL_SECRET),
    );

    // assess
    expect((await usersOf(routes, orgId)).map((user) => user.email).sort()).toEqual([first, second].sort());
  });

  it("links the address to the user who owns it when DKIM passed per Authentication-Results, with webhook-* headers", async () => {
    // prepare
    const { orgId, path } = await connected();
    const email = routes.email("owner");
    const owner = await routes.createUser(orgId, { email });

    // act
    const reply = await deliver(
      routes,
      path,
      signAgentMail(mailEvent(email, AUTH_RESULTS_DKIM_PASS), AGENTMAIL_SECRET, { headerPrefix: "webhook" }),
    );

    // assess
    expect(reply.status).toBe(200);
    expect(reply.body.outcome).toBe("processed");
    expect((await routes.getUser(orgId, owner.id)).body.identities).toEqual([
      { kind: "email", externalId: email, createdAt: expect.any(String) },
    ]);
    const autoLinks = (await routes.events(orgId, owner.id)).filter(
      (event) => event.eventType === "auto_link",
    );
    expect(autoLinks.map((event) => event.actor)).toEqual([ACTOR]);
    expect((await usersOf(routes, orgId)).map((user) => user.id)).toEqual([owner.id]);
  });

  it("accepts a From header string and a subdomain of an allowed domain", async () => {
    // prepare
    const { orgId, path } = await connected();
    const email = `grace.${randomUUID().slice(0, 8)}@mail.example.com`;

    // act
    const reply = await deliver(
      routes,
      path,
      signAgentMail(mailEvent(email, { ...SPF_PASS, from: `"Grace Hopper" <${email}>` }), AGENTMAIL_SECRET),
    );

    // assess
    expect(reply.body.outcome).toBe("processed");
    expect(await usersOf(routes, orgId)).toEqual([expect.objectContaining({ name: "Grace Hopper", email })]);
  });

  it("verifies a body with non-ASCII text byte for byte and keeps the sender's name", async () => {
    // prepare
    const { orgId, path } = await connected();
    const email = routes.email("jose");

    // act
    const reply = await deliver(
      routes,
      path,
      signAgentMail(
        mailEvent(email, { ...SPF_PASS, from: [{ name: "José Ñúñez 🎉", email }] }),
        AGENTMAIL_SECRET,
      ),
    );

    // assess
    expect(reply.status).toBe(200);
    expect(await usersOf(routes, orgId)).toEqual([expect.objectContaining({ name: "José Ñúñez 🎉", email })]);
  });

  it("leaves a sender with no SPF or DKIM pass (or flagged unauthenticated) unmapped with the address's owner as candidate, never linking", async () => {
    // prepare
    const { orgId, path } = await connected();
    const ownedEmail = routes.email("claimed");
    const owner = await routes.createUser(orgId, { email: ownedEmail });
    const eventsBefore = await routes.events(orgId, owner.id);
    const strangerEmail = routes.email("stranger");

    // act
    const replies = [
      await deliver(routes, path, signAgentMail(mailEvent(ownedEmail), AGENTMAIL_SECRET)),
      await deliver(
        routes,
        path,
        signAgentMail(
          mailEvent(ownedEmail, { ...SPF_PASS, eventType: "message.received.unauthenticated" }),
          AGENTMAIL_SECRET,
        ),
      ),
      await deliver(
        routes,
        path,
        signAgentMail(
          mailEvent(strangerEmail, { authentication: { spf: "fail", dkim: "fail" } }),
          AGENTMAIL_SECRET,
        ),
      ),
      await deliver(
        routes,
        path,
        signAgentMail(
          mailEvent(ownedEmail, { ...SPF_PASS, labels: ["received", "unauthenticated"] }),
          AGENTMAIL_SECRET,
        ),
      ),
    ];

    // assess
    expect(replies.map((reply) => [reply.status, reply.body.outcome])).toEqual([
      [200, "processed"],
      [200, "processed"],
      [200, "processed"],
      [200, "processed"],
    ]);
    expect(await unmappedEntry(routes, orgId, "email", ownedEmail)).toMatchObject({
      count: 3,
      candidates: [owner.id],
      sampleEventType: "agentmail:message.received",
    });
    expect(await unmappedEntry(routes, orgId, "email", strangerEmail)).toMatchObject({
      count: 1,
      candidates: [],
    });
    expect((await routes.getUser(orgId, owner.id)).body.identities).toEqual([]);
    expect(await routes.events(orgId, owner.id)).toEqual(eventsBefore);
    expect((await usersOf(routes, orgId)).map((user) => user.id)).toEqual([owner.id]);
  });

  it("ignores senders outside the allow-list (look-alike domains included), sent, spam and blocked mail, writing nothing", async () => {
    // prepare
    const { orgId, path } = await connected();
    const before = await routes.orgItems(orgId);
    const allowed = routes.email("sender");

    // act
    const replies = [
      await deliver(
        routes,
        path,
        signAgentMail(mailEvent("mallory@outsider.net", SPF_PASS), AGENTMAIL_SECRET),
      ),
      await deliver(
        routes,
        path,
        signAgentMail(mailEvent("mallory@notexample.com", SPF_PASS), AGENTMAIL_SECRET),
      ),
      await deliver(
        routes,
        path,
        signAgentMail(mailEvent("mallory@example.com.evil.io", SPF_PASS), AGENTMAIL_SECRET),
      ),
      await deliver(
        routes,
        path,
        signAgentMail(mailEvent(allowed, { ...SPF_PASS, eventType: "message.sent" }), AGENTMAIL_SECRET),
      ),
      await deliver(
        routes,
        path,
        signAgentMail(mailEvent(allowed, { ...SPF_PASS, eventType: "message.delivered" }), AGENTMAIL_SECRET),
      ),
      await deliver(routes, path, signAgentMail(mailEvent("not an address", SPF_PASS), AGENTMAIL_SECRET)),
      await deliver(
        routes,
        path,
        signAgentMail(
          mailEvent(allowed, { ...SPF_PASS, eventType: "message.received.spam" }),
          AGENTMAIL_SECRET,
        ),
      ),
      await deliver(
        routes,
        path,
        signAgentMail(
          mailEvent(allowed, { ...SPF_PASS, eventType: "message.received.blocked" }),
          AGENTMAIL_SECRET,
        ),
      ),
    ];

    // assess
    expect(replies.map((reply) => [reply.status, reply.body.outcome])).toEqual(
      Array.from({ length: 8 }, () => [200, "ignored"]),
    );
    expect(await routes.orgItems(orgId)).toEqual(before);
  });

  it("gives exactly one user for 10 concurrent authenticated deliveries from the same new sender", async () => {
    // prepare
    const { orgId, path } = await connected();
    const email = routes.email("burst");

    // act
    const replies = await Promise.all(
      Array.from({ length: 10 }, () =>
        deliver(routes, path, signAgentMail(mailEvent(email, SPF_PASS), AGENTMAIL_SECRET)),
      ),
    );

    // assess
    expect(replies.every((reply) => reply.status === 200 && reply.body.outcome === "processed")).toBe(true);
    const users = await usersOf(routes, orgId);
    expect(users.map((user) => user.email)).toEqual([email]);
  });

  it("treats a replayed svix-id as a duplicate, under either header prefix: no second audit event or count", async () => {
    // prepare
    const { orgId, path } = await connected();
    const verifiedEmail = routes.email("replay-verified");
    const unverifiedEmail = routes.email("replay-unverified");
    const verifiedId = `msg_${randomUUID().replaceAll("-", "")}`;
    const verifiedBody = mailEvent(verifiedEmail, SPF_PASS);
    const created = signAgentMail(verifiedBody, AGENTMAIL_SECRET, { messageId: verifiedId });
    const unverified = signAgentMail(mailEvent(unverifiedEmail), AGENTMAIL_SECRET);

    // act
    const first = [await deliver(routes, path, created), await deliver(routes, path, unverified)];
    const [user] = await usersOf(routes, orgId);
    const eventsAfterFirst = await routes.events(orgId, user?.id as string);
    const itemsAfterFirst = await routes.orgItems(orgId);
    const replays = await Promise.all([
      deliver(routes, path, created),
      deliver(
        routes,
        path,
        signAgentMail(verifiedBody, AGENTMAIL_SECRET, { messageId: verifiedId, headerPrefix: "webhook" }),
      ),
      deliver(routes, path, unverified),
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
    expect((await unmappedEntry(routes, orgId, "email", unverifiedEmail))?.count).toBe(1);
    expect(await routes.orgItems(orgId)).toEqual(itemsAfterFirst);
  });

  it("refuses a bad or missing signature, a stale or future timestamp and another integration's path with 401, writing nothing", async () => {
    // prepare
    const { path } = await connected();
    const other = await routes.createOrg();
    const gitlab = await connect(routes, other.id, {
      provider: "gitlab",
      externalTenantId: uniqueName("group"),
      secret: GITLAB_TOKEN,
    });
    const otherAgentMail = await connect(routes, other.id, {
      provider: "agentmail",
      externalTenantId: uniqueName("other-inbox"),
      secret: `whsec_${Buffer.from("a-different-agentmail-signing-secret").toString("base64")}`,
      settings: { allowedDomains: ["example.com"] },
    });
    const payload = mailEvent(routes.email("signed"), SPF_PASS);
    const good = signAgentMail(payload, AGENTMAIL_SECRET);
    const { "svix-signature": _, ...unsigned } = good.headers;
    const now = Math.floor(Date.now() / 1000);
    const wrongSecret = `whsec_${Buffer.from("not-the-agentmail-signing-secret").toString("base64")}`;
    const before = await routes.tableItems();

    // act
    const replies = [
      await deliver(routes, path, signAgentMail(payload, wrongSecret)),
      await deliver(routes, path, { body: good.body, headers: unsigned }),
      await deliver(routes, path, { body: good.body.replace("Quarterly", "Annual"), headers: good.headers }),
      await deliver(routes, path, {
        body: good.body,
        headers: { ...good.headers, "svix-id": "msg_another" },
      }),
      // Outside the 5-minute window by a minute: a slow run cannot carry a "future" one back inside it.
      await deliver(routes, path, signAgentMail(payload, AGENTMAIL_SECRET, { timestampSeconds: now - 360 })),
      await deliver(routes, path, signAgentMail(payload, AGENTMAIL_SECRET, { timestampSeconds: now + 360 })),
      await deliver(
        routes,
        path,
        signAgentMail(payload, AGENTMAIL_SECRET, { timestampSeconds: now - 3600, headerPrefix: "webhook" }),
      ),
      await deliver(routes, `/webhooks/agentmail/${randomUUID()}`, good),
      await deliver(routes, "/webhooks/agentmail/not-an-integration", good),
      await deliver(routes, `/webhooks/agentmail/${gitlab.id}`, good),
      await deliver(routes, otherAgentMail.webhookPath, good),
    ];

    // assess
    for (const reply of replies) expectError(reply, 401, "unauthenticated");
    expect(await routes.tableItems()).toEqual(before);
  });

  it("answers 400 for signed malformed JSON and 413 over 1 MiB, writing nothing", async () => {
    // prepare
    const { path } = await connected();
    const before = await routes.tableItems();

    // act
    const malformed = await deliver(routes, path, signAgentMail('{"type": "event",', AGENTMAIL_SECRET));
    const oversized = await deliver(
      routes,
      path,
      signAgentMail(
        { ...mailEvent(routes.email("big"), SPF_PASS), pad: "x".repeat(1024 * 1024) },
        AGENTMAIL_SECRET,
      ),
    );

    // assess
    expectError(malformed, 400, "invalid_json");
    expectError(oversized, 413, "payload_too_large");
    expect(await routes.tableItems()).toEqual(before);
  });
});
