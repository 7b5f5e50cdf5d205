import { createSign, generateKeyPairSync } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { request } from "@octokit/request";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubSandbox } from "./github";

// Everything here goes through the real @octokit/auth-app and @octokit/request, so a drift between
// the sandbox's wire format (paths, JWT checks, status codes, bodies) and what Octokit sends or
// parses shows up as a failing test.

const APP_ID = 313_370;
const CLIENT_ID = "Iv23liKithSandbox01";
const INSTALLATION = 4242;
const ORG = { id: 9001, login: "acme-robotics", type: "Organization" } as const;
const USER = { id: 9002, login: "maya-chen", type: "User" } as const;
const APP_DOCS = "https://docs.github.com/rest/apps/apps";

// One key for the whole file: generating RSA keys per test is slow and proves nothing more.
const APP_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();
const OTHER_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();

let sandbox: GitHubSandbox;

beforeEach(async () => {
  sandbox = await GitHubSandbox.start({ appId: APP_ID, clientId: CLIENT_ID, privateKey: APP_KEY });
  sandbox.addInstallation({ id: INSTALLATION, account: ORG });
  sandbox.addInstallation({ id: 4343, account: USER, permissions: { metadata: "read" } });
});

afterEach(async () => {
  await sandbox.close();
});

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** `request` bound to the sandbox and authenticated as the App, the way core will call GitHub. */
function asApp(options: { appId?: number | string; privateKey?: string } = {}) {
  const github = request.defaults({ baseUrl: sandbox.url });
  const auth = createAppAuth({
    appId: options.appId ?? sandbox.appId,
    privateKey: options.privateKey ?? sandbox.privateKey,
    request: github,
    log: quiet,
  });
  return { auth, github: github.defaults({ request: { hook: auth.hook } }) };
}

/** The rejection of `call`, for asserting on Octokit's RequestError. */
async function failure(call: Promise<unknown>): Promise<{
  status?: number;
  message?: string;
  response?: { data?: unknown; headers?: Record<string, string> };
}> {
  try {
    await call;
  } catch (error) {
    return error as { status?: number; message?: string };
  }
  throw new Error("expected the call to fail");
}

/** An RS256 JWT with the given claims, signed with `key` (the App's by default). */
function jwt(claims: Record<string, unknown>, key = APP_KEY): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "RS256", typ: "JWT" })}.${encode(claims)}`;
  const signature = createSign("RSA-SHA256").update(unsigned).sign(key).toString("base64url");
  return `${unsigned}.${signature}`;
}

const now = () => Math.floor(Date.now() / 1000);

describe("installation lookup as the App", () => {
  it("finds an installation by id with @octokit/auth-app, answering GitHub's installation object", async () => {
    const { github } = asApp();

    const response = await github("GET /app/installations/{installation_id}", {
      installation_id: INSTALLATION,
    });

    expect(response.status).toBe(200);
    expect(response.data).toMatchObject({
      id: INSTALLATION,
      client_id: CLIENT_ID,
      account: { login: "acme-robotics", id: 9001, type: "Organization", site_admin: false },
      app_id: APP_ID,
      app_slug: "kith-sandbox",
      target_id: 9001,
      target_type: "Organization",
      repository_selection: "all",
      permissions: { metadata: "read", members: "read" },
      access_tokens_url: `${sandbox.url}/app/installations/${INSTALLATION}/access_tokens`,
      html_url: `https://github.com/organizations/acme-robotics/settings/installations/${INSTALLATION}`,
      suspended_at: null,
    });
    expect(response.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(response.headers["x-github-request-id"]).toMatch(/^[0-9A-F]+(:[0-9A-F]+){4}$/);
    expect(response.headers["x-github-media-type"]).toBe("github.v3; format=json");
    expect(response.headers["x-ratelimit-limit"]).toBe("5000");
    expect(response.headers["x-ratelimit-remaining"]).toBe("4999");
    expect(response.headers["x-ratelimit-resource"]).toBe("core");
    expect(sandbox.requests()).toEqual([
      {
        method: "GET",
        path: `/app/installations/${INSTALLATION}`,
        route: "/app/installations/{installation_id}",
        query: {},
        auth: "jwt",
      },
    ]);
    expect(sandbox.requestCount("GET /app/installations/{installation_id}")).toBe(1);
  });

  it("answers an unknown installation with GitHub's 404 body", async () => {
    const { github } = asApp();

    const error = await failure(github("GET /app/installations/{installation_id}", { installation_id: 999 }));

    expect(error.status).toBe(404);
    expect(error.response?.data).toEqual({
      message: "Not Found",
      documentation_url: `${APP_DOCS}#get-an-installation-for-the-authenticated-app`,
      status: "404",
    });
    expect(sandbox.requestCount(`GET /app/installations/999`)).toBe(1);
  });

  it("accepts the client id as the JWT issuer, as GitHub recommends", async () => {
    const { github } = asApp({ appId: CLIENT_ID });

    const response = await github("GET /app/installations/{installation_id}", { installation_id: 4343 });

    expect(response.data).toMatchObject({
      account: { login: "maya-chen", type: "User" },
      target_type: "User",
    });
  });

  it("finds installations by organization and by user, each only under its own kind of account", async () => {
    const { github } = asApp();

    const org = await github("GET /orgs/{org}/installation", { org: "ACME-Robotics" });
    const user = await github("GET /users/{username}/installation", { username: "maya-chen" });
    const wrongKind = await failure(
      github("GET /users/{username}/installation", { username: "acme-robotics" }),
    );
    const none = await failure(github("GET /orgs/{org}/installation", { org: "globex" }));

    expect(org.data.id).toBe(INSTALLATION);
    expect(user.data.id).toBe(4343);
    expect(wrongKind.status).toBe(404);
    expect(none.response?.data).toEqual({
      message: "Not Found",
      documentation_url: `${APP_DOCS}#get-an-organization-installation-for-the-authenticated-app`,
      status: "404",
    });
  });

  it("answers GET /app with the App, counting its installations", async () => {
    const { github } = asApp();

    const { data } = await github("GET /app");

    expect(data).toMatchObject({
      id: APP_ID,
      client_id: CLIENT_ID,
      slug: "kith-sandbox",
      owner: { login: "kith-dev", type: "Organization" },
      installations_count: 2,
    });
  });

  it("mints an installation access token the way auth-app asks for one", async () => {
    const { auth } = asApp();

    const token = await auth({ type: "installation", installationId: INSTALLATION });

    expect(token).toMatchObject({ type: "token", tokenType: "installation", installationId: INSTALLATION });
    expect(token.token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    expect(Date.parse(token.expiresAt) - Date.now()).toBeGreaterThan(59 * 60 * 1000);
    expect(token.permissions).toEqual({ metadata: "read", members: "read" });
    expect(token.repositorySelection).toBe("all");
    expect(sandbox.requestCount("POST /app/installations/{installation_id}/access_tokens")).toBe(1);
  });

  it("forgets an uninstalled installation", async () => {
    const { github } = asApp();
    sandbox.removeInstallation(INSTALLATION);

    const error = await failure(
      github("GET /app/installations/{installation_id}", { installation_id: INSTALLATION }),
    );

    expect(error.status).toBe(404);
    expect(sandbox.installation(INSTALLATION)).toBeUndefined();
  });
});

describe("App JWT checks", () => {
  it("rejects a JWT signed with another key: 401 'A JSON web token could not be decoded'", async () => {
    const { github } = asApp({ privateKey: OTHER_KEY });

    const error = await failure(
      github("GET /app/installations/{installation_id}", { installation_id: INSTALLATION }),
    );

    expect(error.status).toBe(401);
    expect(error.response?.data).toEqual({
      message: "A JSON web token could not be decoded",
      documentation_url: "https://docs.github.com/rest",
      status: "401",
    });
  });

  it("answers a JWT whose issuer is no App with 404 'Integration not found'", async () => {
    const { github } = asApp({ appId: 1 });

    const error = await failure(github("GET /app"));

    expect(error.status).toBe(404);
    expect(error.response?.data).toEqual({
      message: "Integration not found",
      documentation_url: "https://docs.github.com/rest",
      status: "404",
    });
  });

  it("refuses expired, too long-lived and future-dated JWTs with GitHub's messages", async () => {
    const github = request.defaults({ baseUrl: sandbox.url });
    const call = (token: string) =>
      failure(github("GET /app", { headers: { authorization: `Bearer ${token}` } }));

    const expired = await call(jwt({ iss: APP_ID, iat: now() - 700, exp: now() - 100 }));
    const tooLong = await call(jwt({ iss: APP_ID, iat: now() - 30, exp: now() + 660 }));
    const future = await call(jwt({ iss: APP_ID, iat: now() + 120, exp: now() + 300 }));

    expect([expired, tooLong, future].map((error) => [error.status, error.message])).toEqual([
      [
        401,
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires - https://docs.github.com/rest",
      ],
      [401, "'Expiration time' claim ('exp') is too far in the future - https://docs.github.com/rest"],
      [
        401,
        "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued - https://docs.github.com/rest",
      ],
    ]);
  });

  it("accepts GitHub's own sample claims: iat 60 s back, exp 600 s ahead", async () => {
    const github = request.defaults({ baseUrl: sandbox.url });
    const token = jwt({ iss: String(APP_ID), iat: now() - 60, exp: now() + 600 });

    const { data } = await github("GET /app", { headers: { authorization: `Bearer ${token}` } });

    expect(data?.id).toBe(APP_ID);
  });

  it("wants a Bearer JWT: none is 'Requires authentication', a token or another scheme does not decode", async () => {
    const github = request.defaults({ baseUrl: sandbox.url });
    const valid = jwt({ iss: APP_ID, iat: now() - 30, exp: now() + 540 });

    const none = await failure(github("GET /app/installations/{installation_id}", { installation_id: 4242 }));
    const installationToken = await failure(
      github("GET /app", { headers: { authorization: "token ghs_16C7e42F292c6912E7710c838347Ae178B4a" } }),
    );
    const wrongScheme = await failure(github("GET /app", { headers: { authorization: `token ${valid}` } }));

    expect(none.status).toBe(401);
    expect(none.response?.data).toEqual({
      message: "Requires authentication",
      documentation_url: `${APP_DOCS}#get-an-installation-for-the-authenticated-app`,
      status: "401",
    });
    for (const error of [installationToken, wrongScheme]) {
      expect(error.status).toBe(401);
      expect(error.message).toBe("A JSON web token could not be decoded - https://docs.github.com/rest");
    }
    expect(sandbox.requests().map((request) => request.auth)).toEqual(["none", "other", "other"]);
  });

  it("lets auth-app recover from clock skew by retrying with the Date GitHub sends", async () => {
    // GitHub's clock two minutes behind this machine's: auth-app's first JWT expires too far ahead.
    sandbox.setClockOffset(-120);
    const { github } = asApp();

    const response = await github("GET /app/installations/{installation_id}", {
      installation_id: INSTALLATION,
    });

    expect(response.status).toBe(200);
    expect(sandbox.requestCount("GET /app/installations/{installation_id}")).toBe(2);
  });
});

describe("routing and faults", () => {
  it("answers unknown paths, trailing slashes and unsupported methods with GitHub's 404", async () => {
    const github = request.defaults({ baseUrl: sandbox.url });
    const auth = { authorization: `Bearer ${jwt({ iss: APP_ID, iat: now() - 30, exp: now() + 540 })}` };

    const errors = await Promise.all([
      failure(github("GET /app/nonsense", { headers: auth })),
      failure(
        github("DELETE /app/installations/{installation_id}", { installation_id: 4242, headers: auth }),
      ),
    ]);
    // Octokit drops a trailing slash itself, so that one goes out with fetch.
    const trailing = await fetch(`${sandbox.url}/app/installations/4242/`, { headers: auth });

    const notFound = {
      message: "Not Found",
      documentation_url: "https://docs.github.com/rest",
      status: "404",
    };
    for (const error of errors) {
      expect(error.status).toBe(404);
      expect(error.response?.data).toEqual(notFound);
    }
    expect(trailing.status).toBe(404);
    expect(await trailing.json()).toEqual(notFound);
  });

  it("fails the next request of a route when told to, then answers again", async () => {
    const { github } = asApp();
    sandbox.failNext({
      route: "GET /app/installations/{installation_id}",
      status: 503,
      retryAfterSeconds: 1,
    });

    const error = await failure(
      github("GET /app/installations/{installation_id}", { installation_id: INSTALLATION }),
    );
    const again = await github("GET /app/installations/{installation_id}", { installation_id: INSTALLATION });

    expect(error.status).toBe(503);
    expect(error.response?.headers?.["retry-after"]).toBe("1");
    expect(again.status).toBe(200);
    expect(() => sandbox.failNext({ route: "GET /nowhere", status: 500 })).toThrow(RangeError);
  });
});

describe("control methods", () => {
  it("generates an App key GitHub-style (PKCS#1 PEM) and checks installations the way GitHub shapes them", async () => {
    const generated = await GitHubSandbox.start();
    try {
      expect(generated.privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
      expect(generated.appId).toBeGreaterThanOrEqual(100_000);
      expect(generated.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await generated.close();
    }
    expect(() => sandbox.addInstallation({ id: INSTALLATION, account: { ...ORG, id: 1 } })).toThrow(
      /already exists/,
    );
    expect(() => sandbox.addInstallation({ id: 5, account: ORG })).toThrow(/already installed/);
    expect(() =>
      sandbox.addInstallation({ id: 6, account: { id: 7, login: "-bad-", type: "User" } }),
    ).toThrow(RangeError);
    expect(() => sandbox.addInstallation({ id: 0, account: { id: 7, login: "ok", type: "User" } })).toThrow(
      RangeError,
    );
  });
});
