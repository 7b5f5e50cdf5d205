import { randomBytes, randomInt } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type GmailOptions, GmailService } from "./gmail";
import { type CalendarOptions, CalendarService } from "./google-calendar";
import { type GoogleAccountInput, type GoogleClient, GoogleGrants } from "./google-grants";
import { type SigningKey, signingKey } from "./google-jwt";
import {
  apiFailure,
  authorizeRequest,
  type BrowserSession,
  checkAccess,
  isRedirectUri,
  type Reply,
  revokeRequest,
  tokenRequest,
  userinfoRequest,
} from "./google-oauth";
import type {
  GoogleAccessCheck,
  GoogleAccessGrant,
  GoogleEndpoint,
  GoogleFailure,
  GoogleRecordedRequest,
  GoogleRouteContext,
  GoogleRouteHandler,
  GoogleSandboxOptions,
} from "./google-types";
import {
  AUTHORIZE_PATH,
  insufficientScope,
  invalidCredential,
  JWK_CERTS_PATH,
  missingCredential,
  outageBody,
  PEM_CERTS_PATH,
  pageText,
  REVOKE_PATH,
  renderErrorPage,
  TOKEN_PATH,
  TOKENINFO_PATH,
  USERINFO_PATH,
} from "./google-wire";
import { type LoopbackServer, listenLoopback, readBody, sendJson } from "./http";
import type { MailWorld } from "./mail-world";

export type { GmailOptions } from "./gmail";
export type { CalendarOptions } from "./google-calendar";
export type { GoogleAccountInput } from "./google-grants";

/** The Gmail and Calendar APIs' limits, on top of the OAuth options. */
export interface GoogleMailSandboxOptions extends GoogleSandboxOptions {
  gmail?: GmailOptions;
  calendar?: CalendarOptions;
}
export type {
  GoogleAccessCheck,
  GoogleAccessGrant,
  GoogleEndpoint,
  GoogleFailure,
  GoogleRecordedRequest,
  GoogleRouteContext,
  GoogleRouteHandler,
  GoogleSandboxOptions,
} from "./google-types";

/**
 * A loopback Google OAuth 2.0 authorization server and userinfo API, for tests, the demo and the
 * local runtime when no Google client id is configured. The real `google-auth-library` client
 * talks to it unchanged:
 *
 * ```ts
 * const google = await GoogleSandbox.start({ redirectUris: ["http://127.0.0.1:3000/oauth/google"] });
 * google.addAccount({ email: "maya@acme.example" });
 * const client = new OAuth2Client({ clientId: google.clientId, clientSecret: google.clientSecret,
 *   redirectUri: "http://127.0.0.1:3000/oauth/google", endpoints: google.clientEndpoints });
 * const callback = await google.consent(client.generateAuthUrl({ scope: ["email"], access_type: "offline" }));
 * const { tokens } = await client.getToken(callback.searchParams.get("code") ?? "");
 * ```
 *
 * Endpoints, at Google's paths on one 127.0.0.1 server (`rootUrl` stands in for both
 * `https://www.googleapis.com/` and `https://oauth2.googleapis.com/`):
 * - `GET /o/oauth2/v2/auth` ({@link authorizeUrl}): an unknown `client_id` is an "Error 401:
 *   invalid_client" page, an unregistered `redirect_uri` an "Error 400: redirect_uri_mismatch"
 *   page, a missing parameter or unknown scope an "Error 400: invalid_request / invalid_scope"
 *   page: never a redirect to an app Google could not vouch for. Otherwise the browser's account
 *   (the `login_hint` account if the sandbox has one by that email or sub, else the signed-in
 *   one, as a user would pick it in the account chooser) consents and the browser is sent to
 *   `redirect_uri?state=…&code=…&scope=…&authuser=…&prompt=consent|none` (`hd` for Workspace
 *   accounts), or `?error=access_denied&state=…` after {@link denyNextConsent}. `prompt=none`
 *   without a prior consent answers `error=consent_required`. PKCE: `code_challenge` with
 *   `code_challenge_method` `S256` or `plain` (the default).
 * - `POST /token` ({@link tokenUrl}), form-encoded, client credentials in the body or as HTTP
 *   Basic: `authorization_code` (single use, 10 minutes, same `redirect_uri`, PKCE checked) and
 *   `refresh_token`. Errors are Google's `{ error, error_description }` (see google-wire.ts).
 *   A refresh token is issued only for `access_type=offline` when the consent screen was shown:
 *   on the first consent of this account to this client, when new scopes are asked, or with
 *   `prompt=consent`, as Google does. ID tokens (RS256, `iss` `https://accounts.google.com`)
 *   come with every grant holding `openid` (implied by `email`/`profile`).
 * - `POST /revoke` ({@link revokeUrl}), `token` in the query (as OAuth2Client sends it) or the
 *   form: revokes the whole authorization behind an access or refresh token, so every token of
 *   this client and account stops working. 200 `{}`; 400 `invalid_token` otherwise.
 * - `GET /oauth2/v2/userinfo`: `{ id, email, verified_email, picture }` (+ `name`, `given_name`,
 *   `family_name` with the profile scope, `hd` for Workspace). A request without a usable token
 *   gets Google's 401 `UNAUTHENTICATED` body and `WWW-Authenticate: Bearer`.
 * - `GET /oauth2/v1/certs` and `/oauth2/v3/certs`: the ID-token key, so `verifyIdToken` works.
 *
 * The Gmail API ({@link gmail}, gmail.ts) and the Calendar API's events.list ({@link calendar},
 * google-calendar.ts) are served on the same server over a {@link MailWorld} given to
 * {@link attachWorld}; more routes can be added with {@link route}, using {@link authenticate} /
 * {@link accountForAccessToken} for the caller's account and scopes.
 *
 * Recorded requests hold the path and grant type only; tokens are never recorded or logged.
 */

interface Route {
  method: string;
  pattern: string | RegExp;
  endpoint: GoogleEndpoint;
  handler: GoogleRouteHandler;
}

export class GoogleSandbox {
  readonly clientId: string;
  readonly clientSecret: string;
  private readonly grants: GoogleGrants;
  private readonly routes: Route[] = [];
  private readonly recorded: GoogleRecordedRequest[] = [];
  private readonly failures = new Map<
    GoogleEndpoint,
    { status: number; remaining: number; body?: unknown }
  >();
  private server!: LoopbackServer;
  private readonly session: BrowserSession = { signedInSub: undefined, denyNext: false };
  /** Gmail's controls: quota, faults, usage, `expireHistory`. */
  readonly gmail: GmailService;
  /** Calendar's controls: quota, faults, usage, `expireSyncTokens`. */
  readonly calendar: CalendarService;

  private constructor(
    private readonly key: SigningKey,
    options: GoogleMailSandboxOptions,
  ) {
    this.clientId =
      options.clientId ?? `${randomInt(100_000_000, 999_999_999)}-sandbox.apps.googleusercontent.com`;
    this.clientSecret = options.clientSecret ?? `GOCSPX-${randomBytes(21).toString("base64url")}`;
    this.grants = new GoogleGrants(options.accessTokenLifetimeSeconds ?? 3600);
    const client: GoogleClient = { clientId: this.clientId, clientSecret: this.clientSecret };
    if (options.redirectUris) client.redirectUris = [...options.redirectUris];
    this.grants.clients.set(this.clientId, client);
    const reply = (handler: (context: GoogleRouteContext) => Reply) => (context: GoogleRouteContext) =>
      sendReply(context.res, handler(context));
    this.route(
      "GET",
      AUTHORIZE_PATH,
      "authorize",
      reply(({ url }) => authorizeRequest(this.grants, this.session, url.searchParams)),
    );
    this.route(
      "POST",
      TOKEN_PATH,
      "token",
      reply(({ req, body }) => tokenRequest(this.grants, this.key, req.headers.authorization, body)),
    );
    this.route(
      "POST",
      REVOKE_PATH,
      "revoke",
      reply(({ url, body }) => revokeRequest(this.grants, url.searchParams, body)),
    );
    this.route(
      "GET",
      USERINFO_PATH,
      "userinfo",
      reply(({ req, url }) => userinfoRequest(this.grants, bearerToken(req, url))),
    );
    this.route("GET", PEM_CERTS_PATH, "certs", ({ res }) =>
      sendJson(res, 200, { [this.key.kid]: this.key.certificatePem }, CERT_CACHE),
    );
    this.route("GET", JWK_CERTS_PATH, "certs", ({ res }) =>
      sendJson(res, 200, { keys: [this.key.jwk] }, CERT_CACHE),
    );
    this.gmail = new GmailService(this, options.gmail);
    this.calendar = new CalendarService(this, options.calendar);
  }

  static async start(options: GoogleMailSandboxOptions = {}): Promise<GoogleSandbox> {
    const accessLifetime = options.accessTokenLifetimeSeconds ?? 3600;
    if (!Number.isInteger(accessLifetime) || accessLifetime < 1) {
      throw new RangeError("accessTokenLifetimeSeconds must be a positive integer");
    }
    for (const uri of options.redirectUris ?? []) {
      if (!isRedirectUri(uri)) throw new RangeError(`Not an http(s) redirect URI without fragment: ${uri}`);
    }
    const sandbox = new GoogleSandbox(await signingKey(), options);
    sandbox.server = await listenLoopback((req, res) => sandbox.handle(req, res), options.port ?? 0);
    return sandbox;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return this.server.url;
  }

  get port(): number {
    return this.server.port;
  }

  /** `GOOGLE_API_ROOT_URL`: the API root, with its trailing slash, as googleapis clients expect. */
  get rootUrl(): string {
    return `${this.server.url}/`;
  }

  get authorizeUrl(): string {
    return `${this.server.url}${AUTHORIZE_PATH}`;
  }

  get tokenUrl(): string {
    return `${this.server.url}${TOKEN_PATH}`;
  }

  get revokeUrl(): string {
    return `${this.server.url}${REVOKE_PATH}`;
  }

  /** For `new OAuth2Client({ endpoints })`: every URL it could call, all on this sandbox. */
  get clientEndpoints(): {
    oauth2AuthBaseUrl: string;
    oauth2TokenUrl: string;
    oauth2RevokeUrl: string;
    oauth2FederatedSignonPemCertsUrl: string;
    oauth2FederatedSignonJwkCertsUrl: string;
    tokenInfoUrl: string;
  } {
    return {
      oauth2AuthBaseUrl: this.authorizeUrl,
      oauth2TokenUrl: this.tokenUrl,
      oauth2RevokeUrl: this.revokeUrl,
      oauth2FederatedSignonPemCertsUrl: `${this.server.url}${PEM_CERTS_PATH}`,
      oauth2FederatedSignonJwkCertsUrl: `${this.server.url}${JWK_CERTS_PATH}`,
      tokenInfoUrl: `${this.server.url}${TOKENINFO_PATH}`,
    };
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  // ---- the user and their browser ---------------------------------------------------------------

  /** Creates a Google account. The first one is the browser's signed-in account until {@link signIn}. */
  addAccount(input: GoogleAccountInput): { email: string; sub: string } {
    const account = this.grants.addAccount(input);
    this.session.signedInSub ??= account.sub;
    return { email: account.email, sub: account.sub };
  }

  /** Serves `world` as the Gmail mailbox and primary calendar of the account `email`. */
  attachWorld(email: string, world: MailWorld): void {
    const account = this.grants.findAccount(email);
    if (!account) throw new Error(`No Google account ${email}; call addAccount first`);
    this.gmail.attach(account.email, world);
    this.calendar.attach(account.email, world);
  }

  /** Switches the browser session to another account (by email or sub). */
  signIn(email: string): void {
    const account = this.grants.findAccount(email);
    if (!account) throw new Error(`No Google account ${email}; call addAccount first`);
    this.session.signedInSub = account.sub;
  }

  /** The next consent is refused: the user clicks "Cancel" (`error=access_denied`). */
  denyNextConsent(): void {
    this.session.denyNext = true;
  }

  /**
   * Plays the browser at an authorization URL of this sandbox: follows it without redirects and
   * returns where Google sends the user next (the app's callback, with `code` or `error`). Throws
   * with the page's text when the sandbox shows an error page instead.
   */
  async consent(authorizeUrl: string | URL): Promise<URL> {
    const target = new URL(authorizeUrl);
    if (target.origin !== new URL(this.url).origin) {
      throw new Error(`Not an authorization URL of this sandbox: ${target.origin}${target.pathname}`);
    }
    const response = await fetch(target, { redirect: "manual" });
    const text = await response.text();
    const location = response.headers.get("location");
    if (response.status === 302 && location) return new URL(location);
    throw new Error(`Google sandbox answered ${response.status}: ${pageText(text)}`);
  }

  /** The user removed the app from their Google account: its tokens stop working, refreshes get invalid_grant. */
  revokeGrant(email: string, clientId?: string): void {
    const account = this.grants.findAccount(email);
    if (!account) throw new Error(`No Google account ${email}`);
    this.grants.removeAuthorizations(account.sub, clientId);
  }

  /** Every access token issued so far is expired (refresh tokens keep working). */
  expireAccessTokens(): void {
    this.grants.expireAccessTokens();
  }

  /** `expires_in` of access tokens issued from now on. */
  setAccessTokenLifetime(seconds: number): void {
    if (!Number.isInteger(seconds) || seconds < 1) throw new RangeError("The lifetime is a positive integer");
    this.grants.accessTokenLifetimeSeconds = seconds;
  }

  /** Moves the sandbox's clock forward (code and token expiry, ID token times). */
  advanceTime(seconds: number): void {
    if (!(seconds >= 0)) throw new RangeError("Time only moves forward");
    this.grants.advance(seconds);
  }

  failNext(failure: GoogleFailure): void {
    if (failure.status !== 429 && (failure.status < 500 || failure.status > 599)) {
      throw new RangeError("failNext simulates outages: 429 or 5xx");
    }
    this.failures.set(failure.endpoint, {
      status: failure.status,
      remaining: failure.times ?? 1,
      ...(failure.body === undefined ? {} : { body: failure.body }),
    });
  }

  // ---- what happened ------------------------------------------------------------------------

  /** Requests received, oldest first; never with tokens, codes or secrets. */
  get requests(): GoogleRecordedRequest[] {
    return this.recorded.map((request) => ({ ...request, at: new Date(request.at) }));
  }

  /** How many requests reached `endpoint` (with that `grant_type`, for `token`). */
  count(endpoint: GoogleEndpoint, grantType?: string): number {
    return this.recorded.filter(
      (request) =>
        request.endpoint === endpoint && (grantType === undefined || request.grantType === grantType),
    ).length;
  }

  clearRequests(): void {
    this.recorded.length = 0;
  }

  /** Every authorization code, access token and refresh token issued, to scan stores and logs for. */
  issuedSecrets(): string[] {
    return this.grants.issuedSecrets();
  }

  // ---- for API routes (Gmail, Calendar) -------------------------------------------------------

  /** Serves `pattern` (an exact path, or a RegExp on the path) on this server. */
  route(
    method: string,
    pattern: string | RegExp,
    endpoint: GoogleEndpoint,
    handler: GoogleRouteHandler,
  ): void {
    this.routes.push({ method: method.toUpperCase(), pattern, endpoint, handler });
  }

  /**
   * The account and scopes behind a live access token. With `requiredScope` (one scope, or a list
   * of which any one suffices, as Google API methods accept), a token lacking it is
   * `insufficient_scope`.
   */
  accountForAccessToken(token: string, requiredScope?: string | readonly string[]): GoogleAccessCheck {
    const check = checkAccess(this.grants, token, requiredScope);
    if (!check.ok) return check;
    const { account, clientId, scopes } = check;
    return { ok: true, account: { email: account.email, sub: account.sub }, clientId, scopes };
  }

  /**
   * For API routes: the grant behind the request's access token (`Authorization: Bearer`, or the
   * `access_token` query parameter), or undefined after answering Google's 401 or 403.
   */
  authenticate(
    context: GoogleRouteContext,
    acceptedScopes: readonly string[],
  ): GoogleAccessGrant | undefined {
    const token = bearerToken(context.req, context.url);
    const check = token === undefined ? undefined : this.accountForAccessToken(token, acceptedScopes);
    if (check?.ok) return { account: check.account, clientId: check.clientId, scopes: check.scopes };
    const error = !check
      ? missingCredential()
      : check.reason === "invalid"
        ? invalidCredential()
        : insufficientScope(acceptedScopes);
    sendReply(context.res, apiFailure(error));
    return undefined;
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", this.url);
    const body = await readBody(req);
    const matching = this.routes
      .map((route) => ({ route, match: matchPath(route.pattern, url.pathname) }))
      .filter((candidate) => candidate.match !== undefined);
    const found = matching.find((candidate) => candidate.route.method === method);
    const endpoint = (found ?? matching[0])?.route.endpoint ?? "unknown";
    const grantType = endpoint === "token" ? new URLSearchParams(body).get("grant_type") : null;
    this.recorded.push({
      method,
      path: url.pathname,
      endpoint,
      ...(grantType === null ? {} : { grantType }),
      at: new Date(this.grants.now()),
    });

    if (!found) {
      res.writeHead(matching.length > 0 ? 405 : 404, { "content-type": "text/html; charset=utf-8" });
      res.end(matching.length > 0 ? "<p>Error 405 (Method Not Allowed)</p>" : "<p>Error 404 (Not Found)</p>");
      return;
    }
    const failure = endpoint === "unknown" ? undefined : this.failures.get(endpoint);
    if (failure && endpoint !== "unknown") {
      failure.remaining -= 1;
      if (failure.remaining <= 0) this.failures.delete(endpoint);
      const family = endpoint === "token" || endpoint === "revoke" ? "oauth" : "api";
      sendJson(res, failure.status, failure.body ?? outageBody(family, failure.status));
      return;
    }
    const match = found.match === true ? undefined : found.match;
    await found.route.handler({ req, res, url, body, ...(match ? { match } : {}) });
  }
}

const CERT_CACHE = { "cache-control": "public, max-age=21600, must-revalidate, no-transform" };

function sendReply(res: ServerResponse, reply: Reply): void {
  if (reply.kind === "json") {
    sendJson(res, reply.status, reply.body, reply.headers);
    return;
  }
  if (reply.kind === "redirect") {
    res.writeHead(302, { location: reply.location, "content-length": 0 });
    res.end();
    return;
  }
  const html = renderErrorPage(reply.page);
  res.writeHead(reply.page.status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
  });
  res.end(html);
}

function matchPath(pattern: string | RegExp, path: string): RegExpExecArray | true | undefined {
  if (typeof pattern === "string") return pattern === path ? true : undefined;
  return pattern.exec(path) ?? undefined;
}

function bearerToken(req: IncomingMessage, url: URL): string | undefined {
  const match = /^bearer\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? "");
  return match?.[1] ?? url.searchParams.get("access_token") ?? undefined;
}
