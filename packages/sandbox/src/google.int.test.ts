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
