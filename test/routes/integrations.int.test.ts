import "./quiet-logs";
import { describe, expect, it } from "vitest";
import { expectError, useRouteGateway } from "./support";

process.env.TOKEN_ENCRYPTION_KEY = "routes-test-token-encryption-key";

const GITLAB_SECRET = "gitlab-secret-token-0123456789";
const AGENTMAIL_SECRET = `whsec_${Buffer.from("agentmail-routes-test-secret-01").toString("base64")}`;
const BOT_TOKEN = "xoxb-1234567890-abcdefghijklmnop";

describe("routes: /v1/orgs/{orgId}/integrations", () => {
  const routes = useRouteGateway();

  it("creates an integration per provider and answers with its webhook path, never a secret", async () => {
    // prepare
    const org = await routes.createOrg();

    // act
    const slack = await routes.api("POST", `/v1/orgs/${org.id}/integrations`, {
      body: {
        provider: "slack",
        externalTenantId: "t0create1",
        settings: { botToken: BOT_TOKEN, botUserId: "U0BOT" },
      },
    });
    const gitlab = await routes.api("POST", `/v1/orgs/${org.id}/integrations`, {
      body: { provider: "gitlab", externalTenantId: "group/platform", secret: GITLAB_SECRET },
    });

    // assess
    expect(slack.status).toBe(201);
    expect(slack.body).toMatchObject({
      provider: "slack",
      externalTenantId: "T0CREATE1",
      webhookPath: "/webhooks/slack",
      hasSecret: false,
      settings: { botUserId: "U0BOT", botToken: "(stored)" },
    });
    expect(gitlab.status).toBe(201);
    expect(gitlab.body.webhookPath).toBe(`/webhooks/gitlab/${gitlab.body.id}`);
    expect(gitlab.body.hasSecret).toBe(true);
    expect(JSON.stringify([slack.body, gitlab.body])).not.toContain(GITLAB_SECRET);
    expect(JSON.stringify([slack.body, gitlab.body])).not.toContain(BOT_TOKEN);
  });

  it("stores secrets and bot tokens only sealed: no item anywhere holds the plaintext", async () => {
    // prepare
    const org = await routes.createOrg();

    // act
    await routes.api("POST", `/v1/orgs/${org.id}/integrations`, {
      body: {
        provider: "agentmail",
        externalTenantId: "inbox-sealed",
        secret: AGENTMAIL_SECRET,
        settings: { allowedDomains: ["example.com"] },
      },
    });
    await routes.api("POST", `/v1/orgs/${org.id}/integrations`, {
      body: { provider: "slack", externalTenantId: "T0SEALED", settings: { botToken: BOT_TOKEN } },
    });

    // assess
    const dump = JSON.stringify(await routes.tableItems());
    expect(dump).toContain("v1.local.");
    expect(dump).not.toContain(AGENTMAIL_SECRET);
    expect(dump).not.toContain(AGENTMAIL_SECRET.slice(6));
    expect(dump).not.toContain(BOT_TOKEN);
  });

  it("refuses a tenant already connected, even to another org, with 409 integration_exists", async () => {
    // prepare
    const [first, second] = [await routes.createOrg(), await routes.createOrg()];
    await routes.api("POST", `/v1/orgs/${first.id}/integrations`, {
      body: { provider: "github", externalTenantId: "4242001" },
    });

    // act
    const again = await routes.api("POST", `/v1/orgs/${second.id}/integrations`, {
      body: { provider: "github", externalTenantId: "04242001" },
    });

    // assess
    expectError(again, 409, "integration_exists");
  });

  it("treats a GitLab or AgentMail tenant id as a label unique within its org: two orgs may share one", async () => {
    // prepare
    const [first, second] = [await routes.createOrg(), await routes.createOrg()];
    const body = { provider: "gitlab", externalTenantId: "platform", secret: GITLAB_SECRET };

    // act
    const replies = [
      await routes.api("POST", `/v1/orgs/${first.id}/integrations`, { body }),
      await routes.api("POST", `/v1/orgs/${second.id}/integrations`, { body }),
      await routes.api("POST", `/v1/orgs/${first.id}/integrations`, { body }),
    ];

    // assess
    expect(replies.map((reply) => reply.status)).toEqual([201, 201, 409]);
    expect(replies[2]?.body.error.code).toBe("integration_exists");
  });

  it("lets exactly one of 10 concurrent creates for one tenant win", async () => {
    // prepare
    const orgs = await Promise.all(Array.from({ length: 10 }, () => routes.createOrg()));

    // act
    const replies = await Promise.all(
      orgs.map((org) =>
        routes.api("POST", `/v1/orgs/${org.id}/integrations`, {
          body: { provider: "linear", externalTenantId: "0f5d7d3e-1111-4222-8333-944455556666" },
        }),
      ),
    );

    // assess
    expect(replies.filter((reply) => reply.status === 201)).toHaveLength(1);
    expect(replies.filter((reply) => reply.status === 409)).toHaveLength(9);
  });

  it.each([
    [{ provider: "slack", externalTenantId: "not a team" }, "externalTenantId"],
    [{ provider: "github", externalTenantId: "octo-org" }, "externalTenantId"],
    [{ provider: "gitlab", externalTenantId: "group" }, "secret"],
    [
      { provider: "agentmail", externalTenantId: "inbox", secret: AGENTMAIL_SECRET },
      "settings.allowedDomains",
    ],
    [
      {
        provider: "agentmail",
        externalTenantId: "inbox",
        secret: "plain",
        settings: { allowedDomains: ["a.io"] },
      },
      "secret",
    ],
    [
      { provider: "slack", externalTenantId: "T0X", settings: { botToken: "not-a-token" } },
      "settings.botToken",
    ],
    [{ provider: "jira", externalTenantId: "x" }, "provider"],
  ])("refuses %j with a 400 naming %s, writing nothing", async (body, field) => {
    // prepare
    const org = await routes.createOrg();
    const before = await routes.orgItems(org.id);

    // act
    const reply = await routes.api("POST", `/v1/orgs/${org.id}/integrations`, { body });

    // assess
    const details = expectError(reply, 400, "invalid_input");
    expect(Object.keys(details)).toContain(field);
    expect(await routes.orgItems(org.id)).toEqual(before);
  });

  it("lists an org's integrations in pages and deletes one with its tenant claim", async () => {
    // prepare
    const org = await routes.createOrg();
    const created = [];
    for (const team of ["T0LIST1", "T0LIST2", "T0LIST3"]) {
      const reply = await routes.api("POST", `/v1/orgs/${org.id}/integrations`, {
        body: { provider: "slack", externalTenantId: team },
      });
      created.push(reply.body.id);
    }

    // act
    const firstPage = await routes.api("GET", `/v1/orgs/${org.id}/integrations?limit=2`);
    const secondPage = await routes.api(
      "GET",
      `/v1/orgs/${org.id}/integrations?limit=2&cursor=${encodeURIComponent(firstPage.body.nextCursor)}`,
    );
    const deleted = await routes.api("DELETE", `/v1/orgs/${org.id}/integrations/${created[0]}`);
    const reconnect = await routes.api("POST", `/v1/orgs/${org.id}/integrations`, {
      body: { provider: "slack", externalTenantId: "T0LIST1" },
    });

    // assess
    expect(
      [...firstPage.body.items, ...secondPage.body.items].map((item: { id: string }) => item.id),
    ).toEqual(created);
    expect(secondPage.body.nextCursor).toBeNull();
    expect(deleted.status).toBe(204);
    expect(reconnect.status).toBe(201);
  });

  it("answers 404 for another org's integration and leaves it in place", async () => {
    // prepare
    const [owner, other] = [await routes.createOrg(), await routes.createOrg()];
    const created = await routes.api("POST", `/v1/orgs/${owner.id}/integrations`, {
      body: { provider: "slack", externalTenantId: "T0OWNED" },
    });

    // act
    const reply = await routes.api("DELETE", `/v1/orgs/${other.id}/integrations/${created.body.id}`);

    // assess
    expectError(reply, 404, "integration_not_found");
    const list = await routes.api("GET", `/v1/orgs/${owner.id}/integrations`);
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([created.body.id]);
  });

  it("lets only admins manage integrations: a member token gets 403 and another org's admin 404", async () => {
    // prepare
    const [org, other] = [await routes.createOrg(), await routes.createOrg()];
    const member = await routes.createUser(org.id, { email: routes.email("member"), accessRole: "member" });
    const memberToken = await routes.mintToken(org.id, member.id);
    const foreignAdmin = await routes.createUser(other.id, {
      email: routes.email("admin"),
      accessRole: "admin",
    });
    const foreignToken = await routes.mintToken(other.id, foreignAdmin.id);

    // act
    const asMember = await routes.api("GET", `/v1/orgs/${org.id}/integrations`, { token: memberToken.token });
    const asForeign = await routes.api("POST", `/v1/orgs/${org.id}/integrations`, {
      token: foreignToken.token,
      body: { provider: "slack", externalTenantId: "T0FOREIGN" },
    });

    // assess
    expect(asMember.status).toBe(403);
    expect(asForeign.status).toBe(404);
  });
});
