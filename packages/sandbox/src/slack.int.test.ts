import { ErrorCode, type Logger, LogLevel, WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AddBotTokenInput, SlackSandbox } from "./slack";

// Everything here goes through the real @slack/web-api client, so a drift between the sandbox's
// wire format and what the SDK sends or parses shows up as a failing test.

const TEAM = "T0123ABCD";
const OTHER_TEAM = "T0999ZZZZ";
const EMAIL_TOKEN = "xoxb-1111-2222-withemailscope";
const NO_EMAIL_TOKEN = "xoxb-1111-3333-withoutemail";
const NO_READ_TOKEN = "xoxb-1111-4444-chatwriteonly";
const OTHER_TOKEN = "xoxb-9999-5555-otherteamtok";

let sandbox: SlackSandbox;

beforeEach(async () => {
  sandbox = await SlackSandbox.start();
  sandbox.addTeam(TEAM, "Acme Robotics");
  sandbox.addTeam(OTHER_TEAM, "Globex");
  const bot = { teamId: TEAM, botUserId: "U0BOT0001", botId: "B0BOT0001" };
  sandbox.addBotToken({ ...bot, token: EMAIL_TOKEN, scopes: ["users:read", "users:read.email"] });
  sandbox.addBotToken({ ...bot, token: NO_EMAIL_TOKEN, scopes: ["users:read"] });
  sandbox.addBotToken({ ...bot, token: NO_READ_TOKEN, scopes: ["chat:write"] });
  sandbox.addBotToken({
    token: OTHER_TOKEN,
    teamId: OTHER_TEAM,
    botUserId: "U0BOT0002",
    botId: "B0BOT0002",
    scopes: ["users:read", "users:read.email"],
  });
  sandbox.addUser({
    teamId: TEAM,
    userId: "U0123ABCD",
    email: "maya.chen@acme.example",
    realName: "Maya Chen",
  });
  sandbox.addUser({
    teamId: OTHER_TEAM,
    userId: "U0777WXYZ",
    email: "hank@globex.example",
    realName: "Hank",
  });
});

afterEach(async () => {
  await sandbox.stop();
});

/** The SDK logs every failure; the failures here are the point, so it stays quiet. */
const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** Retries off, rate limits rejected: every injected fault surfaces at once, as in core's client. */
function client(token?: string): WebClient {
  return new WebClient(token, {
    slackApiUrl: sandbox.url,
    logger: silent,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
}

/** The rejection of `call`, for asserting on the SDK's error fields. */
async function failure(call: Promise<unknown>): Promise<{ code?: string; data?: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    return error as { code?: string; data?: Record<string, unknown> };
  }
  throw new Error("expected the call to fail");
}

describe("client wiring", () => {
  it("is reached by WebClient at <url>/api/<method> and answers auth.test for a bot token", async () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);

    const result = await client(EMAIL_TOKEN).auth.test();

    expect(result).toMatchObject({
      ok: true,
      url: "https://acme-robotics.slack.com/",
      team: "Acme Robotics",
      user: "kith",
      team_id: TEAM,
      user_id: "U0BOT0001",
      bot_id: "B0BOT0001",
    });
    expect(sandbox.requests()).toEqual([
      { method: "auth.test", httpMethod: "POST", params: {}, token: "…cope" },
    ]);
  });

  it("records method and arguments but never a token in plaintext", async () => {
    await client(EMAIL_TOKEN).users.info({ user: "U0123ABCD" });
    // The `token` argument puts it in the form body instead of the header; it is redacted too.
    await client().users.info({ user: "U0123ABCD", token: NO_EMAIL_TOKEN });

    const recorded = sandbox.requests();
    expect(recorded).toEqual([
      { method: "users.info", httpMethod: "POST", params: { user: "U0123ABCD" }, token: "…cope" },
      { method: "users.info", httpMethod: "POST", params: { user: "U0123ABCD" }, token: "…mail" },
    ]);
    const text = JSON.stringify(recorded);
    expect(text).not.toContain(EMAIL_TOKEN);
    expect(text).not.toContain(NO_EMAIL_TOKEN);
    sandbox.clearRequests();
    expect(sandbox.requests()).toEqual([]);
  });

  it("answers an unknown method with unknown_method", async () => {
    const error = await failure(client(EMAIL_TOKEN).apiCall("users.nonsense"));
    expect(error.code).toBe(ErrorCode.PlatformError);
    expect(error.data?.error).toBe("unknown_method");
  });
});

describe("users.info", () => {
  it("returns Slack's user shape with the email for a token granted users:read.email", async () => {
    const result = await client(EMAIL_TOKEN).users.info({ user: "U0123ABCD" });

    expect(result.ok).toBe(true);
    expect(result.user).toMatchObject({
      id: "U0123ABCD",
      team_id: TEAM,
      name: "maya.chen",
      deleted: false,
      real_name: "Maya Chen",
      is_bot: false,
      is_app_user: false,
      is_email_confirmed: true,
      tz: "America/Los_Angeles",
      profile: {
        email: "maya.chen@acme.example",
        real_name: "Maya Chen",
        real_name_normalized: "Maya Chen",
        display_name: "",
        first_name: "Maya",
        last_name: "Chen",
        team: TEAM,
      },
    });
    expect(result.response_metadata?.scopes).toEqual(["users:read", "users:read.email"]);
    expect(result.response_metadata?.acceptedScopes).toEqual(["users:read"]);
  });

  it("omits the email, and only the email, without users:read.email", async () => {
    const withEmail = await client(EMAIL_TOKEN).users.info({ user: "U0123ABCD" });
    const without = await client(NO_EMAIL_TOKEN).users.info({ user: "U0123ABCD" });

    expect(without.user?.profile).not.toHaveProperty("email");
    const { email: _email, ...rest } = withEmail.user?.profile ?? {};
    expect(without.user?.profile).toEqual(rest);
    expect(without.user?.real_name).toBe("Maya Chen");
  });

  it("refuses a token without users:read with missing_scope", async () => {
    const error = await failure(client(NO_READ_TOKEN).users.info({ user: "U0123ABCD" }));

    expect(error.code).toBe(ErrorCode.PlatformError);
    expect(error.data).toMatchObject({
      ok: false,
      error: "missing_scope",
      needed: "users:read",
      provided: "chat:write",
    });
  });

  it("turns an unknown user, or one of another team, into the SDK's platform error user_not_found", async () => {
    const unknown = await failure(client(EMAIL_TOKEN).users.info({ user: "U0000NONE" }));
    const foreign = await failure(client(EMAIL_TOKEN).users.info({ user: "U0777WXYZ" }));

    for (const error of [unknown, foreign]) {
      expect(error.code).toBe("slack_webapi_platform_error");
      expect(error.data?.error).toBe("user_not_found");
    }
    // The other team's own token does see its user.
    await expect(client(OTHER_TOKEN).users.info({ user: "U0777WXYZ" })).resolves.toMatchObject({
      user: { profile: { email: "hank@globex.example" } },
    });
  });

  it("rejects an unknown token with invalid_auth, none with not_authed and a revoked one with token_revoked", async () => {
    const invalid = await failure(client("xoxb-0000-0000-notgranted").users.info({ user: "U0123ABCD" }));
    const missing = await failure(client().users.info({ user: "U0123ABCD" }));
    sandbox.revokeToken(NO_EMAIL_TOKEN);
    const revoked = await failure(client(NO_EMAIL_TOKEN).users.info({ user: "U0123ABCD" }));

    expect([invalid, missing, revoked].map((error) => [error.code, error.data?.error])).toEqual([
      [ErrorCode.PlatformError, "invalid_auth"],
      [ErrorCode.PlatformError, "not_authed"],
      [ErrorCode.PlatformError, "token_revoked"],
    ]);
  });

  it("needs the user argument", async () => {
    const error = await failure(client(EMAIL_TOKEN).apiCall("users.info", {}));
    expect(error.data?.error).toBe("invalid_arguments");
  });

  it("shows deactivated users as deleted and bot users without an email", async () => {
    sandbox.addUser({ teamId: TEAM, userId: "U0456GONE", email: "gone@acme.example", deleted: true });
    sandbox.addUser({ teamId: TEAM, userId: "U0456BOTT", email: "bot@acme.example", isBot: true });

    const gone = await client(EMAIL_TOKEN).users.info({ user: "U0456GONE" });
    const bot = await client(EMAIL_TOKEN).users.info({ user: "U0456BOTT" });
    const ownBot = await client(EMAIL_TOKEN).users.info({ user: "U0BOT0001" });

    expect(gone.user).toMatchObject({ deleted: true, profile: { email: "gone@acme.example" } });
    expect(gone.user).not.toHaveProperty("tz");
    expect(bot.user).toMatchObject({ is_bot: true, is_email_confirmed: false });
    expect(bot.user?.profile).not.toHaveProperty("email");
    expect(ownBot.user).toMatchObject({ is_bot: true, profile: { bot_id: "B0BOT0001" } });
  });
});

describe("users.lookupByEmail", () => {
  it("finds an active member of the token's team by email, needing users:read.email", async () => {
    const found = await client(EMAIL_TOKEN).users.lookupByEmail({ email: "MAYA.CHEN@acme.example" });
    const foreign = await failure(client(EMAIL_TOKEN).users.lookupByEmail({ email: "hank@globex.example" }));
    const noScope = await failure(
      client(NO_EMAIL_TOKEN).users.lookupByEmail({ email: "maya.chen@acme.example" }),
    );

    expect(found.user?.id).toBe("U0123ABCD");
    expect(foreign.data?.error).toBe("users_not_found");
    expect(noScope.data).toMatchObject({ error: "missing_scope", needed: "users:read.email" });
  });
});

describe("faults", () => {
  it("a 429 with Retry-After surfaces as the SDK's rate-limited error, then the call works again", async () => {
    sandbox.failNext({ method: "users.info", status: 429, retryAfterSeconds: 7 });

    const error = (await failure(client(EMAIL_TOKEN).users.info({ user: "U0123ABCD" }))) as {
      code?: string;
      retryAfter?: number;
    };

    expect(error.code).toBe(ErrorCode.RateLimitedError);
    expect(error.code).toBe("slack_webapi_rate_limited_error");
    expect(error.retryAfter).toBe(7);
    await expect(client(EMAIL_TOKEN).users.info({ user: "U0123ABCD" })).resolves.toMatchObject({ ok: true });
  });

  it("a client that retries waits out Retry-After and succeeds on the next attempt", async () => {
    sandbox.failNext({ method: "users.info", status: 429, retryAfterSeconds: 0 });
    const patient = new WebClient(EMAIL_TOKEN, {
      slackApiUrl: sandbox.url,
      logger: silent,
      retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 },
    });

    await expect(patient.users.info({ user: "U0123ABCD" })).resolves.toMatchObject({ ok: true });
    expect(sandbox.requests().map((request) => request.method)).toEqual(["users.info", "users.info"]);
  });

  it("a 500 is the SDK's HTTP error and touches only the method named", async () => {
    sandbox.failNext({ method: "users.info", status: 500 });

    await expect(client(EMAIL_TOKEN).auth.test()).resolves.toMatchObject({ ok: true });
    const error = (await failure(client(EMAIL_TOKEN).users.info({ user: "U0123ABCD" }))) as {
      code?: string;
      statusCode?: number;
    };

    expect(error.code).toBe(ErrorCode.HTTPError);
    expect(error.statusCode).toBe(500);
    await expect(client(EMAIL_TOKEN).users.info({ user: "U0123ABCD" })).resolves.toMatchObject({ ok: true });
  });

  it("an HTTP 200 platform error can be injected for any method, several times", async () => {
    sandbox.failNext({ status: 200, error: "fatal_error", times: 2 });

    const first = await failure(client(EMAIL_TOKEN).auth.test());
    const second = await failure(client(EMAIL_TOKEN).users.info({ user: "U0123ABCD" }));

    expect([first.data?.error, second.data?.error]).toEqual(["fatal_error", "fatal_error"]);
    await expect(client(EMAIL_TOKEN).auth.test()).resolves.toMatchObject({ ok: true });
  });

  it("failNext refuses statuses that Slack faults cannot have", () => {
    expect(() => sandbox.failNext({ status: 302 })).toThrow(RangeError);
    expect(() => sandbox.failNext({ status: 200 })).toThrow(RangeError);
    expect(() => sandbox.failNext({ status: 429, times: 0 })).toThrow(RangeError);
  });
});

describe("Enterprise Grid", () => {
  const ENTERPRISE = "E0GRID001";
  const GRID_TEAM = "T0GRIDWS1";
  const GRID_TEAM_TWO = "T0GRIDWS2";
  const GRID_TOKEN = "xoxb-2222-1111-gridworkspace";
  const ORG_TOKEN = "xoxb-2222-3333-orgwideinstal";

  beforeEach(() => {
    sandbox.addEnterprise(ENTERPRISE, "Initech Holdings", "initech");
    sandbox.addTeam(GRID_TEAM, "Initech East", undefined, { enterpriseId: ENTERPRISE });
    sandbox.addTeam(GRID_TEAM_TWO, "Initech West", undefined, { enterpriseId: ENTERPRISE });
    sandbox.addBotToken({
      token: GRID_TOKEN,
      teamId: GRID_TEAM,
      botUserId: "W0BOTEAST",
      botId: "B0BOTEAST",
      scopes: ["users:read", "users:read.email"],
    });
    sandbox.addBotToken({
      token: ORG_TOKEN,
      enterpriseId: ENTERPRISE,
      botUserId: "W0BOTORG1",
      botId: "B0BOTORG1",
      scopes: ["users:read", "users:read.email"],
    });
    sandbox.addUser({
      teamId: GRID_TEAM_TWO,
      userId: "W0PETER01",
      email: "peter@initech.example",
      realName: "Peter",
    });
  });

  it("auth.test of a standalone workspace token names the team and no enterprise", async () => {
    const result = await client(EMAIL_TOKEN).auth.test();

    expect(result).toMatchObject({ team_id: TEAM, is_enterprise_install: false });
    expect(result).not.toHaveProperty("enterprise_id");
  });

  it("auth.test of a Grid workspace token names the workspace and its enterprise", async () => {
    const result = await client(GRID_TOKEN).auth.test();

    expect(result).toMatchObject({
      ok: true,
      url: "https://initech-east.slack.com/",
      team: "Initech East",
      team_id: GRID_TEAM,
      user_id: "W0BOTEAST",
      bot_id: "B0BOTEAST",
      enterprise_id: ENTERPRISE,
      is_enterprise_install: false,
    });
  });

  it("auth.test of an org-wide install names the enterprise, with is_enterprise_install", async () => {
    const result = await client(ORG_TOKEN).auth.test();

    expect(result).toMatchObject({
      ok: true,
      url: "https://initech.enterprise.slack.com/",
      team: "Initech Holdings",
      team_id: ENTERPRISE,
      user_id: "W0BOTORG1",
      bot_id: "B0BOTORG1",
      enterprise_id: ENTERPRISE,
      is_enterprise_install: true,
    });
  });

  it("an org-wide token sees users of every workspace of its enterprise and no others", async () => {
    const peter = await client(ORG_TOKEN).users.info({ user: "W0PETER01" });
    const byEmail = await client(ORG_TOKEN).users.lookupByEmail({ email: "peter@initech.example" });
    const outsider = await failure(client(ORG_TOKEN).users.info({ user: "U0123ABCD" }));
    const otherWorkspace = await failure(client(GRID_TOKEN).users.info({ user: "W0PETER01" }));

    expect(peter.user).toMatchObject({
      id: "W0PETER01",
      team_id: GRID_TEAM_TWO,
      enterprise_user: {
        id: "W0PETER01",
        enterprise_id: ENTERPRISE,
        enterprise_name: "Initech Holdings",
        teams: [GRID_TEAM_TWO],
      },
    });
    expect(byEmail.user?.id).toBe("W0PETER01");
    expect(outsider.data?.error).toBe("user_not_found");
    expect(otherWorkspace.data?.error).toBe("user_not_found");
  });

  it("checks enterprise ids and wants exactly one of teamId and enterpriseId", () => {
    expect(() => sandbox.addEnterprise("T0NOTENT1", "Nope")).toThrow(RangeError);
    expect(() => sandbox.addTeam("E0NOTATEAM", "Nope")).toThrow(RangeError);
    expect(() => sandbox.addTeam("T0ORPHAN1", "Orphan", undefined, { enterpriseId: "E0NOSUCH1" })).toThrow(
      /addEnterprise/,
    );
    const both = {
      token: "xoxb-2222-4444-bothkinds00",
      teamId: GRID_TEAM,
      enterpriseId: ENTERPRISE,
      botUserId: "W0BOTBOTH",
      botId: "B0BOTBOTH",
      scopes: [],
    } as unknown as AddBotTokenInput;
    expect(() => sandbox.addBotToken(both)).toThrow(TypeError);
  });
});

describe("control methods", () => {
  it("check ids, tokens and teams the way Slack shapes them", () => {
    expect(() => sandbox.addTeam("acme", "Acme")).toThrow(RangeError);
    expect(() => sandbox.addUser({ teamId: TEAM, userId: "maya" })).toThrow(RangeError);
    expect(() => sandbox.addUser({ teamId: "T0NOTEAM1", userId: "U0NEW0001" })).toThrow(/addTeam/);
    expect(() => sandbox.addUser({ teamId: TEAM, userId: "U0123ABCD" })).toThrow(/already exists/);
    expect(() =>
      sandbox.addBotToken({
        token: "xoxp-user-token-123",
        teamId: TEAM,
        botUserId: "U0BOT0001",
        botId: "B0BOT0001",
        scopes: [],
      }),
    ).toThrow(RangeError);
    expect(sandbox.user("U0123ABCD")?.profile.email).toBe("maya.chen@acme.example");
    expect(sandbox.user("U0000NONE")).toBeUndefined();
  });
});
