import {
  AUTH_CODE,
  type GoogleAccount,
  type GoogleGrants,
  type StoredToken,
  verifierMatches,
} from "./google-grants";
import { accessTokenHash, type SigningKey, signJwt } from "./google-jwt";
import {
  type ApiError,
  AUTHORIZE_ERRORS,
  EMAIL_SCOPE,
  type ErrorPage,
  ISSUER,
  missingCredential,
  type OAuthError,
  OPENID_SCOPE,
  PROFILE_SCOPE,
  parseScopes,
  REVOKE_ERRORS,
  TOKEN_ERRORS,
  withImplied,
} from "./google-wire";

/**
 * The Google sandbox's OAuth endpoints as functions from a request to a {@link Reply}: the
 * authorization page, the token endpoint, revocation and userinfo. google.ts owns the server,
 * routing and recording; google-wire.ts every string a client sees.
 */

export type Reply =
  | { kind: "json"; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: "page"; page: ErrorPage }
  | { kind: "redirect"; location: string };

/** The sandbox's browser: who is signed in, and whether the user will refuse the next consent. */
export interface BrowserSession {
  signedInSub: string | undefined;
  denyNext: boolean;
}

export type AccessCheck =
  | { ok: true; account: GoogleAccount; clientId: string; scopes: string[] }
  | { ok: false; reason: "invalid" | "insufficient_scope" };

const NO_STORE = { "cache-control": "no-cache, no-store, max-age=0, must-revalidate", pragma: "no-cache" };

function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers ? { kind: "json", status, body, headers } : { kind: "json", status, body };
}

function oauthFailure(error: OAuthError): Reply {
  return json(error.status, error.body, NO_STORE);
}

export function apiFailure(error: ApiError): Reply {
  return json(error.status, error.body, error.headers);
}

// ---- GET /o/oauth2/v2/auth -----------------------------------------------------------------

export function authorizeRequest(
  grants: GoogleGrants,
  session: BrowserSession,
  query: URLSearchParams,
): Reply {
  const page = (error: ErrorPage): Reply => ({ kind: "page", page: error });
  const clientId = query.get("client_id");
  if (!clientId) return page(AUTHORIZE_ERRORS.missingParameter("client_id"));
  const client = grants.clients.get(clientId);
  if (!client) return page(AUTHORIZE_ERRORS.unknownClient(clientId));
  const redirectUri = query.get("redirect_uri");
  if (!redirectUri) return page(AUTHORIZE_ERRORS.missingParameter("redirect_uri"));
  if (!(client.redirectUris ? client.redirectUris.includes(redirectUri) : isRedirectUri(redirectUri))) {
    return page(AUTHORIZE_ERRORS.redirectUriMismatch(redirectUri));
  }
  const responseType = query.get("response_type");
  if (!responseType) return page(AUTHORIZE_ERRORS.missingParameter("response_type"));
  if (responseType !== "code") return page(AUTHORIZE_ERRORS.unsupportedResponseType(responseType));
  const scope = query.get("scope");
  if (!scope?.trim()) return page(AUTHORIZE_ERRORS.missingParameter("scope"));
  const scopes = parseScopes(scope);
  if (scopes.invalid.length > 0) return page(AUTHORIZE_ERRORS.invalidScope(scopes.valid, scopes.invalid));
  const accessType = query.get("access_type") ?? "online";
  if (accessType !== "online" && accessType !== "offline") {
    return page(AUTHORIZE_ERRORS.invalidParameter("access_type", accessType));
  }
  const prompts = (query.get("prompt") ?? "").split(" ").filter((prompt) => prompt !== "");
  const badPrompt = prompts.find((prompt) => !["none", "consent", "select_account"].includes(prompt));
  if (badPrompt !== undefined) return page(AUTHORIZE_ERRORS.invalidParameter("prompt", badPrompt));
  const challenge = query.get("code_challenge");
  const method = query.get("code_challenge_method") ?? "plain";
  if (method !== "S256" && method !== "plain") {
    return page(AUTHORIZE_ERRORS.invalidParameter("code_challenge_method", method));
  }
  if (query.has("code_challenge_method") && !challenge)
    return page(AUTHORIZE_ERRORS.missingParameter("code_challenge"));

  const state = query.get("state");
  const redirect = (params: Record<string, string>): Reply => {
    const target = new URL(redirectUri);
    if (state !== null) target.searchParams.set("state", state);
    for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
    return { kind: "redirect", location: target.toString() };
  };
  // The login_hint account if the sandbox has it (the user signs in as it), else the signed-in one.
  const hint = query.get("login_hint");
  const hinted = hint ? grants.findAccount(hint) : undefined;
  const account = hinted ?? (session.signedInSub ? grants.accountBySub(session.signedInSub) : undefined);
  if (!account)
    return prompts.includes("none")
      ? redirect({ error: "login_required" })
      : page(AUTHORIZE_ERRORS.noAccount());
  if (session.denyNext) {
    session.denyNext = false;
    return redirect({ error: "access_denied" });
  }
  const previous = grants.grantedScopes(clientId, account.sub);
  const consentShown =
    prompts.includes("consent") || !previous || scopes.granted.some((granted) => !previous.has(granted));
  if (prompts.includes("none") && consentShown) return redirect({ error: "consent_required" });

  const incremental = query.get("include_granted_scopes") === "true" && previous ? [...previous] : [];
  const granted = [...new Set([...scopes.granted, ...incremental])];
  const grantId = grants.authorize(clientId, account.sub, granted);
  const nonce = query.get("nonce");
  const code = grants.issueCode({
    clientId,
    sub: account.sub,
    grantId,
    redirectUri,
    scopes: granted,
    ...(challenge ? { challenge: { value: challenge, method } } : {}),
    ...(nonce ? { nonce } : {}),
    issuesRefreshToken: accessType === "offline" && consentShown,
  });
  return redirect({
    code,
    scope: withImplied(scopes.echoed, granted).join(" "),
    authuser: String(account.index),
    ...(account.hostedDomain ? { hd: account.hostedDomain } : {}),
    prompt: consentShown ? "consent" : "none",
  });
}

/** An absolute http(s) URI without a fragment, as Google requires of every redirect URI. */
export function isRedirectUri(uri: string): boolean {
  try {
    const parsed = new URL(uri);
    return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hash === "";
  } catch {
    return false;
  }
}

// ---- POST /token ---------------------------------------------------------------------------

export function tokenRequest(
  grants: GoogleGrants,
  key: SigningKey,
  authorization: string | undefined,
  body: string,
): Reply {
  const form = new URLSearchParams(body);
  const grantType = form.get("grant_type") ?? "";
  if (grantType !== "authorization_code" && grantType !== "refresh_token") {
    return oauthFailure(TOKEN_ERRORS.unsupportedGrantType(grantType));
  }
  const basic = basicCredentials(authorization);
  const clientId = basic?.id ?? form.get("client_id");
  if (!clientId) return oauthFailure(TOKEN_ERRORS.missingClientId());
  const client = grants.clients.get(clientId);
  if (!client) return oauthFailure(TOKEN_ERRORS.unknownClient());
  const clientSecret = basic?.secret ?? form.get("client_secret");
  if (!clientSecret) return oauthFailure(TOKEN_ERRORS.missingClientSecret());
  if (clientSecret !== client.clientSecret) return oauthFailure(TOKEN_ERRORS.wrongClientSecret());

  if (grantType === "refresh_token") {
    const value = form.get("refresh_token");
    if (!value) return oauthFailure(TOKEN_ERRORS.missingParameter("refresh_token"));
    const refresh = grants.refreshToken(value);
    if (refresh.state === "unknown") return oauthFailure(TOKEN_ERRORS.badGrant());
    if (refresh.state === "revoked") return oauthFailure(TOKEN_ERRORS.expiredOrRevoked());
    if (refresh.token.clientId !== clientId) return oauthFailure(TOKEN_ERRORS.otherClient());
    return json(200, tokenResponse(grants, key, refresh.token, undefined, undefined), NO_STORE);
  }

  const value = form.get("code");
  if (!value) return oauthFailure(TOKEN_ERRORS.missingParameter("code"));
  const redirectUri = form.get("redirect_uri");
  if (!redirectUri) return oauthFailure(TOKEN_ERRORS.missingParameter("redirect_uri"));
  if (!AUTH_CODE.test(value)) return oauthFailure(TOKEN_ERRORS.malformedCode());
  const code = grants.redeemableCode(value);
  if (!code || code.clientId !== clientId) return oauthFailure(TOKEN_ERRORS.badGrant());
  if (code.redirectUri !== redirectUri) return oauthFailure(TOKEN_ERRORS.redirectUriMismatch());
  const verifier = form.get("code_verifier");
  if (code.challenge) {
    if (!verifier) return oauthFailure(TOKEN_ERRORS.missingVerifier());
    if (!verifierMatches(code.challenge, verifier)) return oauthFailure(TOKEN_ERRORS.invalidVerifier());
  } else if (verifier) {
    return oauthFailure(TOKEN_ERRORS.verifierNotNeeded());
  }
  code.redeemed = true;
  const grant: StoredToken = { clientId, sub: code.sub, grantId: code.grantId, scopes: code.scopes };
  const refreshToken = code.issuesRefreshToken ? grants.issueRefreshToken(grant) : undefined;
  return json(200, tokenResponse(grants, key, grant, refreshToken, code.nonce), NO_STORE);
}

/** Google's field order: access_token, expires_in, refresh_token, scope, token_type, id_token. */
function tokenResponse(
  grants: GoogleGrants,
  key: SigningKey,
  grant: StoredToken,
  refreshToken: string | undefined,
  nonce: string | undefined,
): Record<string, unknown> {
  const access = grants.issueAccessToken(grant);
  const account = grants.accountBySub(grant.sub);
  const iat = Math.floor(grants.now() / 1000);
  const idToken = grant.scopes.includes(OPENID_SCOPE)
    ? signJwt(key, {
        iss: ISSUER,
        azp: grant.clientId,
        aud: grant.clientId,
        sub: account.sub,
        ...(account.hostedDomain ? { hd: account.hostedDomain } : {}),
        ...(grant.scopes.includes(EMAIL_SCOPE)
          ? { email: account.email, email_verified: account.emailVerified }
          : {}),
        at_hash: accessTokenHash(access.token),
        ...(nonce ? { nonce } : {}),
        ...(grant.scopes.includes(PROFILE_SCOPE) ? profileClaims(account) : {}),
        iat,
        exp: iat + 3600,
      })
    : undefined;
  return {
    access_token: access.token,
    expires_in: access.expiresIn,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    scope: grant.scopes.join(" "),
    token_type: "Bearer",
    ...(idToken ? { id_token: idToken } : {}),
  };
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^basic\s+(\S+)$/i.exec(header?.trim() ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: each part is form-urlencoded before the two are joined.
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, " "));
    } catch {
      return part;
    }
  };
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

// ---- POST /revoke --------------------------------------------------------------------------

/** `token` in the query (how OAuth2Client.revokeToken sends it) or the form body. */
export function revokeRequest(grants: GoogleGrants, query: URLSearchParams, body: string): Reply {
  const token = query.get("token") ?? new URLSearchParams(body).get("token");
  if (!token) return oauthFailure(REVOKE_ERRORS.missingToken());
  if (!grants.revoke(token)) return oauthFailure(REVOKE_ERRORS.invalidToken());
  return json(200, {});
}

// ---- GET /oauth2/v2/userinfo ---------------------------------------------------------------

/**
 * A live access token's account and scopes; with `requiredScope` (any one of them suffices, as
 * Google API methods accept several), `insufficient_scope` when the token holds none of them.
 */
export function checkAccess(
  grants: GoogleGrants,
  token: string | undefined,
  requiredScope?: string | readonly string[],
): AccessCheck {
  const stored = token === undefined ? undefined : grants.accessToken(token);
  if (!stored) return { ok: false, reason: "invalid" };
  const accepted = typeof requiredScope === "string" ? [requiredScope] : (requiredScope ?? []);
  if (accepted.length > 0 && !accepted.some((scope) => stored.scopes.includes(scope))) {
    return { ok: false, reason: "insufficient_scope" };
  }
  return {
    ok: true,
    account: grants.accountBySub(stored.sub),
    clientId: stored.clientId,
    scopes: [...stored.scopes],
  };
}

export function userinfoRequest(grants: GoogleGrants, token: string | undefined): Reply {
  // oauth2/v2/userinfo answers a token without openid/email/profile as if no credential was sent.
  const check = checkAccess(grants, token, [OPENID_SCOPE, EMAIL_SCOPE, PROFILE_SCOPE]);
  if (!check.ok) return apiFailure(missingCredential());
  const { account, scopes } = check;
  return json(200, {
    id: account.sub,
    ...(scopes.includes(EMAIL_SCOPE) ? { email: account.email, verified_email: account.emailVerified } : {}),
    ...(scopes.includes(PROFILE_SCOPE) ? profileClaims(account) : {}),
    picture: account.picture,
    ...(account.hostedDomain ? { hd: account.hostedDomain } : {}),
  });
}

function profileClaims(account: GoogleAccount): Record<string, string> {
  return {
    ...(account.name === undefined ? {} : { name: account.name }),
    ...(account.givenName === undefined ? {} : { given_name: account.givenName }),
    ...(account.familyName === undefined ? {} : { family_name: account.familyName }),
  };
}
