import { ClientAuthentication, CodeChallengeMethod, gaxios, OAuth2Client } from "google-auth-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GoogleSandbox } from "./google";

// Everything here goes through the real google-auth-library OAuth2Client (or plain fetch, as a
// browser would), so a drift between the sandbox's wire format and what the client sends or
// parses shows up as a failing test.

const CALLBACK = "http://127.0.0.1:3999/oauth/google/callback";
const GMAIL_METADATA = "https://www.googleapis.com/auth/gmail.metadata";
const USERINFO_EMAIL = "https://www.googleapis.com/auth/userinfo.email";
const MAYA = "maya.chen@acme.example";
const OMAR = "omar@acme.example";

let sandbox: GoogleSandbox;
let mayaSub: string;

beforeEach(async () => {
  sandbox = await GoogleSandbox.start({ redirectUris: [CALLBACK] });
  mayaSub = sandbox.addAccount({ email: MAYA, name: "Maya Chen" }).sub;
  sandbox.addAccount({ email: OMAR });
});

afterEach(async () => {
  await sandbox.close();
});

function oauthClient(options: { forceRefreshOnFailure?: boolean; basic?: boolean; secret?: string } = {}) {
  return new OAuth2Client({
    clientId: sandbox.clientId,
    clientSecret: options.secret ?? sandbox.clientSecret,
    redirectUri: CALLBACK,
    endpoints: sandbox.clientEndpoints,
    ...(options.forceRefreshOnFailure ? { forceRefreshOnFailure: true } : {}),
    ...(options.basic ? { clientAuthentication: ClientAuthentication.ClientSecretBasic } : {}),
  });
}

/** Consents at a PKCE (S256) authorization URL and returns the callback and the verifier. */
async function authorize(
  client: OAuth2Client,
  options: { prompt?: string; scope?: string[]; state?: string; login_hint?: string } = {},
) {
  const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
  const url = client.generateAuthUrl({
    access_type: "offline",
    scope: options.scope ?? [GMAIL_METADATA, "email"],
    state: options.state ?? "state-123",
    code_challenge: codeChallenge,
    code_challenge_method: CodeChallengeMethod.S256,
    ...(options.prompt ? { prompt: options.prompt } : {}),
    ...(options.login_hint ? { login_hint: options.login_hint } : {}),
  });
  const callback = await sandbox.consent(url);
  return { callback, code: callback.searchParams.get("code") ?? "", codeVerifier };
}

/** Signs in with offline access and returns the tokens. */
async function signedIn(client: OAuth2Client, scope?: string[]) {
  const { code, codeVerifier } = await authorize(client, { prompt: "consent", ...(scope ? { scope } : {}) });
  const { tokens } = await client.getToken({ code, codeVerifier });
  client.setCredentials(tokens);
  return tokens;
}

/** The GaxiosError a call rejects with. */
async function gaxiosFailure(call: Promise<unknown>): Promise<gaxios.GaxiosError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(gaxios.GaxiosError);
    return error as gaxios.GaxiosError;
  }
  throw new Error("expected the call to fail");
}

describe("authorization code flow", () => {
  it("redirects to the callback with the state and a code that yields offline tokens and a verifiable ID token", async () => {
    const client = oauthClient();

    const { callback, code, codeVerifier } = await authorize(client, { prompt: "consent" });

    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    expect(callback.searchParams.get("state")).toBe("state-123");
    expect(code).toMatch(/^4\/0A/);
    expect(callback.searchParams.get("scope")?.split(" ")).toEqual([
      GMAIL_METADATA,
      "email",
      USERINFO_EMAIL,
      "openid",
    ]);
    expect(callback.searchParams.get("authuser")).toBe("0");
    expect(callback.searchParams.get("prompt")).toBe("consent");

    const { tokens } = await client.getToken({ code, codeVerifier });

    expect(tokens.access_token).toMatch(/^ya29\./);
    expect(tokens.refresh_token).toMatch(/^1\/\/0/);
    expect(tokens.token_type).toBe("Bearer");
    expect(tokens.scope?.split(" ").sort()).toEqual([GMAIL_METADATA, USERINFO_EMAIL, "openid"].sort());
    expect(tokens.expiry_date).toBeGreaterThan(Date.now() + 3500_000);
    const ticket = await client.verifyIdToken({ idToken: tokens.id_token ?? "", audience: sandbox.clientId });
    expect(ticket.getPayload()).toMatchObject({
      iss: "https://accounts.google.com",
      aud: sandbox.clientId,
      azp: sandbox.clientId,
      sub: mayaSub,
      email: MAYA,
      email_verified: true,
    });
    expect(sandbox.count("token", "authorization_code")).toBe(1);
  });

  it("returns no refresh token on a re-consent without prompt=consent, and a new one with it", async () => {
    const client = oauthClient();
    await signedIn(client);

    const again = await authorize(client);
    const { tokens: silent } = await client.getToken({ code: again.code, codeVerifier: again.codeVerifier });
    const forced = await authorize(client, { prompt: "consent" });
    const { tokens: reconsented } = await client.getToken({
      code: forced.code,
      codeVerifier: forced.codeVerifier,
    });

    expect(again.callback.searchParams.get("prompt")).toBe("none");
    expect(silent.access_token).toBeTruthy();
    expect(silent.refresh_token).toBeUndefined();
    expect(reconsented.refresh_token).toMatch(/^1\/\/0/);
  });

  it("shows the consent screen again, with a refresh token, when new scopes are asked", async () => {
    const client = oauthClient();
    await signedIn(client);

    const wider = await authorize(client, { scope: [GMAIL_METADATA, "email", "https://mail.google.com/"] });
    const { tokens } = await client.getToken({ code: wider.code, codeVerifier: wider.codeVerifier });

    expect(wider.callback.searchParams.get("prompt")).toBe("consent");
    expect(tokens.refresh_token).toBeTruthy();
  });

  it("uses the login_hint account, else the signed-in one", async () => {
    const client = oauthClient();

    const hinted = await authorize(client, { login_hint: OMAR });
    sandbox.signIn(OMAR);
    const switched = await authorize(client);
    const hintedTokens = await client.getToken({ code: hinted.code, codeVerifier: hinted.codeVerifier });
    const switchedTokens = await client.getToken({
      code: switched.code,
      codeVerifier: switched.codeVerifier,
    });

    expect(hinted.callback.searchParams.get("authuser")).toBe("1");
    expect(sandbox.accountForAccessToken(hintedTokens.tokens.access_token ?? "")).toMatchObject({
      ok: true,
      account: { email: OMAR },
    });
    expect(sandbox.accountForAccessToken(switchedTokens.tokens.access_token ?? "")).toMatchObject({
      ok: true,
      account: { email: OMAR },
    });
  });

  it("redirects a denied consent with error=access_denied and the state, and no code", async () => {
    const client = oauthClient();
    sandbox.denyNextConsent();

    const { callback } = await authorize(client, { state: "csrf-9" });
    const next = await authorize(client);

    expect(Object.fromEntries(callback.searchParams)).toEqual({ state: "csrf-9", error: "access_denied" });
    expect(next.code).toMatch(/^4\/0A/);
  });

  it("answers prompt=none without a prior consent with error=consent_required", async () => {
    const client = oauthClient();

    const { callback } = await authorize(client, { prompt: "none" });

    expect(callback.searchParams.get("error")).toBe("consent_required");
    expect(callback.searchParams.get("code")).toBeNull();
  });

  it("shows an error page, never a redirect, for an unknown client, an unregistered redirect URI or an unknown scope", async () => {
    const unknown = new OAuth2Client({
      clientId: "123-unknown.apps.googleusercontent.com",
      redirectUri: CALLBACK,
      endpoints: sandbox.clientEndpoints,
    });
    const elsewhere = new OAuth2Client({
      clientId: sandbox.clientId,
      redirectUri: "https://evil.example/callback",
      endpoints: sandbox.clientEndpoints,
    });
    const client = oauthClient();

    const unknownPage = await fetch(unknown.generateAuthUrl({ scope: ["email"] }), { redirect: "manual" });
    const elsewherePage = await fetch(elsewhere.generateAuthUrl({ scope: ["email"] }), {
      redirect: "manual",
    });

    expect(unknownPage.status).toBe(401);
    expect(unknownPage.headers.get("location")).toBeNull();
    expect(await unknownPage.text()).toContain("Error 401: invalid_client");
    expect(elsewherePage.status).toBe(400);
    expect(elsewherePage.headers.get("location")).toBeNull();
    expect(await elsewherePage.text()).toContain("Error 400: redirect_uri_mismatch");
    await expect(
      sandbox.consent(client.generateAuthUrl({ scope: ["email", "gmail.metadata"] })),
    ).rejects.toThrow(
      "Error 400: invalid_scope Some requested scopes were invalid. {valid=[https://www.googleapis.com/auth/userinfo.email], invalid=[gmail.metadata]}",
    );
    await expect(sandbox.consent(client.generateAuthUrl({}))).rejects.toThrow(
      "Missing required parameter: scope",
    );
  });
});

describe("token endpoint errors", () => {
  it("redeems a code once: a second exchange is invalid_grant", async () => {
    const client = oauthClient();
    const { code, codeVerifier } = await authorize(client);
    await client.getToken({ code, codeVerifier });

    const error = await gaxiosFailure(client.getToken({ code, codeVerifier }));

    expect(error.response?.status).toBe(400);
    expect(error.response?.data).toEqual({ error: "invalid_grant", error_description: "Bad Request" });
  });

  it("checks the PKCE verifier: wrong is 'Invalid code verifier.', missing is 'Missing code verifier.'", async () => {
    const client = oauthClient();
    const first = await authorize(client);
    const second = await authorize(client);
    const other = await client.generateCodeVerifierAsync();

    const wrong = await gaxiosFailure(
      client.getToken({ code: first.code, codeVerifier: other.codeVerifier }),
    );
    const missing = await gaxiosFailure(client.getToken({ code: second.code }));

    expect(wrong.response?.data).toEqual({
      error: "invalid_grant",
      error_description: "Invalid code verifier.",
    });
    expect(missing.response?.data).toEqual({
      error: "invalid_grant",
      error_description: "Missing code verifier.",
    });
    // The failures did not use the codes up.
    await expect(
      client.getToken({ code: first.code, codeVerifier: first.codeVerifier }),
    ).resolves.toBeTruthy();
  });

  it("refuses a code after ten minutes, a malformed code and a different redirect_uri", async () => {
    const client = oauthClient();
    const late = await authorize(client);
    const moved = await authorize(client);

    const mismatch = await gaxiosFailure(
      client.getToken({
        code: moved.code,
        codeVerifier: moved.codeVerifier,
        redirect_uri: `${CALLBACK}/other`,
      }),
    );
    const malformed = await gaxiosFailure(client.getToken({ code: encodeURIComponent(moved.code) }));
    sandbox.advanceTime(601);
    const expired = await gaxiosFailure(
      client.getToken({ code: late.code, codeVerifier: late.codeVerifier }),
    );

    expect(mismatch.response?.data).toEqual({
      error: "redirect_uri_mismatch",
      error_description: "Bad Request",
    });
    expect(malformed.response?.data).toEqual({
      error: "invalid_grant",
      error_description: "Malformed auth code.",
    });
    expect(expired.response?.data).toEqual({ error: "invalid_grant", error_description: "Bad Request" });
  });

  it("rejects a wrong client secret with 401 invalid_client, and accepts HTTP Basic client credentials", async () => {
    const wrongSecret = oauthClient({ secret: "GOCSPX-wrong" });
    const basic = oauthClient({ basic: true });
    const first = await authorize(wrongSecret);
    const second = await authorize(basic);

    const error = await gaxiosFailure(
      wrongSecret.getToken({ code: first.code, codeVerifier: first.codeVerifier }),
    );
    const { tokens } = await basic.getToken({ code: second.code, codeVerifier: second.codeVerifier });

    expect(error.response?.status).toBe(401);
    expect(error.response?.data).toEqual({ error: "invalid_client", error_description: "Unauthorized" });
    expect(tokens.access_token).toMatch(/^ya29\./);
  });

  it("answers an unknown grant type with unsupported_grant_type", async () => {
    const response = await fetch(sandbox.tokenUrl, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "password",
        client_id: sandbox.clientId,
        client_secret: sandbox.clientSecret,
      }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "unsupported_grant_type",
      error_description: "Invalid grant_type: password",
    });
  });
});

describe("refresh and revocation", () => {
  it("refreshes after the access token expired: a request retried by the client succeeds, one refresh grant counted", async () => {
    const client = oauthClient({ forceRefreshOnFailure: true });
    const tokens = await signedIn(client);
    sandbox.expireAccessTokens();

    const response = await client.request<{ email: string }>({ url: `${sandbox.rootUrl}oauth2/v2/userinfo` });

    expect(response.data.email).toBe(MAYA);
    expect(client.credentials.access_token).not.toBe(tokens.access_token);
    expect(client.credentials.refresh_token).toBe(tokens.refresh_token);
    expect(sandbox.count("userinfo")).toBe(2);
    expect(sandbox.count("token", "refresh_token")).toBe(1);
  });

  it("issues tokens with the configured lifetime, and the client refreshes one that is about to expire", async () => {
    const client = oauthClient();
    sandbox.setAccessTokenLifetime(60);
    const tokens = await signedIn(client);

    const { token } = await client.getAccessToken();
    const { credentials } = await client.refreshAccessToken();

    expect(tokens.expiry_date).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(token).not.toBe(tokens.access_token);
    expect(credentials.id_token).toBeTruthy();
    expect(sandbox.count("token", "refresh_token")).toBe(2);
  });

  it("fails refreshes with 'Token has been expired or revoked.' once the user removed the app", async () => {
    const client = oauthClient();
    const tokens = await signedIn(client);

    sandbox.revokeGrant(MAYA);
    const error = await gaxiosFailure(client.refreshAccessToken());

    expect(error.response?.data).toEqual({
      error: "invalid_grant",
      error_description: "Token has been expired or revoked.",
    });
    expect(sandbox.accountForAccessToken(tokens.access_token ?? "")).toEqual({
      ok: false,
      reason: "invalid",
    });
  });

  it("revokes the whole grant with revokeToken(refresh token), and a second revocation is invalid_token", async () => {
    const client = oauthClient();
    const tokens = await signedIn(client);

    const revoked = await client.revokeToken(tokens.refresh_token ?? "");
    const refresh = await gaxiosFailure(client.refreshAccessToken());
    const again = await gaxiosFailure(client.revokeToken(tokens.refresh_token ?? ""));

    expect(revoked.status).toBe(200);
    expect(revoked.data).toEqual({});
    expect(refresh.response?.data).toMatchObject({ error: "invalid_grant" });
    expect(sandbox.accountForAccessToken(tokens.access_token ?? "").ok).toBe(false);
    expect(again.response?.status).toBe(400);
    expect(again.response?.data).toEqual({
      error: "invalid_token",
      error_description: "Token expired or revoked",
    });
  });

  it("revoking an access token revokes its refresh token too, and the next consent issues a refresh token again", async () => {
    const client = oauthClient();
    const tokens = await signedIn(client);

    await client.revokeToken(tokens.access_token ?? "");
    const refresh = await gaxiosFailure(client.refreshAccessToken());
    const again = await authorize(client);
    const { tokens: fresh } = await client.getToken({ code: again.code, codeVerifier: again.codeVerifier });

    expect(refresh.response?.data).toMatchObject({ error: "invalid_grant" });
    expect(again.callback.searchParams.get("prompt")).toBe("consent");
    expect(fresh.refresh_token).toBeTruthy();
  });

  it("retries the token endpoint through a 503 (sandbox sees both attempts)", async () => {
    const client = oauthClient();
    await signedIn(client);
    sandbox.failNext({ endpoint: "token", status: 503 });

    const { credentials } = await client.refreshAccessToken();

    expect(credentials.access_token).toMatch(/^ya29\./);
    expect(sandbox.count("token", "refresh_token")).toBe(2);
  });
});

describe("userinfo and API access", () => {
  it("answers userinfo with id, email, verified_email and picture for a token holding the email scope", async () => {
    const client = oauthClient();
    await signedIn(client);

    const response = await client.request({ url: `${sandbox.rootUrl}oauth2/v2/userinfo` });

    expect(response.data).toEqual({
      id: mayaSub,
      email: MAYA,
      verified_email: true,
      picture: expect.stringMatching(/^https:\/\//),
    });
  });

  it("leaves the email out without the email scope", async () => {
    const client = oauthClient();
    await signedIn(client, ["openid", GMAIL_METADATA]);

    const response = await client.request({ url: `${sandbox.rootUrl}oauth2/v2/userinfo` });

    expect(response.data).toEqual({ id: mayaSub, picture: expect.any(String) });
  });

  it("answers a missing, unknown or expired token with Google's 401 UNAUTHENTICATED and WWW-Authenticate", async () => {
    const client = oauthClient();
    const tokens = await signedIn(client);
    sandbox.expireAccessTokens();
    const url = `${sandbox.rootUrl}oauth2/v2/userinfo`;

    const responses = await Promise.all([
      fetch(url),
      fetch(url, { headers: { authorization: "Bearer ya29.unknown" } }),
      fetch(url, { headers: { authorization: `Bearer ${tokens.access_token}` } }),
    ]);

    for (const response of responses) {
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect(await response.json()).toMatchObject({
        error: {
          code: 401,
          status: "UNAUTHENTICATED",
          message: expect.stringContaining("Request is missing"),
        },
      });
    }
  });

  it("tells API routes which account and scopes a token has", async () => {
    const client = oauthClient();
    const tokens = await signedIn(client, ["email"]);

    expect(
      sandbox.accountForAccessToken(tokens.access_token ?? "", [GMAIL_METADATA, USERINFO_EMAIL]),
    ).toEqual({
      ok: true,
      account: { email: MAYA, sub: mayaSub },
      clientId: sandbox.clientId,
      scopes: [USERINFO_EMAIL, "openid"],
    });
    expect(sandbox.accountForAccessToken(tokens.access_token ?? "", GMAIL_METADATA)).toEqual({
      ok: false,
      reason: "insufficient_scope",
    });
  });
});

describe("records", () => {
  it("lists every issued secret and never records one", async () => {
    const client = oauthClient();
    const { code, codeVerifier } = await authorize(client);
    const { tokens } = await client.getToken({ code, codeVerifier });
    await client.revokeToken(tokens.access_token ?? "");

    const secrets = sandbox.issuedSecrets();

    expect(secrets).toEqual(expect.arrayContaining([code, tokens.access_token, tokens.refresh_token]));
    const recorded = JSON.stringify(sandbox.requests);
    for (const secret of secrets) expect(recorded).not.toContain(secret);
    expect(sandbox.requests.map((request) => [request.method, request.path, request.endpoint])).toEqual([
      ["GET", "/o/oauth2/v2/auth", "authorize"],
      ["POST", "/token", "token"],
      ["POST", "/revoke", "revoke"],
    ]);
  });
});

// ---- the wire protocol where OAuth2Client cannot produce the request: plain fetch -----------------

const PROFILE_SCOPE = "https://www.googleapis.com/auth/userinfo.profile";

/** An authorization URL of the sandbox with exactly these query parameters. */
function authUrl(params: Record<string, string>, target: GoogleSandbox = sandbox): string {
  return `${target.authorizeUrl}?${new URLSearchParams(params)}`;
}

/** The parameters a valid authorization request carries, minus or plus the test's changes. */
function authParams(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const params: Record<string, string | undefined> = {
    client_id: sandbox.clientId,
    redirect_uri: CALLBACK,
    response_type: "code",
    scope: "email",
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

async function authorizePage(params: Record<string, string>) {
  const response = await fetch(authUrl(params), { redirect: "manual" });
  return { status: response.status, location: response.headers.get("location"), text: await response.text() };
}

async function postToken(params: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(sandbox.tokenUrl, {
    method: "POST",
    body: new URLSearchParams(params),
    headers,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function basicAuth(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
}

/** A code for `scope` without PKCE, consented by the signed-in account. */
async function plainCode(overrides: Record<string, string | undefined> = {}): Promise<URL> {
  return sandbox.consent(authUrl(authParams({ access_type: "offline", prompt: "consent", ...overrides })));
}

function idTokenPayload(idToken: unknown): Record<string, unknown> {
  const [, payload] = String(idToken).split(".");
  return JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

describe("authorization page: malformed requests get an error page, never a redirect", () => {
  it.each([
    ["client_id missing", { client_id: undefined }, 400, "Missing required parameter: client_id"],
    ["redirect_uri missing", { redirect_uri: undefined }, 400, "Missing required parameter: redirect_uri"],
    ["response_type missing", { response_type: undefined }, 400, "Missing required parameter: response_type"],
    ["response_type=token", { response_type: "token" }, 400, "Error 400: unsupported_response_type"],
    ["scope blank", { scope: "  " }, 400, "Missing required parameter: scope"],
    [
      "access_type unknown",
      { access_type: "forever" },
      400,
      "Invalid parameter value for access_type: Invalid access_type: forever",
    ],
    [
      "prompt unknown",
      { prompt: "consent login" },
      400,
      "Invalid parameter value for prompt: Invalid prompt: login",
    ],
    [
      "code_challenge_method unknown",
      { code_challenge: "abc", code_challenge_method: "S512" },
      400,
      "Invalid parameter value for code_challenge_method: Invalid code_challenge_method: S512",
    ],
    [
      "code_challenge_method without code_challenge",
      { code_challenge_method: "S256" },
      400,
      "Missing required parameter: code_challenge",
    ],
  ] as const)("%s", async (_, overrides, status, message) => {
    const page = await authorizePage(authParams(overrides));

    expect(page.status).toBe(status);
    expect(page.location).toBeNull();
    expect(page.text).toContain(message);
  });

  it("escapes request details on the error page (an unregistered redirect URI is echoed, not injected)", async () => {
    const page = await authorizePage(authParams({ redirect_uri: "http://127.0.0.1:1/<script>" }));

    expect(page.status).toBe(400);
    expect(page.text).toContain("Request details");
    expect(page.text).not.toContain("<script>");
  });

  it("without registered redirect URIs accepts any http(s) URI but not a fragment or a non-http one", async () => {
    const open = await GoogleSandbox.start();
    try {
      open.addAccount({ email: MAYA });
      const params = (redirectUri: string) => ({
        client_id: open.clientId,
        redirect_uri: redirectUri,
        response_type: "code",
        scope: "openid",
      });

      const anywhere = await open.consent(authUrl(params("https://app.example/cb"), open));
      const fragment = await fetch(authUrl(params("https://app.example/cb#x"), open), { redirect: "manual" });
      const notAUrl = await fetch(authUrl(params("not a url"), open), { redirect: "manual" });
      const custom = await fetch(authUrl(params("myapp://cb"), open), { redirect: "manual" });

      expect(anywhere.origin).toBe("https://app.example");
      expect(anywhere.searchParams.get("code")).toMatch(/^4\/0A/);
      for (const response of [fragment, notAUrl, custom]) {
        expect(response.status).toBe(400);
        expect(await response.text()).toContain("redirect_uri_mismatch");
      }
    } finally {
      await open.close();
    }
  });

  it("with nobody signed in: prompt=none redirects with login_required, otherwise a sandbox error page", async () => {
    const empty = await GoogleSandbox.start({ redirectUris: [CALLBACK] });
    try {
      const params = {
        client_id: empty.clientId,
        redirect_uri: CALLBACK,
        response_type: "code",
        scope: "email",
      };

      const silent = await empty.consent(authUrl({ ...params, prompt: "none" }, empty));

      expect(Object.fromEntries(silent.searchParams)).toEqual({ error: "login_required" });
      await expect(empty.consent(authUrl(params, empty))).rejects.toThrow(
        "Error 400: sandbox_no_account GoogleSandbox: no account to sign in with",
      );
    } finally {
      await empty.close();
    }
  });
});

describe("authorization page: successful variants", () => {
  it("omits state when none was sent, and answers prompt=none after a prior consent with a code", async () => {
    await plainCode();

    const silent = await sandbox.consent(authUrl(authParams({ prompt: "none" })));

    expect(silent.searchParams.has("state")).toBe(false);
    expect(silent.searchParams.get("code")).toMatch(/^4\/0A/);
    expect(silent.searchParams.get("prompt")).toBe("none");
  });

  it("selects the login_hint account by sub, and ignores a hint the sandbox does not know", async () => {
    const zoeSub = sandbox.addAccount({ email: "zoe@acme.example" }).sub;

    const bySub = await plainCode({ login_hint: zoeSub });
    const unknown = await plainCode({ login_hint: "nobody@acme.example" });

    expect(bySub.searchParams.get("authuser")).toBe("2");
    expect(unknown.searchParams.get("authuser")).toBe("0");
  });

  it("include_granted_scopes=true adds the previously granted scopes to the new grant", async () => {
    await plainCode({ scope: GMAIL_METADATA });
    const callback = await plainCode({ scope: "email", include_granted_scopes: "true" });

    const { body } = await postToken({
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") ?? "",
      redirect_uri: CALLBACK,
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
    });

    expect(String(body.scope).split(" ").sort()).toEqual([GMAIL_METADATA, USERINFO_EMAIL, "openid"].sort());
  });

  it("PKCE plain (the default method): the verifier is the challenge itself", async () => {
    const challenge = "a".repeat(43);
    const callback = await plainCode({ code_challenge: challenge });
    const code = callback.searchParams.get("code") ?? "";
    const base = {
      grant_type: "authorization_code",
      code,
      redirect_uri: CALLBACK,
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
    };

    const wrong = await postToken({ ...base, code_verifier: "b".repeat(43) });
    const right = await postToken({ ...base, code_verifier: challenge });

    expect(wrong.body).toEqual({ error: "invalid_grant", error_description: "Invalid code verifier." });
    expect(right.status).toBe(200);
  });

  it("a Workspace account gets hd, profile claims and the nonce in the ID token, and hd and names from userinfo", async () => {
    sandbox.addAccount({
      email: "lee@corp.example",
      givenName: "Lee",
      familyName: "Park",
      hostedDomain: "corp.example",
      emailVerified: false,
    });
    const callback = await plainCode({
      scope: "email profile",
      login_hint: "LEE@corp.example",
      nonce: "n-0S6",
    });

    const { body } = await postToken({
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") ?? "",
      redirect_uri: CALLBACK,
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
    });
    const userinfo = await fetch(`${sandbox.rootUrl}oauth2/v2/userinfo?access_token=${body.access_token}`);

    expect(callback.searchParams.get("hd")).toBe("corp.example");
    expect(callback.searchParams.get("scope")?.split(" ")).toEqual([
      "email",
      "profile",
      USERINFO_EMAIL,
      PROFILE_SCOPE,
      "openid",
    ]);
    expect(idTokenPayload(body.id_token)).toMatchObject({
      hd: "corp.example",
      email: "lee@corp.example",
      email_verified: false,
      nonce: "n-0S6",
      given_name: "Lee",
      family_name: "Park",
    });
    expect(idTokenPayload(body.id_token)).not.toHaveProperty("name");
    expect(await userinfo.json()).toEqual({
      id: expect.any(String),
      email: "lee@corp.example",
      verified_email: false,
      given_name: "Lee",
      family_name: "Park",
      picture: expect.any(String),
      hd: "corp.example",
    });
  });

  it("issues no ID token and no refresh token for a grant without openid requested online", async () => {
    const callback = await plainCode({ scope: GMAIL_METADATA, access_type: undefined });

    const { body } = await postToken({
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") ?? "",
      redirect_uri: CALLBACK,
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
    });

    expect(Object.keys(body)).toEqual(["access_token", "expires_in", "scope", "token_type"]);
  });
});

describe("token endpoint: client authentication and parameters", () => {
  let code: string;
  beforeEach(async () => {
    code = (await plainCode()).searchParams.get("code") ?? "";
  });

  it.each([
    [
      "no grant_type",
      {},
      400,
      { error: "unsupported_grant_type", error_description: "Invalid grant_type: " },
    ],
    [
      "no client_id",
      { grant_type: "authorization_code" },
      400,
      { error: "invalid_request", error_description: "Could not determine client ID from request." },
    ],
    [
      "unknown client_id",
      { grant_type: "authorization_code", client_id: "1-other.apps.googleusercontent.com" },
      401,
      { error: "invalid_client", error_description: "The OAuth client was not found." },
    ],
    [
      "no client_secret",
      { grant_type: "refresh_token", client_id: "SANDBOX" },
      400,
      { error: "invalid_request", error_description: "client_secret is missing." },
    ],
    [
      "no refresh_token",
      { grant_type: "refresh_token", client_id: "SANDBOX", client_secret: "SECRET" },
      400,
      { error: "invalid_request", error_description: "Missing required parameter: refresh_token" },
    ],
    [
      "an unknown refresh_token",
      {
        grant_type: "refresh_token",
        client_id: "SANDBOX",
        client_secret: "SECRET",
        refresh_token: "1//0nope",
      },
      400,
      { error: "invalid_grant", error_description: "Bad Request" },
    ],
    [
      "no code",
      { grant_type: "authorization_code", client_id: "SANDBOX", client_secret: "SECRET" },
      400,
      { error: "invalid_request", error_description: "Missing required parameter: code" },
    ],
    [
      "no redirect_uri",
      { grant_type: "authorization_code", client_id: "SANDBOX", client_secret: "SECRET", code: "CODE" },
      400,
      { error: "invalid_request", error_description: "Missing required parameter: redirect_uri" },
    ],
    [
      "a verifier for a code requested without a challenge",
      {
        grant_type: "authorization_code",
        client_id: "SANDBOX",
        client_secret: "SECRET",
        code: "CODE",
        redirect_uri: CALLBACK,
        code_verifier: "x".repeat(43),
      },
      400,
      { error: "invalid_grant", error_description: "code_verifier or verifier is not needed" },
    ],
  ] as const)("answers %s with Google's error", async (_, params, status, error) => {
    const filled = Object.fromEntries(
      Object.entries(params).map(([name, value]) => [
        name,
        value === "SANDBOX"
          ? sandbox.clientId
          : value === "SECRET"
            ? sandbox.clientSecret
            : value === "CODE"
              ? code
              : value,
      ]),
    );

    const response = await postToken(filled);

    expect(response.status).toBe(status);
    expect(response.body).toEqual(error);
  });

  it("takes HTTP Basic credentials over the form's, each part form-urlencoded (RFC 6749 §2.3.1)", async () => {
    const withSpecials = await GoogleSandbox.start({
      clientId: "42-special.apps.googleusercontent.com",
      clientSecret: "sec ret:%/+",
      redirectUris: [CALLBACK],
    });
    try {
      withSpecials.addAccount({ email: MAYA });
      const callback = await withSpecials.consent(
        authUrl(
          {
            client_id: withSpecials.clientId,
            redirect_uri: CALLBACK,
            response_type: "code",
            scope: "openid",
          },
          withSpecials,
        ),
      );
      const encoded = `${encodeURIComponent(withSpecials.clientId)}:${encodeURIComponent("sec ret:%/+").replace(/%20/g, "+")}`;
      const form = {
        grant_type: "authorization_code",
        code: callback.searchParams.get("code") ?? "",
        redirect_uri: CALLBACK,
        client_id: "ignored",
        client_secret: "ignored",
      };

      const response = await fetch(withSpecials.tokenUrl, {
        method: "POST",
        body: new URLSearchParams(form),
        headers: { authorization: `Basic ${Buffer.from(encoded).toString("base64")}` },
      });

      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toContain("no-store");
    } finally {
      await withSpecials.close();
    }
  });

  it("rejects a wrong secret sent as HTTP Basic, and keeps a part that is not valid percent-encoding as is", async () => {
    const wrong = await postToken(
      { grant_type: "authorization_code", code, redirect_uri: CALLBACK },
      { authorization: basicAuth(sandbox.clientId, "%E0%A4%A") },
    );

    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: "invalid_client", error_description: "Unauthorized" });
  });

  it("ignores an Authorization header that is not Basic id:secret and reads the form instead", async () => {
    const form = {
      grant_type: "authorization_code",
      code,
      redirect_uri: CALLBACK,
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
    };

    const noColon = await postToken(form, {
      authorization: `Basic ${Buffer.from("nocolon").toString("base64")}`,
    });
    const bearer = await postToken(form, { authorization: "Bearer ya29.x" });

    expect(noColon.status).toBe(200);
    expect(bearer.body).toEqual({ error: "invalid_grant", error_description: "Bad Request" });
  });
});

describe("revocation endpoint", () => {
  async function tokens() {
    const callback = await plainCode();
    return (
      await postToken({
        grant_type: "authorization_code",
        code: callback.searchParams.get("code") ?? "",
        redirect_uri: CALLBACK,
        client_id: sandbox.clientId,
        client_secret: sandbox.clientSecret,
      })
    ).body;
  }

  it("revokes a token sent in the form body, as Google's documentation shows", async () => {
    const { access_token, refresh_token } = await tokens();

    const response = await fetch(sandbox.revokeUrl, {
      method: "POST",
      body: new URLSearchParams({ token: String(access_token) }),
    });
    const refresh = await postToken({
      grant_type: "refresh_token",
      refresh_token: String(refresh_token),
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    expect(refresh.body).toEqual({
      error: "invalid_grant",
      error_description: "Token has been expired or revoked.",
    });
  });

  it("answers a request without a token with invalid_request, and an unknown token with invalid_token", async () => {
    const missing = await fetch(sandbox.revokeUrl, { method: "POST" });
    const unknown = await fetch(`${sandbox.revokeUrl}?token=ya29.never-issued`, { method: "POST" });

    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: "invalid_request", error_description: "Bad Request" });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      error: "invalid_token",
      error_description: "Token expired or revoked",
    });
  });

  it("does not revoke with an expired access token", async () => {
    const { access_token } = await tokens();
    sandbox.advanceTime(3600);

    const response = await fetch(`${sandbox.revokeUrl}?token=${access_token}`, { method: "POST" });

    expect(response.status).toBe(400);
  });
});

describe("userinfo access", () => {
  it("answers a token without openid, email or profile as if no credential was sent", async () => {
    const callback = await plainCode({ scope: GMAIL_METADATA });
    const { body } = await postToken({
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") ?? "",
      redirect_uri: CALLBACK,
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
    });

    const response = await fetch(`${sandbox.rootUrl}oauth2/v2/userinfo`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { status: "UNAUTHENTICATED" } });
  });

  it("answers profile-scoped userinfo with the account's name", async () => {
    const callback = await plainCode({ scope: "profile" });
    const { body } = await postToken({
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") ?? "",
      redirect_uri: CALLBACK,
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
    });

    const response = await fetch(`${sandbox.rootUrl}oauth2/v2/userinfo`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });

    expect(await response.json()).toEqual({ id: mayaSub, name: "Maya Chen", picture: expect.any(String) });
  });
});

describe("injected outages (failNext)", () => {
  it("fails each endpoint with Google's outage body, or the given one, the given number of times", async () => {
    sandbox.failNext({ endpoint: "authorize", status: 503, body: { custom: true } });
    sandbox.failNext({ endpoint: "revoke", status: 500 });
    sandbox.failNext({ endpoint: "userinfo", status: 429, times: 2 });
    sandbox.failNext({ endpoint: "token", status: 429 });
    sandbox.failNext({ endpoint: "certs", status: 599 });

    const authorize = await fetch(authUrl(authParams()), { redirect: "manual" });
    const revoke = await fetch(sandbox.revokeUrl, { method: "POST" });
    const userinfo = [
      await fetch(`${sandbox.rootUrl}oauth2/v2/userinfo`),
      await fetch(`${sandbox.rootUrl}oauth2/v2/userinfo`),
      await fetch(`${sandbox.rootUrl}oauth2/v2/userinfo`),
    ];
    const token = await postToken({});
    const certs = await fetch(sandbox.clientEndpoints.oauth2FederatedSignonJwkCertsUrl);

    expect([authorize.status, await authorize.json()]).toEqual([503, { custom: true }]);
    expect([revoke.status, await revoke.json()]).toEqual([500, { error: "internal_failure" }]);
    expect(userinfo.map((response) => response.status)).toEqual([429, 429, 401]);
    expect(await userinfo[0]?.json()).toEqual({
      error: {
        code: 429,
        message: "Resource has been exhausted (e.g. check quota).",
        status: "RESOURCE_EXHAUSTED",
      },
    });
    expect(token.status).toBe(429);
    expect(token.body).toMatchObject({ error: { status: "RESOURCE_EXHAUSTED" } });
    expect([certs.status, await certs.json()]).toEqual([
      599,
      { error: { code: 599, message: "Unknown error.", status: "UNKNOWN" } },
    ]);
  });

  it("refuses statuses that are not an outage", () => {
    expect(() => sandbox.failNext({ endpoint: "token", status: 400 })).toThrow(RangeError);
    expect(() => sandbox.failNext({ endpoint: "token", status: 600 })).toThrow(RangeError);
  });
});

describe("API routes on the sandbox (route, authenticate)", () => {
  async function accessToken(scope: string): Promise<string> {
    const callback = await plainCode({ scope });
    const { body } = await postToken({
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") ?? "",
      redirect_uri: CALLBACK,
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
    });
    return String(body.access_token);
  }

  beforeEach(() => {
    sandbox.route("get", /^\/gmail\/v1\/users\/([^/]+)\/profile$/, "gmail", (context) => {
      const grant = sandbox.authenticate(context, [GMAIL_METADATA]);
      if (!grant) return;
      context.res.writeHead(200, { "content-type": "application/json" });
      context.res.end(JSON.stringify({ user: context.match?.[1], emailAddress: grant.account.email }));
    });
    sandbox.route("GET", "/calendar/v3/ping", "calendar", ({ res, match }) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ match: match ?? null }));
    });
  });

  it("serves a RegExp route with its match, to a token holding an accepted scope", async () => {
    const token = await accessToken(GMAIL_METADATA);

    const response = await fetch(`${sandbox.rootUrl}gmail/v1/users/me/profile`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const exact = await fetch(`${sandbox.rootUrl}calendar/v3/ping`);

    expect(await response.json()).toEqual({ user: "me", emailAddress: MAYA });
    expect(await exact.json()).toEqual({ match: null });
    expect(sandbox.count("gmail")).toBe(1);
    expect(sandbox.count("calendar")).toBe(1);
  });

  it("answers 401 without a token, 401 invalid_token for an unknown one, 403 insufficient_scope without the scope", async () => {
    const emailOnly = await accessToken("email");
    const url = `${sandbox.rootUrl}gmail/v1/users/me/profile`;

    const missing = await fetch(url);
    const unknown = await fetch(url, { headers: { authorization: "Bearer ya29.unknown" } });
    const narrow = await fetch(url, { headers: { authorization: `Bearer ${emailOnly}` } });

    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="https://accounts.google.com/"');
    expect(await missing.json()).toMatchObject({ error: { errors: [{ reason: "required" }] } });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(await unknown.json()).toMatchObject({ error: { errors: [{ reason: "authError" }] } });
    expect(narrow.status).toBe(403);
    expect(narrow.headers.get("www-authenticate")).toContain(
      `error="insufficient_scope", scope="${GMAIL_METADATA}"`,
    );
    expect(await narrow.json()).toMatchObject({ error: { status: "PERMISSION_DENIED" } });
  });

  it("answers an unknown path 404 and a known path with another method 405, recording both", async () => {
    const notFound = await fetch(`${sandbox.rootUrl}nowhere`);
    const wrongMethod = await fetch(sandbox.tokenUrl);
    const tokeninfo = await fetch(sandbox.clientEndpoints.tokenInfoUrl);

    expect(notFound.status).toBe(404);
    expect(await notFound.text()).toContain("Error 404");
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.text()).toContain("Error 405");
    expect(tokeninfo.status).toBe(404);
    expect(sandbox.requests.map((request) => request.endpoint)).toEqual(["unknown", "token", "unknown"]);
  });
});

describe("sandbox controls", () => {
  it("clearRequests forgets what was recorded", async () => {
    await fetch(sandbox.clientEndpoints.oauth2FederatedSignonPemCertsUrl);
    expect(sandbox.count("certs")).toBe(1);

    sandbox.clearRequests();

    expect(sandbox.requests).toEqual([]);
    expect(sandbox.count("certs")).toBe(0);
  });

  it("issues access tokens with the configured lifetime, which stop working after it", async () => {
    const short = await GoogleSandbox.start({ accessTokenLifetimeSeconds: 30 });
    try {
      short.addAccount({ email: MAYA });
      const callback = await short.consent(
        authUrl(
          { client_id: short.clientId, redirect_uri: CALLBACK, response_type: "code", scope: "email" },
          short,
        ),
      );
      const response = await fetch(short.tokenUrl, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code: callback.searchParams.get("code") ?? "",
          redirect_uri: CALLBACK,
          client_id: short.clientId,
          client_secret: short.clientSecret,
        }),
      });
      const body = (await response.json()) as { expires_in: number; access_token: string };

      expect(body.expires_in).toBe(30);
      expect(short.accountForAccessToken(body.access_token).ok).toBe(true);
      short.advanceTime(30);
      expect(short.accountForAccessToken(body.access_token)).toEqual({ ok: false, reason: "invalid" });
      expect(short.url).toBe(`http://127.0.0.1:${short.port}`);
    } finally {
      await short.close();
    }
  });

  it("rejects invalid configuration and calls", async () => {
    await expect(GoogleSandbox.start({ accessTokenLifetimeSeconds: 0 })).rejects.toThrow(RangeError);
    await expect(GoogleSandbox.start({ redirectUris: ["https://app.example/#frag"] })).rejects.toThrow(
      "Not an http(s) redirect URI without fragment",
    );
    expect(() => sandbox.setAccessTokenLifetime(1.5)).toThrow(RangeError);
    expect(() => sandbox.advanceTime(-1)).toThrow("Time only moves forward");
    expect(() => sandbox.signIn("nobody@acme.example")).toThrow("No Google account");
    expect(() => sandbox.revokeGrant("nobody@acme.example")).toThrow("No Google account");
    expect(() => sandbox.addAccount({ email: "not-an-email" })).toThrow(RangeError);
    expect(() => sandbox.addAccount({ email: "x@acme.example", sub: "abc" })).toThrow(RangeError);
    expect(() => sandbox.addAccount({ email: MAYA.toUpperCase() })).toThrow("already exists");
    await expect(sandbox.consent("https://accounts.google.com/o/oauth2/v2/auth")).rejects.toThrow(
      "Not an authorization URL of this sandbox",
    );
  });

  it("revokeGrant for one client leaves the other clients' grants alone", async () => {
    const callback = await plainCode();
    const { body } = await postToken({
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") ?? "",
      redirect_uri: CALLBACK,
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
    });

    sandbox.revokeGrant(MAYA, "1-other.apps.googleusercontent.com");
    expect(sandbox.accountForAccessToken(String(body.access_token)).ok).toBe(true);
    sandbox.revokeGrant(MAYA, sandbox.clientId);
    expect(sandbox.accountForAccessToken(String(body.access_token)).ok).toBe(false);
  });
});
