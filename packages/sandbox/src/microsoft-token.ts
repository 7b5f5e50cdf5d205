import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./http";
import { CODE_LIFETIME_MS, type EndpointContext, knownTenant, tenantNotFound } from "./microsoft-identity";
import { type CodeGrant, parseScope, type StoredAccount, splitScopes } from "./microsoft-state";
import {
  type AadErrorInput,
  aadErrorBody,
  clientInfo,
  pairwiseSubject,
  signJwt,
  stsDate,
} from "./microsoft-wire";

/**
 * `POST /{tenant}/oauth2/v2.0/token`: the `authorization_code` and `refresh_token` grants of a
 * confidential client (client_secret in the form, or HTTP Basic). Errors are 400 with the AADSTS
 * body, except client authentication failures, which are 401 `invalid_client`.
 */

const MULTI_TENANT = new Set(["common", "organizations", "consumers"]);

type TokenError = Omit<AadErrorInput, "correlationId"> & { status?: number };
/** A successful token response body. */
type TokenBody = { token_type: "Bearer" } & Record<string, unknown>;

const missing = (name: string): TokenError => ({
  error: "invalid_request",
  code: 900144,
  message: `The request body must contain the following parameter: '${name}'.`,
});

export async function handleToken(
  ctx: EndpointContext,
  req: IncomingMessage,
  res: ServerResponse,
  tenant: string,
  form: URLSearchParams,
  /** The caller's `client-request-id` (header, or query as MSAL sends it), echoed as the correlation id. */
  correlationId: string | undefined,
): Promise<void> {
  const headers = {
    "cache-control": "no-store, no-cache",
    pragma: "no-cache",
    "x-ms-request-id": randomUUID(),
    ...(correlationId ? { "client-request-id": correlationId } : {}),
  };
  const outcome = await tokenOutcome(ctx, req, tenant, form);
  if (!("token_type" in outcome)) {
    const { status = 400, ...input } = outcome;
    sendJson(
      res,
      status,
      aadErrorBody(ctx.loginUrl, { ...input, ...(correlationId ? { correlationId } : {}) }),
      headers,
    );
    return;
  }
  sendJson(res, 200, outcome, headers);
}

async function tokenOutcome(
  ctx: EndpointContext,
  req: IncomingMessage,
  tenant: string,
  form: URLSearchParams,
): Promise<TokenError | TokenBody> {
  const { state } = ctx;
  if ((req.method ?? "GET").toUpperCase() !== "POST") {
    return {
      error: "invalid_request",
      code: 900561,
      message: `The endpoint only accepts POST, OPTIONS requests. Received a ${req.method} request.`,
    };
  }
  if (!knownTenant(ctx, tenant)) return tenantNotFound(tenant);
  const basic = basicCredentials(req.headers.authorization);
  const clientId = form.get("client_id") ?? basic?.id;
  if (!clientId) return missing("client_id");
  const grantType = form.get("grant_type");
  if (!grantType) return missing("grant_type");
  if (clientId !== state.options.clientId) {
    return {
      error: "unauthorized_client",
      code: 700016,
      message:
        `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can ` +
        "happen if the application has not been installed by the administrator of the tenant or " +
        "consented to by any user in the tenant. You may have sent your authentication request to the " +
        "wrong tenant.",
    };
  }
  if (grantType !== "authorization_code" && grantType !== "refresh_token") {
    return {
      error: "unsupported_grant_type",
      code: 70003,
      message: `The app requested an unsupported grant type '${grantType}'.`,
    };
  }
  const secret = form.get("client_secret") ?? basic?.secret;
  if (!secret) {
    return {
      status: 401,
      error: "invalid_client",
      code: 7000218,
      message:
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    };
  }
  if (!sameSecret(secret, state.options.clientSecret)) {
    return {
      status: 401,
      error: "invalid_client",
      code: 7000215,
      message:
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret " +
        `value, not the client secret ID, for a secret added to app '${clientId}'.`,
    };
  }
  return grantType === "authorization_code"
    ? redeemCode(ctx, tenant, form, clientId)
    : redeemRefreshToken(ctx, form, clientId);
}

function redeemCode(
  ctx: EndpointContext,
  tenant: string,
  form: URLSearchParams,
  clientId: string,
): TokenError | TokenBody {
  const { state } = ctx;
  const code = form.get("code");
  if (!code) return missing("code");
  const redirectUri = form.get("redirect_uri");
  if (!redirectUri) return missing("redirect_uri");
  const grant = state.codes.get(code);
  const invalidCode = (suffix = ""): TokenError => ({
    error: "invalid_grant",
    code: 70000,
    message: `The provided value for the 'code' parameter is not valid.${suffix}`,
  });
  if (!grant || grant.clientId !== clientId) return invalidCode();
  if (grant.redeemed) {
    return {
      error: "invalid_grant",
      code: 54005,
      message:
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an " +
        "existing refresh token.",
    };
  }
  if (Date.now() - grant.issuedAt > CODE_LIFETIME_MS) return invalidCode(" The code has expired.");
  const account = state.accounts.get(grant.accountId) as StoredAccount;
  if (!sameTenantPath(grant.tenantPath, tenant, account.tenantId)) {
    return {
      error: "invalid_grant",
      code: 700005,
      message: "Provided Authorization Code is intended to use against other tenant, thus rejected.",
    };
  }
  if (redirectUri !== grant.redirectUri) {
    return {
      error: "invalid_grant",
      code: 500112,
      message:
        `The reply address '${redirectUri}' does not match the reply address '${grant.redirectUri}' ` +
        "provided when requesting Authorization code.",
    };
  }
  if (grant.codeChallenge && !pkceMatches(grant, form.get("code_verifier"))) {
    return {
      error: "invalid_grant",
      code: 501481,
      message: "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    };
  }
  const requested = form.has("scope") ? splitScopes(form.get("scope")) : grant.scopes;
  const notConsented = consentProblem(ctx, account, clientId, requested);
  if (notConsented) return notConsented;
  grant.redeemed = true;
  return issueTokens(ctx, account, clientId, [...new Set([...grant.scopes, ...requested.map(normalize)])], {
    ...(grant.nonce ? { nonce: grant.nonce } : {}),
    clientInfo: form.get("client_info") === "1",
  });
}

function redeemRefreshToken(
  ctx: EndpointContext,
  form: URLSearchParams,
  clientId: string,
): TokenError | TokenBody {
  const { state } = ctx;
  const token = form.get("refresh_token");
  if (!token) return missing("refresh_token");
  const grant = state.refreshTokens.get(token);
  if (!grant || grant.clientId !== clientId) {
    return {
      error: "invalid_grant",
      code: 70000,
      message: "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.",
    };
  }
  const account = state.accounts.get(grant.accountId) as StoredAccount;
  if (grant.seq < account.validFromSeq) {
    return {
      error: "invalid_grant",
      code: 50173,
      message:
        "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user " +
        `might have changed or reset their password. The grant was issued on '${stsDate(grant.issuedAt)}' ` +
        `and the TokensValidFrom date (before which tokens are not valid) for this user is ` +
        `'${stsDate(account.tokensValidFrom)}'.`,
    };
  }
  if (grant.expired) {
    return {
      error: "invalid_grant",
      code: 700082,
      suberror: "bad_token",
      message:
        `The refresh token has expired due to inactivity. The token was issued on '${stsDate(grant.issuedAt)}' ` +
        "and was inactive for 90.00:00:00.",
    };
  }
  const requested = splitScopes(form.get("scope"));
  const notConsented = consentProblem(ctx, account, clientId, requested);
  if (notConsented) return notConsented;
  return issueTokens(ctx, account, clientId, requested.map(normalize), {
    clientInfo: form.get("client_info") === "1",
  });
}

/** AADSTS65001 when a token request names a Graph permission the user never consented to. */
function consentProblem(
  ctx: EndpointContext,
  account: StoredAccount,
  clientId: string,
  requested: string[],
): TokenError | undefined {
  const consented = ctx.state.consented(account.id, clientId);
  for (const raw of requested) {
    const scope = parseScope(raw);
    if (scope.kind === "oidc" || scope.kind === "graphDefault") continue;
    if (scope.kind === "graph" && consented.has(scope.value)) continue;
    if (scope.kind === "graph") {
      return {
        error: "invalid_grant",
        code: 65001,
        suberror: "consent_required",
        message:
          `The user or administrator has not consented to use the application with ID '${clientId}' named ` +
          `'${ctx.state.options.appName}'. Send an interactive authorization request for this user and resource.`,
      };
    }
    return {
      error: "invalid_scope",
      code: 70011,
      message: `The provided value for the input parameter 'scope' is not valid. The scope ${raw} is not valid.`,
    };
  }
  return undefined;
}

/**
 * The token response. The access token is for Graph and carries every Graph permission the user
 * has consented to for this app (as Microsoft's do); `refresh_token` only with `offline_access`,
 * `id_token` only with `openid`, `client_info` only when asked for with `client_info=1`.
 */
function issueTokens(
  ctx: EndpointContext,
  account: StoredAccount,
  clientId: string,
  scopes: string[],
  options: { nonce?: string; clientInfo: boolean },
): TokenBody {
  const { state } = ctx;
  const now = Date.now();
  const lifetime = state.options.accessTokenLifetimeSeconds;
  const graphScopes = [...state.consented(account.id, clientId)];
  const oidc = ["profile", "openid", "email"].filter((scope) => scopes.includes(scope));
  const accessToken = state.issue("access");
  state.accessTokens.set(accessToken, {
    clientId,
    accountId: account.id,
    scopes: graphScopes,
    expiresAt: now + lifetime * 1000,
  });
  const body: TokenBody = {
    token_type: "Bearer",
    scope: [...graphScopes, ...oidc].join(" "),
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: accessToken,
  };
  if (scopes.includes("offline_access")) {
    const refreshToken = state.issue("refresh");
    state.refreshTokens.set(refreshToken, {
      clientId,
      accountId: account.id,
      issuedAt: now,
      seq: state.nextSeq(),
      expired: false,
    });
    body.refresh_token = refreshToken;
  }
  if (scopes.includes("openid")) {
    const iat = Math.floor(now / 1000);
    body.id_token = signJwt(ctx.signingKey, {
      aud: clientId,
      iss: `${ctx.loginUrl}/${account.tenantId}/v2.0`,
      iat,
      nbf: iat,
      exp: iat + 3600,
      ...(scopes.includes("email") && account.mail ? { email: account.mail } : {}),
      ...(scopes.includes("profile") ? { name: account.displayName } : {}),
      ...(options.nonce ? { nonce: options.nonce } : {}),
      oid: account.id,
      ...(scopes.includes("profile") ? { preferred_username: account.userPrincipalName } : {}),
      sub: pairwiseSubject(account.id, clientId),
      tid: account.tenantId,
      uti: randomUUID().replace(/-/g, "").slice(0, 22),
      ver: "2.0",
    });
  }
  if (options.clientInfo) body.client_info = clientInfo(account.id, account.tenantId);
  return body;
}

function normalize(raw: string): string {
  const scope = parseScope(raw);
  return scope.kind === "oidc" || scope.kind === "graph" ? scope.value : raw;
}

function pkceMatches(grant: CodeGrant, verifier: string | null): boolean {
  if (!verifier) return false;
  const derived =
    grant.codeChallengeMethod === "S256"
      ? createHash("sha256").update(verifier).digest("base64url")
      : verifier;
  return derived === grant.codeChallenge;
}

/** A code must be redeemed against the tenant it was requested for (`/common` ↔ the user's own is fine). */
function sameTenantPath(issued: string, redeemed: string, accountTenant: string): boolean {
  const a = issued.toLowerCase();
  const b = redeemed.toLowerCase();
  if (a === b) return true;
  const own = accountTenant.toLowerCase();
  return (MULTI_TENANT.has(a) && b === own) || (MULTI_TENANT.has(b) && a === own);
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^basic\s+(\S+)$/i.exec(header?.trim() ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return {
    id: decodeURIComponent(decoded.slice(0, colon)),
    secret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
