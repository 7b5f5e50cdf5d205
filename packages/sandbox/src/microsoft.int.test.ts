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
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
