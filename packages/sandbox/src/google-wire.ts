/**
 * Google's OAuth 2.0 wire format as the Google sandbox serves it: paths, scope strings, and the
 * exact error bodies and pages. Kept apart from the state machine in google.ts so that every
 * string a client may match on is in one place, next to where it was checked:
 *
 * - "Using OAuth 2.0 for Web Server Applications"
 *   (developers.google.com/identity/protocols/oauth2/web-server): endpoints, parameters,
 *   the `access_denied` redirect, refresh and revocation requests.
 * - google-auth-library 11 (`OAuth2Client`): what the client sends and the `endpoints` it lets a
 *   caller point elsewhere.
 * - Bodies and pages captured from Google and quoted verbatim in public issue threads (cited per
 *   constant below).
 */

/** `accounts.google.com/o/oauth2/v2/auth` */
export const AUTHORIZE_PATH = "/o/oauth2/v2/auth";
/** `oauth2.googleapis.com/token` */
export const TOKEN_PATH = "/token";
/** `oauth2.googleapis.com/revoke` */
export const REVOKE_PATH = "/revoke";
/** `www.googleapis.com/oauth2/v2/userinfo` (the `oauth2` v2 API, `userinfo.get`). */
export const USERINFO_PATH = "/oauth2/v2/userinfo";
/** `www.googleapis.com/oauth2/v1/certs`: `{ kid: PEM certificate }`, what OAuth2Client fetches on Node. */
export const PEM_CERTS_PATH = "/oauth2/v1/certs";
/** `www.googleapis.com/oauth2/v3/certs`: the JWKS. */
export const JWK_CERTS_PATH = "/oauth2/v3/certs";
/** `oauth2.googleapis.com/tokeninfo`: not served (404); listed so a client never falls back to Google. */
export const TOKENINFO_PATH = "/tokeninfo";

export const ISSUER = "https://accounts.google.com";
/** "The authorization code expires after 10 minutes" is how long the sandbox keeps one redeemable. */
export const CODE_LIFETIME_SECONDS = 600;

export const OPENID_SCOPE = "openid";
export const EMAIL_SCOPE = "https://www.googleapis.com/auth/userinfo.email";
export const PROFILE_SCOPE = "https://www.googleapis.com/auth/userinfo.profile";

/** The OpenID Connect short names Google accepts in `scope`, and the scope each one grants. */
const SCOPE_ALIASES: Record<string, string> = { email: EMAIL_SCOPE, profile: PROFILE_SCOPE };

/**
 * Scopes the sandbox knows. Google rejects an unknown scope with `invalid_scope`; so does the
 * sandbox, rather than granting any string (add a scope here when Kith starts asking for it).
 */
const KNOWN_SCOPES = new Set([
  OPENID_SCOPE,
  EMAIL_SCOPE,
  PROFILE_SCOPE,
  "https://mail.google.com/",
  ...[
    "gmail.readonly",
    "gmail.metadata",
    "gmail.modify",
    "gmail.compose",
    "gmail.send",
    "gmail.insert",
    "gmail.labels",
    "gmail.settings.basic",
    "gmail.settings.sharing",
    "calendar",
    "calendar.readonly",
    "calendar.events",
    "calendar.events.readonly",
    "calendar.events.owned",
    "calendar.events.owned.readonly",
    "calendar.calendarlist",
    "calendar.calendarlist.readonly",
    "calendar.calendars",
    "calendar.calendars.readonly",
    "calendar.settings.readonly",
    "calendar.freebusy",
    "calendar.app.created",
  ].map((name) => `https://www.googleapis.com/auth/${name}`),
]);

export interface ParsedScopes {
  /** What the user grants: full scope URLs (aliases expanded), plus `openid` when email/profile was asked. */
  granted: string[];
  /** The `scope` of the redirect: the requested strings as sent, then the scopes they expanded to. */
  echoed: string[];
  valid: string[];
  invalid: string[];
}

/**
 * Splits and checks a space-delimited `scope`. Google answers `scope=email` with the granted scope
 * `https://www.googleapis.com/auth/userinfo.email openid` (token responses quoted in public issue
 * threads), and the redirect's `scope` carries both the short names and the full URLs, e.g.
 * `email profile https://www.googleapis.com/auth/userinfo.profile https://www.googleapis.com/auth/userinfo.email openid`.
 */
export function parseScopes(raw: string): ParsedScopes {
  const requested = [...new Set(raw.split(/\s+/).filter((scope) => scope !== ""))];
  const valid: string[] = [];
  const invalid: string[] = [];
  const granted = new Set<string>();
  for (const scope of requested) {
    const full = SCOPE_ALIASES[scope] ?? scope;
    if (!KNOWN_SCOPES.has(full)) {
      invalid.push(scope);
      continue;
    }
    valid.push(full);
    granted.add(full);
  }
  if (granted.has(EMAIL_SCOPE) || granted.has(PROFILE_SCOPE)) granted.add(OPENID_SCOPE);
  return { granted: [...granted], echoed: withImplied(requested, granted), valid, invalid };
}

/** `requested` followed by every scope of `granted` it did not already name. */
export function withImplied(requested: readonly string[], granted: Iterable<string>): string[] {
  const echoed = [...requested];
  for (const scope of granted) if (!echoed.includes(scope)) echoed.push(scope);
  return echoed;
}

// ---- token and revocation endpoints: `{ error, error_description }` --------------------------

export interface OAuthError {
  status: number;
  body: { error: string; error_description?: string };
}

function oauthError(status: number, error: string, description?: string): OAuthError {
  return { status, body: description === undefined ? { error } : { error, error_description: description } };
}

/**
 * Token endpoint errors. Each body is one Google returned, as quoted in public issue threads:
 * `invalid_client` / `Unauthorized` (401, wrong secret) and `The OAuth client was not found.`
 * (401, unknown client id); `invalid_grant` with `Malformed auth code.`, `Bad Request` (a code or
 * refresh token Google does not know, or no longer remembers), `Token has been expired or
 * revoked.`, `Missing code verifier.`, `Invalid code verifier.` and `code_verifier or verifier is
 * not needed` (a verifier sent for a code requested without a challenge); `redirect_uri_mismatch`
 * at the token endpoint when `redirect_uri` differs from the authorization request's.
 */
export const TOKEN_ERRORS = {
  unsupportedGrantType: (grantType: string) =>
    oauthError(400, "unsupported_grant_type", `Invalid grant_type: ${grantType}`),
  missingClientId: () => oauthError(400, "invalid_request", "Could not determine client ID from request."),
  unknownClient: () => oauthError(401, "invalid_client", "The OAuth client was not found."),
  missingClientSecret: () => oauthError(400, "invalid_request", "client_secret is missing."),
  wrongClientSecret: () => oauthError(401, "invalid_client", "Unauthorized"),
  missingParameter: (name: string) =>
    oauthError(400, "invalid_request", `Missing required parameter: ${name}`),
  malformedCode: () => oauthError(400, "invalid_grant", "Malformed auth code."),
  badGrant: () => oauthError(400, "invalid_grant", "Bad Request"),
  redirectUriMismatch: () => oauthError(400, "redirect_uri_mismatch", "Bad Request"),
  missingVerifier: () => oauthError(400, "invalid_grant", "Missing code verifier."),
  invalidVerifier: () => oauthError(400, "invalid_grant", "Invalid code verifier."),
  verifierNotNeeded: () => oauthError(400, "invalid_grant", "code_verifier or verifier is not needed"),
  expiredOrRevoked: () => oauthError(400, "invalid_grant", "Token has been expired or revoked."),
  /** A refresh token used by a client other than the one it was issued to. */
  otherClient: () => oauthError(400, "unauthorized_client", "Unauthorized"),
} as const;

/** `POST /revoke` errors: an unknown, expired or already revoked token; a request without one. */
export const REVOKE_ERRORS = {
  invalidToken: () => oauthError(400, "invalid_token", "Token expired or revoked"),
  missingToken: () => oauthError(400, "invalid_request", "Bad Request"),
} as const;

// ---- Google APIs (userinfo, and later Gmail/Calendar): `{ error: { code, message, errors, status } }`

const SEE_DEVCONSOLE = "See https://developers.google.com/identity/sign-in/web/devconsole-project.";
const REALM = 'Bearer realm="https://accounts.google.com/"';

export interface ApiError {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** No credential, or (on `oauth2/v2/userinfo`) one that cannot read the user's info. */
export function missingCredential(): ApiError {
  return {
    status: 401,
    headers: { "www-authenticate": REALM },
    body: {
      error: {
        code: 401,
        message: `Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${SEE_DEVCONSOLE}`,
        errors: [
          {
            message: "Login Required.",
            domain: "global",
            reason: "required",
            location: "Authorization",
            locationType: "header",
          },
        ],
        status: "UNAUTHENTICATED",
      },
    },
  };
}

/** An unknown, expired or revoked access token, on the data APIs (Gmail, Calendar). */
export function invalidCredential(): ApiError {
  return {
    status: 401,
    headers: { "www-authenticate": `${REALM}, error="invalid_token"` },
    body: {
      error: {
        code: 401,
        message: `Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${SEE_DEVCONSOLE}`,
        errors: [
          {
            message: "Invalid Credentials",
            domain: "global",
            reason: "authError",
            location: "Authorization",
            locationType: "header",
          },
        ],
        status: "UNAUTHENTICATED",
      },
    },
  };
}

/** A valid access token without any of the scopes the method accepts. */
export function insufficientScope(accepted: readonly string[]): ApiError {
  return {
    status: 403,
    headers: { "www-authenticate": `${REALM}, error="insufficient_scope", scope="${accepted.join(" ")}"` },
    body: {
      error: {
        code: 403,
        message: "Request had insufficient authentication scopes.",
        errors: [{ message: "Insufficient Permission", domain: "global", reason: "insufficientPermissions" }],
        status: "PERMISSION_DENIED",
      },
    },
  };
}

const RPC_STATUS: Record<number, [string, string]> = {
  429: ["RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."],
  500: ["INTERNAL", "Internal error encountered."],
  502: ["UNAVAILABLE", "The service is currently unavailable."],
  503: ["UNAVAILABLE", "The service is currently unavailable."],
  504: ["DEADLINE_EXCEEDED", "The request timed out."],
};

/** The body of an injected outage (`failNext`), per endpoint family. */
export function outageBody(family: "oauth" | "api", status: number): unknown {
  // The token endpoint answered an outage with a bare `{"error": "internal_failure"}` (a 503 quoted
  // in ueberauth_google#99); APIs use the google.rpc JSON shape (`{"code": 503, "message": "The
  // service is currently unavailable.", "status": "UNAVAILABLE"}`).
  if (family === "oauth" && status >= 500) return { error: "internal_failure" };
  const [rpcStatus, message] = RPC_STATUS[status] ?? ["UNKNOWN", "Unknown error."];
  return { error: { code: status, message, status: rpcStatus } };
}

// ---- the authorization page ----------------------------------------------------------------

export interface ErrorPage {
  status: number;
  error: string;
  lines: string[];
  details: Record<string, string>;
}

/**
 * Google does not redirect back to an app it cannot trust (unknown client, unregistered
 * `redirect_uri`) or whose request is malformed (`invalid_scope`, a missing parameter): it shows
 * the user an "Authorization Error" page, e.g. "Error 400: redirect_uri_mismatch / You can't sign
 * in to this app because it doesn't comply with Google's OAuth 2.0 policy." and "Error 401:
 * invalid_client / The OAuth client was not found.", followed by the request details.
 */
export const AUTHORIZE_ERRORS = {
  missingParameter: (name: string): ErrorPage => ({
    status: 400,
    error: "invalid_request",
    lines: [`Missing required parameter: ${name}`],
    details: {},
  }),
  invalidParameter: (name: string, value: string): ErrorPage => ({
    status: 400,
    error: "invalid_request",
    lines: [`Invalid parameter value for ${name}: Invalid ${name}: ${value}`],
    details: { [name]: value },
  }),
  unknownClient: (clientId: string): ErrorPage => ({
    status: 401,
    error: "invalid_client",
    lines: ["The OAuth client was not found."],
    details: { client_id: clientId },
  }),
  redirectUriMismatch: (redirectUri: string): ErrorPage => ({
    status: 400,
    error: "redirect_uri_mismatch",
    lines: [
      "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy.",
      "If you're the app developer, register the redirect URI in the Google Cloud Console.",
    ],
    details: { redirect_uri: redirectUri },
  }),
  invalidScope: (valid: readonly string[], invalid: readonly string[]): ErrorPage => ({
    status: 400,
    error: "invalid_scope",
    lines: [
      `Some requested scopes were invalid. {valid=[${valid.join(", ")}], invalid=[${invalid.join(", ")}]}`,
    ],
    details: {},
  }),
  unsupportedResponseType: (responseType: string): ErrorPage => ({
    status: 400,
    error: "unsupported_response_type",
    lines: [`The sandbox serves response_type=code only, not ${responseType}.`],
    details: { response_type: responseType },
  }),
  /** Not Google's: the sandbox's browser has nobody to sign in as. */
  noAccount: (): ErrorPage => ({
    status: 400,
    error: "sandbox_no_account",
    lines: ["GoogleSandbox: no account to sign in with; call addAccount() first."],
    details: {},
  }),
} as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function renderErrorPage(page: ErrorPage): string {
  const details = Object.entries(page.details)
    .map(([name, value]) => `<li>${escapeHtml(name)}: ${escapeHtml(value)}</li>`)
    .join("");
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>Error ${page.status}: ${page.error}</title></head><body>`,
    "<h1>Authorization Error</h1>",
    `<p>Error ${page.status}: ${escapeHtml(page.error)}</p>`,
    ...page.lines.map((line) => `<p>${escapeHtml(line)}</p>`),
    details === "" ? "" : `<h2>Request details</h2><ul>${details}</ul>`,
    "</body></html>",
  ].join("\n");
}

/** The visible text of a page, for error messages. */
export function pageText(html: string): string {
  return html
    .replace(/<title>[^<]*<\/title>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/\s+/g, " ")
    .trim();
}
