import { secret } from "../config";
import { ProviderUnavailable } from "./errors";
import type { MailboxProvider, Scope, ScopeToggles } from "./schemas";

/**
 * What the connection flows need of an OAuth provider. `google.ts` and `microsoft.ts` implement it
 * with the providers' own libraries (google-auth-library, @azure/msal-node); each callback function
 * bundles only its own.
 */
export interface ProviderTokens {
  accessToken: string;
  expiresAt: Date;
  /** Absent when the provider sent none (a Google re-consent without `prompt=consent`). */
  refreshToken?: string;
  /** The provider's scope strings the grant holds. */
  grantedScopes: string[];
}

export interface OAuthProvider {
  readonly name: MailboxProvider;
  /** The provider scope strings for the enabled toggles, and nothing more. */
  scopesFor(toggles: ScopeToggles): string[];
  /** Which toggles a grant covers. */
  covers(grantedScopes: readonly string[], scope: Scope): boolean;
  /** A PKCE S256 pair, from the provider library. */
  pkce(): Promise<{ verifier: string; challenge: string }>;
  authorizeUrl(input: {
    scopes: string[];
    state: string;
    codeChallenge: string;
    redirectUri: string;
    /** The member's Kith email: the provider pre-fills the sign-in with it. */
    loginHint?: string;
  }): Promise<string>;
  /** Redeems an authorization code; the email is read from the provider, as the contract says. */
  exchange(input: {
    code: string;
    codeVerifier: string;
    scopes: string[];
    redirectUri: string;
  }): Promise<ProviderTokens & { email: string }>;
  /** Throws `ProviderRefused` (e.g. `invalid_grant`) or `ProviderUnavailable`. */
  refresh(refreshToken: string, scopes: string[]): Promise<ProviderTokens>;
  /** Best effort; a provider without per-token revocation does nothing. */
  revoke(token: string): Promise<void>;
}

/** Token requests give up after this long: a callback must answer a waiting browser. */
export const PROVIDER_TIMEOUT_MS = 8_000;

/**
 * `OAUTH_REDIRECT_BASE_URL` + `/oauth/{provider}/callback`. Without the variable, the API's own
 * origin as the request reached it (the stage's API Gateway URL), which the connect route and the
 * callback both see, so the two always send the provider the same URI.
 */
export function redirectUri(provider: MailboxProvider, requestOrigin?: string): string {
  const base = process.env.OAUTH_REDIRECT_BASE_URL || requestOrigin;
  if (!base) throw new Error("OAUTH_REDIRECT_BASE_URL is not set and the request has no origin");
  return `${base.replace(/\/+$/, "")}/oauth/${provider}/callback`;
}

/** A client id and secret from the configured secrets; unset is a 503, not a crash. */
export async function clientCredentials(
  idName: "GOOGLE_CLIENT_ID" | "MICROSOFT_CLIENT_ID",
  secretName: "GOOGLE_CLIENT_SECRET" | "MICROSOFT_CLIENT_SECRET",
): Promise<{ clientId: string; clientSecret: string }> {
  const [clientId, clientSecret] = await Promise.all([secret(idName), secret(secretName)]);
  if (!clientId || !clientSecret) {
    throw new ProviderUnavailable(
      idName.startsWith("GOOGLE") ? "Google" : "Microsoft",
      `${idName} is not set`,
    );
  }
  return { clientId, clientSecret };
}
