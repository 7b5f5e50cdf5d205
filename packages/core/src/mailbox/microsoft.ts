import {
  AuthError,
  ConfidentialClientApplication,
  CryptoProvider,
  InteractionRequiredAuthError,
  ServerError,
} from "@azure/msal-node";
import { Client } from "@microsoft/microsoft-graph-client";
import { ProviderRefused, ProviderUnavailable } from "./errors";
import { clientCredentials, type OAuthProvider, PROVIDER_TIMEOUT_MS, type ProviderTokens } from "./provider";
import type { Scope } from "./schemas";

/**
 * Microsoft 365 through @azure/msal-node against `MICROSOFT_LOGIN_URL` (the multi-tenant `common`
 * authority) and Graph's `/me` through @microsoft/microsoft-graph-client at `MICROSOFT_GRAPH_URL`.
 *
 * MSAL keeps tokens in its own cache and does not return the refresh token; each call gets a fresh
 * application (one account's tokens never share a cache with another's) and reads the refresh
 * token from that cache's serialized form. Microsoft rotates refresh tokens, so every refresh
 * returns the one to keep.
 */

const SCOPE_NAMES: Record<Scope, string> = { mail: "Mail.ReadBasic", calendar: "Calendars.ReadBasic" };
const BASE_SCOPES = ["offline_access", "User.Read"];
const MICROSOFT_LOGIN_HOST = "login.microsoftonline.com";

function loginUrl(): string {
  return (process.env.MICROSOFT_LOGIN_URL || `https://${MICROSOFT_LOGIN_HOST}`).replace(/\/+$/, "");
}

function graphUrl(): string {
  return (process.env.MICROSOFT_GRAPH_URL || "https://graph.microsoft.com").replace(/\/+$/, "");
}

/**
 * The authority's OpenID configuration, fetched once per container and handed to each new MSAL
 * application (`authorityMetadata`), which otherwise fetches it itself every time. A failed fetch
 * is not kept: MSAL then fetches it as it would anyway.
 */
const authorityMetadata = new Map<string, Promise<string | undefined>>();
function metadataFor(authority: string): Promise<string | undefined> {
  let cached = authorityMetadata.get(authority);
  if (!cached) {
    cached = fetch(`${authority}/v2.0/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    })
      .then(async (response) => (response.ok ? JSON.stringify(await response.json()) : undefined))
      .catch(() => undefined)
      .then((metadata) => {
        if (!metadata) authorityMetadata.delete(authority);
        return metadata;
      });
    authorityMetadata.set(authority, cached);
  }
  return cached;
}

async function application(): Promise<ConfidentialClientApplication> {
  const { clientId, clientSecret } = await clientCredentials(
    "MICROSOFT_CLIENT_ID",
    "MICROSOFT_CLIENT_SECRET",
  );
  const host = new URL(loginUrl()).host;
  const authority = `${loginUrl()}/common`;
  const metadata = await metadataFor(authority);
  return new ConfidentialClientApplication({
    auth: {
      clientId,
      clientSecret,
      authority,
      ...(metadata ? { authorityMetadata: metadata } : {}),
      // MSAL validates any other host through Microsoft's instance discovery unless it is known.
      ...(host === MICROSOFT_LOGIN_HOST ? {} : { knownAuthorities: [host] }),
    },
    system: { loggerOptions: { piiLoggingEnabled: false } },
  });
}

/** The refresh token MSAL cached for the grant it just redeemed or refreshed. */
function cachedRefreshToken(app: ConfidentialClientApplication): string | undefined {
  const cache = JSON.parse(app.getTokenCache().serialize()) as {
    RefreshToken?: Record<string, { secret?: string }>;
  };
  const entries = Object.values(cache.RefreshToken ?? {});
  return entries.at(-1)?.secret;
}

function translate(error: unknown): Error {
  if (error instanceof ProviderRefused || error instanceof ProviderUnavailable) return error;
  if (error instanceof InteractionRequiredAuthError) return new ProviderRefused("microsoft", "invalid_grant");
  if (error instanceof ServerError) {
    const status = (error as { status?: number }).status ?? 0;
    if (status === 429 || status >= 500 || !error.errorCode)
      return new ProviderUnavailable("Microsoft", error);
    return new ProviderRefused("microsoft", error.errorCode);
  }
  if (error instanceof AuthError && error.errorCode === "invalid_grant") {
    return new ProviderRefused("microsoft", "invalid_grant");
  }
  return new ProviderUnavailable("Microsoft", error);
}

function tokensFrom(
  result: { accessToken: string; expiresOn: Date | null; scopes: string[] } | null,
  refreshToken: string | undefined,
): ProviderTokens {
  if (!result?.accessToken) throw new ProviderUnavailable("Microsoft", "no access token in the answer");
  return {
    accessToken: result.accessToken,
    expiresAt: result.expiresOn ?? new Date(Date.now() + 300_000),
    ...(refreshToken ? { refreshToken } : {}),
    grantedScopes: result.scopes,
  };
}

/** Graph's `/me`: `mail`, else `userPrincipalName` (the contract's rule). */
async function accountEmail(accessToken: string): Promise<string> {
  const graph = Client.init({
    authProvider: (done) => done(null, accessToken),
    baseUrl: `${graphUrl()}/`,
    // Graph's client sends the token only to Graph hosts or these (host names, without ports).
    customHosts: new Set([new URL(graphUrl()).hostname]),
    fetchOptions: { signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) },
  });
  try {
    const me = (await graph.api("/me").select(["mail", "userPrincipalName"]).get()) as {
      mail?: string | null;
      userPrincipalName?: string | null;
    };
    const email = me.mail || me.userPrincipalName;
    if (!email) throw new ProviderRefused("microsoft", "no_email");
    return email.toLowerCase();
  } catch (error) {
    if (error instanceof ProviderRefused) throw error;
    const status = (error as { statusCode?: number }).statusCode ?? 0;
    if (status >= 400 && status < 500 && status !== 429)
      throw new ProviderRefused("microsoft", `graph_${status}`);
    throw new ProviderUnavailable("Microsoft", error);
  }
}

export const microsoft: OAuthProvider = {
  name: "microsoft",

  scopesFor(toggles) {
    return [
      ...(["mail", "calendar"] as const).filter((s) => toggles[s]).map((s) => SCOPE_NAMES[s]),
      ...BASE_SCOPES,
    ];
  },

  covers(grantedScopes, scope) {
    const wanted = SCOPE_NAMES[scope].toLowerCase();
    // Microsoft may answer with the resource prefix (https://graph.microsoft.com/Mail.ReadBasic).
    return grantedScopes.some((granted) => granted.toLowerCase().split("/").at(-1) === wanted);
  },

  async pkce() {
    const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
    return { verifier, challenge };
  },

  async authorizeUrl({ scopes, state, codeChallenge, redirectUri, loginHint }) {
    try {
      return await (await application()).getAuthCodeUrl({
        scopes,
        redirectUri,
        state,
        codeChallenge,
        codeChallengeMethod: "S256",
        // No `prompt=select_account`: MSAL then drops the login hint.
        ...(loginHint ? { loginHint } : {}),
      });
    } catch (error) {
      throw translate(error);
    }
  },

  async exchange({ code, codeVerifier, scopes, redirectUri }) {
    const app = await application();
    let tokens: ProviderTokens;
    try {
      const result = await app.acquireTokenByCode({
        code,
        codeVerifier,
        scopes,
        redirectUri,
      });
      tokens = tokensFrom(result, cachedRefreshToken(app));
    } catch (error) {
      throw translate(error);
    }
    return { ...tokens, email: await accountEmail(tokens.accessToken) };
  },

  async refresh(refreshToken, scopes) {
    const app = await application();
    try {
      // forceCache: a fresh application caches the rotated refresh token only when told to.
      const result = await app.acquireTokenByRefreshToken({ refreshToken, scopes, forceCache: true });
      return tokensFrom(result, cachedRefreshToken(app) ?? refreshToken);
    } catch (error) {
      throw translate(error);
    }
  },

  async revoke() {
    // Microsoft has no per-token revocation for delegated grants: dropping the tokens is the revoke.
  },
};
