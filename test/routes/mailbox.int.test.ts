// First: every log line of this file is kept (and DEBUG is on) before any module creates the logger.
import "./verbose-logs";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import * as Mailbox from "@kith/core/mailbox";
import { google } from "@kith/core/mailbox/google";
import { googleSandboxEnv, microsoftSandboxEnv } from "@kith/local/mailbox-providers";
import { GoogleSandbox, MicrosoftSandbox } from "@kith/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { drainQueue, testSqsClient, uniqueName, useEmulators } from "../support/integration";
import { expectError, type Item, useRouteGateway } from "./support";
import { capturedLog } from "./verbose-logs";

/**
 * Mailbox connections over HTTP: the manifest's routes behind the local gateway, the real
 * google-auth-library, MSAL and Graph clients against the loopback Google and Microsoft sandboxes,
 * and a browser played by the sandboxes (`consent`).
 */

const harness = useRouteGateway();
let googleSandbox: GoogleSandbox;
let microsoftSandbox: MicrosoftSandbox;
let syncQueueUrl: string;

const GMAIL = "https://www.googleapis.com/auth/gmail.metadata";
const CALENDAR = "https://www.googleapis.com/auth/calendar.readonly";

beforeAll(async () => {
  [googleSandbox, microsoftSandbox] = await Promise.all([GoogleSandbox.start(), MicrosoftSandbox.start()]);
  Object.assign(process.env, googleSandboxEnv(googleSandbox), microsoftSandboxEnv(microsoftSandbox), {
    OAUTH_STATE_SECRET: "routes-test-oauth-state-secret",
    TOKEN_ENCRYPTION_KEY: "routes-test-token-encryption-key",
    OAUTH_REDIRECT_BASE_URL: `http://127.0.0.1:${harness.port}`,
  });
  delete process.env.OAUTH_SUCCESS_URL;
  const sqs = testSqsClient();
  // POST …/sync sends straight to the provider's syncer queue (the bus events go through mailbox-sync).
  const queueName = uniqueName("sync-microsoft");
  await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  // On the emulator's own origin (as test/support/integration.ts builds them), which the SDK sends to as is.
  syncQueueUrl = `${useEmulators().sqsEndpoint}/000000000000/${queueName}`;
  process.env.KITH_QUEUE_URL_SYNC_MICROSOFT = syncQueueUrl;
});

afterAll(async () => {
  await Promise.all([googleSandbox?.close(), microsoftSandbox?.close()]);
});

beforeEach(() => {
  delete process.env.OAUTH_SUCCESS_URL;
});

interface Member {
  orgId: string;
  userId: string;
  email: string;
  token: string;
}

async function member(orgId: string, accessRole: "member" | "admin" = "member"): Promise<Member> {
  const email = harness.email("member");
  const user = await harness.createUser(orgId, { email, accessRole });
  const { token } = await harness.mintToken(orgId, user.id);
  return { orgId, userId: user.id, email, token };
}

async function newOrg() {
  return (await harness.createOrg()).id;
}

function mailboxPath(who: Member, rest = "") {
  return `/v1/orgs/${who.orgId}/users/${who.userId}/mailbox${rest}`;
}

async function connectUrl(
  who: Member,
  provider: "google" | "microsoft",
  scopes = { mail: true, calendar: true },
) {
  const reply = await harness.api("POST", mailboxPath(who, `/${provider}/connect`), {
    token: who.token,
    body: { scopes },
  });
  expect(reply.status, reply.text).toBe(200);
  return new URL(reply.body.authorizeUrl as string);
}

/** The provider's redirect, followed to the gateway as a browser would (without following further). */
async function callback(location: URL) {
  const response = await fetch(`http://127.0.0.1:${harness.port}${location.pathname}${location.search}`, {
    redirect: "manual",
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const known = new Set<string>();

/** The member's mailbox at the provider, signed in in the played browser. */
function signIn(sandbox: GoogleSandbox | MicrosoftSandbox, email: string) {
  const key = `${sandbox === googleSandbox ? "google" : "microsoft"}:${email}`;
  if (!known.has(key)) sandbox.addAccount({ email });
  known.add(key);
  sandbox.signIn(email);
}

async function connect(
  who: Member,
  provider: "google" | "microsoft",
  scopes = { mail: true, calendar: true },
) {
  const sandbox = provider === "google" ? googleSandbox : microsoftSandbox;
  signIn(sandbox, who.email);
  const location = await sandbox.consent((await connectUrl(who, provider, scopes)).toString());
  return callback(location);
}

function mailboxItems(items: Item[]) {
  return items.filter((item) => item.entity === "mailboxAccount");
}

describe("connect: the authorize URL asks for the toggled scopes and nothing more", () => {
  it("Google: gmail.metadata and/or calendar.readonly plus openid and email, offline, prompt=consent, PKCE S256, redirect to the gateway", async () => {
    const who = await member(await newOrg());
    const both = await connectUrl(who, "google");
    expect(`${both.origin}${both.pathname}`).toBe(googleSandbox.authorizeUrl);
    expect(new Set(both.searchParams.get("scope")?.split(" "))).toEqual(
      new Set(["openid", "email", GMAIL, CALENDAR]),
    );
    expect(both.searchParams.get("access_type")).toBe("offline");
    expect(both.searchParams.get("prompt")).toBe("consent");
    expect(both.searchParams.get("code_challenge_method")).toBe("S256");
    expect(both.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(both.searchParams.get("redirect_uri")).toBe(
      `http://127.0.0.1:${harness.port}/oauth/google/callback`,
    );
    expect(both.searchParams.get("state")).toBeTruthy();

    const mailOnly = await connectUrl(who, "google", { mail: true, calendar: false });
    expect(new Set(mailOnly.searchParams.get("scope")?.split(" "))).toEqual(
      new Set(["openid", "email", GMAIL]),
    );
    const calendarOnly = await connectUrl(who, "google", { mail: false, calendar: true });
    expect(new Set(calendarOnly.searchParams.get("scope")?.split(" "))).toEqual(
      new Set(["openid", "email", CALENDAR]),
    );
  });

  it("Microsoft: the common authority, Mail.ReadBasic and/or Calendars.ReadBasic plus offline_access and User.Read (MSAL adds openid and profile), PKCE S256", async () => {
    const who = await member(await newOrg());
    const url = await connectUrl(who, "microsoft", { mail: false, calendar: true });
    expect(`${url.origin}${url.pathname}`).toBe(`${microsoftSandbox.loginUrl}/common/oauth2/v2.0/authorize`);
    const scopes = new Set(url.searchParams.get("scope")?.split(" "));
    expect(scopes).toEqual(
      new Set(["Calendars.ReadBasic", "offline_access", "User.Read", "openid", "profile"]),
    );
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("redirect_uri")).toBe(
      `http://127.0.0.1:${harness.port}/oauth/microsoft/callback`,
    );
  });

  it("refuses no scope at all (400) and an unknown provider (404), writing nothing", async () => {
    const who = await member(await newOrg());
    // As the operator, whose calls record no token use.
    const before = await harness.tableItems();
    expectError(
      await harness.api("POST", mailboxPath(who, "/google/connect"), {
        body: { scopes: { mail: false, calendar: false } },
      }),
      400,
      "invalid_input",
    );
    const unknown = await harness.api("POST", mailboxPath(who, "/yahoo/connect"), {
      body: { scopes: { mail: true, calendar: true } },
    });
    expect(unknown.status).toBe(404);
    expect(await harness.tableItems()).toEqual(before);
  });
});

describe("callbacks: the whole connect flow, through the real client libraries", () => {
  it("Google: code exchanged with PKCE, email from userinfo, tokens sealed, a SyncState per scope, mailbox.connected in the same write", async () => {
    const who = await member(await newOrg());
    const page = await connect(who, "google");
    expect(page.status, page.text).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.text).toContain(who.email);

    const listed = await harness.api("GET", mailboxPath(who), { token: who.token });
    expect(listed.status).toBe(200);
    expect(listed.body.accounts).toEqual([
      {
        provider: "google",
        email: who.email,
        scopes: { mail: true, calendar: true },
        status: "connected",
        mail: {
          phase: "backfill",
          progress: 0,
          backfilledThrough: null,
          lastSyncAt: null,
          lastError: null,
          eventsIngested: 0,
        },
        calendar: {
          phase: "backfill",
          progress: 0,
          backfilledThrough: null,
          lastSyncAt: null,
          lastError: null,
          eventsIngested: 0,
        },
        accountId: expect.any(String),
        connectedAt: expect.any(String),
      },
    ]);
    const items = await harness.tableItems();
    const [account] = mailboxItems(items).filter((item) => item.userId === who.userId);
    expect(account?.sealedRefreshToken).toMatch(/^v1\.local\./);
    expect(account?.sealedAccessToken).toMatch(/^v1\.local\./);
    const outboxes = items.filter((item) => item.entity === "outbox").map((item) => String(item.outbox));
    expect(
      outboxes.some((outbox) => outbox.includes('"mailbox.connected"') && outbox.includes(who.userId)),
    ).toBe(true);
    // The state was used: its verifier item is gone.
    expect(items.filter((item) => item.entity === "oauthState" && item.userId === who.userId)).toEqual([]);
  });

  it("Microsoft: code redeemed by MSAL, email from Graph /me (userPrincipalName when mail is null), refresh token read from MSAL's cache and sealed", async () => {
    const who = await member(await newOrg());
    microsoftSandbox.addAccount({ email: who.email, mail: null, userPrincipalName: who.email });
    known.add(`microsoft:${who.email}`);
    const page = await connect(who, "microsoft", { mail: true, calendar: false });
    expect(page.status, page.text).toBe(200);
    const listed = await harness.api("GET", mailboxPath(who), { token: who.token });
    expect(listed.body.accounts).toMatchObject([
      {
        provider: "microsoft",
        email: who.email,
        scopes: { mail: true, calendar: false },
        status: "connected",
        mail: { phase: "backfill" },
        calendar: { phase: "off" },
      },
    ]);
    const [account] = mailboxItems(await harness.tableItems()).filter((item) => item.userId === who.userId);
    expect(account?.sealedRefreshToken).toMatch(/^v1\.local\./);
  });

  it("redirects to OAUTH_SUCCESS_URL with the outcome when one is configured", async () => {
    process.env.OAUTH_SUCCESS_URL = "https://portal.example/settings/mailbox";
    const who = await member(await newOrg());
    const reply = await connect(who, "google");
    expect(reply.status).toBe(302);
    const location = new URL(reply.headers.get("location") as string);
    expect(`${location.origin}${location.pathname}`).toBe("https://portal.example/settings/mailbox");
    expect(Object.fromEntries(location.searchParams)).toEqual({
      provider: "google",
      status: "connected",
      email: who.email,
    });
  });

  it("reconnecting the same mailbox keeps its account id and sync state; another mailbox replaces it and its events are wiped", async () => {
    // The member's Kith email is no mailbox the sandbox knows, so its browser decides which one signs in.
    const who = await member(await newOrg());
    const first = harness.email("first-mailbox");
    const other = harness.email("other-mailbox");
    const connectAs = async (mailbox: string) => {
      signIn(googleSandbox, mailbox);
      return callback(await googleSandbox.consent((await connectUrl(who, "google")).toString()));
    };
    await connectAs(first);
    const before = (await harness.api("GET", mailboxPath(who), { token: who.token })).body.accounts[0];
    await connectAs(first);
    const again = (await harness.api("GET", mailboxPath(who), { token: who.token })).body.accounts[0];
    expect(again).toMatchObject({ email: first, accountId: before.accountId });

    await connectAs(other);
    const replaced = (await harness.api("GET", mailboxPath(who), { token: who.token })).body.accounts;
    expect(replaced).toHaveLength(1);
    expect(replaced[0]).toMatchObject({ email: other, status: "connected" });
    expect(replaced[0].accountId).not.toBe(before.accountId);
    const outboxes = (await harness.tableItems()).map((item) => String(item.outbox ?? ""));
    expect(
      outboxes.some(
        (outbox) =>
          outbox.includes('"mailbox.wipe_requested"') &&
          outbox.includes(before.accountId) &&
          outbox.includes('"account_replaced"'),
      ),
    ).toBe(true);
  });

  it("asks the provider to sign in as the member's Kith email (login_hint)", async () => {
    const who = await member(await newOrg());
    expect((await connectUrl(who, "google")).searchParams.get("login_hint")).toBe(who.email);
    expect((await connectUrl(who, "microsoft")).searchParams.get("login_hint")).toBe(who.email);
  });
});

describe("a bad state gets 400 and writes nothing", () => {
  async function expectRefused(location: URL) {
    const before = await harness.tableItems();
    const reply = await callback(location);
    expect(reply.status).toBe(400);
    expect(reply.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await harness.tableItems()).toEqual(before);
  }

  it("tampered: a changed signature, or a payload moved to another user", async () => {
    const who = await member(await newOrg());
    const victim = await member(who.orgId);
    signIn(googleSandbox, who.email);
    const location = await googleSandbox.consent((await connectUrl(who, "google")).toString());
    const state = location.searchParams.get("state") as string;
    const [body, signature] = state.split(".") as [string, string];

    const flipped = new URL(location);
    flipped.searchParams.set(
      "state",
      `${body}.${signature.slice(0, -2)}${signature.endsWith("AA") ? "BB" : "AA"}`,
    );
    await expectRefused(flipped);

    const payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    const moved = Buffer.from(JSON.stringify({ ...payload, userId: victim.userId })).toString("base64url");
    const forged = new URL(location);
    forged.searchParams.set("state", `${moved}.${signature}`);
    await expectRefused(forged);

    const garbage = new URL(location);
    garbage.searchParams.set("state", "not-a-state");
    await expectRefused(garbage);
    const missing = new URL(location);
    missing.searchParams.delete("state");
    await expectRefused(missing);
  });

  it("expired: a state older than 10 minutes", async () => {
    const who = await member(await newOrg());
    signIn(googleSandbox, who.email);
    const issued = await Mailbox.authorizeUrl(
      google,
      { orgId: who.orgId, userId: who.userId, scopes: { mail: true, calendar: false } },
      new Date(Date.now() - Mailbox.STATE_LIFETIME_MS - 1_000),
    );
    const location = await googleSandbox.consent(issued);
    await expectRefused(location);
  });

  it("replayed: the same redirect a second time", async () => {
    const who = await member(await newOrg());
    signIn(googleSandbox, who.email);
    const location = await googleSandbox.consent((await connectUrl(who, "google")).toString());
    expect((await callback(location)).status).toBe(200);
    await expectRefused(location);
  });

  it("foreign: a Google state at Microsoft's callback", async () => {
    const who = await member(await newOrg());
    signIn(googleSandbox, who.email);
    const location = await googleSandbox.consent((await connectUrl(who, "google")).toString());
    const elsewhere = new URL(location);
    elsewhere.pathname = "/oauth/microsoft/callback";
    await expectRefused(elsewhere);
  });
});

describe("a denied consent or a provider error writes nothing", () => {
  it("consent denied: 400 page, or a redirect with ?error= to OAUTH_SUCCESS_URL", async () => {
    const who = await member(await newOrg());
    signIn(googleSandbox, who.email);
    const authorize = (await connectUrl(who, "google")).toString();
    const before = await harness.tableItems();
    googleSandbox.denyNextConsent();
    const denied = await googleSandbox.consent(authorize);
    expect(denied.searchParams.get("error")).toBe("access_denied");
    const page = await callback(denied);
    expect(page.status).toBe(400);
    expect(page.text).toContain("Access not granted");
    expect(await harness.tableItems()).toEqual(before);

    process.env.OAUTH_SUCCESS_URL = "https://portal.example/done";
    signIn(microsoftSandbox, who.email);
    const msAuthorize = (await connectUrl(who, "microsoft")).toString();
    const beforeMs = await harness.tableItems();
    microsoftSandbox.denyNextConsent();
    const redirected = await callback(await microsoftSandbox.consent(msAuthorize));
    expect(redirected.status).toBe(302);
    expect(new URL(redirected.headers.get("location") as string).searchParams.get("error")).toBe(
      "access_denied",
    );
    expect(await harness.tableItems()).toEqual(beforeMs);
  });

  it("a provider outage at the token endpoint: a 503 page, nothing written, and the same redirect works once the provider is back", async () => {
    const who = await member(await newOrg());
    signIn(googleSandbox, who.email);
    const location = await googleSandbox.consent((await connectUrl(who, "google")).toString());
    const before = await harness.tableItems();
    // google-auth-library retries a 5xx three times on its own: the outage outlasts them.
    googleSandbox.failNext({ endpoint: "token", status: 503, times: 4 });
    const page = await callback(location);
    expect(page.status).toBe(503);
    expect(await harness.tableItems()).toEqual(before);
    // The code was never redeemed and the state never used: retrying the redirect connects.
    expect((await callback(location)).status).toBe(200);
  });
});

describe("who may call: the member, an admin of the org, or the operator; anyone else gets 404", () => {
  it("another member cannot connect, read, change, sync or disconnect a member's mailbox", async () => {
    const owner = await member(await newOrg());
    const other = await member(owner.orgId);
    await connect(owner, "google");
    // The other member's token has been used once already (its first use is recorded).
    expect((await harness.api("GET", "/v1/whoami", { token: other.token })).status).toBe(200);
    const before = await harness.tableItems();
    for (const [method, path, body] of [
      ["POST", mailboxPath(owner, "/google/connect"), { scopes: { mail: true, calendar: true } }],
      ["GET", mailboxPath(owner), undefined],
      ["PATCH", mailboxPath(owner, "/google"), { scopes: { mail: true, calendar: false } }],
      ["POST", mailboxPath(owner, "/google/sync"), undefined],
      ["DELETE", mailboxPath(owner, "/google"), undefined],
    ] as const) {
      const reply = await harness.api(method, path, { token: other.token, body });
      expect({ method, path, status: reply.status }).toEqual({ method, path, status: 404 });
    }
    expect(await harness.tableItems()).toEqual(before);
    // A token of another org learns nothing either; no token is a 401.
    const stranger = await member(await newOrg());
    expect((await harness.api("GET", mailboxPath(owner), { token: stranger.token })).status).toBe(404);
    expect((await harness.api("GET", mailboxPath(owner), { token: null })).status).toBe(401);
  });

  it("an admin of the org and the operator may read it", async () => {
    const owner = await member(await newOrg());
    const admin = await member(owner.orgId, "admin");
    await connect(owner, "google");
    expect((await harness.api("GET", mailboxPath(owner), { token: admin.token })).body.accounts).toHaveLength(
      1,
    );
    expect((await harness.api("GET", mailboxPath(owner))).body.accounts).toHaveLength(1);
  });
});

describe("scopes, sync and disconnect", () => {
  it("PATCH turns a scope off (phase off, its wipe requested) and asks for consent for one the grant lacks", async () => {
    const who = await member(await newOrg());
    await connect(who, "google", { mail: true, calendar: false });
    const off = await harness.api("PATCH", mailboxPath(who, "/google"), {
      token: who.token,
      body: { scopes: { mail: false, calendar: false } },
    });
    expectError(off, 400, "invalid_input");

    const calendar = await harness.api("PATCH", mailboxPath(who, "/google"), {
      token: who.token,
      body: { scopes: { mail: true, calendar: true } },
    });
    expect(calendar.status).toBe(200);
    expect(calendar.body.scopes).toEqual({ mail: true, calendar: false });
    const consentUrl = new URL(calendar.body.authorizeUrl);
    expect(consentUrl.searchParams.get("scope")?.split(" ")).toContain(CALENDAR);

    // Granting it through that URL turns it on.
    await callback(await googleSandbox.consent(consentUrl.toString()));
    const both = (await harness.api("GET", mailboxPath(who), { token: who.token })).body.accounts[0];
    expect(both.scopes).toEqual({ mail: true, calendar: true });

    const mailOff = await harness.api("PATCH", mailboxPath(who, "/google"), {
      token: who.token,
      body: { scopes: { mail: false, calendar: true } },
    });
    expect(mailOff.status).toBe(200);
    expect(mailOff.body).toMatchObject({ scopes: { mail: false, calendar: true }, mail: { phase: "off" } });
    expect(mailOff.body.authorizeUrl).toBeUndefined();
    const outboxes = (await harness.tableItems()).map((item) => String(item.outbox ?? ""));
    expect(
      outboxes.some(
        (outbox) =>
          outbox.includes('"mailbox.wipe_requested"') &&
          outbox.includes(both.accountId) &&
          outbox.includes('"scope":"mail"'),
      ),
    ).toBe(true);
  });

  it("POST sync queues one job per enabled scope on the provider's syncer queue (202)", async () => {
    const who = await member(await newOrg());
    await connect(who, "microsoft", { mail: true, calendar: true });
    await drainQueue(testSqsClient(), syncQueueUrl);
    const reply = await harness.api("POST", mailboxPath(who, "/microsoft/sync"), { token: who.token });
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({ accepted: true, scopes: ["mail", "calendar"] });
    const jobs = (await drainQueue(testSqsClient(), syncQueueUrl)).map((message) =>
      JSON.parse(message.Body ?? ""),
    );
    expect(jobs.map((job) => [job.kind, job.scope, job.reason, job.userId])).toEqual([
      ["sync", "mail", "manual", who.userId],
      ["sync", "calendar", "manual", who.userId],
    ]);
  });

  it("DELETE revokes at Google, drops the tokens, marks the account disconnected and requests the wipe; again is a 204", async () => {
    const who = await member(await newOrg());
    await connect(who, "google");
    const revokesBefore = googleSandbox.count("revoke");
    expect((await harness.api("DELETE", mailboxPath(who, "/google"), { token: who.token })).status).toBe(204);
    expect(googleSandbox.count("revoke")).toBe(revokesBefore + 1);
    const [account] = mailboxItems(await harness.tableItems()).filter((item) => item.userId === who.userId);
    expect(account).toMatchObject({ status: "disconnected" });
    expect(account?.sealedRefreshToken).toBeUndefined();
    expect(account?.sealedAccessToken).toBeUndefined();
    expect(String(account?.outbox ?? "")).not.toContain("mailbox.connected");
    expect((await harness.api("DELETE", mailboxPath(who, "/google"), { token: who.token })).status).toBe(204);
    expect(googleSandbox.count("revoke")).toBe(revokesBefore + 1);
    const missing = await harness.api("DELETE", mailboxPath(await member(who.orgId), "/google"));
    expectError(missing, 404, "mailbox_not_found");
  });
});

describe("secrets never at rest in plaintext, never in a log", () => {
  it("no token, code or verifier the providers issued appears in any item or any log line", async () => {
    const issued = [...googleSandbox.issuedSecrets(), ...microsoftSandbox.issuedSecrets()];
    // The flows above issued codes, access and refresh tokens for both providers.
    expect(issued.length).toBeGreaterThan(20);
    const table = JSON.stringify(await harness.tableItems());
    const log = capturedLog.join("");
    expect(log).toContain("mailbox connected");
    for (const value of issued) {
      expect(table.includes(value), "a provider secret is in the table").toBe(false);
      expect(log.includes(value), "a provider secret is in the log").toBe(false);
    }
  });
});
