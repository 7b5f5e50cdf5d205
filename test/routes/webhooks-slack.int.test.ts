import "./quiet-logs";
import { SlackSandbox, signSlack } from "@kith/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "../support/integration";
import { expectError, useRouteGateway } from "./support";
import {
  connect,
  deliver,
  unmappedEntry,
  usersOf,
  useWebhookSecrets,
  WEBHOOK_SECRETS,
} from "./webhook-support";

const SECRET = WEBHOOK_SECRETS.SLACK_SIGNING_SECRET;
const PATH = "/webhooks/slack";
let sequence = 0;

function teamId(): string {
  sequence += 1;
  return `T0${uniqueName("")
    .replace(/[^A-Za-z0-9]/g, "")
    .toUpperCase()
    .slice(-8)}${sequence}`;
}

function messageEvent(team: string, user: string, extra: Record<string, unknown> = {}) {
  sequence += 1;
  return {
    token: "verification-token-unused",
    team_id: team,
    api_app_id: "A0APP",
    type: "event_callback",
    event_id: `Ev0${Date.now()}${sequence}`,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: "message", channel: "C0CHAN", user, text: "hello", ts: `${Date.now() / 1000}`, ...extra },
    authorizations: [{ team_id: team, user_id: "U0APPBOT", is_bot: true }],
  };
}

describe("routes: POST /webhooks/slack", () => {
  const routes = useRouteGateway();
  let slack: SlackSandbox;
  beforeAll(async () => {
    useWebhookSecrets();
    slack = await SlackSandbox.start();
    process.env.SLACK_API_URL = slack.url;
  });
  afterAll(async () => {
    delete process.env.SLACK_API_URL;
    await slack?.stop();
  });

  /** A team in the Slack sandbox with an installed bot, connected to a new org. */
  async function slackTeam(options: { scopes?: string[] } = {}) {
    const org = await routes.createOrg();
    const team = teamId();
    const botToken = `xoxb-${team.toLowerCase()}-0123456789`;
    slack.addTeam(team, `Team ${team}`);
    slack.addBotToken({
      token: botToken,
      teamId: team,
      botUserId: `U0BOT${sequence}`,
      botId: `B0BOT${sequence}`,
      scopes: options.scopes ?? ["users:read", "users:read.email"],
    });
    await connect(routes, org.id, { provider: "slack", externalTenantId: team, settings: { botToken } });
    return { org, team };
  }

  it("echoes the challenge of a signed url_verification", async () => {
    // act
    const reply = await deliver(
      routes,
      PATH,
      signSlack({ type: "url_verification", challenge: "c-123", token: "x" }, SECRET),
    );

    // assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ challenge: "c-123" });
  });

  it("resolves a known sender and answers 200 processed", async () => {
    // prepare
    const org = await routes.createOrg();
    const team = teamId();
    await connect(routes, org.id, { provider: "slack", externalTenantId: team });
    const user = await routes.createUser(org.id, {
      email: routes.email(),
      identities: [{ kind: "slack", externalId: `${team}:U0KNOWN` }],
    });

    // act
    const reply = await deliver(routes, PATH, signSlack(messageEvent(team, "U0KNOWN"), SECRET));

    // assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ received: true, outcome: "processed" });
    expect((await routes.getUser(org.id, user.id)).status).toBe(200);
  });

  it("counts an unknown sender as unmapped once per delivery: a replay adds nothing, a new delivery adds one", async () => {
    // prepare
    const org = await routes.createOrg();
    const team = teamId();
    await connect(routes, org.id, { provider: "slack", externalTenantId: team });
    const first = messageEvent(team, "U0STRANGER");

    // act
    const replies = [
      await deliver(routes, PATH, signSlack(first, SECRET)),
      await deliver(routes, PATH, signSlack(first, SECRET, { retryNum: 1 })),
    ];
    const afterReplay = await unmappedEntry(routes, org.id, "slack", `${team}:U0STRANGER`);
    await deliver(routes, PATH, signSlack(messageEvent(team, "U0STRANGER"), SECRET));
    const afterSecond = await unmappedEntry(routes, org.id, "slack", `${team}:U0STRANGER`);

    // assess
    expect(replies.map((reply) => reply.body.outcome)).toEqual(["processed", "duplicate"]);
    expect(afterReplay?.count).toBe(1);
    expect(afterSecond?.count).toBe(2);
  });

  it("ignores bots, the app's own user and events without a user, writing nothing", async () => {
    // prepare
    const org = await routes.createOrg();
    const team = teamId();
    await connect(routes, org.id, {
      provider: "slack",
      externalTenantId: team,
      settings: { botUserId: "U0SETBOT" },
    });
    const before = await routes.orgItems(org.id);

    // act
    const replies = [
      await deliver(routes, PATH, signSlack(messageEvent(team, "U0HUMAN", { bot_id: "B0BOT" }), SECRET)),
      await deliver(
        routes,
        PATH,
        signSlack(messageEvent(team, "U0HUMAN", { subtype: "bot_message" }), SECRET),
      ),
      await deliver(routes, PATH, signSlack(messageEvent(team, "U0APPBOT"), SECRET)),
      await deliver(routes, PATH, signSlack(messageEvent(team, "U0SETBOT"), SECRET)),
      await deliver(routes, PATH, signSlack(messageEvent(team, "USLACKBOT"), SECRET)),
      await deliver(
        routes,
        PATH,
        signSlack({ ...messageEvent(team, "x"), event: { type: "channel_created" } }, SECRET),
      ),
    ];

    // assess
    expect(replies.map((reply) => [reply.status, reply.body.outcome])).toEqual(
      Array.from({ length: 6 }, () => [200, "ignored"]),
    );
    expect(await routes.orgItems(org.id)).toEqual(before);
  });

  it("routes an Enterprise Grid workspace's events to the org that connected the enterprise (E…)", async () => {
    // prepare
    const org = await routes.createOrg();
    const enterprise = `E0${teamId().slice(2)}`;
    await connect(routes, org.id, { provider: "slack", externalTenantId: enterprise });
    const workspace = teamId();

    // act
    const reply = await deliver(
      routes,
      PATH,
      signSlack({ ...messageEvent(workspace, "U0GRIDUSER"), enterprise_id: enterprise }, SECRET),
    );

    // assess
    expect([reply.status, reply.body.outcome]).toEqual([200, "processed"]);
    expect(await unmappedEntry(routes, org.id, "slack", `${workspace}:U0GRIDUSER`)).toMatchObject({
      count: 1,
    });
  });

  it("answers 202 for a team with no integration and writes nothing", async () => {
    // prepare
    const before = await routes.tableItems();

    // act
    const reply = await deliver(routes, PATH, signSlack(messageEvent("T0NOBODY", "U0ANY"), SECRET));

    // assess
    expect(reply.status).toBe(202);
    expect(await routes.tableItems()).toEqual(before);
  });

  it("refuses a bad signature, a stale or future timestamp and a missing header with 401, writing nothing", async () => {
    // prepare
    const org = await routes.createOrg();
    const team = teamId();
    await connect(routes, org.id, { provider: "slack", externalTenantId: team });
    const body = messageEvent(team, "U0SIGNED");
    const now = Math.floor(Date.now() / 1000);
    const before = await routes.tableItems();
    const good = signSlack(body, SECRET);

    // act
    const replies = [
      await deliver(routes, PATH, signSlack(body, "the-wrong-secret")),
      await deliver(routes, PATH, signSlack(body, SECRET, { timestampSeconds: now - 360 })),
      await deliver(routes, PATH, signSlack(body, SECRET, { timestampSeconds: now + 360 })),
      await deliver(routes, PATH, { body: good.body, headers: { "content-type": "application/json" } }),
      await deliver(routes, PATH, { body: `${good.body} `, headers: good.headers }),
    ];

    // assess
    for (const reply of replies) expectError(reply, 401, "unauthenticated");
    expect(await routes.tableItems()).toEqual(before);
  });

  it("answers 400 for signed malformed JSON and 413 for a body over 1 MiB, writing nothing", async () => {
    // prepare
    const before = await routes.tableItems();

    // act
    const malformed = await deliver(routes, PATH, signSlack('{"type": "event_callback",', SECRET));
    const oversized = await deliver(
      routes,
      PATH,
      signSlack(JSON.stringify({ type: "event_callback", pad: "x".repeat(1024 * 1024) }), SECRET),
    );

    // assess
    expectError(malformed, 400, "invalid_json");
    expectError(oversized, 413, "payload_too_large");
    expect(await routes.tableItems()).toEqual(before);
  });

  it("links an unknown Slack user to the member who owns their profile email (users.info), then costs no lookup", async () => {
    // prepare
    const { org, team } = await slackTeam();
    const owner = await routes.createUser(org.id, { email: routes.email("ada") });
    slack.addUser({ teamId: team, userId: "U0ADA", email: owner.email as string, realName: "Ada L" });
    slack.clearRequests();

    // act
    const first = await deliver(routes, PATH, signSlack(messageEvent(team, "U0ADA"), SECRET));
    const second = await deliver(routes, PATH, signSlack(messageEvent(team, "U0ADA"), SECRET));

    // assess
    expect([first.body.outcome, second.body.outcome]).toEqual(["processed", "processed"]);
    const linked = (await routes.getUser(org.id, owner.id)).body;
    expect(linked.identities).toContainEqual(
      expect.objectContaining({ kind: "slack", externalId: `${team}:U0ADA` }),
    );
    expect((await routes.events(org.id, owner.id)).map((event) => event.eventType)).toContain(
      "identity_added",
    );
    expect(slack.requests().filter((request) => request.method === "users.info")).toHaveLength(1);
  });

  it("creates exactly one user for 10 concurrent deliveries from one new person with a verified Slack email", async () => {
    // prepare
    const { org, team } = await slackTeam();
    const email = routes.email("newcomer");
    slack.addUser({ teamId: team, userId: "U0NEWBIE", email, realName: "New Comer" });

    // act
    const replies = await Promise.all(
      Array.from({ length: 10 }, () =>
        deliver(routes, PATH, signSlack(messageEvent(team, "U0NEWBIE"), SECRET)),
      ),
    );

    // assess
    expect(replies.map((reply) => reply.status)).toEqual(Array.from({ length: 10 }, () => 200));
    const users = await usersOf(routes, org.id);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ email, name: "New Comer" });
    expect(await unmappedEntry(routes, org.id, "slack", `${team}:U0NEWBIE`)).toBeUndefined();
  });

  it("caches a successful users.info for 24 hours: a second unknown delivery from the same user asks Slack nothing", async () => {
    // prepare
    const { org, team } = await slackTeam({ scopes: ["users:read"] });
    slack.addUser({ teamId: team, userId: "U0NOMAIL", email: routes.email("hidden") });
    slack.clearRequests();

    // act
    await deliver(routes, PATH, signSlack(messageEvent(team, "U0NOMAIL"), SECRET));
    await deliver(routes, PATH, signSlack(messageEvent(team, "U0NOMAIL"), SECRET));

    // assess
    expect(slack.requests().filter((request) => request.method === "users.info")).toHaveLength(1);
    expect(await usersOf(routes, org.id)).toEqual([]);
    expect(await unmappedEntry(routes, org.id, "slack", `${team}:U0NOMAIL`)).toMatchObject({ count: 2 });
  });

  it("never creates a user for a Slack guest, but links a guest whose verified email a member owns", async () => {
    // prepare
    const { org, team } = await slackTeam();
    const member = await routes.createUser(org.id, { email: routes.email("contractor") });
    slack.addUser({ teamId: team, userId: "U0GUESTA", email: routes.email("vendor"), isRestricted: true });
    slack.addUser({ teamId: team, userId: "U0GUESTB", email: member.email as string, isRestricted: true });

    // act
    await deliver(routes, PATH, signSlack(messageEvent(team, "U0GUESTA"), SECRET));
    await deliver(routes, PATH, signSlack(messageEvent(team, "U0GUESTB"), SECRET));

    // assess
    expect((await usersOf(routes, org.id)).map((user) => user.id)).toEqual([member.id]);
    expect(await unmappedEntry(routes, org.id, "slack", `${team}:U0GUESTA`)).toMatchObject({ count: 1 });
    const linked = (await routes.getUser(org.id, member.id)).body;
    expect(linked.identities).toContainEqual(expect.objectContaining({ externalId: `${team}:U0GUESTB` }));
  });

  it("scopes a Slack Connect user by their own team and never makes them a member, even with a verified email", async () => {
    // prepare
    const { org, team } = await slackTeam();
    const partnerTeam = teamId();
    slack.addTeam(partnerTeam, "Partner");
    slack.addUser({ teamId: partnerTeam, userId: "U0PARTNER", email: routes.email("partner") });

    // act
    const reply = await deliver(
      routes,
      PATH,
      signSlack(messageEvent(team, "U0PARTNER", { user_team: partnerTeam, team: partnerTeam }), SECRET),
    );

    // assess
    expect(reply.body.outcome).toBe("processed");
    expect(await usersOf(routes, org.id)).toEqual([]);
    expect(await unmappedEntry(routes, org.id, "slack", `${partnerTeam}:U0PARTNER`)).toMatchObject({
      count: 1,
    });
  });

  it("ignores events about a user rather than by one (team_join, user_change), writing nothing", async () => {
    // prepare
    const { org, team } = await slackTeam();
    slack.addUser({ teamId: team, userId: "U0JOINER", email: routes.email("joiner") });
    const before = await routes.orgItems(org.id);

    // act
    const replies = [
      await deliver(
        routes,
        PATH,
        signSlack(
          { ...messageEvent(team, "x"), event: { type: "team_join", user: { id: "U0JOINER" } } },
          SECRET,
        ),
      ),
      await deliver(
        routes,
        PATH,
        signSlack(
          { ...messageEvent(team, "x"), event: { type: "user_change", user: { id: "U0JOINER" } } },
          SECRET,
        ),
      ),
    ];

    // assess
    expect(replies.map((reply) => reply.body.outcome)).toEqual(["ignored", "ignored"]);
    expect(await routes.orgItems(org.id)).toEqual(before);
  });

  it("ignores a sender users.info reports as a bot, and records nothing for it", async () => {
    // prepare
    const { org, team } = await slackTeam();
    slack.addUser({ teamId: team, userId: "U0WORKFLOW", isBot: true, realName: "Workflow" });
    const before = (await routes.orgItems(org.id)).length;

    // act
    const reply = await deliver(routes, PATH, signSlack(messageEvent(team, "U0WORKFLOW"), SECRET));

    // assess
    expect(reply.body.outcome).toBe("ignored");
    expect(await unmappedEntry(routes, org.id, "slack", `${team}:U0WORKFLOW`)).toBeUndefined();
    expect((await routes.orgItems(org.id)).length).toBe(before);
  });

  it("does not cache a failed users.info: the sender is unmapped now and the next delivery asks again", async () => {
    // prepare
    const { org, team } = await slackTeam();
    const email = routes.email("later");
    slack.addUser({ teamId: team, userId: "U0LATER", email });
    slack.failNext({ method: "users.info", status: 429, retryAfterSeconds: 30 });

    // act
    const throttled = await deliver(routes, PATH, signSlack(messageEvent(team, "U0LATER"), SECRET));
    const retried = await deliver(routes, PATH, signSlack(messageEvent(team, "U0LATER"), SECRET));

    // assess
    expect([throttled.status, retried.status]).toEqual([200, 200]);
    const users = await usersOf(routes, org.id);
    expect(users.map((user) => user.email)).toEqual([email]);
    expect(await unmappedEntry(routes, org.id, "slack", `${team}:U0LATER`)).toBeUndefined();
  });

  it("links no one without a bot token: the sender stays unmapped, no user is created", async () => {
    // prepare
    const org = await routes.createOrg();
    const team = teamId();
    await connect(routes, org.id, { provider: "slack", externalTenantId: team });

    // act
    await deliver(routes, PATH, signSlack(messageEvent(team, "U0NOTOKEN"), SECRET));

    // assess
    expect(await usersOf(routes, org.id)).toEqual([]);
    expect(await unmappedEntry(routes, org.id, "slack", `${team}:U0NOTOKEN`)).toMatchObject({ count: 1 });
  });
});
