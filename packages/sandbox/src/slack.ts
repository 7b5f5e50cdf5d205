import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type LoopbackServer, listenLoopback, readBody, sendJson } from "./http";

/**
 * A loopback Slack Web API for tests, the local runtime and benchmarks. The real
 * `@slack/web-api` client talks to it unchanged:
 *
 * ```ts
 * const sandbox = await SlackSandbox.start();
 * sandbox.addTeam("T0123ABCD", "Acme");
 * sandbox.addBotToken({ token: "xoxb-…", teamId: "T0123ABCD", botUserId: "U0BOT0001", botId: "B0BOT0001",
 *   scopes: ["users:read", "users:read.email"] });
 * const slack = new WebClient("xoxb-…", { slackApiUrl: sandbox.url }); // http://127.0.0.1:<port>/api/
 * ```
 *
 * Wire format as Slack's: `POST <slackApiUrl><method>` with form-encoded (or query) arguments and
 * `Authorization: Bearer <token>` (or a `token` form field); answers are JSON with `ok`, and every
 * API-level error is HTTP 200 `{ ok: false, error }` (the SDK's `slack_webapi_platform_error`).
 * Only rate limiting (429 with `Retry-After`) and injected faults use other statuses. Replies
 * carry `X-OAuth-Scopes` and `X-Accepted-OAuth-Scopes`, which the SDK copies into
 * `response_metadata.scopes` / `acceptedScopes`.
 *
 * Methods served: `auth.test`, `users.info`, `users.lookupByEmail`. Modelling choices (each made
 * so that a consumer passing here does not rely on leniency the real API may not have):
 * - A token sees only its own team's users; a user of another team is `user_not_found`. An
 *   org-wide Enterprise Grid token ({@link AddBotTokenInput.enterpriseId}) sees the users of every
 *   workspace of its enterprise.
 * - `auth.test` answers per kind of installation: a workspace token gets its team (`team_id`
 *   `T…`, `url` `https://<domain>.slack.com/`, `is_enterprise_install: false`), plus
 *   `enterprise_id` when the workspace belongs to an Enterprise Grid org ("When working against a
 *   team within an Enterprise Grid, you'll also find their enterprise_id here", auth.test docs);
 *   an org-wide token gets `is_enterprise_install: true`, `enterprise_id`, and the enterprise
 *   itself as `team_id`, `team` and `url` (`E…`, `https://<domain>.enterprise.slack.com/`).
 *   Slack documents no org-wide sample: the `url` follows `@slack/oauth`, which stores an org
 *   install's `enterpriseUrl` from it; `team_id` being the `E…` id is not documented, so check an
 *   org-wide install by `is_enterprise_install` and `enterprise_id`, never by `team_id`.
 * - `users.info` needs `users:read` (else `missing_scope` with `needed` / `provided`); the
 *   profile's `email` is present only when the token also holds `users:read.email`, and never
 *   for bot users. `users.lookupByEmail` needs `users:read.email` and does not find deactivated
 *   users (`users_not_found`).
 * - A missing required argument is `invalid_arguments`; an unknown method is `unknown_method`,
 *   answered before the token is looked at, as Slack does.
 * - A `token` in the query string is ignored (Slack refuses it for apps created since 2021).
 * - Recorded requests never hold a token: only its last four characters.
 */

/** A Slack user as `users.info` returns it (the subset Slack always sends, plus `profile.email` when allowed). */
export interface RawSlackUser {
  id: string;
  team_id: string;
  name: string;
  deleted: boolean;
  color: string;
  real_name: string;
  tz?: string;
  tz_label?: string;
  tz_offset?: number;
  profile: RawSlackProfile;
  is_admin: boolean;
  is_owner: boolean;
  is_primary_owner: boolean;
  is_restricted: boolean;
  is_ultra_restricted: boolean;
  is_bot: boolean;
  is_app_user: boolean;
  updated: number;
  is_email_confirmed: boolean;
  who_can_share_contact_card: string;
  /** Members of an Enterprise Grid workspace only. */
  enterprise_user?: RawSlackEnterpriseUser;
}

/** `enterprise_user` of a user object, for Enterprise Grid members. */
export interface RawSlackEnterpriseUser {
  id: string;
  enterprise_id: string;
  enterprise_name: string;
  is_admin: boolean;
  is_owner: boolean;
  is_primary_owner: boolean;
  teams: string[];
}

export interface RawSlackProfile {
  title: string;
  phone: string;
  skype: string;
  real_name: string;
  real_name_normalized: string;
  display_name: string;
  display_name_normalized: string;
  fields: Record<string, unknown> | null;
  status_text: string;
  status_emoji: string;
  status_expiration: number;
  avatar_hash: string;
  email?: string;
  first_name: string;
  last_name: string;
  image_24: string;
  image_32: string;
  image_48: string;
  image_72: string;
  image_192: string;
  image_512: string;
  team: string;
  bot_id?: string;
  api_app_id?: string;
  always_active?: boolean;
}

export interface AddUserInput {
  teamId: string;
  /** `U…` (or `W…` for Enterprise Grid users). */
  userId: string;
  email?: string;
  realName?: string;
  /** Defaults to empty, as for most people who never set one. */
  displayName?: string;
  /** The legacy handle; defaults to the email's local part, else the real name in lower case. */
  name?: string;
  isBot?: boolean;
  /** Deactivated: still returned by `users.info`, with `deleted: true`. */
  deleted?: boolean;
  /** A guest (multi-channel guest when true). */
  isRestricted?: boolean;
  isAdmin?: boolean;
  /** IANA time zone; defaults to `America/Los_Angeles`, Slack's default. */
  tz?: string;
}

interface BotTokenInputBase {
  /** `xoxb-…`. */
  token: string;
  /** The bot's user (`U…`); added to the team as a bot user unless it already exists. */
  botUserId: string;
  /** `B…`. */
  botId: string;
  /** OAuth scopes granted, e.g. `["users:read", "users:read.email"]`. */
  scopes: readonly string[];
  /** The bot user's handle, reported by `auth.test` as `user`; `kith` by default. */
  botName?: string;
}

/**
 * A bot token of a workspace installation (`teamId`), or of an org-wide Enterprise Grid
 * installation (`enterpriseId`, see https://api.slack.com/enterprise/apps): exactly one of the two.
 */
export type AddBotTokenInput = BotTokenInputBase &
  ({ teamId: string; enterpriseId?: undefined } | { enterpriseId: string; teamId?: undefined });

export interface AddTeamOptions {
  /** The Enterprise Grid org (`E…`, added with `addEnterprise`) the workspace belongs to. */
  enterpriseId?: string;
}

export interface SlackFailure {
  /** The Web API method to fail (`users.info`); every method when omitted. */
  method?: string;
  /**
   * 429: rate limited, with `Retry-After` and `{ ok: false, error: "ratelimited" }`;
   * 4xx/5xx: an HTTP error (the SDK's `slack_webapi_http_error`);
   * 200: a platform error, which needs `error` (e.g. `fatal_error`).
   */
  status: number;
  /** `Retry-After` in seconds; 429 always sends one (1 by default), other statuses only when given. */
  retryAfterSeconds?: number;
  /** The body's `error`; defaults to `ratelimited` for 429 and `internal_error` otherwise. */
  error?: string;
  /** How many matching requests fail; 1 by default. */
  times?: number;
}

/** One request the sandbox received, recorded before authentication and fault injection. */
export interface SlackRecordedRequest {
  /** The Web API method, e.g. `users.info`. */
  method: string;
  /** `POST` for the SDK. */
  httpMethod: string;
  /** Query and form arguments, without `token`. */
  params: Record<string, string>;
  /** The token sent (header or form), redacted to `…` and its last four characters. */
  token?: string;
}

export interface SlackSandboxOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
}

interface Team {
  id: string;
  name: string;
  domain: string;
  enterpriseId: string | undefined;
}

interface Enterprise {
  id: string;
  name: string;
  domain: string;
}

interface StoredUser {
  id: string;
  teamId: string;
  name: string;
  realName: string;
  displayName: string;
  email: string | undefined;
  isBot: boolean;
  deleted: boolean;
  isRestricted: boolean;
  isAdmin: boolean;
  tz: string;
  botId: string | undefined;
  updated: number;
}

interface BotToken {
  token: string;
  /** The workspace of a workspace installation; undefined for an org-wide one. */
  teamId: string | undefined;
  /** The enterprise of an org-wide installation; undefined for a workspace one. */
  enterpriseId: string | undefined;
  botUserId: string;
  botId: string;
  scopes: Set<string>;
  revoked: boolean;
}

interface Fault {
  method: string | undefined;
  status: number;
  retryAfterSeconds: number | undefined;
  error: string;
  remaining: number;
}

/** Where a token is installed: one workspace (of an enterprise or not), or a whole enterprise. */
type Install =
  | { kind: "workspace"; team: Team; enterprise: Enterprise | undefined }
  | { kind: "enterprise"; enterprise: Enterprise };

interface Call {
  params: URLSearchParams;
  bot: BotToken;
  install: Install;
}

/** `{ ok: false, error }` and its extra fields; Slack answers these with HTTP 200. */
class PlatformError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(error);
  }
}

type MethodHandler = (call: Call) => Record<string, unknown>;

interface MethodSpec {
  /** Scopes that allow the method (any one of them); empty for none. */
  scopes: readonly string[];
  handle: MethodHandler;
}

const TEAM_ID = /^T[A-Z0-9]{2,}$/;
const ENTERPRISE_ID = /^E[A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const BOT_ID = /^B[A-Z0-9]{2,}$/;
const BOT_TOKEN = /^xoxb-[A-Za-z0-9-]{8,}$/;
const API_PREFIX = "/api/";

/** What recorded requests and logs show of a token: `…` and its last four characters. */
export function redactSlackToken(token: string): string {
  return `…${token.length > 8 ? token.slice(-4) : ""}`;
}

export class SlackSandbox {
  private server!: LoopbackServer;
  private readonly teams = new Map<string, Team>();
  private readonly enterprises = new Map<string, Enterprise>();
  private readonly users = new Map<string, StoredUser>();
  private readonly tokens = new Map<string, BotToken>();
  private readonly recorded: SlackRecordedRequest[] = [];
  private faults: Fault[] = [];
  private readonly methods: Record<string, MethodSpec> = {
    "auth.test": { scopes: [], handle: (call) => this.authTest(call) },
    "users.info": { scopes: ["users:read"], handle: (call) => this.usersInfo(call) },
    "users.lookupByEmail": { scopes: ["users:read.email"], handle: (call) => this.lookupByEmail(call) },
  };

  private constructor() {}

  /** Starts a sandbox listening on 127.0.0.1. */
  static async start(options: SlackSandboxOptions = {}): Promise<SlackSandbox> {
    const sandbox = new SlackSandbox();
    sandbox.server = await listenLoopback((req, res) => sandbox.handle(req, res), options.port ?? 0);
    return sandbox;
  }

  /** `http://127.0.0.1:<port>/api/`: the `slackApiUrl` for `WebClient`, and what `SLACK_API_URL` is set to. */
  get url(): string {
    return `${this.server.url}${API_PREFIX}`;
  }

  get port(): number {
    return this.server.port;
  }

  /** Stops the server and drops kept-alive connections. */
  async stop(): Promise<void> {
    await this.server.close();
  }

  /** The same as {@link stop}, named like `WorkOSSandbox.close`. */
  close(): Promise<void> {
    return this.stop();
  }

  // ---- workspace ---------------------------------------------------------------------------

  /** Adds a workspace; `domain` (`<domain>.slack.com`) defaults to the name in lower-case kebab. */
  addTeam(teamId: string, name: string, domain?: string, options: AddTeamOptions = {}): void {
    if (!TEAM_ID.test(teamId)) throw new RangeError(`Not a Slack team id: ${teamId}`);
    if (this.teams.has(teamId)) throw new Error(`Team ${teamId} already exists`);
    const { enterpriseId } = options;
    if (enterpriseId !== undefined) this.requireEnterprise(enterpriseId);
    this.teams.set(teamId, { id: teamId, name, domain: slug(name, domain, teamId), enterpriseId });
  }

  /**
   * Adds an Enterprise Grid org; its workspaces are added with `addTeam(…, { enterpriseId })`.
   * `domain` (`<domain>.enterprise.slack.com`) defaults to the name in lower-case kebab.
   */
  addEnterprise(enterpriseId: string, name: string, domain?: string): void {
    if (!ENTERPRISE_ID.test(enterpriseId)) throw new RangeError(`Not a Slack enterprise id: ${enterpriseId}`);
    if (this.enterprises.has(enterpriseId)) throw new Error(`Enterprise ${enterpriseId} already exists`);
    this.enterprises.set(enterpriseId, { id: enterpriseId, name, domain: slug(name, domain, enterpriseId) });
  }

  /** Adds a member to a workspace; returns the user as `users.info` shows it with every scope. */
  addUser(input: AddUserInput): RawSlackUser {
    const team = this.requireTeam(input.teamId);
    if (!USER_ID.test(input.userId)) throw new RangeError(`Not a Slack user id: ${input.userId}`);
    if (this.users.has(input.userId)) throw new Error(`User ${input.userId} already exists`);
    const realName = input.realName ?? "";
    const user: StoredUser = {
      id: input.userId,
      teamId: team.id,
      name:
        input.name ??
        (input.email?.split("@")[0] ||
          realName.toLowerCase().replace(/\s+/g, ".") ||
          input.userId.toLowerCase()),
      realName,
      displayName: input.displayName ?? "",
      email: input.isBot ? undefined : input.email,
      isBot: input.isBot ?? false,
      deleted: input.deleted ?? false,
      isRestricted: input.isRestricted ?? false,
      isAdmin: input.isAdmin ?? false,
      tz: input.tz ?? "America/Los_Angeles",
      botId: undefined,
      updated: Math.floor(Date.now() / 1000),
    };
    this.users.set(user.id, user);
    return this.render(user, true);
  }

  /** The user as `users.info` shows it to a token holding `users:read.email`; undefined if unknown. */
  user(userId: string): RawSlackUser | undefined {
    const user = this.users.get(userId);
    return user && this.render(user, true);
  }

  /** Deactivates or reactivates a user (`deleted`), as an admin would. */
  setDeleted(userId: string, deleted: boolean): void {
    const user = this.users.get(userId);
    if (!user) throw new Error(`No user ${userId}`);
    user.deleted = deleted;
    user.updated = Math.floor(Date.now() / 1000);
  }

  /**
   * Grants a bot token, as installing the app does: to one workspace (`teamId`), or org-wide to
   * an Enterprise Grid org (`enterpriseId`), whose bot user then belongs to the enterprise.
   */
  addBotToken(input: AddBotTokenInput): void {
    if ((input.teamId === undefined) === (input.enterpriseId === undefined)) {
      throw new TypeError("addBotToken needs exactly one of teamId and enterpriseId");
    }
    // The bot user's home: the workspace, or for an org-wide install the enterprise itself.
    const home =
      input.teamId !== undefined
        ? this.requireTeam(input.teamId).id
        : this.requireEnterprise(input.enterpriseId).id;
    if (!BOT_TOKEN.test(input.token)) throw new RangeError("A bot token looks like xoxb-…");
    if (this.tokens.has(input.token)) throw new Error("That token is already granted");
    if (!USER_ID.test(input.botUserId)) throw new RangeError(`Not a Slack user id: ${input.botUserId}`);
    if (!BOT_ID.test(input.botId)) throw new RangeError(`Not a Slack bot id: ${input.botId}`);
    const existing = this.users.get(input.botUserId);
    if (existing && (existing.teamId !== home || !existing.isBot)) {
      throw new Error(`${input.botUserId} is not a bot user of ${home}`);
    }
    if (!existing) {
      this.users.set(input.botUserId, {
        id: input.botUserId,
        teamId: home,
        name: input.botName ?? "kith",
        realName: input.botName ?? "Kith",
        displayName: "",
        email: undefined,
        isBot: true,
        deleted: false,
        isRestricted: false,
        isAdmin: false,
        tz: "America/Los_Angeles",
        botId: undefined,
        updated: Math.floor(Date.now() / 1000),
      });
    }
    const botUser = this.users.get(input.botUserId) as StoredUser;
    botUser.botId = input.botId;
    this.tokens.set(input.token, {
      token: input.token,
      teamId: input.teamId,
      enterpriseId: input.enterpriseId,
      botUserId: input.botUserId,
      botId: input.botId,
      scopes: new Set(input.scopes),
      revoked: false,
    });
  }

  /** Revokes a token (uninstalling the app): further calls get `token_revoked`. */
  revokeToken(token: string): void {
    const bot = this.tokens.get(token);
    if (!bot) throw new Error("No such token");
    bot.revoked = true;
  }

  // ---- requests and faults -----------------------------------------------------------------

  /** Every request received, in arrival order (retries included), with tokens redacted. */
  requests(): SlackRecordedRequest[] {
    return this.recorded.map((request) => structuredClone(request));
  }

  clearRequests(): void {
    this.recorded.length = 0;
  }

  /**
   * Makes the next `times` calls (of `method`, or of any method) fail. The SDK retries 429 after
   * `Retry-After` and 5xx with backoff unless built with `retryConfig: { retries: 0 }`; with
   * `rejectRateLimitedCalls: true` a 429 rejects at once as `slack_webapi_rate_limited_error`.
   */
  failNext(failure: SlackFailure): void {
    const { status } = failure;
    const times = failure.times ?? 1;
    if (!Number.isInteger(status) || !(status === 200 || (status >= 400 && status <= 599))) {
      throw new RangeError(`failNext needs 200, a 4xx or a 5xx status, got ${status}`);
    }
    if (status === 200 && !failure.error) throw new RangeError("failNext with status 200 needs an error");
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError(`failNext needs times >= 1, got ${times}`);
    this.faults.push({
      method: failure.method,
      status,
      retryAfterSeconds: failure.retryAfterSeconds ?? (status === 429 ? 1 : undefined),
      error: failure.error ?? (status === 429 ? "ratelimited" : "internal_error"),
      remaining: times,
    });
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const httpMethod = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const text = await readBody(req);
    const headers: Record<string, string> = { "x-slack-req-id": randomBytes(16).toString("hex") };
    if (!url.pathname.startsWith(API_PREFIX)) {
      sendJson(res, 404, { ok: false, error: "not_found" }, headers);
      return;
    }
    const method = decodeMethod(url.pathname.slice(API_PREFIX.length));

    const params = new URLSearchParams(url.searchParams);
    params.delete("token");
    let bodyToken: string | undefined;
    const contentType = req.headers["content-type"] ?? "";
    if (text.length > 0 && contentType.startsWith("application/x-www-form-urlencoded")) {
      for (const [name, value] of new URLSearchParams(text)) {
        if (name === "token") bodyToken = value;
        else params.set(name, value);
      }
    }
    const authorization = req.headers.authorization ?? "";
    const token = authorization.startsWith("Bearer ")
      ? authorization.slice("Bearer ".length).trim()
      : bodyToken;
    this.recorded.push({
      method,
      httpMethod,
      params: Object.fromEntries(params),
      ...(token ? { token: redactSlackToken(token) } : {}),
    });

    const fault = this.takeFault(method);
    if (fault) {
      if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
      sendJson(res, fault.status, { ok: false, error: fault.error }, headers);
      return;
    }
    const spec = Object.hasOwn(this.methods, method) ? this.methods[method] : undefined;
    if (!spec) {
      sendJson(res, 200, { ok: false, error: "unknown_method", req_method: method }, headers);
      return;
    }
    if (spec.scopes.length > 0) headers["x-accepted-oauth-scopes"] = spec.scopes.join(",");
    try {
      const bot = this.authenticate(token);
      headers["x-oauth-scopes"] = [...bot.scopes].join(",");
      if (spec.scopes.length > 0 && !spec.scopes.some((scope) => bot.scopes.has(scope))) {
        throw new PlatformError("missing_scope", {
          needed: spec.scopes.join(","),
          provided: [...bot.scopes].join(","),
        });
      }
      sendJson(
        res,
        200,
        { ok: true, ...spec.handle({ params, bot, install: this.installOf(bot) }) },
        headers,
      );
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      sendJson(res, 200, { ok: false, error: error.error, ...error.extra }, headers);
    }
  }

  private authenticate(token: string | undefined): BotToken {
    if (!token) throw new PlatformError("not_authed");
    const bot = this.tokens.get(token);
    if (!bot) throw new PlatformError("invalid_auth");
    if (bot.revoked) throw new PlatformError("token_revoked");
    return bot;
  }

  private authTest({ bot, install }: Call): Record<string, unknown> {
    const botUser = this.users.get(bot.botUserId);
    if (install.kind === "enterprise") {
      const { enterprise } = install;
      return {
        url: `https://${enterprise.domain}.enterprise.slack.com/`,
        team: enterprise.name,
        user: botUser?.name ?? "",
        team_id: enterprise.id,
        user_id: bot.botUserId,
        bot_id: bot.botId,
        enterprise_id: enterprise.id,
        is_enterprise_install: true,
      };
    }
    const { team, enterprise } = install;
    return {
      url: `https://${team.domain}.slack.com/`,
      team: team.name,
      user: botUser?.name ?? "",
      team_id: team.id,
      user_id: bot.botUserId,
      bot_id: bot.botId,
      ...(enterprise ? { enterprise_id: enterprise.id } : {}),
      is_enterprise_install: false,
    };
  }

  /** Whether a token installed at `install` can see `user`. */
  private sees(install: Install, user: StoredUser): boolean {
    if (install.kind === "workspace") return user.teamId === install.team.id;
    const enterpriseId = install.enterprise.id;
    return user.teamId === enterpriseId || this.teams.get(user.teamId)?.enterpriseId === enterpriseId;
  }

  private installOf(bot: BotToken): Install {
    if (bot.teamId !== undefined) {
      const team = this.requireTeam(bot.teamId);
      return {
        kind: "workspace",
        team,
        enterprise: team.enterpriseId === undefined ? undefined : this.requireEnterprise(team.enterpriseId),
      };
    }
    return { kind: "enterprise", enterprise: this.requireEnterprise(bot.enterpriseId) };
  }

  private usersInfo({ params, bot, install }: Call): Record<string, unknown> {
    const userId = requireArgument(params, "user");
    const user = this.users.get(userId);
    if (!user || !this.sees(install, user)) throw new PlatformError("user_not_found");
    const rendered: Record<string, unknown> = { ...this.render(user, bot.scopes.has("users:read.email")) };
    if (params.get("include_locale") === "true" || params.get("include_locale") === "1") {
      rendered.locale = "en-US";
    }
    return { user: rendered };
  }

  private lookupByEmail({ params, install }: Call): Record<string, unknown> {
    const email = requireArgument(params, "email").toLowerCase();
    const user = [...this.users.values()].find(
      (candidate) =>
        this.sees(install, candidate) && !candidate.deleted && candidate.email?.toLowerCase() === email,
    );
    if (!user) throw new PlatformError("users_not_found");
    return { user: this.render(user, true) };
  }

  /** A user as `users.info` shows it, with `enterprise_user` for members of an Enterprise Grid workspace. */
  private render(user: StoredUser, withEmail: boolean): RawSlackUser {
    const rendered = render(user, withEmail);
    const enterpriseId = this.enterprises.has(user.teamId)
      ? user.teamId
      : this.teams.get(user.teamId)?.enterpriseId;
    const enterprise = enterpriseId === undefined ? undefined : this.enterprises.get(enterpriseId);
    if (!enterprise) return rendered;
    return {
      ...rendered,
      enterprise_user: {
        id: user.id,
        enterprise_id: enterprise.id,
        enterprise_name: enterprise.name,
        is_admin: user.isAdmin,
        is_owner: false,
        is_primary_owner: false,
        teams: this.enterprises.has(user.teamId) ? [] : [user.teamId],
      },
    };
  }

  private takeFault(method: string): Fault | undefined {
    const fault = this.faults.find(
      (candidate) => candidate.method === undefined || candidate.method === method,
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return fault;
  }

  private requireTeam(teamId: string): Team {
    const team = this.teams.get(teamId);
    if (!team) throw new Error(`No team ${teamId}; call addTeam first`);
    return team;
  }

  private requireEnterprise(enterpriseId: string | undefined): Enterprise {
    const enterprise = enterpriseId === undefined ? undefined : this.enterprises.get(enterpriseId);
    if (!enterprise) throw new Error(`No enterprise ${enterpriseId}; call addEnterprise first`);
    return enterprise;
  }
}

/** A Slack subdomain: the one given, else the name in lower-case kebab, else the id. */
function slug(name: string, domain: string | undefined, id: string): string {
  const kebab =
    domain ??
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "");
  return kebab || id.toLowerCase();
}

function requireArgument(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (!value) {
    throw new PlatformError("invalid_arguments", {
      response_metadata: { messages: [`[ERROR] missing required field: ${name}`] },
    });
  }
  return value;
}

function decodeMethod(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function normalized(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
}

/** Time zone label and offset in seconds, as Slack reports them, for the zone's current offset. */
function zoneInfo(tz: string): { tz_label: string; tz_offset: number } {
  const now = new Date();
  const local = new Date(now.toLocaleString("en-US", { timeZone: tz }));
  const utc = new Date(now.toLocaleString("en-US", { timeZone: "UTC" }));
  const label =
    new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "long" })
      .formatToParts(now)
      .find((part) => part.type === "timeZoneName")?.value ?? tz;
  return { tz_label: label, tz_offset: Math.round((local.getTime() - utc.getTime()) / 1000) };
}

function render(user: StoredUser, withEmail: boolean): RawSlackUser {
  const [first = "", ...rest] = user.realName.split(/\s+/).filter((part) => part.length > 0);
  const avatarHash = Buffer.from(user.id).toString("hex").slice(-12);
  const image = (size: number) => `https://a.slack-edge.com/80588/img/avatars/ava_0001-${size}.png`;
  const profile: RawSlackProfile = {
    title: "",
    phone: "",
    skype: "",
    real_name: user.realName,
    real_name_normalized: normalized(user.realName),
    display_name: user.displayName,
    display_name_normalized: normalized(user.displayName),
    fields: null,
    status_text: "",
    status_emoji: "",
    status_expiration: 0,
    avatar_hash: avatarHash,
    ...(withEmail && user.email !== undefined ? { email: user.email } : {}),
    first_name: first,
    last_name: rest.join(" "),
    image_24: image(24),
    image_32: image(32),
    image_48: image(48),
    image_72: image(72),
    image_192: image(192),
    image_512: image(512),
    team: user.teamId,
    ...(user.isBot && user.botId !== undefined
      ? { bot_id: user.botId, api_app_id: `A${user.botId.slice(1)}`, always_active: true }
      : {}),
  };
  return {
    id: user.id,
    team_id: user.teamId,
    name: user.name,
    deleted: user.deleted,
    color: "9f69e7",
    real_name: user.realName,
    // Slack leaves the time zone off deactivated users.
    ...(user.deleted ? {} : { tz: user.tz, ...zoneInfo(user.tz) }),
    profile,
    is_admin: user.isAdmin,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: user.isRestricted,
    is_ultra_restricted: false,
    is_bot: user.isBot,
    is_app_user: false,
    updated: user.updated,
    is_email_confirmed: !user.isBot && user.email !== undefined,
    who_can_share_contact_card: "EVERYONE",
  };
}
