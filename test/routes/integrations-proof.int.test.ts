import "./quiet-logs";
import type { Org } from "@kith/core/orgs";
import { GitHubSandbox, LinearSandbox, SlackSandbox } from "@kith/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectError, type Json, type Reply, useRouteGateway } from "./support";

process.env.TOKEN_ENCRYPTION_KEY = "routes-test-token-encryption-key";

const OURS = { team: "T0PROOFUS", enterprise: "E0PROOFUS", linear: "0d5b7c1a-2b3c-4d5e-8f90-a1b2c3d4e5f6" };
const THEIRS = { team: "T0PROOFTHEM", linear: "9e8d7c6b-5a49-4837-8261-0f1e2d3c4b5a" };
const TOKENS = {
  ourTeam: "xoxb-proof-our-team-0001",
  theirTeam: "xoxb-proof-their-team-0002",
  ourEnterprise: "xoxb-proof-our-enterprise-0003",
  ourLinearKey: "lin_api_proofours00000000000000000000000001",
  theirLinearKey: "lin_api_prooftheirs000000000000000000000002",
};
/** Our GitHub App is installed on two accounts; installation 9999 belongs to someone else's app. */
const INSTALLATIONS = {
  ours: { id: 7_001, account: { id: 61_001, login: "proof-us", type: "Organization" as const } },
  theirs: { id: 7_002, account: { id: 61_002, login: "proof-them", type: "Organization" as const } },
};

describe("routes: an org admin must prove control of the tenant an integration claims", () => {
  const routes = useRouteGateway();
  let slack: SlackSandbox;
  let github: GitHubSandbox;
  let linear: LinearSandbox;
  let org: Org;
  let adminToken: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    [slack, github, linear] = await Promise.all([
      SlackSandbox.start(),
      GitHubSandbox.start(),
      LinearSandbox.start(),
    ]);
    slack.addTeam(OURS.team, "Proof Us");
    slack.addTeam(THEIRS.team, "Proof Them");
    slack.addEnterprise(OURS.enterprise, "Proof Us Grid");
    const bot = (suffix: string) => ({
      botUserId: `U0BOT${suffix}`,
      botId: `B0BOT${suffix}`,
      scopes: ["users:read"],
    });
    slack.addBotToken({ ...bot("US"), token: TOKENS.ourTeam, teamId: OURS.team });
    slack.addBotToken({ ...bot("THEM"), token: TOKENS.theirTeam, teamId: THEIRS.team });
    slack.addBotToken({ ...bot("GRID"), token: TOKENS.ourEnterprise, enterpriseId: OURS.enterprise });
    github.addInstallation(INSTALLATIONS.ours);
    github.addInstallation(INSTALLATIONS.theirs);
    linear.addOrganization({ id: OURS.linear, name: "Proof Us", urlKey: "proof-us" });
    linear.addOrganization({ id: THEIRS.linear, name: "Proof Them", urlKey: "proof-them" });
    linear.addApiKey(TOKENS.ourLinearKey, OURS.linear);
    linear.addApiKey(TOKENS.theirLinearKey, THEIRS.linear);
    Object.assign(process.env, {
      SLACK_API_URL: slack.url,
      GITHUB_API_URL: github.url,
      GITHUB_APP_ID: String(github.appId),
      GITHUB_APP_PRIVATE_KEY: github.privateKey,
      LINEAR_API_URL: linear.url,
    });
    org = await routes.createOrg("Proof Co");
    const admin = await routes.createUser(org.id, { name: "Proof Admin", accessRole: "admin" });
    adminToken = (await routes.mintToken(org.id, admin.id)).token;
    // The token's first use records lastUsedAt; done now, so "nothing is written" compares like with like.
    expect((await routes.api("GET", "/v1/whoami", { token: adminToken })).status).toBe(200);
  });

  afterAll(async () => {
    for (const name of [
      "SLACK_API_URL",
      "GITHUB_API_URL",
      "GITHUB_APP_ID",
      "GITHUB_APP_PRIVATE_KEY",
      "LINEAR_API_URL",
    ]) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await Promise.all([slack.close(), github.close(), linear.close()]);
  });

  const claim = (body: Record<string, unknown>, as: "admin" | "operator" = "admin") =>
    routes.api("POST", `/v1/orgs/${org.id}/integrations`, {
      body,
      ...(as === "admin" ? { token: adminToken } : {}),
    });

  /** Asserts the refusal and that the table is exactly as it was. */
  async function refused(attempt: () => Promise<Reply<Json>>, status: number, code: string) {
    const before = await routes.tableItems();
    const details = expectError(await attempt(), status, code);
    expect(await routes.tableItems()).toEqual(before);
    return details;
  }

  describe("Slack: auth.test of the bot token names the team (or the enterprise)", () => {
    it("a bot token of another team is a 403 tenant_not_proven, and nothing is written", async () => {
      await refused(
        () =>
          claim({ provider: "slack", externalTenantId: OURS.team, settings: { botToken: TOKENS.theirTeam } }),
        403,
        "tenant_not_proven",
      );
    });

    it("a token Slack refuses is a 403, and a claim without a bot token a 400 naming it", async () => {
      await refused(
        () =>
          claim({
            provider: "slack",
            externalTenantId: OURS.team,
            settings: { botToken: "xoxb-unknown-000000" },
          }),
        403,
        "tenant_not_proven",
      );
      const details = await refused(
        () => claim({ provider: "slack", externalTenantId: OURS.team }),
        400,
        "invalid_input",
      );
      expect(details).toEqual({ "settings.botToken": "required" });
    });

    it("a workspace token cannot claim its enterprise; the org-wide token can, and the team's own token its team", async () => {
      await refused(
        () =>
          claim({
            provider: "slack",
            externalTenantId: OURS.enterprise,
            settings: { botToken: TOKENS.ourTeam },
          }),
        403,
        "tenant_not_proven",
      );
      const enterprise = await claim({
        provider: "slack",
        externalTenantId: OURS.enterprise,
        settings: { botToken: TOKENS.ourEnterprise },
      });
      const team = await claim({
        provider: "slack",
        externalTenantId: OURS.team,
        settings: { botToken: TOKENS.ourTeam },
      });
      expect([enterprise.status, team.status]).toEqual([201, 201]);
    });
  });

  describe("GitHub: the installation, looked up as the App, belongs to the claimed account", () => {
    it("an installation of another account is a 403 for an organization claim, and nothing is written", async () => {
      await refused(
        () =>
          claim({
            provider: "github",
            externalTenantId: `organization:${INSTALLATIONS.ours.account.id}`,
            settings: { installationId: INSTALLATIONS.theirs.id },
          }),
        403,
        "tenant_not_proven",
      );
    });

    it("an installation that is not one of this App's is a 403; an account claim without an installation a 400", async () => {
      await refused(
        () => claim({ provider: "github", externalTenantId: "installation:9999" }),
        403,
        "tenant_not_proven",
      );
      const details = await refused(
        () => claim({ provider: "github", externalTenantId: `account:${INSTALLATIONS.ours.account.id}` }),
        400,
        "invalid_input",
      );
      expect(details).toEqual({ "settings.installationId": "required" });
    });

    it("the App's own installation proves an installation claim and an account claim", async () => {
      const installation = await claim({
        provider: "github",
        externalTenantId: `installation:${INSTALLATIONS.ours.id}`,
      });
      const account = await claim({
        provider: "github",
        externalTenantId: `organization:${INSTALLATIONS.ours.account.id}`,
        settings: { installationId: INSTALLATIONS.ours.id },
      });
      expect([installation.status, account.status]).toEqual([201, 201]);
      expect(github.requestCount("GET /app/installations/{installation_id}")).toBeGreaterThanOrEqual(4);
    });
  });

  describe("Linear: the API key's organization is the claimed one", () => {
    it("an API key of another organization is a 403, and nothing is written", async () => {
      await refused(
        () =>
          claim({
            provider: "linear",
            externalTenantId: OURS.linear,
            settings: { apiKey: TOKENS.theirLinearKey },
          }),
        403,
        "tenant_not_proven",
      );
    });

    it("a key Linear refuses is a 403, and a claim with neither key nor token a 400 naming apiKey", async () => {
      await refused(
        () =>
          claim({
            provider: "linear",
            externalTenantId: OURS.linear,
            settings: { apiKey: "lin_api_unknownkey00000000000000000000000" },
          }),
        403,
        "tenant_not_proven",
      );
      const details = await refused(
        () => claim({ provider: "linear", externalTenantId: OURS.linear }),
        400,
        "invalid_input",
      );
      expect(details).toEqual({ "settings.apiKey": "required" });
    });

    it("an OAuth access token of the organization proves the claim, sent as a Bearer token", async () => {
      const token = "lin_oauth_proofours000000000000000000000000000000000000000001";
      linear.addOAuthToken(token, OURS.linear);
      linear.clearRequests();

      const reply = await claim({
        provider: "linear",
        externalTenantId: OURS.linear,
        settings: { accessToken: token },
      });

      expect(reply.status).toBe(201);
      expect(linear.requests().map((request) => request.auth)).toEqual(["oauth"]);
      expect(JSON.stringify(await routes.tableItems())).not.toContain(token);
      await routes.api("DELETE", `/v1/orgs/${org.id}/integrations/${(reply.body as { id: string }).id}`, {
        token: adminToken,
      });
    });

    it("Linear rate limited (400 RATELIMITED), failing (500) or unreachable is a retryable 503, and nothing is written", async () => {
      const attempt = () =>
        claim({
          provider: "linear",
          externalTenantId: OURS.linear,
          settings: { apiKey: TOKENS.ourLinearKey },
        });
      linear.failNext({ kind: "ratelimited" });
      await refused(attempt, 503, "provider_unavailable");
      linear.failNext({ kind: "internal" });
      await refused(attempt, 503, "provider_unavailable");
      const saved = process.env.LINEAR_API_URL;
      process.env.LINEAR_API_URL = "http://127.0.0.1:9/graphql";
      try {
        await refused(attempt, 503, "provider_unavailable");
      } finally {
        process.env.LINEAR_API_URL = saved;
      }
    });

    it("the organization's own key proves the claim and is never stored", async () => {
      const reply = await claim({
        provider: "linear",
        externalTenantId: OURS.linear,
        settings: { apiKey: TOKENS.ourLinearKey },
      });

      expect(reply.status).toBe(201);
      expect(reply.body.settings).toEqual({});
      expect(JSON.stringify(await routes.tableItems())).not.toContain(TOKENS.ourLinearKey);
    });
  });

  it("an operator may still connect a tenant without proof", async () => {
    const reply = await claim({ provider: "linear", externalTenantId: THEIRS.linear }, "operator");

    expect(reply.status).toBe(201);
  });
});
