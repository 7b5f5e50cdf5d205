import { createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  type AuthenticationResult,
  ConfidentialClientApplication,
  CryptoProvider,
  InteractionRequiredAuthError,
  ServerError,
} from "@azure/msal-node";
import { Client, GraphError } from "@microsoft/microsoft-graph-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MicrosoftSandbox } from "./microsoft";

// Everything here goes through the real @azure/msal-node and @microsoft/microsoft-graph-client over
// https, so a drift between the sandbox's wire format (paths, parameters, token and error bodies)
// and what those libraries send or parse shows up as a failing test.

const REDIRECT_URI = "https://kith.example/oauth/microsoft/callback";
const SCOPES = ["Mail.ReadBasic", "Calendars.ReadBasic", "offline_access", "User.Read"];
const EMAIL = "maya.chen@contoso.example";

let ms: MicrosoftSandbox;

beforeEach(async () => {
  ms = await MicrosoftSandbox.start({ redirectUris: [REDIRECT_URI] });
  ms.addAccount({ email: EMAIL, displayName: "Maya Chen" });
  ms.signIn(EMAIL);
});

afterEach(async () => {
  await ms.close();
});

function app(overrides: { clientSecret?: string } = {}): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: {
      clientId: ms.clientId,
      clientSecret: overrides.clientSecret ?? ms.clientSecret,
      authority: `${ms.loginUrl}/common`,
      knownAuthorities: [ms.host],
    },
  });
}

function graph(accessToken: string): Client {
  return Client.init({
    authProvider: (done) => done(null, accessToken),
    baseUrl: `${ms.graphUrl}/`,
    customHosts: new Set([ms.hostname]),
  });
}

/** The refresh token MSAL keeps in its cache (AuthenticationResult does not carry it). */
function cachedRefreshToken(cca: ConfidentialClientApplication): string {
  const cache = JSON.parse(cca.getTokenCache().serialize()) as {
    RefreshToken: Record<string, { secret: string }>;
  };
  const entries = Object.values(cache.RefreshToken);
  expect(entries).toHaveLength(1);
  return (entries[0] as { secret: string }).secret;
}

async function failure(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

interface Started {
  authorizeUrl: URL;
  callback: URL;
  verifier: string;
}

async function startConnect(cca: ConfidentialClientApplication, scopes = SCOPES): Promise<Started> {
  const pkce = await new CryptoProvider().generatePkceCodes();
  const authorizeUrl = await cca.getAuthCodeUrl({
    scopes,
    redirectUri: REDIRECT_URI,
    codeChallenge: pkce.challenge,
    codeChallengeMethod: "S256",
    state: "state-123",
    nonce: "nonce-456",
  });
  return {
    authorizeUrl: new URL(authorizeUrl),
    callback: await ms.consent(authorizeUrl),
    verifier: pkce.verifier,
  };
}

async function connect(
  cca = app(),
  scopes = SCOPES,
): Promise<{ result: AuthenticationResult; refreshToken: string; callback: URL }> {
  const { callback, verifier } = await startConnect(cca, scopes);
  const code = callback.searchParams.get("code") as string;
  const result = await cca.acquireTokenByCode(
    {
      code,
      scopes,
      redirectUri: REDIRECT_URI,
      codeVerifier: verifier,
      nonce: "nonce-456",
      state: "state-123",
    },
    { code, state: callback.searchParams.get("state") as string },
  );
  return { result, refreshToken: cachedRefreshToken(cca), callback };
}

describe("TLS", () => {
  it("is trusted by this worker from its start, so plain fetch reaches the sandbox", async () => {
    // Guards the globalSetup: NODE_EXTRA_CA_CERTS must name the sandbox's certificate (alone or in a
    // bundle with CAs the run inherited) in the fork's environment when the fork starts.
    const extraCas = readFileSync(process.env.NODE_EXTRA_CA_CERTS ?? "/nonexistent", "utf8");
    expect(extraCas).toContain(readFileSync(ms.caFile as string, "utf8").trim());
    const response = await fetch(`${ms.loginUrl}/common/v2.0/.well-known/openid-configuration`);

    expect(ms.url).toMatch(/^https:\/\/localhost:\d+$/);
    expect(response.status).toBe(200);
    const config = (await response.json()) as Record<string, unknown>;
    expect(config).toMatchObject({
      issuer: `${ms.loginUrl}/{tenantid}/v2.0`,
      authorization_endpoint: `${ms.loginUrl}/common/oauth2/v2.0/authorize`,
      token_endpoint: `${ms.loginUrl}/common/oauth2/v2.0/token`,
      jwks_uri: `${ms.loginUrl}/common/discovery/v2.0/keys`,
      end_session_endpoint: `${ms.loginUrl}/common/oauth2/v2.0/logout`,
    });
  });
});

describe("authorization code flow with msal-node", () => {
  it("connects an account: PKCE S256 authorize, consent, code redemption, refresh token in the cache", async () => {
    const cca = app();
    const { result, refreshToken, callback } = await connect(cca);

    const authorize = ms.requests.find((request) => request.endpoint === "authorize");
    expect(authorize).toMatchObject({ status: 302, clientId: ms.clientId, tenant: "common" });
    expect(authorize?.scopes).toEqual([...SCOPES, "openid", "profile"]);
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get("state")).toBe("state-123");
    expect(
      JSON.parse(Buffer.from(callback.searchParams.get("client_info") ?? "", "base64url").toString()),
    ).toEqual({
      uid: ms.account(EMAIL).id,
      utid: ms.defaultTenantId,
    });

    expect(result.account).toMatchObject({
      username: EMAIL,
      name: "Maya Chen",
      tenantId: ms.defaultTenantId,
      homeAccountId: `${ms.account(EMAIL).id}.${ms.defaultTenantId}`,
    });
    expect(result.idTokenClaims).toMatchObject({ nonce: "nonce-456", aud: ms.clientId, ver: "2.0" });
    expect(result.scopes).toEqual(
      expect.arrayContaining(["Mail.ReadBasic", "Calendars.ReadBasic", "User.Read"]),
    );
    expect("refreshToken" in result).toBe(false);
    expect(ms.issuedSecrets()).toEqual(expect.arrayContaining([result.accessToken, refreshToken]));
    expect(ms.count("token", "authorization_code")).toBe(1);
  });

  it("signs ID tokens with the key published at jwks_uri", async () => {
    const { result } = await connect();
    const keys = (await (await fetch(`${ms.loginUrl}/common/discovery/v2.0/keys`)).json()) as {
      keys: Array<Record<string, string>>;
    };
    const [header, payload, signature] = result.idToken.split(".") as [string, string, string];
    const { kid } = JSON.parse(Buffer.from(header, "base64url").toString()) as { kid: string };
    const jwk = keys.keys.find((key) => key.kid === kid);

    expect(jwk).toBeDefined();
    const publicKey = createPublicKey({ key: jwk as never, format: "jwk" });
    expect(
      verify(
        "RSA-SHA256",
        Buffer.from(`${header}.${payload}`),
        publicKey,
        Buffer.from(signature, "base64url"),
      ),
    ).toBe(true);
  });

  it("redeems a code once: the second redemption is invalid_grant AADSTS54005", async () => {
    const cca = app();
    const { callback, verifier } = await startConnect(cca);
    const code = callback.searchParams.get("code") as string;
    const request = {
      code,
      scopes: SCOPES,
      redirectUri: REDIRECT_URI,
      codeVerifier: verifier,
      nonce: "nonce-456",
    };
    await cca.acquireTokenByCode(request);

    const error = await failure(cca.acquireTokenByCode(request));

    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ errorCode: "invalid_grant", errorNo: 54005 });
    expect(error.message).toContain("AADSTS54005: OAuth2 Authorization code was already redeemed");
  });

  it("rejects a code_verifier that does not match the challenge: invalid_grant AADSTS501481", async () => {
    const cca = app();
    const { callback } = await startConnect(cca);
    const code = callback.searchParams.get("code") as string;
    const other = await new CryptoProvider().generatePkceCodes();

    const error = await failure(
      cca.acquireTokenByCode({
        code,
        scopes: SCOPES,
        redirectUri: REDIRECT_URI,
        codeVerifier: other.verifier,
      }),
    );

    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ errorCode: "invalid_grant", errorNo: 501481 });
  });

  it("rejects a wrong client secret with 401 invalid_client AADSTS7000215", async () => {
    const { callback, verifier } = await startConnect(app());
    const code = callback.searchParams.get("code") as string;

    const error = await failure(
      app({ clientSecret: "not-the-secret" }).acquireTokenByCode({
        code,
        scopes: SCOPES,
        redirectUri: REDIRECT_URI,
        codeVerifier: verifier,
      }),
    );

    expect(error).toMatchObject({ errorCode: "invalid_client", errorNo: 7000215 });
    expect(ms.requests.at(-1)).toMatchObject({ endpoint: "token", status: 401 });
  });

  it("sends a declined consent back to the app as access_denied AADSTS65004 with the state, and no code", async () => {
    ms.denyNextConsent();

    const { callback } = await startConnect(app());

    expect(callback.searchParams.get("error")).toBe("access_denied");
    expect(callback.searchParams.get("error_description")).toMatch(
      /^AADSTS65004: User declined to consent to access the app\.\r\nTrace ID: /,
    );
    expect(callback.searchParams.get("state")).toBe("state-123");
    expect(callback.searchParams.has("code")).toBe(false);
    expect(ms.consentedScopes(EMAIL)).toEqual([]);
  });

  it("shows an error page, not a redirect, for an unregistered redirect URI or an unknown client", async () => {
    const url = new URL(
      await app().getAuthCodeUrl({ scopes: SCOPES, redirectUri: "https://evil.example/cb" }),
    );
    await expect(ms.consent(url.toString())).rejects.toThrow(
      /AADSTS50011: The redirect URI 'https:\/\/evil\.example\/cb'/,
    );

    url.searchParams.set("client_id", "00000000-0000-0000-0000-000000000001");
    url.searchParams.set("redirect_uri", REDIRECT_URI);
    await expect(ms.consent(url.toString())).rejects.toThrow(/AADSTS700016: Application with identifier/);
  });
});

describe("refresh tokens", () => {
  it("rotate on refresh after the access token expires, and the old refresh token stays usable", async () => {
    const cca = app();
    const { result, refreshToken } = await connect(cca);
    ms.expireAccessTokens();
    const expired = await failure(graph(result.accessToken).api("/me").get());
    expect(expired).toBeInstanceOf(GraphError);
    expect(expired).toMatchObject({ statusCode: 401, code: "InvalidAuthenticationToken" });

    const refreshed = await cca.acquireTokenByRefreshToken({ refreshToken, scopes: SCOPES });
    const rotated = cachedRefreshToken(cca);

    expect(refreshed?.accessToken).toBeDefined();
    expect(refreshed?.accessToken).not.toBe(result.accessToken);
    expect(rotated).not.toBe(refreshToken);
    expect(
      await graph(refreshed?.accessToken as string)
        .api("/me")
        .get(),
    ).toMatchObject({ mail: EMAIL });
    // Microsoft does not revoke a refresh token when it is used.
    await expect(app().acquireTokenByRefreshToken({ refreshToken, scopes: SCOPES })).resolves.toBeTruthy();
    expect(ms.count("token", "refresh_token")).toBe(2);
  });

  it("fail with invalid_grant AADSTS50173 (a ServerError, not InteractionRequired) after revokeSessions", async () => {
    const { result, refreshToken } = await connect();

    ms.revokeSessions(EMAIL);
    const error = await failure(app().acquireTokenByRefreshToken({ refreshToken, scopes: SCOPES }));

    expect(error).toBeInstanceOf(ServerError);
    expect(error).not.toBeInstanceOf(InteractionRequiredAuthError);
    expect(error).toMatchObject({ errorCode: "invalid_grant", errorNo: 50173 });
    // Access tokens already issued stay valid until they expire.
    expect(await graph(result.accessToken).api("/me").get()).toMatchObject({ userPrincipalName: EMAIL });
  });

  it("asking for a permission never consented to is InteractionRequiredAuthError consent_required (AADSTS65001)", async () => {
    const { refreshToken } = await connect();

    const error = await failure(app().acquireTokenByRefreshToken({ refreshToken, scopes: ["Mail.Send"] }));

    expect(error).toBeInstanceOf(InteractionRequiredAuthError);
    expect(error).toMatchObject({ errorCode: "invalid_grant", subError: "consent_required", errorNo: 65001 });
  });

  it("are only kept by a fresh app instance with forceCache", async () => {
    // Kith builds a new ConfidentialClientApplication per invocation: this is what it must pass.
    const { refreshToken } = await connect();

    const plain = app();
    await plain.acquireTokenByRefreshToken({ refreshToken, scopes: SCOPES });
    const forced = app();
    await forced.acquireTokenByRefreshToken({ refreshToken, scopes: SCOPES, forceCache: true });

    expect(JSON.parse(plain.getTokenCache().serialize()).RefreshToken).toEqual({});
    expect(cachedRefreshToken(forced)).not.toBe(refreshToken);
  });
});

describe("Graph /me", () => {
  it("returns the signed-in user, and only the $select-ed properties", async () => {
    ms.addAccount({
      email: "no.mailbox@contoso.example",
      mail: null,
      userPrincipalName: "nomail@contoso.example",
    });
    ms.signIn("no.mailbox@contoso.example");
    const { result } = await connect();

    const full = await graph(result.accessToken).api("/me").get();
    const selected = await graph(result.accessToken)
      .api("/me")
      .select(["id", "mail", "userPrincipalName"])
      .get();

    expect(full).toMatchObject({
      "@odata.context": `${ms.graphUrl}/v1.0/$metadata#users/$entity`,
      mail: null,
      userPrincipalName: "nomail@contoso.example",
      businessPhones: [],
    });
    expect(selected).toEqual({
      "@odata.context": `${ms.graphUrl}/v1.0/$metadata#users(id,mail,userPrincipalName)/$entity`,
      id: ms.account("no.mailbox@contoso.example").id,
      mail: null,
      userPrincipalName: "nomail@contoso.example",
    });
  });

  it("answers an unknown token with GraphError 401 InvalidAuthenticationToken", async () => {
    const error = await failure(graph("not-a-token").api("/me").get());

    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ statusCode: 401, code: "InvalidAuthenticationToken" });
    expect(ms.requests.at(-1)).toMatchObject({ endpoint: "me", bearer: true, status: 401 });
  });

  it("answers a token without a User.* permission with 403 Authorization_RequestDenied", async () => {
    const { result } = await connect(app(), ["Mail.ReadBasic", "offline_access"]);

    const error = await failure(graph(result.accessToken).api("/me").get());

    expect(error).toMatchObject({ statusCode: 403, code: "Authorization_RequestDenied" });
    expect(ms.accountForAccessToken(result.accessToken, "Mail.ReadBasic")).toMatchObject({
      ok: true,
      account: { userPrincipalName: EMAIL },
    });
  });

  it("throttles with 429 and Retry-After, which the Graph client waits out and retries", async () => {
    const { result } = await connect();
    ms.failNext({ endpoint: "me", status: 429 });

    const me = await graph(result.accessToken).api("/me").get();

    expect(me).toMatchObject({ userPrincipalName: EMAIL });
    expect(
      ms.requests.filter((request) => request.endpoint === "me").map((request) => request.status),
    ).toEqual([429, 200]);
  });
});

describe("wire format", () => {
  it("answers token errors with Microsoft's AADSTS body", async () => {
    const response = await fetch(`${ms.loginUrl}/common/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "client-request-id": "corr-1" },
      body: new URLSearchParams({
        client_id: ms.clientId,
        client_secret: ms.clientSecret,
        grant_type: "authorization_code",
        code: "never-issued",
        redirect_uri: REDIRECT_URI,
      }),
    });
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(400);
    expect(body).toMatchObject({
      error: "invalid_grant",
      error_codes: [70000],
      correlation_id: "corr-1",
      error_uri: `${ms.loginUrl}/error?code=70000`,
    });
    expect(body.error_description).toMatch(
      /^AADSTS70000: The provided value for the 'code' parameter is not valid\.\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: corr-1\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
    );
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  });

  it("fails the token endpoint on demand with Retry-After, then recovers", async () => {
    ms.failNext({ endpoint: "token", status: 503 });
    const post = () =>
      fetch(`${ms.loginUrl}/common/oauth2/v2.0/token`, {
        method: "POST",
        body: new URLSearchParams({ client_id: ms.clientId, grant_type: "refresh_token" }),
      });

    const failed = await post();
    const next = await post();

    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("1");
    expect(await failed.json()).toMatchObject({ error: "temporarily_unavailable" });
    expect(next.status).toBe(401); // no client_secret: the request got through to client authentication
  });

  it("answers instance discovery in Microsoft's shape, which MSAL accepts as cloudDiscoveryMetadata", async () => {
    const query = new URLSearchParams({
      "api-version": "1.1",
      authorization_endpoint: `${ms.loginUrl}/common/oauth2/v2.0/authorize`,
    });
    const response = await fetch(`${ms.loginUrl}/common/discovery/instance?${query}`);
    const metadata = await response.text();
    const elsewhere = await fetch(
      `${ms.loginUrl}/common/discovery/instance?api-version=1.1&authorization_endpoint=https://login.example/common/oauth2/v2.0/authorize`,
    );

    expect(JSON.parse(metadata)).toEqual({
      tenant_discovery_endpoint: `${ms.loginUrl}/common/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: ms.host, preferred_cache: ms.host, aliases: [ms.host] }],
    });
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.json()).toMatchObject({ error: "invalid_instance", error_codes: [50049] });

    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: ms.clientId,
        clientSecret: ms.clientSecret,
        authority: `${ms.loginUrl}/common`,
        cloudDiscoveryMetadata: metadata,
      },
    });
    await expect(cca.getAuthCodeUrl({ scopes: SCOPES, redirectUri: REDIRECT_URI })).resolves.toContain(
      `${ms.loginUrl}/common/oauth2/v2.0/authorize?`,
    );
  });
});

// ---- protocol edges, driven with plain https where MSAL would never send the request ---------

const OTHER = "sam.ortiz@contoso.example";

function authorizeUrl(params: Record<string, string | undefined> = {}, tenant = "common"): string {
  const url = new URL(`${ms.loginUrl}/${tenant}/oauth2/v2.0/authorize`);
  const all: Record<string, string | undefined> = {
    client_id: ms.clientId,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: "openid offline_access User.Read",
    state: "s-1",
    ...params,
  };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/** The AADSTS number of an error sent back to the redirect URI. */
async function redirectedError(params: Record<string, string | undefined>, tenant = "common") {
  const callback = await ms.consent(authorizeUrl(params, tenant));
  expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
  expect(callback.searchParams.get("state")).toBe("s-1");
  expect(callback.searchParams.has("code")).toBe(false);
  return {
    error: callback.searchParams.get("error"),
    code: Number(/^AADSTS(\d+):/.exec(callback.searchParams.get("error_description") ?? "")?.[1]),
    uri: callback.searchParams.get("error_uri"),
  };
}

async function codeFor(params: Record<string, string | undefined> = {}, tenant = "common"): Promise<string> {
  const callback = await ms.consent(authorizeUrl(params, tenant));
  const code = callback.searchParams.get("code");
  expect(code).toBeTruthy();
  return code as string;
}

async function postToken(
  form: Record<string, string | undefined>,
  options: { tenant?: string; method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) if (value !== undefined) params.set(name, value);
  const method = options.method ?? "POST";
  const response = await fetch(`${ms.loginUrl}/${options.tenant ?? "common"}/oauth2/v2.0/token`, {
    method,
    headers: { "content-type": "application/x-www-form-urlencoded", ...options.headers },
    ...(method === "POST" ? { body: params } : {}),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}

function redeem(code: string, extra: Record<string, string | undefined> = {}, tenant = "common") {
  return postToken(
    {
      client_id: ms.clientId,
      client_secret: ms.clientSecret,
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT_URI,
      ...extra,
    },
    { tenant },
  );
}

function refresh(refreshToken: string | undefined, extra: Record<string, string | undefined> = {}) {
  return postToken({
    client_id: ms.clientId,
    client_secret: ms.clientSecret,
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    scope: "User.Read offline_access",
    ...extra,
  });
}

async function me(path: string, token?: string, init: RequestInit = {}) {
  const response = await fetch(`${ms.graphUrl}/v1.0${path}`, {
    ...init,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: response.status,
    body: (await response.json()) as { error: { code: string; message: string } } & Record<string, unknown>,
    headers: response.headers,
  };
}

describe("authorize endpoint edges", () => {
  it("shows error pages (no redirect) for an unknown tenant, a missing client_id and a missing redirect_uri", async () => {
    // Microsoft cannot trust a redirect URI before it has validated tenant, client and reply address.
    await expect(ms.consent(authorizeUrl({}, "no-such-tenant"))).rejects.toThrow(
      /AADSTS90002: Tenant 'no-such-tenant' not found/,
    );
    await expect(ms.consent(authorizeUrl({ client_id: undefined }))).rejects.toThrow(
      /AADSTS900144: .*'client_id'/,
    );
    await expect(ms.consent(authorizeUrl({ redirect_uri: undefined }))).rejects.toThrow(
      /AADSTS900971: No reply address provided/,
    );
  });

  it("accepts any absolute redirect URI when none are registered, but not a relative one", async () => {
    const open = await MicrosoftSandbox.start();
    try {
      open.addAccount({ email: EMAIL });
      open.signIn(EMAIL);
      const url = new URL(authorizeUrl({ client_id: open.clientId, redirect_uri: "https://any.example/cb" }));
      url.host = open.host;
      expect((await open.consent(url.toString())).searchParams.get("code")).toBeTruthy();
      url.searchParams.set("redirect_uri", "/relative");
      await expect(open.consent(url.toString())).rejects.toThrow(/AADSTS50011/);
    } finally {
      await open.close();
    }
  });

  it("sends request errors to the redirect URI with error, error_description, error_uri and state", async () => {
    expect(await redirectedError({ response_type: undefined })).toMatchObject({
      error: "invalid_request",
      code: 900144,
      uri: `${ms.loginUrl}/error?code=900144`,
    });
    expect(await redirectedError({ response_type: "token" })).toMatchObject({
      error: "unsupported_response_type",
      code: 70005,
    });
    expect(await redirectedError({ response_mode: "form_post" })).toMatchObject({
      error: "invalid_request",
      code: 70007,
    });
    expect(await redirectedError({ scope: " " })).toMatchObject({ error: "invalid_request", code: 900144 });
  });

  it("rejects a Graph permission that does not exist (650053) and another resource's scope (500011)", async () => {
    expect(await redirectedError({ scope: "openid Mail.Teleport" })).toMatchObject({
      error: "invalid_client",
      code: 650053,
    });
    expect(await redirectedError({ scope: "https://graph.microsoft.com/Mail.Teleport" })).toMatchObject({
      error: "invalid_client",
      code: 650053,
    });
    expect(await redirectedError({ scope: "https://outlook.office.com/Mail.Read" })).toMatchObject({
      error: "invalid_resource",
      code: 500011,
    });
    expect(await redirectedError({ scope: "api://other/.default" })).toMatchObject({
      error: "invalid_resource",
      code: 500011,
    });
  });

  it("validates PKCE parameters: method without challenge, unknown method, challenge length", async () => {
    expect(await redirectedError({ code_challenge_method: "S256" })).toMatchObject({ code: 900144 });
    expect(
      await redirectedError({ code_challenge: "a".repeat(43), code_challenge_method: "S512" }),
    ).toMatchObject({ error: "invalid_request", code: 50149 });
    expect(await redirectedError({ code_challenge: "short", code_challenge_method: "S256" })).toMatchObject({
      error: "invalid_request",
      code: 501491,
    });
    expect(await redirectedError({ code_challenge: "a".repeat(129) })).toMatchObject({ code: 501491 });
  });

  it("prompt=none without a session is login_required (50058); without prompt it shows the sign-in page", async () => {
    ms.signOut();
    expect(await redirectedError({ prompt: "none" })).toMatchObject({ error: "login_required", code: 50058 });
    await expect(ms.consent(authorizeUrl())).rejects.toThrow(/No account is signed in/);
  });

  it("prompt=none without consent is consent_required (65001), with consent it issues a code silently", async () => {
    expect(await redirectedError({ prompt: "none" })).toMatchObject({
      error: "consent_required",
      code: 65001,
    });
    await codeFor();
    expect(ms.consentedScopes(EMAIL)).toEqual(["User.Read"]);
    expect(await codeFor({ prompt: "none" })).toBeTruthy();
  });

  it("prompt=consent asks again even when consented, so a pending denial applies", async () => {
    await codeFor();
    ms.denyNextConsent();
    expect(await redirectedError({ prompt: "consent" })).toMatchObject({
      error: "access_denied",
      code: 65004,
    });
    expect(ms.consentedScopes(EMAIL)).toEqual(["User.Read"]);
  });

  it("login_hint naming a known account signs in as it, except with prompt=none", async () => {
    ms.addAccount({ email: OTHER, userPrincipalName: "sam@contoso.example" });
    const silent = await redirectedError({ login_hint: "SAM@contoso.example", prompt: "none" });
    expect(silent).toMatchObject({ error: "consent_required" }); // still Maya's session
    const code = await codeFor({ login_hint: "sam@contoso.example", nonce: "n-1" });
    const { body } = await redeem(code);
    const idClaims = JSON.parse(
      Buffer.from((body.id_token as string).split(".")[1] as string, "base64url").toString(),
    );
    expect(idClaims).toMatchObject({ oid: ms.account(OTHER).id, nonce: "n-1" });
    expect(idClaims).not.toHaveProperty("preferred_username"); // no `profile` scope
    expect(await codeFor({ login_hint: "nobody@contoso.example", prompt: "none" })).toBeTruthy();
  });

  it("refuses an account from another tenant under a specific tenant (50020), accepts it under its own", async () => {
    const foreign = "ffffffff-0000-4000-8000-000000000001";
    ms.addAccount({ email: OTHER, tenantId: foreign });
    ms.signIn(OTHER);
    await expect(ms.consent(authorizeUrl({}, ms.defaultTenantId))).rejects.toThrow(
      /AADSTS50020: User account '\{EmailHidden\}'/,
    );
    expect(await codeFor({}, foreign.toUpperCase())).toBeTruthy();
  });

  it("answers in the fragment with response_mode=fragment, with client_info when asked", async () => {
    const callback = await ms.consent(
      authorizeUrl({
        response_mode: "fragment",
        client_info: "1",
        scope: "openid https://graph.microsoft.com/.default User.Read user.read",
      }),
    );
    expect(callback.search).toBe("");
    const fragment = new URLSearchParams(callback.hash.slice(1));
    expect(fragment.get("code")).toBeTruthy();
    expect(fragment.get("state")).toBe("s-1");
    expect(fragment.get("client_info")).toBeTruthy();
    expect(ms.consentedScopes(EMAIL)).toEqual(["User.Read"]);
  });

  it("fails on demand with an error page carrying the status and Retry-After", async () => {
    ms.failNext({ endpoint: "authorize", status: 429 });
    ms.failNext({ endpoint: "authorize", status: 500, retryAfterSeconds: 7 });
    const first = await fetch(authorizeUrl(), { redirect: "manual" });
    const second = await fetch(authorizeUrl(), { redirect: "manual" });
    const third = await fetch(authorizeUrl(), { redirect: "manual" });

    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("1");
    expect(await first.text()).toContain("AADSTS90024");
    expect(second.status).toBe(500);
    expect(second.headers.get("retry-after")).toBe("7");
    expect(await second.text()).toContain("AADSTS90006");
    expect(third.status).toBe(302);
  });

  it("consent() only plays the browser for this sandbox's authorize URLs", async () => {
    await expect(
      ms.consent("https://login.microsoftonline.com/common/oauth2/v2.0/authorize"),
    ).rejects.toThrow(/takes an authorize URL of this sandbox/);
  });
});

describe("token endpoint edges", () => {
  it("accepts POST only (900561) and known tenants only (90002)", async () => {
    const get = await postToken({}, { method: "GET" });
    expect(get.status).toBe(400);
    expect(get.body).toMatchObject({ error: "invalid_request", error_codes: [900561] });
    const unknown = await postToken(
      { client_id: ms.clientId, grant_type: "refresh_token" },
      { tenant: "nowhere" },
    );
    expect(unknown.body).toMatchObject({ error: "invalid_request", error_codes: [90002] });
  });

  it("checks client_id, grant_type and client authentication in Microsoft's order", async () => {
    expect((await postToken({ grant_type: "refresh_token" })).body).toMatchObject({ error_codes: [900144] });
    expect((await postToken({ client_id: ms.clientId })).body).toMatchObject({ error_codes: [900144] });
    const stranger = await postToken({ client_id: "someone-else", grant_type: "refresh_token" });
    expect(stranger.body).toMatchObject({ error: "unauthorized_client", error_codes: [700016] });
    const grant = await postToken({
      client_id: ms.clientId,
      client_secret: ms.clientSecret,
      grant_type: "client_credentials",
    });
    expect(grant.body).toMatchObject({ error: "unsupported_grant_type", error_codes: [70003] });
    const noSecret = await postToken({ client_id: ms.clientId, grant_type: "authorization_code" });
    expect(noSecret.status).toBe(401);
    expect(noSecret.body).toMatchObject({ error: "invalid_client", error_codes: [7000218] });
    const shortSecret = await postToken({
      client_id: ms.clientId,
      client_secret: "x",
      grant_type: "authorization_code",
    });
    expect(shortSecret.body).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
  });

  it("takes client credentials from HTTP Basic (client_secret_basic)", async () => {
    const code = await codeFor();
    const basic = Buffer.from(
      `${encodeURIComponent(ms.clientId)}:${encodeURIComponent(ms.clientSecret)}`,
    ).toString("base64");
    const ok = await postToken(
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI },
      { headers: { authorization: `Basic ${basic}`, "client-request-id": "corr-basic" } },
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get("client-request-id")).toBe("corr-basic");
    expect(ok.body).toMatchObject({ token_type: "Bearer", scope: "User.Read openid" });
    expect(ok.body.refresh_token).toBeTruthy();
    expect(ok.body).not.toHaveProperty("client_info");

    const noColon = await postToken(
      { grant_type: "authorization_code" },
      { headers: { authorization: `Basic ${Buffer.from("just-an-id").toString("base64")}` } },
    );
    expect(noColon.body).toMatchObject({ error_codes: [900144] }); // no client_id at all
  });

  it("requires code and redirect_uri, and rejects unknown codes and another reply address (500112)", async () => {
    expect((await redeem("", {})).body).toMatchObject({ error_codes: [900144] });
    const code = await codeFor();
    expect((await redeem(code, { redirect_uri: undefined })).body).toMatchObject({ error_codes: [900144] });
    const other = await redeem(code, { redirect_uri: "https://kith.example/other" });
    expect(other.body).toMatchObject({ error: "invalid_grant", error_codes: [500112] });
    // A failed redemption does not consume the code.
    expect((await redeem(code)).status).toBe(200);
    expect((await redeem(code)).body).toMatchObject({ error_codes: [54005] });
  });

  it("expires codes after 10 minutes (70000)", async () => {
    const code = await codeFor();
    const now = Date.now();
    const spy = vi.spyOn(Date, "now").mockReturnValue(now + 10 * 60 * 1000 + 1000);
    try {
      const expired = await redeem(code);
      expect(expired.body).toMatchObject({ error: "invalid_grant", error_codes: [70000] });
      expect(expired.body.error_description).toContain("The code has expired.");
    } finally {
      spy.mockRestore();
    }
  });

  it("redeems a code under its tenant or the account's own, not another (700005)", async () => {
    const elsewhere = await redeem(await codeFor(), {}, "organizations");
    expect(elsewhere.body).toMatchObject({ error: "invalid_grant", error_codes: [700005] });
    expect((await redeem(await codeFor(), {}, ms.defaultTenantId)).status).toBe(200);
    expect((await redeem(await codeFor({}, ms.defaultTenantId), {}, "common")).status).toBe(200);
  });

  it("checks the PKCE verifier: missing is 501481, plain challenges compare verbatim", async () => {
    const challenge = "p".repeat(43);
    const s256 = await codeFor({ code_challenge: "a".repeat(43), code_challenge_method: "S256" });
    expect((await redeem(s256)).body).toMatchObject({ error_codes: [501481] });
    const plain = await codeFor({ code_challenge: challenge });
    expect((await redeem(plain, { code_verifier: challenge })).status).toBe(200);
  });

  it("rejects a scope for another resource at redemption (70011), and a Graph scope not consented (65001)", async () => {
    const foreign = await redeem(await codeFor(), { scope: "https://outlook.office.com/Mail.Read" });
    expect(foreign.body).toMatchObject({ error: "invalid_scope", error_codes: [70011] });
    const unconsented = await redeem(await codeFor(), { scope: "Mail.Send" });
    expect(unconsented.body).toMatchObject({
      error: "invalid_grant",
      suberror: "consent_required",
      error_codes: [65001],
    });
  });

  it("issues email, name and client_info only when asked", async () => {
    const code = await codeFor({ scope: "openid profile email User.Read" });
    const { body } = await redeem(code, { client_info: "1", scope: "openid profile email User.Read" });
    const claims = JSON.parse(
      Buffer.from((body.id_token as string).split(".")[1] as string, "base64url").toString(),
    );
    expect(claims).toMatchObject({ email: EMAIL, preferred_username: EMAIL, ver: "2.0" });
    expect(body.client_info).toBeTruthy();
    expect(body).not.toHaveProperty("refresh_token"); // no offline_access
  });

  it("refresh: missing (900144) or unknown (70000) tokens, and inactivity expiry (700082 bad_token)", async () => {
    expect((await refresh(undefined)).body).toMatchObject({ error_codes: [900144] });
    expect((await refresh("never-issued")).body).toMatchObject({
      error: "invalid_grant",
      error_codes: [70000],
    });
    const { body } = await redeem(await codeFor());
    const refreshToken = body.refresh_token as string;

    ms.expireRefreshTokens(EMAIL);
    const expired = await refresh(refreshToken);
    expect(expired.body).toMatchObject({
      error: "invalid_grant",
      error_codes: [700082],
      suberror: "bad_token",
    });
  });

  it("expireRefreshTokens(email) leaves other accounts' tokens alone; without an email it expires all", async () => {
    const maya = (await redeem(await codeFor())).body.refresh_token as string;
    ms.addAccount({ email: OTHER });
    ms.signIn(OTHER);
    const sam = (await redeem(await codeFor())).body.refresh_token as string;

    ms.expireRefreshTokens(OTHER);
    expect((await refresh(maya, { client_info: "1" })).body).toMatchObject({ token_type: "Bearer" });
    expect((await refresh(sam)).body).toMatchObject({ error_codes: [700082] });
    ms.expireRefreshTokens();
    expect((await refresh(maya)).body).toMatchObject({ error_codes: [700082] });
  });

  it("revokeSessions ends the browser session only when it is the revoked account's", async () => {
    ms.addAccount({ email: OTHER });
    ms.revokeSessions(OTHER);
    expect(await codeFor()).toBeTruthy(); // Maya is still signed in
    ms.revokeSessions(EMAIL);
    await expect(ms.consent(authorizeUrl())).rejects.toThrow(/No account is signed in/);
  });

  it("fails on demand with server_error for a 5xx other than 503, without Retry-After", async () => {
    ms.failNext({ endpoint: "token", status: 500, times: 2 });
    const first = await postToken({}, { headers: { "client-request-id": "c-9" } });
    const second = await postToken({});
    expect(first.status).toBe(500);
    expect(first.headers.get("retry-after")).toBeNull();
    expect(first.body).toMatchObject({ error: "server_error", error_codes: [90006], correlation_id: "c-9" });
    expect(second.status).toBe(500);
    expect((await postToken({})).status).toBe(400);
  });
});

describe("Graph edges", () => {
  it("without a token is 401 'Access token is empty.' with WWW-Authenticate", async () => {
    const { status, body, headers } = await me("/me");
    expect(status).toBe(401);
    expect(body.error).toMatchObject({
      code: "InvalidAuthenticationToken",
      message: "Access token is empty.",
    });
    expect(headers.get("www-authenticate")).toContain(
      `authorization_uri="${ms.loginUrl}/common/oauth2/authorize"`,
    );
    expect(ms.requests.at(-1)).toMatchObject({ endpoint: "me", bearer: false, status: 401 });
  });

  it("$select: accepts select without '$', ignores duplicates, and rejects unknown properties with 400", async () => {
    const { access_token: token } = (await redeem(await codeFor())).body as { access_token: string };
    const selected = await me("/me?select=ID,displayName,id", token);
    expect(selected.body).toEqual({
      "@odata.context": `${ms.graphUrl}/v1.0/$metadata#users(id,displayName)/$entity`,
      id: ms.account(EMAIL).id,
      displayName: "Maya Chen",
    });
    const bad = await me("/me?$select=shoeSize", token);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "BadRequest" });
    expect(bad.body.error.message).toContain("'shoeSize'");
  });

  it("answers routes it does not serve with 501 NotImplemented, never a made-up success", async () => {
    const other = await me("/me/messages");
    expect(other.status).toBe(501);
    expect(other.body.error).toMatchObject({ code: "NotImplemented" });
    const post = await me("/me", undefined, { method: "POST" });
    expect(post.status).toBe(501);
    const root = await me("");
    expect(root.status).toBe(501);
    expect(ms.requests.map((request) => request.endpoint)).toEqual(["graph", "me", "graph"]);
  });

  it("failNext on graph fails /me too; 503 is serviceNotAvailable, other 5xx generalException without Retry-After", async () => {
    ms.failNext({ endpoint: "graph", status: 503 });
    ms.failNext({ endpoint: "me", status: 502 });
    const first = await me("/me");
    const second = await me("/me");
    expect(first.status).toBe(502);
    expect(first.body.error.code).toBe("generalException");
    expect(first.headers.get("retry-after")).toBeNull();
    expect(second.status).toBe(503);
    expect(second.body.error.code).toBe("serviceNotAvailable");
    expect(second.headers.get("retry-after")).toBe("1");
  });

  it("accountForAccessToken: empty, unknown, expired, and scope lists", async () => {
    const { access_token: token } = (await redeem(await codeFor())).body as { access_token: string };
    expect(ms.accountForAccessToken(undefined)).toMatchObject({
      ok: false,
      status: 401,
      message: "Access token is empty.",
    });
    expect(ms.accountForAccessToken("nope")).toMatchObject({ ok: false, status: 401 });
    expect(ms.accountForAccessToken(token)).toMatchObject({ ok: true, scopes: ["User.Read"] });
    expect(ms.accountForAccessToken(token, ["mail.read", "user.read"])).toMatchObject({ ok: true });
    expect(ms.accountForAccessToken(token, ["Mail.Read"])).toMatchObject({
      ok: false,
      status: 403,
      code: "ErrorAccessDenied",
    });
    ms.expireAccessTokens();
    expect(ms.accountForAccessToken(token)).toMatchObject({
      ok: false,
      message: "Access token has expired or is not yet valid.",
    });
  });
});

describe("sandbox surface", () => {
  it("validates options and failNext arguments", async () => {
    await expect(MicrosoftSandbox.start({ accessTokenLifetimeSeconds: 0 })).rejects.toThrow(RangeError);
    await expect(MicrosoftSandbox.start({ accessTokenLifetimeSeconds: 1.5 })).rejects.toThrow(RangeError);
    expect(() => ms.failNext({ endpoint: "token", status: 400 })).toThrow(/429 or a 5xx/);
    expect(() => ms.failNext({ endpoint: "token", status: 600 })).toThrow(RangeError);
    expect(() => ms.failNext({ endpoint: "token", status: 500, times: 0 })).toThrow(/times >= 1/);
  });

  it("uses the given client id, secret, app name, tenant and token lifetime", async () => {
    const custom = await MicrosoftSandbox.start({
      clientId: "11111111-2222-3333-4444-555555555555",
      clientSecret: "s3cret",
      appName: "Other App",
      defaultTenantId: "aaaaaaaa-0000-4000-8000-000000000000",
      accessTokenLifetimeSeconds: 60,
    });
    try {
      custom.addAccount({ email: EMAIL });
      custom.signIn(EMAIL);
      const url = new URL(
        authorizeUrl({ client_id: custom.clientId, prompt: "none" }, custom.defaultTenantId),
      );
      url.host = custom.host;
      const denied = await custom.consent(url.toString());
      // AADSTS messages quote the app's display name.
      expect(denied.searchParams.get("error_description")).toContain("named 'Other App'");
      url.searchParams.delete("prompt");
      const code = (await custom.consent(url.toString())).searchParams.get("code") as string;
      const response = await fetch(`${custom.loginUrl}/common/oauth2/v2.0/token`, {
        method: "POST",
        body: new URLSearchParams({
          client_id: custom.clientId,
          client_secret: "s3cret",
          grant_type: "authorization_code",
          code,
          redirect_uri: REDIRECT_URI,
        }),
      });
      expect(await response.json()).toMatchObject({ expires_in: 60, ext_expires_in: 60 });
      expect(custom.account(EMAIL).tenantId).toBe("aaaaaaaa-0000-4000-8000-000000000000");
    } finally {
      await custom.close();
    }
  });

  it("manages the directory: rejects bad emails, duplicates, taken UPNs and ids; finds by UPN", () => {
    expect(() => ms.addAccount({ email: "not-an-email" })).toThrow(/Not an email address/);
    expect(() => ms.addAccount({ email: ` ${EMAIL.toUpperCase()} ` })).toThrow(/already exists/);
    expect(() => ms.addAccount({ email: OTHER, userPrincipalName: EMAIL })).toThrow(/is taken/);
    expect(() => ms.addAccount({ email: OTHER, id: ms.account(EMAIL).id })).toThrow(/Account id .* is taken/);
    expect(() => ms.account("ghost@contoso.example")).toThrow(/call addAccount first/);
    const added = ms.addAccount({
      email: OTHER,
      userPrincipalName: "sam@contoso.example",
      givenName: "Sam",
      surname: "Ortiz",
    });
    expect(added).toMatchObject({
      displayName: "sam.ortiz",
      mail: OTHER,
      givenName: "Sam",
      surname: "Ortiz",
    });
    expect(ms.account("SAM@contoso.example").id).toBe(added.id);
    expect(added).not.toHaveProperty("validFromSeq");
  });

  it("logout ends the session and redirects to post_logout_redirect_uri, else shows a signed-out page", async () => {
    const redirected = await fetch(
      `${ms.loginUrl}/common/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent("https://kith.example/bye")}`,
      { redirect: "manual" },
    );
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get("location")).toBe("https://kith.example/bye");
    await expect(ms.consent(authorizeUrl())).rejects.toThrow(/No account is signed in/);

    ms.signIn(EMAIL);
    const page = await fetch(
      `${ms.loginUrl}/common/oauth2/v2.0/logout?post_logout_redirect_uri=not%20a%20url`,
      {
        redirect: "manual",
      },
    );
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("You signed out");
    expect(ms.count("logout")).toBe(2);
  });

  it("serves openid-configuration and keys per tenant: a tenant id, consumers, common", async () => {
    const config = async (tenant: string) =>
      (await (
        await fetch(`${ms.loginUrl}/${tenant}/v2.0/.well-known/openid-configuration`)
      ).json()) as Record<string, unknown>;
    expect((await config(ms.defaultTenantId)).issuer).toBe(`${ms.loginUrl}/${ms.defaultTenantId}/v2.0`);
    expect((await config("consumers")).issuer).toBe(
      `${ms.loginUrl}/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0`,
    );
    expect((await config("organizations")).issuer).toBe(`${ms.loginUrl}/{tenantid}/v2.0`);
    const keys = (await (await fetch(`${ms.loginUrl}/${ms.defaultTenantId}/discovery/v2.0/keys`)).json()) as {
      keys: Array<{ issuer: string }>;
    };
    expect(keys.keys[0]?.issuer).toBe(`${ms.loginUrl}/${ms.defaultTenantId}/v2.0`);
    expect(ms.requests.map((request) => request.endpoint)).toEqual([
      "openid-configuration",
      "openid-configuration",
      "openid-configuration",
      "keys",
    ]);
  });

  it("instance discovery: a tenant in the authority, a missing authority (50049, correlation id echoed)", async () => {
    const forTenant = await fetch(
      `${ms.loginUrl}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${ms.loginUrl}/${ms.defaultTenantId}/oauth2/v2.0/authorize`)}`,
    );
    expect(((await forTenant.json()) as Record<string, unknown>).tenant_discovery_endpoint).toBe(
      `${ms.loginUrl}/${ms.defaultTenantId}/v2.0/.well-known/openid-configuration`,
    );
    const bare = await fetch(
      `${ms.loginUrl}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(ms.loginUrl)}`,
    );
    expect(((await bare.json()) as Record<string, unknown>).tenant_discovery_endpoint).toBe(
      `${ms.loginUrl}/common/v2.0/.well-known/openid-configuration`,
    );
    const missing = await fetch(`${ms.loginUrl}/common/discovery/instance?api-version=1.1`, {
      headers: { "client-request-id": "corr-d" },
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: "invalid_instance", correlation_id: "corr-d" });
  });

  it("answers unknown paths with 404, records requests, counts by grant type and clears", async () => {
    const unknown = await fetch(`${ms.loginUrl}/common/oauth2/v2.0/devicecode`);
    expect(unknown.status).toBe(404);
    const root = await fetch(`${ms.loginUrl}/`);
    expect(root.status).toBe(404);
    expect(ms.requests.map((request) => [request.endpoint, request.tenant])).toEqual([
      ["unknown", "common"],
      ["unknown", ""],
    ]);
    await connect();
    expect(ms.count("token")).toBe(1);
    expect(ms.count("token", "refresh_token")).toBe(0);
    ms.clearRequests();
    expect(ms.requests).toEqual([]);
    expect(ms.count("authorize")).toBe(0);
  });
});
