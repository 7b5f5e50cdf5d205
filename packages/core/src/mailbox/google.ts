import { OAuth2Client } from "google-auth-library";
import { ProviderRefused, ProviderUnavailable } from "./errors";
import { clientCredentials, type OAuthProvider, PROVIDER_TIMEOUT_MS, type ProviderTokens } from "./provider";
import type { Scope } from "./schemas";

/**
 * Google Workspace through google-auth-library's `OAuth2Client`, its endpoints pointed at the
 * configured URLs (`GOOGLE_OAUTH_AUTHORIZE_URL`, `GOOGLE_OAUTH_TOKEN_URL`, `GOOGLE_OAUTH_REVOKE_URL`;
 * the real ones by default), so the loopback sandbox and Google are driven the same way.
 */

const SCOPE_URLS: Record<Scope, string> = {
  mail: "https://www.googleapis.com/auth/gmail.metadata",
  calendar: "https://www.googleapis.com/auth/calendar.readonly",
};
const IDENTITY_SCOPES = ["openid", "email"];

const endpoints = () => ({
  oauth2AuthBaseUrl: process.env.GOOGLE_OAUTH_AUTHORIZE_URL || "https://accounts.google.com/o/oauth2/v2/auth",
  oauth2TokenUrl: process.env.GOOGLE_OAUTH_TOKEN_URL || "https://oauth2.googleapis.com/token",
  oauth2RevokeUrl: process.env.GOOGLE_OAUTH_REVOKE_URL || "https://oauth2.googleapis.com/revoke",
});

/** `GOOGLE_API_ROOT_URL` (ending in `/`): user info lives at `oauth2/v2/userinfo` under it. */
function apiRoot(): string {
  const root = process.env.GOOGLE_API_ROOT_URL || "https://www.googleapis.com/";
  return root.endsWith("/") ? root : `${root}/`;
}

async function client(): Promise<OAuth2Client> {
  const { clientId, clientSecret } = await clientCredentials("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET");
  return new OAuth2Client({
    clientId,
    clientSecret,
    endpoints: endpoints(),
    transporterOptions: { timeout: PROVIDER_TIMEOUT_MS },
  });
}

/** gaxios errors: an OAuth error body is a refusal, anything else (5xx, network, 429) an outage. */
function translate(error: unknown): Error {
  const response = (error as { response?: { status?: number; data?: unknown } }).response;
  const data = response?.data as { error?: unknown } | undefined;
  const status = response?.status ?? 0;
  if (status >= 400 && status < 500 && status !== 429 && typeof data?.error === "string") {
    return new ProviderRefused("google", data.error);
  }
  return new ProviderUnavailable("Google", error);
}

function tokensFrom(credentials: {
  access_token?: string | null;
  refresh_token?: string | null;
  expiry_date?: number | null;
  scope?: string | null;
}): ProviderTokens {
  if (!credentials.access_token) throw new ProviderUnavailable("Google", "no access token in the answer");
  return {
    accessToken: credentials.access_token,
    // Google's access tokens live about an hour; a missing expiry is treated as the minimum.
    expiresAt: new Date(credentials.expiry_date ?? Date.now() + 300_000),
    ...(credentials.refresh_token ? { refreshToken: credentials.refresh_token } : {}),
    grantedScopes: (credentials.scope ?? "").split(" ").filter(Boolean),
  };
}

export const google: OAuthProvider = {
  name: "google",

  scopesFor(toggles) {
    return [
      ...IDENTITY_SCOPES,
      ...(["mail", "calendar"] as const).filter((s) => toggles[s]).map((s) => SCOPE_URLS[s]),
    ];
  },

  covers(grantedScopes, scope) {
    return grantedScopes.includes(SCOPE_URLS[scope]);
  },

  async pkce() {
    const { codeVerifier, codeChallenge } = await (await client()).generateCodeVerifierAsync();
    if (!codeChallenge) throw new Error("google-auth-library gave no code challenge");
    return { verifier: codeVerifier, challenge: codeChallenge };
  },

  async authorizeUrl({ scopes, state, codeChallenge, redirectUri, loginHint }) {
    return (await client()).generateAuthUrl({
      redirect_uri: redirectUri,
      ...(loginHint ? { login_hint: loginHint } : {}),
      access_type: "offline",
      // Without it a re-consent returns no refresh token.
      prompt: "consent",
      scope: scopes,
      state,
      code_challenge: codeChallenge,
      code_challenge_method: "S256" as never,
    });
  },

  async exchange({ code, codeVerifier, redirectUri }) {
    const oauth = await client();
    let tokens: ProviderTokens;
    try {
      const { tokens: credentials } = await oauth.getToken({ code, codeVerifier, redirect_uri: redirectUri });
      tokens = tokensFrom(credentials);
      oauth.setCredentials(credentials);
    } catch (error) {
      throw error instanceof ProviderUnavailable ? error : translate(error);
    }
    // The account's email, from Google's user info (the grant includes `email`).
    try {
      const { data } = await oauth.request<{ email?: string; verified_email?: boolean }>({
        url: `${apiRoot()}oauth2/v2/userinfo`,
        timeout: PROVIDER_TIMEOUT_MS,
      });
      if (!data.email) throw new ProviderRefused("google", "no_email");
      return { ...tokens, email: data.email.toLowerCase() };
    } catch (error) {
      throw error instanceof ProviderRefused ? error : translate(error);
    }
  },

  async refresh(refreshToken) {
    const oauth = await client();
    oauth.setCredentials({ refresh_token: refreshToken });
    try {
      const { credentials } = await oauth.refreshAccessToken();
      return tokensFrom({ ...credentials, refresh_token: undefined });
    } catch (error) {
      throw error instanceof ProviderUnavailable ? error : translate(error);
    }
  },

  async revoke(token) {
    try {
      await (await client()).revokeToken(token);
    } catch (error) {
      throw translate(error);
    }
  },
};
