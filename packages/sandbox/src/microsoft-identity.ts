import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./http";
import { type MicrosoftState, parseScope, splitScopes } from "./microsoft-state";
import {
  type AadErrorInput,
  aadErrorBody,
  aadErrorRedirect,
  clientInfo,
  GRAPH_RESOURCE_ID,
  MSA_TENANT_ID,
  type SigningKey,
  sendErrorPage,
} from "./microsoft-wire";

/**
 * The login host's browser-facing and discovery endpoints: `/{tenant}/oauth2/v2.0/authorize`,
 * `/{tenant}/oauth2/v2.0/logout`, `/{tenant}/v2.0/.well-known/openid-configuration`,
 * `/{tenant}/discovery/v2.0/keys` and `/{tenant}/discovery/instance`.
 */

export interface EndpointContext {
  state: MicrosoftState;
  /** `https://localhost:<port>`, standing for `https://login.microsoftonline.com`. */
  loginUrl: string;
  /** `https://localhost:<port>`, standing for `https://graph.microsoft.com`. */
  graphUrl: string;
  /** `localhost:<port>`: what MSAL compares with `knownAuthorities` and instance metadata. */
  hostAndPort: string;
  signingKey: SigningKey;
}

/** Authorization codes live about 10 minutes ("Authorization codes are short lived…"). */
export const CODE_LIFETIME_MS = 10 * 60 * 1000;
const MULTI_TENANT = new Set(["common", "organizations", "consumers"]);

/** Whether `{tenant}` names something Microsoft would answer for; AADSTS90002 otherwise. */
export function knownTenant(ctx: EndpointContext, tenant: string): boolean {
  return MULTI_TENANT.has(tenant.toLowerCase()) || ctx.state.knowsTenant(tenant);
}

export function tenantNotFound(tenant: string): Omit<AadErrorInput, "correlationId"> {
  return {
    error: "invalid_request",
    code: 90002,
    message:
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing ` +
      "into the correct cloud. Check with your subscription administrator, this may happen if there " +
      "are no active subscriptions for the tenant.",
  };
}

export async function handleAuthorize(
  ctx: EndpointContext,
  req: IncomingMessage,
  res: ServerResponse,
  tenant: string,
  params: URLSearchParams,
): Promise<void> {
  const { state } = ctx;
  const correlationId = params.get("client-request-id") ?? req.headers["client-request-id"]?.toString();
  if (!knownTenant(ctx, tenant)) {
    sendErrorPage(res, 90002, tenantNotFound(tenant).message);
    return;
  }
  const clientId = params.get("client_id");
  if (!clientId) {
    sendErrorPage(res, 900144, "The request body must contain the following parameter: 'client_id'.");
    return;
  }
  if (clientId !== state.options.clientId) {
    sendErrorPage(
      res,
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can ` +
        "happen if the application has not been installed by the administrator of the tenant or " +
        "consented to by any user in the tenant. You may have sent your authentication request to the " +
        "wrong tenant.",
    );
    return;
  }
  const redirectUri = params.get("redirect_uri");
  if (!redirectUri) {
    sendErrorPage(res, 900971, "No reply address provided.");
    return;
  }
  const registered = state.options.redirectUris;
  if ((registered && !registered.includes(redirectUri)) || !URL.canParse(redirectUri)) {
    sendErrorPage(
      res,
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs ` +
        `configured for the application '${clientId}'. Make sure the redirect URI sent in the request ` +
        "matches one added to your application in the Azure portal. Navigate to " +
        "https://aka.ms/redirectUriMismatchError to learn more about how to fix this.",
    );
    return;
  }

  // From here on Microsoft trusts the redirect URI and sends errors there.
  const stateParam = params.get("state") ?? undefined;
  const responseMode = params.get("response_mode") ?? "query";
  const fail = (input: Omit<AadErrorInput, "correlationId">) => {
    redirect(res, aadErrorRedirect(redirectUri, ctx.loginUrl, { ...input, correlationId }, stateParam));
  };
  const missing = (name: string) =>
    fail({
      error: "invalid_request",
      code: 900144,
      message: `The request body must contain the following parameter: '${name}'.`,
    });

  const responseType = params.get("response_type");
  if (!responseType) return missing("response_type");
  if (responseType !== "code") {
    return fail({
      error: "unsupported_response_type",
      code: 70005,
      message: `The sandbox serves the authorization code flow only; response_type '${responseType}' is not modelled.`,
    });
  }
  if (responseMode !== "query" && responseMode !== "fragment") {
    return fail({
      error: "invalid_request",
      code: 70007,
      message: `The sandbox answers with response_mode 'query' or 'fragment'; '${responseMode}' is not modelled.`,
    });
  }
  const rawScopes = splitScopes(params.get("scope"));
  if (rawScopes.length === 0) return missing("scope");
  const requested: string[] = [];
  for (const raw of rawScopes) {
    const scope = parseScope(raw);
    if (scope.kind === "unknownGraph") {
      return fail({
        error: "invalid_client",
        code: 650053,
        message:
          `The application '${state.options.appName}' asked for scope '${scope.value}' that doesn't exist ` +
          `on the resource '${GRAPH_RESOURCE_ID}'. Contact the app vendor.`,
      });
    }
    if (scope.kind === "otherResource") {
      return fail({
        error: "invalid_resource",
        code: 500011,
        message:
          `The resource principal named ${scope.resource} was not found in the tenant named ${tenant}. This ` +
          "can happen if the application has not been installed by the administrator of the tenant or " +
          "consented to by any user in the tenant. You might have sent your authentication request to " +
          "the wrong tenant.",
      });
    }
    if (scope.kind === "graphDefault") continue;
    if (!requested.includes(scope.value)) requested.push(scope.value);
  }

  const challenge = params.get("code_challenge") ?? undefined;
  const method = params.get("code_challenge_method") ?? (challenge ? "plain" : undefined);
  if (method && !challenge) return missing("code_challenge");
  if (method && method !== "S256" && method !== "plain") {
    return fail({
      error: "invalid_request",
      code: 50149,
      message: "Invalid Code_Challenge_method parameter.",
    });
  }
  if (challenge && (challenge.length < 43 || challenge.length > 128)) {
    return fail({
      error: "invalid_request",
      code: 501491,
      message: "Invalid size of Code_Challenge parameter.",
    });
  }

  const prompt = params.get("prompt") ?? undefined;
  // A `login_hint` naming an account the sandbox has signs in as it (the user types that username);
  // otherwise the browser's session decides.
  const hinted = params.get("login_hint");
  const hintedAccount = hinted ? state.findAccount(hinted) : undefined;
  if (hintedAccount && prompt !== "none") state.sessionAccountId = hintedAccount.id;
  const account = state.sessionAccountId ? state.accounts.get(state.sessionAccountId) : undefined;
  if (!account) {
    if (prompt === "none") {
      return fail({
        error: "login_required",
        code: 50058,
        message:
          "A silent sign-in request was sent but no user is signed in. The cookies used to represent the " +
          "user's session were not sent in the request to Azure AD. This can happen if the user is using " +
          "Internet Explorer or Edge, and the web app sending the silent sign-in request is in different " +
          "IE security zone than the Azure AD endpoint (login.microsoftonline.com).",
      });
    }
    sendSignInPage(res);
    return;
  }
  if (!MULTI_TENANT.has(tenant.toLowerCase()) && tenant.toLowerCase() !== account.tenantId.toLowerCase()) {
    sendErrorPage(
      res,
      50020,
      `User account '{EmailHidden}' from identity provider 'https://sts.windows.net/${account.tenantId}/' ` +
        `does not exist in tenant '${tenant}' and cannot access the application '${clientId}'` +
        `(${state.options.appName}) in that tenant. The account needs to be added as an external user in ` +
        "the tenant first. Sign out and sign in again with a different Azure Active Directory user account.",
    );
    return;
  }

  const consented = state.consented(account.id, clientId);
  const graphRequested = requested.filter((scope) => parseScope(scope).kind === "graph");
  const needsConsent = prompt === "consent" || graphRequested.some((scope) => !consented.has(scope));
  if (needsConsent) {
    if (prompt === "none") {
      return fail({
        error: "consent_required",
        code: 65001,
        message:
          `The user or administrator has not consented to use the application with ID '${clientId}' named ` +
          `'${state.options.appName}'. Send an interactive authorization request for this user and resource.`,
      });
    }
    if (state.pendingDenials > 0) {
      state.pendingDenials -= 1;
      return fail({
        error: "access_denied",
        code: 65004,
        message: "User declined to consent to access the app.",
      });
    }
    for (const scope of graphRequested) consented.add(scope);
  }

  const code = state.issue("code");
  state.codes.set(code, {
    clientId,
    redirectUri,
    tenantPath: tenant,
    accountId: account.id,
    scopes: requested,
    ...(challenge ? { codeChallenge: challenge, codeChallengeMethod: method as "S256" | "plain" } : {}),
    ...(params.get("nonce") ? { nonce: params.get("nonce") as string } : {}),
    issuedAt: Date.now(),
    redeemed: false,
  });
  const reply = new URLSearchParams({ code });
  if (params.get("client_info") === "1") reply.set("client_info", clientInfo(account.id, account.tenantId));
  if (stateParam !== undefined) reply.set("state", stateParam);
  reply.set("session_state", randomUUID());
  const target = new URL(redirectUri);
  if (responseMode === "fragment") target.hash = reply.toString();
  else for (const [name, value] of reply) target.searchParams.append(name, value);
  redirect(res, target.toString());
}

/** `GET /{tenant}/oauth2/v2.0/logout`: ends the browser session, then `post_logout_redirect_uri`. */
export function handleLogout(ctx: EndpointContext, res: ServerResponse, params: URLSearchParams): void {
  ctx.state.sessionAccountId = undefined;
  const target = params.get("post_logout_redirect_uri");
  if (target && URL.canParse(target)) {
    redirect(res, target);
    return;
  }
  const html = "<!DOCTYPE html><html><body><p>You signed out of your account</p></body></html>";
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
  });
  res.end(html);
}

/** `GET /{tenant}/v2.0/.well-known/openid-configuration`, with this host in place of Microsoft's. */
export function openIdConfiguration(ctx: EndpointContext, tenant: string): Record<string, unknown> {
  const base = `${ctx.loginUrl}/${tenant}`;
  const lower = tenant.toLowerCase();
  const issuerTenant =
    lower === "consumers" ? MSA_TENANT_ID : MULTI_TENANT.has(lower) ? "{tenantid}" : tenant;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${ctx.loginUrl}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub",
      "iss",
      "cloud_instance_name",
      "cloud_instance_host_name",
      "cloud_graph_host_name",
      "msgraph_host",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "nonce",
      "preferred_username",
      "name",
      "tid",
      "ver",
      "at_hash",
      "c_hash",
      "email",
    ],
    tenant_region_scope: null,
    cloud_instance_name: ctx.hostAndPort,
    cloud_graph_host_name: new URL(ctx.graphUrl).host,
    msgraph_host: new URL(ctx.graphUrl).host,
  };
}

/** `GET /{tenant}/discovery/v2.0/keys`: the ID-token signing key as a JWK set. */
export function jwks(ctx: EndpointContext, tenant: string): Record<string, unknown> {
  const lower = tenant.toLowerCase();
  const issuerTenant = MULTI_TENANT.has(lower) ? "{tenantid}" : tenant;
  return { keys: [{ ...ctx.signingKey.jwk, issuer: `${ctx.loginUrl}/${issuerTenant}/v2.0` }] };
}

/**
 * `GET /common/discovery/instance?api-version=1.1&authorization_endpoint=…`: Microsoft's instance
 * discovery, answering for this host only; any other authority is AADSTS50049 `invalid_instance`.
 */
export function handleInstanceDiscovery(
  ctx: EndpointContext,
  res: ServerResponse,
  params: URLSearchParams,
  correlationId: string | undefined,
): void {
  const endpoint = params.get("authorization_endpoint") ?? "";
  const parsed = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
  const ours = parsed?.protocol === "https:" && parsed.host.toLowerCase() === ctx.hostAndPort.toLowerCase();
  if (!parsed || !ours) {
    sendJson(
      res,
      400,
      aadErrorBody(ctx.loginUrl, {
        error: "invalid_instance",
        code: 50049,
        message: "Unknown or invalid instance.",
        ...(correlationId ? { correlationId } : {}),
      }),
    );
    return;
  }
  const tenant = parsed.pathname.split("/").filter(Boolean)[0] ?? "common";
  sendJson(res, 200, {
    tenant_discovery_endpoint: `${ctx.loginUrl}/${tenant}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [
      { preferred_network: ctx.hostAndPort, preferred_cache: ctx.hostAndPort, aliases: [ctx.hostAndPort] },
    ],
  });
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, "content-length": 0 });
  res.end();
}

/** What a browser without a session sees: Microsoft's sign-in form (the sandbox has no passwords). */
function sendSignInPage(res: ServerResponse): void {
  const html =
    "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>" +
    "<h1>Sign in</h1><p>No account is signed in to the sandbox's browser: call signIn(email).</p></body></html>";
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
  });
  res.end(html);
}
