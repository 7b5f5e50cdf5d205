import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import { GraphMailboxes, type GraphMailboxLimits } from "./graph-mail";
import { type LoopbackServer, readBody, sendJson } from "./http";
import type { MailWorld } from "./mail-world";
import type { FaultOptions, MailboxUsage } from "./mailbox-quota";
import { type AccessCheck, checkAccessToken, serveGraph } from "./microsoft-graph";
import {
  type EndpointContext,
  handleAuthorize,
  handleInstanceDiscovery,
  handleLogout,
  jwks,
  openIdConfiguration,
} from "./microsoft-identity";
import {
  type MicrosoftAccount,
  type MicrosoftAccountInput,
  MicrosoftState,
  publicAccount,
  splitScopes,
} from "./microsoft-state";
import { handleToken } from "./microsoft-token";
import type {
  MicrosoftEndpoint,
  MicrosoftFailure,
  MicrosoftRecordedRequest,
  MicrosoftSandboxOptions,
} from "./microsoft-types";
import { errorPageText, idTokenSigningKey, sendLoginFailure } from "./microsoft-wire";
import { defaultTlsDir, type LoopbackTls, listenLoopbackTls, loopbackTls } from "./tls";

export type { GraphMailboxLimits } from "./graph-mail";
export type { AccessCheck } from "./microsoft-graph";
export type { MicrosoftAccount, MicrosoftAccountInput } from "./microsoft-state";
export type {
  MicrosoftEndpoint,
  MicrosoftFailure,
  MicrosoftRecordedRequest,
  MicrosoftSandboxOptions,
} from "./microsoft-types";

/**
 * A loopback Microsoft identity platform (login.microsoftonline.com, v2.0 endpoints) and Microsoft
 * Graph (`/v1.0/me`) for tests, the local runtime and benchmarks, served over https from one
 * server. The real `@azure/msal-node` and `@microsoft/microsoft-graph-client` talk to it unchanged:
 *
 * ```ts
 * const ms = await MicrosoftSandbox.start({ redirectUris: ["https://app.example/callback"] });
 * ms.addAccount({ email: "maya@contoso.example" });
 * ms.signIn("maya@contoso.example");
 * const cca = new ConfidentialClientApplication({ auth: { clientId: ms.clientId,
 *   clientSecret: ms.clientSecret, authority: `${ms.loginUrl}/common`, knownAuthorities: [ms.host] } });
 * const callback = await ms.consent(await cca.getAuthCodeUrl({ … }));   // plays the browser
 * const graph = Client.init({ authProvider, baseUrl: `${ms.graphUrl}/`, customHosts: new Set([ms.hostname]) });
 * ```
 *
 * The process making requests must trust {@link caFile} from its start (`NODE_EXTRA_CA_CERTS`).
 *
 * Wire format as Microsoft's (see microsoft-wire.ts for the sources):
 * - `GET /{tenant}/oauth2/v2.0/authorize`: an unknown `client_id` (AADSTS700016), a missing or
 *   unregistered `redirect_uri` (AADSTS900971 / 50011) or an unknown tenant (90002) is an error
 *   page (HTTP 200, no redirect); every later error goes back to the redirect URI as `error`,
 *   `error_description`, `error_uri`, `state`. Success is `302 <redirect_uri>?code=…&client_info=…
 *   &state=…&session_state=…` (`client_info` when asked with `client_info=1`).
 * - Scopes: OIDC scopes, Graph permissions with or without `https://graph.microsoft.com/`,
 *   case-insensitively; a Graph permission name outside the user-consentable list is AADSTS650053
 *   (`invalid_client`), another resource AADSTS500011 (`invalid_resource`).
 * - `POST /{tenant}/oauth2/v2.0/token` (see microsoft-token.ts): codes are single-use and live 10
 *   minutes; PKCE S256/plain; every refresh returns a new refresh token and the old one stays valid
 *   ("Refresh tokens aren't revoked when used to acquire new access tokens") until
 *   {@link revokeSessions}. Access tokens are opaque and stay valid until they expire, even after
 *   `revokeSessions`, as Microsoft's do.
 * - `GET /{tenant}/v2.0/.well-known/openid-configuration`, `/{tenant}/discovery/v2.0/keys` (RS256,
 *   the ID tokens' key) and `/common/discovery/instance?api-version=1.1&authorization_endpoint=…`.
 * - Graph `GET /v1.0/me` with `$select` over the default properties; 401
 *   `InvalidAuthenticationToken`, 403 `Authorization_RequestDenied` without a `User.*` permission.
 * - Outlook mail and calendar read from a {@link MailWorld} per mailbox ({@link attachWorld}):
 *   `GET /v1.0/me/mailFolders`, `/me/mailFolders/{id}`, `/me/mailFolders/{id}/messages/delta`,
 *   `/me/messages/{id}` (graph-mail.ts), `/me/calendarView/delta` (graph-calendar.ts) and
 *   `POST /v1.0/$batch` (graph-batch.ts), under Outlook's per-mailbox limits (10,000 requests per
 *   10 minutes, 4 in flight: 429 with `Retry-After`), with injectable faults and usage counters.
 *
 * Not modelled (an explicit error, never a silent success): response types other than `code`,
 * `response_mode=form_post`, other grant types, certificate credentials, admin consent,
 * conditional access, account pickers (the sandbox's browser holds one signed-in account).
 */

interface PendingFailure {
  failure: MicrosoftFailure;
  remaining: number;
}

export class MicrosoftSandbox {
  private server!: LoopbackServer;
  private ctx!: EndpointContext;
  private tls!: Pick<LoopbackTls, "key" | "cert"> & { caFile?: string };
  private readonly recorded: MicrosoftRecordedRequest[] = [];
  private readonly failures: PendingFailure[] = [];
  private readonly mailboxes = new GraphMailboxes();

  private constructor(private readonly state: MicrosoftState) {}

  static async start(options: MicrosoftSandboxOptions = {}): Promise<MicrosoftSandbox> {
    const lifetime = options.accessTokenLifetimeSeconds ?? 3600;
    if (!Number.isInteger(lifetime) || lifetime < 1)
      throw new RangeError("accessTokenLifetimeSeconds must be >= 1");
    const sandbox = new MicrosoftSandbox(
      new MicrosoftState({
        clientId: options.clientId ?? randomUUID(),
        clientSecret:
          options.clientSecret ??
          `${randomBytes(3).toString("hex")}~${randomBytes(27).toString("base64url")}`,
        ...(options.redirectUris ? { redirectUris: [...options.redirectUris] } : {}),
        appName: options.appName ?? "Kith",
        accessTokenLifetimeSeconds: lifetime,
        defaultTenantId: options.defaultTenantId ?? randomUUID(),
      }),
    );
    const [tls, signingKey] = await Promise.all([
      options.tls ? Promise.resolve(options.tls) : loopbackTls(defaultTlsDir()),
      idTokenSigningKey(),
    ]);
    sandbox.tls = tls;
    sandbox.server = await listenLoopbackTls((req, res) => sandbox.handle(req, res), tls, options.port ?? 0);
    const url = sandbox.server.url;
    sandbox.ctx = {
      state: sandbox.state,
      loginUrl: url,
      graphUrl: url,
      hostAndPort: new URL(url).host,
      signingKey,
    };
    return sandbox;
  }

  /** `https://localhost:<port>`. */
  get url(): string {
    return this.server.url;
  }

  /** MICROSOFT_LOGIN_URL: stands for `https://login.microsoftonline.com`; authorities are `${loginUrl}/common`. */
  get loginUrl(): string {
    return this.server.url;
  }

  /** MICROSOFT_GRAPH_URL: stands for `https://graph.microsoft.com` (without `/v1.0`). */
  get graphUrl(): string {
    return this.server.url;
  }

  /** `localhost:<port>`: the entry for MSAL's `auth.knownAuthorities` (MSAL compares host and port). */
  get host(): string {
    return this.ctx.hostAndPort;
  }

  /** `localhost`: the entry for the Graph client's `customHosts` (it compares the host name only). */
  get hostname(): string {
    return new URL(this.server.url).hostname;
  }

  /** The self-signed certificate served (PEM): what a client must trust. */
  get certificate(): string {
    return this.tls.cert;
  }

  /** The certificate's PEM file, for `NODE_EXTRA_CA_CERTS`; undefined when `tls` was given without one. */
  get caFile(): string | undefined {
    return this.tls.caFile;
  }

  get clientId(): string {
    return this.state.options.clientId;
  }

  get clientSecret(): string {
    return this.state.options.clientSecret;
  }

  /** The tenant of accounts added without `tenantId`. */
  get defaultTenantId(): string {
    return this.state.options.defaultTenantId;
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  // ---- directory ---------------------------------------------------------------------------

  addAccount(input: MicrosoftAccountInput): MicrosoftAccount {
    return this.state.addAccount(input);
  }

  account(email: string): MicrosoftAccount {
    return publicAccount(this.state.requireAccount(email));
  }

  /** Signs the account in to the sandbox's one browser session (replacing any other). */
  signIn(email: string): void {
    this.state.sessionAccountId = this.state.requireAccount(email).id;
  }

  signOut(): void {
    this.state.sessionAccountId = undefined;
  }

  /** The Graph permissions the account has consented to for the app. */
  consentedScopes(email: string): string[] {
    return [...this.state.consented(this.state.requireAccount(email).id, this.clientId)];
  }

  /** The next consent screen is declined (`error=access_denied`, AADSTS65004). */
  denyNextConsent(): void {
    this.state.pendingDenials += 1;
  }

  /**
   * Like Graph's `revokeSignInSessions`: every refresh token issued so far for the account fails
   * with AADSTS50173 (`invalid_grant`), and its browser session ends. Access tokens already issued
   * stay valid until they expire, as Microsoft's do.
   */
  revokeSessions(email: string): void {
    const account = this.state.requireAccount(email);
    account.tokensValidFrom = Date.now();
    account.validFromSeq = this.state.nextSeq();
    if (this.state.sessionAccountId === account.id) this.state.sessionAccountId = undefined;
  }

  /** Every access token issued so far is expired: Graph answers 401 "Access token has expired…". */
  expireAccessTokens(): void {
    for (const grant of this.state.accessTokens.values()) grant.expiresAt = 0;
  }

  /** Refresh tokens issued so far (of one account, or all) expire from inactivity: AADSTS700082. */
  expireRefreshTokens(email?: string): void {
    const accountId = email === undefined ? undefined : this.state.requireAccount(email).id;
    for (const grant of this.state.refreshTokens.values()) {
      if (accountId === undefined || grant.accountId === accountId) grant.expired = true;
    }
  }

  /**
   * The account an access token acts for, checked as Graph checks it (issued here, unexpired, and
   * carrying one of `requiredScope` when given); the failure says Graph's status, code and message.
   */
  accountForAccessToken(
    token: string | undefined,
    requiredScope?: string | readonly string[],
  ): { ok: true; account: MicrosoftAccount; scopes: string[] } | Extract<AccessCheck, { ok: false }> {
    const check = checkAccessToken(this.state, token, requiredScope);
    return check.ok ? { ...check, account: publicAccount(check.account) } : check;
  }

  /** Every authorization code, access token and refresh token issued, for leak checks. */
  issuedSecrets(): string[] {
    return [...this.state.issued];
  }

  /**
   * Plays the browser: GETs `authorizeUrl` (without following redirects) as the signed-in account
   * and returns the `Location` Microsoft sends the browser to, i.e. the app's callback with `code`
   * or `error`. Throws with the page's message when Microsoft shows an error page instead.
   */
  async consent(authorizeUrl: string): Promise<URL> {
    const target = new URL(authorizeUrl);
    if (target.host.toLowerCase() !== this.host.toLowerCase()) {
      throw new Error(
        `consent() takes an authorize URL of this sandbox (${this.loginUrl}), got ${target.origin}`,
      );
    }
    const { status, location, body } = await new Promise<{ status: number; location?: string; body: string }>(
      (resolve, reject) => {
        const req = httpsRequest(target, { method: "GET", ca: this.tls.cert, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              ...(res.headers.location ? { location: res.headers.location } : {}),
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
          res.on("error", reject);
        });
        req.on("error", reject);
        req.end();
      },
    );
    if (status === 302 && location) return new URL(location);
    throw new Error(`The authorize request was not redirected (HTTP ${status}): ${errorPageText(body)}`);
  }

  // ---- mailboxes ---------------------------------------------------------------------------

  /** The account's Outlook mailbox and calendar are `world` from now on; its changes show in delta rounds. */
  attachWorld(email: string, world: MailWorld): void {
    this.mailboxes.attach(this.state.requireAccount(email), world);
  }

  /**
   * Every delta and skip token issued so far for the account's mail and calendar is gone, as when
   * Exchange evicts sync states: using one is 410 `SyncStateNotFound`, and the client must start over.
   */
  expireDeltaTokens(email: string): void {
    this.mailboxes.expireTokens(this.state.requireAccount(email));
  }

  /**
   * Outlook's per-mailbox limits, for every mailbox from now on (10,000 requests per 600,000 ms and
   * 4 in flight by default): beyond them Graph answers 429 with `Retry-After`.
   */
  mailboxLimits(change: GraphMailboxLimits): void {
    this.mailboxes.limits(change);
  }

  /**
   * Random failures (a seeded share of 500/503/429, `Retry-After` on 429 and 503) and added latency
   * for the mail and calendar routes; `{}` turns them off.
   */
  mailboxFaults(options: FaultOptions): void {
    this.mailboxes.setFaults(options);
  }

  /** The next `times` (1) mail or calendar requests fail with `status` (429 or 5xx). */
  failNextMailboxRequest(status: number, times = 1): void {
    this.mailboxes.failNext(status, times);
  }

  /** What the account's mailbox was asked for: requests by endpoint, units, 429s, 5xx, most in flight. */
  mailboxUsage(email: string): MailboxUsage {
    return this.mailboxes.usage(this.state.requireAccount(email).email);
  }

  /** Zeroes the usage counters and spent budgets of one mailbox, or of all. */
  resetMailboxUsage(email?: string): void {
    const mailbox = email === undefined ? undefined : this.state.requireAccount(email).email;
    this.mailboxes.resetUsage(mailbox);
  }

  // ---- faults and recording ---------------------------------------------------------------

  /** The next `times` (1) requests to `endpoint` fail with `status`, as Microsoft throttles or fails. */
  failNext(failure: MicrosoftFailure): void {
    const times = failure.times ?? 1;
    if (
      !Number.isInteger(failure.status) ||
      !(failure.status === 429 || (failure.status >= 500 && failure.status <= 599))
    ) {
      throw new RangeError(`failNext needs 429 or a 5xx status, got ${failure.status}`);
    }
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError(`failNext needs times >= 1, got ${times}`);
    this.failures.push({ failure: { ...failure }, remaining: times });
  }

  /** Every request received, in arrival order. */
  get requests(): MicrosoftRecordedRequest[] {
    return this.recorded.map((request) => structuredClone(request));
  }

  /** How many requests reached `endpoint` (with `grantType`, for the token endpoint). */
  count(endpoint: MicrosoftEndpoint, grantType?: string): number {
    return this.recorded.filter(
      (request) =>
        request.endpoint === endpoint && (grantType === undefined || request.grantType === grantType),
    ).length;
  }

  clearRequests(): void {
    this.recorded.length = 0;
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", this.server.url);
    const body = await readBody(req);
    const segments = url.pathname.split("/").filter(Boolean);
    const record: MicrosoftRecordedRequest = { endpoint: "unknown", method, path: url.pathname };
    this.recorded.push(record);
    res.on("finish", () => {
      record.status = res.statusCode;
    });

    if (segments[0]?.toLowerCase() === "v1.0") {
      record.endpoint = /^\/v1\.0\/me\/?$/i.test(url.pathname) ? "me" : "graph";
      record.bearer = /^bearer\s/i.test(req.headers.authorization ?? "");
      const failure =
        this.dueFailure(record.endpoint) ?? (record.endpoint === "me" ? this.dueFailure("graph") : undefined);
      await serveGraph({
        state: this.state,
        mailboxes: this.mailboxes,
        req,
        res,
        url,
        body,
        loginUrl: this.loginUrl,
        graphUrl: this.graphUrl,
        failure,
      });
      return;
    }
    const tenant = segments[0] ?? "";
    const rest = segments.slice(1).join("/").toLowerCase();
    record.tenant = tenant;
    const form = new URLSearchParams(method === "POST" ? body : "");
    const params = method === "POST" ? form : url.searchParams;
    const correlationId =
      req.headers["client-request-id"]?.toString() ?? url.searchParams.get("client-request-id") ?? undefined;

    switch (rest) {
      case "oauth2/v2.0/authorize": {
        record.endpoint = "authorize";
        describe(record, params);
        const failure = this.dueFailure("authorize");
        if (failure) return sendLoginFailure(res, "authorize", failure, this.loginUrl, correlationId);
        await handleAuthorize(this.ctx, req, res, tenant, params);
        return;
      }
      case "oauth2/v2.0/token": {
        record.endpoint = "token";
        describe(record, form);
        const failure = this.dueFailure("token");
        if (failure) return sendLoginFailure(res, "token", failure, this.loginUrl, correlationId);
        await handleToken(this.ctx, req, res, tenant, form, correlationId);
        return;
      }
      case "oauth2/v2.0/logout":
        record.endpoint = "logout";
        handleLogout(this.ctx, res, url.searchParams);
        return;
      case "v2.0/.well-known/openid-configuration":
        record.endpoint = "openid-configuration";
        sendJson(res, 200, openIdConfiguration(this.ctx, tenant));
        return;
      case "discovery/v2.0/keys":
        record.endpoint = "keys";
        sendJson(res, 200, jwks(this.ctx, tenant));
        return;
      case "discovery/instance":
        record.endpoint = "instance-discovery";
        handleInstanceDiscovery(this.ctx, res, url.searchParams, correlationId);
        return;
      default:
        sendJson(res, 404, {
          error: "not_found",
          error_description: `The sandbox does not serve ${url.pathname}`,
        });
    }
  }

  private dueFailure(endpoint: MicrosoftFailure["endpoint"]): MicrosoftFailure | undefined {
    const index = this.failures.findIndex((pending) => pending.failure.endpoint === endpoint);
    const pending = this.failures[index];
    if (!pending) return undefined;
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.failures.splice(index, 1);
    return pending.failure;
  }
}

function describe(record: MicrosoftRecordedRequest, params: URLSearchParams): void {
  const clientId = params.get("client_id");
  if (clientId) record.clientId = clientId;
  const grantType = params.get("grant_type");
  if (grantType) record.grantType = grantType;
  if (params.has("scope")) record.scopes = splitScopes(params.get("scope"));
}
