import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomInt,
  verify,
} from "node:crypto";
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import { type LoopbackServer, listenLoopback, readBody, sendJson } from "./http";

/**
 * A loopback GitHub REST API for a GitHub App, for tests, the local runtime and benchmarks. The
 * real `@octokit/auth-app` client talks to it unchanged:
 *
 * ```ts
 * const github = await GitHubSandbox.start();
 * github.addInstallation({ id: 4242, account: { id: 9001, login: "acme", type: "Organization" } });
 * const auth = createAppAuth({
 *   appId: github.appId,
 *   privateKey: github.privateKey,
 *   request: request.defaults({ baseUrl: github.url }), // GITHUB_API_URL
 * });
 * const { data } = await auth.hook(request.defaults({ baseUrl: github.url }),
 *   "GET /app/installations/{installation_id}", { installation_id: 4242 });
 * ```
 *
 * Wire format as GitHub's (docs.github.com "Generating a JSON Web Token (JWT) for a GitHub App",
 * "REST API endpoints for GitHub Apps"):
 * - App endpoints need `Authorization: Bearer <JWT>`: RS256 over the app's key, `iss` the app id
 *   (number or string) or its client id, integer `iat` not in the future, integer `exp` in the
 *   future and at most 600 s ahead of the server's clock. The scheme is matched case-insensitively
 *   (`@octokit/auth-app` sends `bearer`).
 * - Errors are GitHub's `{ message, documentation_url, status }` bodies: an unknown resource is 404
 *   `Not Found` with the endpoint's documentation URL; a JWT that does not decode or verify is 401
 *   `A JSON web token could not be decoded`; a JWT whose `iss` names no app is 404
 *   `Integration not found`; the time claims fail with GitHub's own messages (which
 *   `@octokit/auth-app` matches to retry with the server's `Date`).
 * - Replies carry `Content-Type: application/json; charset=utf-8`, `X-GitHub-Request-Id`,
 *   `X-GitHub-Media-Type`, `X-GitHub-Api-Version-Selected`, the `X-RateLimit-*` headers and a
 *   `Date` from the sandbox clock (which {@link GitHubSandbox.setClockOffset} can skew).
 *
 * Endpoints served: `GET /app`, `GET /app/installations/{installation_id}`,
 * `POST /app/installations/{installation_id}/access_tokens`, `GET /orgs/{org}/installation`,
 * `GET /users/{username}/installation`. Anything else is 404, as GitHub answers an unknown path
 * or an unsupported method. Modelling choices (each strict rather than lenient):
 * - A request with no `Authorization` is 401 `Requires authentication`.
 * - Only `Bearer` carries a JWT; any other scheme or a token that is not a JWT (an installation
 *   token, a personal token) is 401 `A JSON web token could not be decoded`.
 * - `exp` is checked against the server's clock, not against `iat`: GitHub's own sample sets
 *   `iat` 60 s back and `exp` 600 s ahead.
 * - `/users/{username}/installation` finds user accounts only, `/orgs/{org}/installation`
 *   organizations only; logins match case-insensitively, as on GitHub.
 */

/** `simple-user` as GitHub sends it for an installation's account or an app's owner. */
export interface RawGitHubAccount {
  login: string;
  id: number;
  node_id: string;
  avatar_url: string;
  gravatar_id: string;
  url: string;
  html_url: string;
  followers_url: string;
  following_url: string;
  gists_url: string;
  starred_url: string;
  subscriptions_url: string;
  organizations_url: string;
  repos_url: string;
  events_url: string;
  received_events_url: string;
  type: GitHubAccountType;
  user_view_type: string;
  site_admin: boolean;
}

/** An installation as `GET /app/installations/{installation_id}` answers it. */
export interface RawGitHubInstallation {
  id: number;
  client_id: string;
  account: RawGitHubAccount;
  repository_selection: "all" | "selected";
  access_tokens_url: string;
  repositories_url: string;
  html_url: string;
  app_id: number;
  app_slug: string;
  target_id: number;
  target_type: GitHubAccountType;
  permissions: Record<string, string>;
  events: string[];
  created_at: string;
  updated_at: string;
  single_file_name: string | null;
  has_multiple_single_files: boolean;
  single_file_paths: string[];
  suspended_by: null;
  suspended_at: null;
}

/** The app as `GET /app` answers it (`integration` in GitHub's OpenAPI description). */
export interface RawGitHubApp {
  id: number;
  client_id: string;
  slug: string;
  node_id: string;
  owner: RawGitHubAccount;
  name: string;
  description: string | null;
  external_url: string;
  html_url: string;
  created_at: string;
  updated_at: string;
  permissions: Record<string, string>;
  events: string[];
  installations_count: number;
}

export type GitHubAccountType = "Organization" | "User";

export interface GitHubAccountInput {
  id: number;
  login: string;
  type: GitHubAccountType;
}

export interface AddInstallationInput {
  id: number;
  account: GitHubAccountInput;
  /** Defaults to `{ metadata: "read", members: "read" }`. */
  permissions?: Record<string, string>;
  /** Webhook events subscribed to; defaults to `["member", "membership", "organization"]`. */
  events?: string[];
  /** Defaults to `all`. */
  repositorySelection?: "all" | "selected";
}

export interface GitHubSandboxOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** The App id (`iss`); random six digits by default. */
  appId?: number;
  /** The App's client id, also accepted as `iss`; `Iv23li` and 14 random characters by default. */
  clientId?: string;
  /** The App's slug; `kith-sandbox` by default. */
  slug?: string;
  /** The App's private key (PKCS#1 or PKCS#8 PEM); a fresh 2048-bit RSA key by default. */
  privateKey?: string;
  /** The account that owns the App; an organization `kith-dev` by default. */
  owner?: GitHubAccountInput;
}

/** One request the sandbox received, recorded before authentication and fault injection. */
export interface GitHubRecordedRequest {
  method: string;
  /** The path as sent, e.g. `/app/installations/4242`. */
  path: string;
  /** The route it matched, e.g. `/app/installations/{installation_id}`; absent for unknown paths. */
  route?: string;
  query: Record<string, string>;
  /** What `Authorization` held: a JWT (`bearer`), something else, or nothing. Never the credential. */
  auth: "jwt" | "other" | "none";
}

export interface GitHubFailure {
  /** `METHOD /route` (`GET /app/installations/{installation_id}`) to fail; every route when omitted. */
  route?: string;
  status: number;
  /** The body; GitHub's `{ message, documentation_url, status }` for the status by default. */
  body?: unknown;
  /** Sent as `Retry-After` when given. */
  retryAfterSeconds?: number;
  /** How many matching requests fail; 1 by default. */
  times?: number;
}

interface StoredInstallation {
  id: number;
  account: GitHubAccountInput;
  permissions: Record<string, string>;
  events: string[];
  repositorySelection: "all" | "selected";
  createdAt: string;
  updatedAt: string;
}

interface Fault {
  route: string | undefined;
  status: number;
  body: unknown;
  retryAfterSeconds: number | undefined;
  remaining: number;
}

interface Route {
  method: "GET" | "POST";
  route: string;
  pattern: RegExp;
  /** The anchor of the endpoint in https://docs.github.com/rest/apps/apps. */
  docs: string;
  handle: (params: string[]) => { status: number; body: unknown };
}

const DOCS = "https://docs.github.com/rest";
const APPS_DOCS = "https://docs.github.com/rest/apps/apps";
const API_VERSION = "2022-11-28";
const RATE_LIMIT = 5000;
const MAX_JWT_LIFETIME_SECONDS = 600;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const JWT_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** A GitHub error reply, in GitHub's body shape. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly documentationUrl: string = DOCS,
  ) {
    super(message);
  }

  get body(): Record<string, string> {
    return { message: this.message, documentation_url: this.documentationUrl, status: String(this.status) };
  }
}

/** GitHub's timestamps: ISO 8601 in UTC without milliseconds. */
function githubTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** The legacy global node id GitHub still sends for accounts and apps: base64 of `0<n>:<Type><id>`. */
function nodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString("base64");
}

function decodeSegment(segment: string): unknown {
  if (!JWT_SEGMENT.test(segment)) throw new Error("not base64url");
  return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `X-GitHub-Request-Id`: five colon-separated upper-case hex groups, like `C0DE:1A2B3:4C5D6E:7F8091:66A1B2C3`. */
function requestId(): string {
  const hex = (bytes: number) => randomBytes(bytes).toString("hex").toUpperCase();
  return `${hex(2)}:${hex(3).slice(1)}:${hex(4).slice(1)}:${hex(4).slice(1)}:${hex(4)}`;
}

export class GitHubSandbox {
  readonly appId: number;
  readonly clientId: string;
  readonly slug: string;
  /** The App's private key as PEM: PKCS#1 (`BEGIN RSA PRIVATE KEY`), as GitHub's download is, unless one was given. */
  readonly privateKey: string;
  private readonly publicKey: KeyObject;
  private readonly owner: GitHubAccountInput;
  private readonly createdAt: string;
  private server!: LoopbackServer;
  private readonly installations = new Map<number, StoredInstallation>();
  private readonly recorded: GitHubRecordedRequest[] = [];
  private faults: Fault[] = [];
  private offsetMs = 0;
  private rateLimitUsed = 0;
  /** End of the current hourly rate-limit window, in epoch seconds, as `X-RateLimit-Reset` gives it. */
  private rateLimitReset = 0;
  private readonly routes: Route[] = [
    {
      method: "GET",
      route: "/app",
      pattern: /^\/app$/,
      docs: "get-the-authenticated-app",
      handle: () => ({ status: 200, body: this.renderApp() }),
    },
    {
      method: "GET",
      route: "/app/installations/{installation_id}",
      pattern: /^\/app\/installations\/([^/]+)$/,
      docs: "get-an-installation-for-the-authenticated-app",
      handle: ([id]) => ({ status: 200, body: this.render(this.installationById(id)) }),
    },
    {
      method: "POST",
      route: "/app/installations/{installation_id}/access_tokens",
      pattern: /^\/app\/installations\/([^/]+)\/access_tokens$/,
      docs: "create-an-installation-access-token-for-an-app",
      handle: ([id]) => ({ status: 201, body: this.accessToken(this.installationById(id)) }),
    },
    {
      method: "GET",
      route: "/orgs/{org}/installation",
      pattern: /^\/orgs\/([^/]+)\/installation$/,
      docs: "get-an-organization-installation-for-the-authenticated-app",
      handle: ([login]) => ({ status: 200, body: this.render(this.installationFor(login, "Organization")) }),
    },
    {
      method: "GET",
      route: "/users/{username}/installation",
      pattern: /^\/users\/([^/]+)\/installation$/,
      docs: "get-a-user-installation-for-the-authenticated-app",
      handle: ([login]) => ({ status: 200, body: this.render(this.installationFor(login, "User")) }),
    },
  ];

  private constructor(options: GitHubSandboxOptions) {
    this.appId = options.appId ?? randomInt(100_000, 1_000_000);
    if (!Number.isSafeInteger(this.appId) || this.appId < 1) {
      throw new RangeError(`Not a GitHub App id: ${this.appId}`);
    }
    this.clientId = options.clientId ?? `Iv23li${randomBytes(7).toString("hex")}`;
    this.slug = options.slug ?? "kith-sandbox";
    if (options.privateKey) {
      this.privateKey = options.privateKey;
      this.publicKey = createPublicKey(createPrivateKey(options.privateKey));
    } else {
      const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
      this.privateKey = pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
      this.publicKey = pair.publicKey;
    }
    this.owner = options.owner ?? { id: 1_000_001, login: "kith-dev", type: "Organization" };
    checkAccount(this.owner);
    this.createdAt = githubTime(Date.now());
  }

  /** Starts a sandbox listening on 127.0.0.1. */
  static async start(options: GitHubSandboxOptions = {}): Promise<GitHubSandbox> {
    const sandbox = new GitHubSandbox(options);
    sandbox.server = await listenLoopback((req, res) => sandbox.handle(req, res), options.port ?? 0);
    return sandbox;
  }

  /** `http://127.0.0.1:<port>`: the `baseUrl` for Octokit, and what `GITHUB_API_URL` is set to. */
  get url(): string {
    return this.server.url;
  }

  get port(): number {
    return this.server.port;
  }

  /** Stops the server and drops kept-alive connections. */
  async close(): Promise<void> {
    await this.server.close();
  }

  // ---- clock -------------------------------------------------------------------------------

  /** The sandbox clock, which checks JWT times and dates replies: wall time plus the offset. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /**
   * Skews the sandbox clock by `seconds` from this machine's (negative: GitHub behind). A JWT
   * minted on this machine then looks early or late to the sandbox, as with real clock drift.
   */
  setClockOffset(seconds: number): void {
    this.offsetMs = seconds * 1000;
  }

  // ---- installations -----------------------------------------------------------------------

  /** Installs the App on an account, as the account's owner would; returns the installation as GitHub shows it. */
  addInstallation(input: AddInstallationInput): RawGitHubInstallation {
    if (!Number.isSafeInteger(input.id) || input.id < 1) {
      throw new RangeError(`Not an installation id: ${input.id}`);
    }
    checkAccount(input.account);
    if (this.installations.has(input.id)) throw new Error(`Installation ${input.id} already exists`);
    for (const existing of this.installations.values()) {
      if (existing.account.id === input.account.id) {
        throw new Error(`The App is already installed on account ${input.account.id} (${existing.id})`);
      }
    }
    const at = githubTime(this.now());
    const installation: StoredInstallation = {
      id: input.id,
      account: { ...input.account },
      permissions: { ...(input.permissions ?? { metadata: "read", members: "read" }) },
      events: [...(input.events ?? ["member", "membership", "organization"])],
      repositorySelection: input.repositorySelection ?? "all",
      createdAt: at,
      updatedAt: at,
    };
    this.installations.set(installation.id, installation);
    return this.render(installation);
  }

  /** Uninstalls the App: the installation is then 404 everywhere. */
  removeInstallation(id: number): void {
    if (!this.installations.delete(id)) throw new Error(`No installation ${id}`);
  }

  /** The installation as `GET /app/installations/{id}` shows it; undefined if unknown. */
  installation(id: number): RawGitHubInstallation | undefined {
    const installation = this.installations.get(id);
    return installation && this.render(installation);
  }

  // ---- requests and faults -----------------------------------------------------------------

  /** Every request received, in arrival order (retries included), without credentials. */
  requests(): GitHubRecordedRequest[] {
    return this.recorded.map((request) => structuredClone(request));
  }

  /**
   * How many requests matched `what`: `METHOD /route` (`GET /app/installations/{installation_id}`),
   * `METHOD /path` (`GET /app/installations/4242`), or a route or path alone.
   */
  requestCount(what: string): number {
    return this.recorded.filter(
      (request) =>
        what === request.path ||
        what === request.route ||
        what === `${request.method} ${request.path}` ||
        what === `${request.method} ${request.route}`,
    ).length;
  }

  clearRequests(): void {
    this.recorded.length = 0;
  }

  /** Makes the next `times` requests (of `route`, or any) fail with `status`. */
  failNext(failure: GitHubFailure): void {
    const times = failure.times ?? 1;
    if (!Number.isInteger(failure.status) || failure.status < 400 || failure.status > 599) {
      throw new RangeError(`failNext needs a 4xx or 5xx status, got ${failure.status}`);
    }
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError(`failNext needs times >= 1, got ${times}`);
    if (failure.route !== undefined && !this.routes.some((r) => `${r.method} ${r.route}` === failure.route)) {
      throw new RangeError(`No route ${failure.route}`);
    }
    this.faults.push({
      route: failure.route,
      status: failure.status,
      body: failure.body ?? new ApiError(failure.status, STATUS_CODES[failure.status] ?? "Error", DOCS).body,
      retryAfterSeconds: failure.retryAfterSeconds,
      remaining: times,
    });
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    await readBody(req);
    const authorization = req.headers.authorization;
    const matched = this.routes
      .map((route) => ({ route, match: method === route.method ? route.pattern.exec(url.pathname) : null }))
      .find((candidate) => candidate.match !== null);
    this.recorded.push({
      method,
      path: url.pathname,
      ...(matched ? { route: matched.route.route } : {}),
      query: Object.fromEntries(url.searchParams),
      auth: !authorization
        ? "none"
        : /^bearer\s+[^.\s]+\.[^.\s]+\.[^.\s]+$/i.test(authorization)
          ? "jwt"
          : "other",
    });
    const nowSeconds = Math.floor(this.now() / 1000);
    if (nowSeconds >= this.rateLimitReset) {
      this.rateLimitReset = nowSeconds + 3600;
      this.rateLimitUsed = 0;
    }
    this.rateLimitUsed += 1;
    const headers = this.headers();

    const fault = this.takeFault(matched ? `${matched.route.method} ${matched.route.route}` : undefined);
    if (fault) {
      if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
      sendJson(res, fault.status, fault.body, headers);
      return;
    }
    try {
      if (!matched?.match) throw new ApiError(404, "Not Found");
      const docs = `${APPS_DOCS}#${matched.route.docs}`;
      this.authenticateApp(authorization, docs);
      const params = matched.match.slice(1).map((param) => decodePathSegment(param));
      const { status, body } = matched.route.handle(params);
      sendJson(res, status, body, headers);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      sendJson(res, error.status, error.body, headers);
    }
  }

  private headers(): Record<string, string> {
    const now = this.now();
    return {
      date: new Date(now).toUTCString(),
      "x-github-request-id": requestId(),
      "x-github-media-type": "github.v3; format=json",
      "x-github-api-version-selected": API_VERSION,
      "x-ratelimit-limit": String(RATE_LIMIT),
      "x-ratelimit-remaining": String(Math.max(0, RATE_LIMIT - this.rateLimitUsed)),
      "x-ratelimit-reset": String(this.rateLimitReset),
      "x-ratelimit-used": String(this.rateLimitUsed),
      "x-ratelimit-resource": "core",
    };
  }

  /** Checks the App JWT as GitHub does; throws GitHub's error otherwise. */
  private authenticateApp(authorization: string | undefined, docs: string): void {
    if (!authorization) throw new ApiError(401, "Requires authentication", docs);
    const undecodable = new ApiError(401, "A JSON web token could not be decoded");
    const [scheme = "", credential = "", ...extra] = authorization.trim().split(/\s+/);
    if (scheme.toLowerCase() !== "bearer" || extra.length > 0) throw undecodable;
    const segments = credential.split(".");
    if (segments.length !== 3) throw undecodable;
    const [encodedHeader = "", encodedPayload = "", encodedSignature = ""] = segments;
    let header: unknown;
    let payload: unknown;
    try {
      header = decodeSegment(encodedHeader);
      payload = decodeSegment(encodedPayload);
    } catch {
      throw undecodable;
    }
    if (!isRecord(header) || header.alg !== "RS256" || !isRecord(payload)) throw undecodable;
    const { iss, iat, exp } = payload;
    if (!this.issuedByThisApp(iss)) throw new ApiError(404, "Integration not found");
    if (!JWT_SEGMENT.test(encodedSignature)) throw undecodable;
    const valid = verify(
      "sha256",
      Buffer.from(`${encodedHeader}.${encodedPayload}`),
      this.publicKey,
      Buffer.from(encodedSignature, "base64url"),
    );
    if (!valid) throw undecodable;
    const nowSeconds = Math.floor(this.now() / 1000);
    if (!Number.isInteger(iat) || (iat as number) > nowSeconds) {
      throw new ApiError(
        401,
        "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
      );
    }
    if (!Number.isInteger(exp) || (exp as number) <= nowSeconds) {
      throw new ApiError(
        401,
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
      );
    }
    if ((exp as number) > nowSeconds + MAX_JWT_LIFETIME_SECONDS) {
      throw new ApiError(401, "'Expiration time' claim ('exp') is too far in the future");
    }
  }

  private issuedByThisApp(iss: unknown): boolean {
    if (typeof iss === "number") return iss === this.appId;
    if (typeof iss !== "string") return false;
    return iss === this.clientId || iss === String(this.appId);
  }

  private installationById(raw: string | undefined): StoredInstallation {
    const id = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    const installation = this.installations.get(id);
    if (!installation) {
      throw new ApiError(404, "Not Found", `${APPS_DOCS}#get-an-installation-for-the-authenticated-app`);
    }
    return installation;
  }

  private installationFor(login: string | undefined, type: GitHubAccountType): StoredInstallation {
    const wanted = (login ?? "").toLowerCase();
    const installation = [...this.installations.values()].find(
      (candidate) => candidate.account.type === type && candidate.account.login.toLowerCase() === wanted,
    );
    if (!installation) {
      const anchor =
        type === "Organization"
          ? "get-an-organization-installation-for-the-authenticated-app"
          : "get-a-user-installation-for-the-authenticated-app";
      throw new ApiError(404, "Not Found", `${APPS_DOCS}#${anchor}`);
    }
    return installation;
  }

  private accessToken(installation: StoredInstallation): Record<string, unknown> {
    return {
      token: `ghs_${alphanumeric(36)}`,
      expires_at: githubTime(this.now() + 60 * 60 * 1000),
      permissions: { ...installation.permissions },
      repository_selection: installation.repositorySelection,
    };
  }

  private renderAccount(account: GitHubAccountInput): RawGitHubAccount {
    const api = this.url;
    const isOrg = account.type === "Organization";
    const users = `${api}/users/${account.login}`;
    return {
      login: account.login,
      id: account.id,
      node_id: nodeId(account.type, account.id),
      avatar_url: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
      gravatar_id: "",
      url: isOrg ? `${api}/orgs/${account.login}` : users,
      html_url: `https://github.com/${account.login}`,
      followers_url: `${users}/followers`,
      following_url: `${users}/following{/other_user}`,
      gists_url: `${users}/gists{/gist_id}`,
      starred_url: `${users}/starred{/owner}{/repo}`,
      subscriptions_url: `${users}/subscriptions`,
      organizations_url: `${users}/orgs`,
      repos_url: isOrg ? `${api}/orgs/${account.login}/repos` : `${users}/repos`,
      events_url: isOrg ? `${api}/orgs/${account.login}/events` : `${users}/events{/privacy}`,
      received_events_url: `${users}/received_events`,
      type: account.type,
      user_view_type: "public",
      site_admin: false,
    };
  }

  private render(installation: StoredInstallation): RawGitHubInstallation {
    const { account } = installation;
    return {
      id: installation.id,
      client_id: this.clientId,
      account: this.renderAccount(account),
      repository_selection: installation.repositorySelection,
      access_tokens_url: `${this.url}/app/installations/${installation.id}/access_tokens`,
      repositories_url: `${this.url}/installation/repositories`,
      html_url:
        account.type === "Organization"
          ? `https://github.com/organizations/${account.login}/settings/installations/${installation.id}`
          : `https://github.com/settings/installations/${installation.id}`,
      app_id: this.appId,
      app_slug: this.slug,
      target_id: account.id,
      target_type: account.type,
      permissions: { ...installation.permissions },
      events: [...installation.events],
      created_at: installation.createdAt,
      updated_at: installation.updatedAt,
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_by: null,
      suspended_at: null,
    };
  }

  private renderApp(): RawGitHubApp {
    return {
      id: this.appId,
      client_id: this.clientId,
      slug: this.slug,
      node_id: nodeId("Integration", this.appId),
      owner: this.renderAccount(this.owner),
      name: "Kith (sandbox)",
      description: null,
      external_url: "https://kith.example",
      html_url: `https://github.com/apps/${this.slug}`,
      created_at: this.createdAt,
      updated_at: this.createdAt,
      permissions: { metadata: "read", members: "read" },
      events: ["member", "membership", "organization"],
      installations_count: this.installations.size,
    };
  }

  private takeFault(route: string | undefined): Fault | undefined {
    const fault = this.faults.find((candidate) => candidate.route === undefined || candidate.route === route);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return fault;
  }
}

/** A path parameter, decoded; one that is not valid percent-encoding names nothing, so it is a 404. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(404, "Not Found");
  }
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `length` random letters and digits, as in GitHub's `ghs_` installation tokens. */
function alphanumeric(length: number): string {
  return Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join("");
}

function checkAccount(account: GitHubAccountInput): void {
  if (!Number.isSafeInteger(account.id) || account.id < 1) {
    throw new RangeError(`Not a GitHub account id: ${account.id}`);
  }
  if (!LOGIN.test(account.login)) throw new RangeError(`Not a GitHub login: ${account.login}`);
  if (account.type !== "Organization" && account.type !== "User") {
    throw new RangeError(`An account is an Organization or a User, not ${String(account.type)}`);
  }
}
