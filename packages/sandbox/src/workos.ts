import { createHmac, randomBytes } from "node:crypto";
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import { decodeTime, monotonicFactory, ulid } from "ulid";
import { type LoopbackServer, listenLoopback, readBody, sendJson } from "./http";

/**
 * A loopback WorkOS API for tests, the local demo and benchmarks. The real `@workos-inc/node`
 * client talks to it unchanged:
 *
 * ```ts
 * const sandbox = await WorkOSSandbox.start();
 * const workos = new WorkOS(sandbox.apiKey, sandbox.clientOptions); // { apiHostname, port, https: false }
 * ```
 *
 * It serves the slice of the API that organization sync uses (events, organizations,
 * organization memberships, users) in WorkOS's wire format: snake_case JSON, `object` fields,
 * `{ object: "list", data, list_metadata }` envelopes, `Authorization: Bearer <key>`. Tests drive
 * it through the control methods (which emit the same events WorkOS would) and inspect what the
 * client did through {@link WorkOSSandbox.requests}.
 *
 * Modelling choices where WorkOS's behaviour is not documented precisely (each one chosen so
 * that a consumer passing here does not rely on leniency the real API may not have):
 * - `GET /events` is always ascending by id and ignores `order`: the live endpoint was reported
 *   to ignore it and return oldest first (workos/workos-node#1610).
 * - Events 30 days old or older are not returned ("returns events up to 30 days old"). An `after`
 *   cursor naming such an event, or malformed, is rejected with 400 (`BadRequestException` in the
 *   SDK), as the stream position it names is gone and the consumer must resync. An `event_<ULID>`
 *   cursor the sandbox never issued is placed by its ULID time, as ids sort by time.
 * - `organization_id` on `/events` matches organization events by `data.id` and other events by
 *   `data.organization_id`; user events carry no organization and are left out whenever the
 *   filter is given ("User events (e.g. user.created) will not be Organization specific").
 * - `after` together with `range_start` is a 422: the two are documented as mutually exclusive.
 * - Every successful `PUT /organizations/{id}` emits `organization.updated`, even when nothing
 *   changed, so a consumer that writes back must cope with seeing its own write again.
 * - `external_id` is unique across organizations; a clash is a 409 (`ConflictException`).
 * - Deleting an organization or user also removes its memberships, without membership events.
 */

/** Events are listed while younger than this; at 30 days old they drop out of `GET /events`. */
export const WORKOS_EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;
const MEMBERSHIP_STATUSES = ["active", "inactive", "pending"] as const;

/** An organization domain as WorkOS sends it. */
export interface RawOrganizationDomain {
  object: "organization_domain";
  id: string;
  domain: string;
  organization_id: string;
  state: "verified" | "pending" | "failed";
  verification_strategy: "dns" | "manual";
  created_at: string;
  updated_at: string;
}

/** An organization as WorkOS sends it (`OrganizationResponse` in the SDK). */
export interface RawOrganization {
  object: "organization";
  id: string;
  name: string;
  allow_profiles_outside_organization: boolean;
  domains: RawOrganizationDomain[];
  stripe_customer_id?: string;
  external_id: string | null;
  metadata: Record<string, string>;
  created_at: string;
  updated_at: string;
}

/** A User Management user as WorkOS sends it (`UserResponse` in the SDK). */
export interface RawUser {
  object: "user";
  id: string;
  email: string;
  email_verified: boolean;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  profile_picture_url: string | null;
  last_sign_in_at: string | null;
  locale: string | null;
  external_id: string | null;
  metadata: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/** An organization membership as WorkOS sends it (`OrganizationMembershipResponse` in the SDK). */
export interface RawOrganizationMembership {
  object: "organization_membership";
  id: string;
  organization_id: string;
  organization_name: string;
  user_id: string;
  status: MembershipStatus;
  role: { slug: string };
  directory_managed: boolean;
  custom_attributes: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** An event as WorkOS sends it from `GET /events` and in webhook bodies. */
export interface RawEvent {
  object: "event";
  id: string;
  event: string;
  data: Record<string, unknown>;
  created_at: string;
  context?: Record<string, unknown>;
}

/** One request the sandbox received, recorded before authentication and fault injection. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** Query parameters; a repeated parameter's values are joined with ",". */
  query: Record<string, string>;
  /** The query string exactly as sent, for asserting how a list was serialized. */
  rawQuery: string;
  /** The parsed JSON body (the raw text when it was not JSON); absent when there was none. */
  body?: unknown;
}

export interface WorkOSSandboxOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** The key clients must send as `Authorization: Bearer <key>`; random `sk_test_…` by default. */
  apiKey?: string;
}

export interface CreateOrganizationInput {
  name: string;
  externalId?: string | null;
  /** Domains, created verified (DNS). */
  domains?: string[];
  metadata?: Record<string, string>;
  allowProfilesOutsideOrganization?: boolean;
}

export interface UpdateOrganizationInput {
  name?: string;
  externalId?: string | null;
  /** Replaces the domain list; domains already present keep their ids. */
  domains?: string[];
  metadata?: Record<string, string>;
  stripeCustomerId?: string | null;
}

export interface CreateUserInput {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  name?: string | null;
  emailVerified?: boolean;
  externalId?: string | null;
  metadata?: Record<string, string>;
}

export type UpdateUserInput = Partial<CreateUserInput>;

export interface MembershipInput {
  /** Defaults to `active`. */
  status?: MembershipStatus;
  /** Role slug; defaults to `member`. */
  role?: string;
  directoryManaged?: boolean;
  customAttributes?: Record<string, unknown>;
}

/** An event to push as is; `id` defaults to the next event id and `created_at` to the sandbox clock. */
export interface AppendEventInput {
  event: string;
  data: Record<string, unknown>;
  id?: string;
  created_at?: string;
  context?: Record<string, unknown>;
}

export interface FailureOptions {
  /** Sent as `Retry-After`; the SDK sleeps that long before retrying (0 retries at once). */
  retryAfterSeconds?: number;
  /** Response body; `{ message: <status text> }` by default. */
  body?: unknown;
}

/** A signed webhook delivery: the exact body bytes and the headers WorkOS sends with them. */
export interface SignedWebhook {
  body: string;
  /** Lower-case names, as node and API Gateway present them: `workos-signature`, `content-type`. */
  headers: Record<string, string>;
}

/**
 * Signs a webhook body the way WorkOS does: `WorkOS-Signature: t=<ms>, v1=<hex>` where the hex is
 * HMAC-SHA256 keyed by the endpoint secret over `${t}.${body}`. The timestamp is in milliseconds
 * and defaults to the wall clock, because verifiers (the SDK's included) compare it with theirs.
 */
export function signWorkOSWebhook(
  payload: object | string,
  secret: string,
  timestampMs: number = Date.now(),
): SignedWebhook {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const t = Math.floor(timestampMs);
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return {
    body,
    headers: { "content-type": "application/json", "workos-signature": `t=${t}, v1=${v1}` },
  };
}

/** A non-2xx reply; thrown by routes and by control methods given bad input. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.message === "string" ? body.message : `WorkOS sandbox: ${status}`);
  }
}

/** WorkOS's validation shape; the SDK turns it into `UnprocessableEntityException`. */
function invalid(field: string, code: string, message = "Validation failed"): ApiError {
  return new ApiError(422, { code: "invalid_request_parameters", message, errors: [{ field, code }] });
}

function notFound(entity: string, id: string): ApiError {
  return new ApiError(404, {
    code: "entity_not_found",
    entity_id: id,
    message: `Could not find ${entity} with id '${id}'.`,
  });
}

interface Fault {
  pattern: RegExp;
  status: number;
  remaining: number;
  body: unknown;
  retryAfterSeconds: number | undefined;
}

interface ListQuery {
  limit: number;
  after: string | undefined;
  before: string | undefined;
  order: "asc" | "desc";
}

interface Page<T> {
  data: T[];
  before: string | null;
  after: string | null;
}

/**
 * Cursor pagination over items sorted ascending by id. Cursors compare by id rather than by
 * position, so a cursor naming an item deleted since still works, as with WorkOS's ULID ids.
 */
function paginate<T extends { id: string }>(sortedAsc: readonly T[], query: ListQuery): Page<T> {
  const ordered = query.order === "desc" ? [...sortedAsc].reverse() : [...sortedAsc];
  // True when id `a` comes after id `b` in the requested order.
  const follows = (a: string, b: string) => (query.order === "desc" ? a < b : a > b);
  const { after, before } = query;
  let window = ordered;
  if (after !== undefined) window = window.filter((item) => follows(item.id, after));
  if (before !== undefined) window = window.filter((item) => follows(before, item.id));
  // `before` alone asks for the page just before the cursor, so take the window's tail.
  const data =
    before !== undefined && after === undefined ? window.slice(-query.limit) : window.slice(0, query.limit);
  const first = data[0];
  const last = data.at(-1);
  return {
    data,
    before: first && ordered.some((item) => follows(first.id, item.id)) ? first.id : null,
    after: last && ordered.some((item) => follows(item.id, last.id)) ? last.id : null,
  };
}

/** Values of a list parameter, accepting `name=a,b` (what the node SDK sends), `name=a&name=b` and `name[]=a`. */
function multiValue(params: URLSearchParams, name: string): string[] {
  return [...params.getAll(name), ...params.getAll(`${name}[]`)]
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

function parseLimit(params: URLSearchParams): number {
  const raw = params.get("limit");
  if (raw === null) return DEFAULT_LIMIT;
  const limit = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) {
    throw invalid("limit", "limit_out_of_range", `limit must be between 1 and ${MAX_LIMIT}`);
  }
  return limit;
}

function parseListQuery(params: URLSearchParams, defaultOrder: "asc" | "desc"): ListQuery {
  const order = params.get("order") ?? defaultOrder;
  if (order !== "asc" && order !== "desc")
    throw invalid("order", "invalid_order", "order must be asc or desc");
  return {
    limit: parseLimit(params),
    after: params.get("after") || undefined,
    before: params.get("before") || undefined,
    order,
  };
}

function parseTime(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === "") return undefined;
  const time = Date.parse(raw);
  if (Number.isNaN(time)) throw invalid(name, "invalid_date", `${name} must be an ISO 8601 timestamp`);
  return time;
}

function toMs(time: Date | string | number): number {
  const ms = time instanceof Date ? time.getTime() : typeof time === "string" ? Date.parse(time) : time;
  if (!Number.isFinite(ms)) throw new RangeError(`Not a time: ${String(time)}`);
  return ms;
}

/** The organization an event belongs to, for the `organization_id` filter; `undefined` for user events. */
function eventOrganizationId(event: RawEvent): string | undefined {
  const { data } = event;
  // `organization.created|updated|deleted` carry the organization itself; `organization_membership.*`
  // and friends carry `organization_id`.
  const own = /^organization\.[a-z_]+$/.test(event.event) ? data.id : data.organization_id;
  return typeof own === "string" ? own : undefined;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function flattenQuery(params: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of new Set(params.keys())) query[key] = params.getAll(key).join(",");
  return query;
}

/**
 * The WorkOS sandbox: an in-process HTTP server on 127.0.0.1 plus the state behind it. Control
 * methods return snapshots in wire format (snake_case); mutate state only through them.
 */
export class WorkOSSandbox {
  /** The key clients must present. */
  readonly apiKey: string;
  private server!: LoopbackServer;
  // Strictly increasing, also when a test moves the clock back (the factory reuses its last time).
  private readonly ids = { next: monotonicFactory() };
  private fixedNow: number | undefined;
  private readonly orgs = new Map<string, RawOrganization>();
  private readonly users = new Map<string, RawUser>();
  private readonly memberships = new Map<string, RawOrganizationMembership>();
  /** Sorted by id; ties (duplicates pushed through appendEvent) keep insertion order. */
  private readonly eventLog: RawEvent[] = [];
  private readonly recorded: RecordedRequest[] = [];
  private faults: Fault[] = [];

  private constructor(apiKey: string) {
    this.apiKey = apiKey;
  }

  /** Starts a sandbox listening on 127.0.0.1. */
  static async start(options: WorkOSSandboxOptions = {}): Promise<WorkOSSandbox> {
    const sandbox = new WorkOSSandbox(options.apiKey ?? `sk_test_${randomBytes(16).toString("hex")}`);
    sandbox.server = await listenLoopback((req, res) => sandbox.handle(req, res), options.port ?? 0);
    return sandbox;
  }

  /** `http://127.0.0.1:<port>`: what `WORKOS_API_URL` is set to. */
  get url(): string {
    return this.server.url;
  }

  get port(): number {
    return this.server.port;
  }

  /** Options for `new WorkOS(apiKey, options)` that point the SDK here. */
  get clientOptions(): { apiHostname: string; port: number; https: false } {
    return { apiHostname: "127.0.0.1", port: this.port, https: false };
  }

  /** Stops the server and drops kept-alive connections. */
  async close(): Promise<void> {
    await this.server.close();
  }

  // ---- clock -------------------------------------------------------------------------------

  /** The sandbox clock: wall time unless {@link setNow} fixed it. Drives timestamps, ids and retention. */
  now(): Date {
    return new Date(this.nowMs());
  }

  /** Fixes the clock at `time` (e.g. 31 days ahead to expire events); `null` returns to wall time. */
  setNow(time: Date | string | number | null): void {
    this.fixedNow = time === null ? undefined : toMs(time);
  }

  /** Moves the clock forward by `ms`, fixing it there. */
  advanceTime(ms: number): void {
    this.fixedNow = this.nowMs() + ms;
  }

  // ---- organizations -----------------------------------------------------------------------

  /** Creates an organization and emits `organization.created`. */
  createOrganization(input: CreateOrganizationInput): RawOrganization {
    const externalId = input.externalId ?? null;
    this.assertExternalIdFree(externalId, undefined);
    const id = this.newId("org");
    const at = this.stamp();
    const org: RawOrganization = {
      object: "organization",
      id,
      name: requireName(input.name),
      allow_profiles_outside_organization: input.allowProfilesOutsideOrganization ?? false,
      domains: (input.domains ?? []).map((domain) => this.newDomain(id, domain, at)),
      external_id: externalId,
      metadata: { ...(input.metadata ?? {}) },
      created_at: at,
      updated_at: at,
    };
    this.orgs.set(id, org);
    this.emit("organization.created", org);
    return clone(org);
  }

  /** Updates an organization and emits `organization.updated`, as `PUT /organizations/{id}` does. */
  updateOrganization(id: string, changes: UpdateOrganizationInput): RawOrganization {
    const org = this.orgs.get(id);
    if (!org) throw notFound("organization", id);
    if (changes.externalId !== undefined) this.assertExternalIdFree(changes.externalId, id);
    if (changes.name !== undefined) org.name = requireName(changes.name);
    if (changes.externalId !== undefined) org.external_id = changes.externalId;
    if (changes.metadata !== undefined) org.metadata = { ...changes.metadata };
    if (changes.stripeCustomerId === null) delete org.stripe_customer_id;
    else if (changes.stripeCustomerId !== undefined) org.stripe_customer_id = changes.stripeCustomerId;
    const at = this.bump(org.updated_at);
    if (changes.domains !== undefined) {
      const previous = new Map(org.domains.map((domain) => [domain.domain, domain]));
      org.domains = [...new Set(changes.domains)].map(
        (domain) => previous.get(domain) ?? this.newDomain(id, domain, at),
      );
    }
    org.updated_at = at;
    for (const membership of this.memberships.values()) {
      if (membership.organization_id === id) membership.organization_name = org.name;
    }
    this.emit("organization.updated", org);
    return clone(org);
  }

  /** Deletes an organization (and its memberships) and emits `organization.deleted`. */
  deleteOrganization(id: string): void {
    const org = this.orgs.get(id);
    if (!org) throw notFound("organization", id);
    this.orgs.delete(id);
    for (const [membershipId, membership] of this.memberships) {
      if (membership.organization_id === id) this.memberships.delete(membershipId);
    }
    this.emit("organization.deleted", org);
  }

  organization(id: string): RawOrganization | undefined {
    const org = this.orgs.get(id);
    return org && clone(org);
  }

  organizations(): RawOrganization[] {
    return this.sorted(this.orgs).map(clone);
  }

  // ---- users -------------------------------------------------------------------------------

  /** Creates a User Management user and emits `user.created`. */
  createUser(input: CreateUserInput): RawUser {
    const at = this.stamp();
    const user: RawUser = {
      object: "user",
      id: this.newId("user"),
      email: input.email,
      email_verified: input.emailVerified ?? true,
      name: input.name ?? null,
      first_name: input.firstName ?? null,
      last_name: input.lastName ?? null,
      profile_picture_url: null,
      last_sign_in_at: null,
      locale: null,
      external_id: input.externalId ?? null,
      metadata: { ...(input.metadata ?? {}) },
      created_at: at,
      updated_at: at,
    };
    this.users.set(user.id, user);
    this.emit("user.created", user);
    return clone(user);
  }

  /** Updates a user and emits `user.updated`. */
  updateUser(id: string, changes: UpdateUserInput): RawUser {
    const user = this.users.get(id);
    if (!user) throw notFound("user", id);
    if (changes.email !== undefined) user.email = changes.email;
    if (changes.emailVerified !== undefined) user.email_verified = changes.emailVerified;
    if (changes.name !== undefined) user.name = changes.name;
    if (changes.firstName !== undefined) user.first_name = changes.firstName;
    if (changes.lastName !== undefined) user.last_name = changes.lastName;
    if (changes.externalId !== undefined) user.external_id = changes.externalId;
    if (changes.metadata !== undefined) user.metadata = { ...changes.metadata };
    user.updated_at = this.bump(user.updated_at);
    this.emit("user.updated", user);
    return clone(user);
  }

  /** Deletes a user (and their memberships) and emits `user.deleted`. */
  deleteUser(id: string): void {
    const user = this.users.get(id);
    if (!user) throw notFound("user", id);
    this.users.delete(id);
    for (const [membershipId, membership] of this.memberships) {
      if (membership.user_id === id) this.memberships.delete(membershipId);
    }
    this.emit("user.deleted", user);
  }

  user(id: string): RawUser | undefined {
    const user = this.users.get(id);
    return user && clone(user);
  }

  // ---- memberships -------------------------------------------------------------------------

  /** Adds a user to an organization and emits `organization_membership.created`. */
  createMembership(
    organizationId: string,
    userId: string,
    input: MembershipInput = {},
  ): RawOrganizationMembership {
    const org = this.orgs.get(organizationId);
    if (!org) throw notFound("organization", organizationId);
    if (!this.users.has(userId)) throw notFound("user", userId);
    const at = this.stamp();
    const membership: RawOrganizationMembership = {
      object: "organization_membership",
      id: this.newId("om"),
      organization_id: organizationId,
      organization_name: org.name,
      user_id: userId,
      status: input.status ?? "active",
      role: { slug: input.role ?? "member" },
      directory_managed: input.directoryManaged ?? false,
      custom_attributes: { ...(input.customAttributes ?? {}) },
      created_at: at,
      updated_at: at,
    };
    this.memberships.set(membership.id, membership);
    this.emit("organization_membership.created", membership);
    return clone(membership);
  }

  /** Changes a membership's status, role or attributes and emits `organization_membership.updated`. */
  updateMembership(id: string, changes: MembershipInput): RawOrganizationMembership {
    const membership = this.memberships.get(id);
    if (!membership) throw notFound("organization membership", id);
    if (changes.status !== undefined) membership.status = changes.status;
    if (changes.role !== undefined) membership.role = { slug: changes.role };
    if (changes.directoryManaged !== undefined) membership.directory_managed = changes.directoryManaged;
    if (changes.customAttributes !== undefined)
      membership.custom_attributes = { ...changes.customAttributes };
    membership.updated_at = this.bump(membership.updated_at);
    this.emit("organization_membership.updated", membership);
    return clone(membership);
  }

  /** Removes a membership and emits `organization_membership.deleted`. */
  deleteMembership(id: string): void {
    const membership = this.memberships.get(id);
    if (!membership) throw notFound("organization membership", id);
    this.memberships.delete(id);
    this.emit("organization_membership.deleted", membership);
  }

  membership(id: string): RawOrganizationMembership | undefined {
    const membership = this.memberships.get(id);
    return membership && clone(membership);
  }

  // ---- events ------------------------------------------------------------------------------

  /**
   * Pushes an event as is, for out-of-order, stale and duplicate scenarios: an explicit `id`
   * lower than a consumer's cursor is never listed to it, a repeated `id` is listed twice (but a
   * cursor at that id skips both), and `data` is not checked against the sandbox's state.
   */
  appendEvent(input: AppendEventInput): RawEvent {
    const event: RawEvent = {
      object: "event",
      id: input.id ?? this.newId("event"),
      event: input.event,
      data: clone(input.data),
      created_at: input.created_at ?? this.stamp(),
      ...(input.context ? { context: clone(input.context) } : {}),
    };
    this.insertEvent(event);
    return clone(event);
  }

  /** An `event_<ULID>` id for `time` (not ordered against other ids of that millisecond). */
  eventIdAt(time: Date | string | number): string {
    return `event_${ulid(toMs(time))}`;
  }

  /** Every event emitted or appended, in id order, including those past retention. */
  events(): RawEvent[] {
    return this.eventLog.map(clone);
  }

  // ---- requests and faults -----------------------------------------------------------------

  /** Every request received, in arrival order (retries included). */
  requests(): RecordedRequest[] {
    return this.recorded.map(clone);
  }

  clearRequests(): void {
    this.recorded.length = 0;
  }

  /**
   * Makes the next `times` requests matching `pattern` fail with `status`. The pattern is tried
   * against the path (`/organizations/org_…`) and against `METHOD path`, so
   * `/^PUT \/organizations\//` fails only updates. Note the SDK retries 408, 429 and 5xx
   * (3 times by default, with backoff unless `Retry-After` is set), so a single 500 is absorbed
   * unless the client was built with `maxRetries: 0`.
   */
  failNext(pattern: RegExp, status: number, times = 1, options: FailureOptions = {}): void {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`failNext needs a 4xx or 5xx status, got ${status}`);
    }
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError(`failNext needs times >= 1, got ${times}`);
    this.faults.push({
      // A global or sticky RegExp keeps state between test() calls; matching must not.
      pattern: new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, "")),
      status,
      remaining: times,
      body: options.body ?? { message: STATUS_CODES[status] ?? "Injected failure" },
      retryAfterSeconds: options.retryAfterSeconds,
    });
  }

  /** Signs `payload` as a WorkOS webhook delivery; see {@link signWorkOSWebhook}. */
  signWebhook(payload: object | string, secret: string, timestampMs?: number): SignedWebhook {
    return signWorkOSWebhook(payload, secret, timestampMs);
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const text = await readBody(req);
    let body: unknown;
    let bodyIsJson = true;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
        bodyIsJson = false;
      }
    }
    this.recorded.push({
      method,
      path: url.pathname,
      query: flattenQuery(url.searchParams),
      rawQuery: url.search.slice(1),
      ...(text.length > 0 ? { body } : {}),
    });
    const headers = { "x-request-id": `req_${ulid(Date.now())}` };

    const fault = this.takeFault(method, url.pathname);
    if (fault) {
      const faultHeaders: Record<string, string> = { ...headers };
      if (fault.retryAfterSeconds !== undefined)
        faultHeaders["retry-after"] = String(fault.retryAfterSeconds);
      sendJson(res, fault.status, fault.body, faultHeaders);
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      sendJson(res, 401, { message: "Unauthorized" }, headers);
      return;
    }
    try {
      if (!bodyIsJson)
        throw new ApiError(400, { code: "invalid_json", message: "The request body is not JSON." });
      sendJson(res, 200, this.route(method, url, body), headers);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      sendJson(res, error.status, error.body, headers);
    }
  }

  private route(method: string, url: URL, body: unknown): unknown {
    const segments = url.pathname
      .split("/")
      .filter((segment) => segment.length > 0)
      .map(decodeSegment);
    const params = url.searchParams;
    const [first, second, third] = segments;
    if (method === "GET" && segments.length === 1 && first === "events") return this.listEventsRoute(params);
    if (first === "organizations") {
      if (method === "GET" && segments.length === 1) return this.listOrganizationsRoute(params);
      if (method === "GET" && segments.length === 3 && second === "external_id" && third !== undefined) {
        return this.organizationByExternalId(third);
      }
      if (segments.length === 2 && second !== undefined) {
        if (method === "GET") return this.requireOrganization(second);
        if (method === "PUT") return this.updateOrganizationRoute(second, body);
      }
    }
    if (first === "user_management" && method === "GET") {
      if (second === "organization_memberships" && segments.length === 2)
        return this.listMembershipsRoute(params);
      if (second === "organization_memberships" && segments.length === 3 && third !== undefined) {
        const membership = this.memberships.get(third);
        if (!membership) throw notFound("organization membership", third);
        return clone(membership);
      }
      if (second === "users" && segments.length === 3 && third !== undefined) {
        const user = this.users.get(third);
        if (!user) throw notFound("user", third);
        return clone(user);
      }
    }
    throw new ApiError(404, { message: `The sandbox does not serve ${method} ${url.pathname}.` });
  }

  private listEventsRoute(params: URLSearchParams): unknown {
    const types = new Set(multiValue(params, "events"));
    const organizationId = params.get("organization_id") || undefined;
    const { limit, after, before } = parseListQuery(params, "asc");
    const rangeStart = parseTime(params, "range_start");
    const rangeEnd = parseTime(params, "range_end");
    if (after !== undefined && rangeStart !== undefined) {
      throw invalid("range_start", "mutually_exclusive", "range_start cannot be combined with after");
    }
    const horizon = this.nowMs() - WORKOS_EVENT_RETENTION_MS;
    if (after !== undefined) this.checkEventCursor("after", after, horizon);
    if (before !== undefined) this.checkEventCursor("before", before, horizon);
    const visible = this.eventLog.filter((event) => {
      const at = Date.parse(event.created_at);
      return (
        at > horizon &&
        (types.size === 0 || types.has(event.event)) &&
        (organizationId === undefined || eventOrganizationId(event) === organizationId) &&
        (rangeStart === undefined || at >= rangeStart) &&
        (rangeEnd === undefined || at <= rangeEnd)
      );
    });
    // Always ascending: see the module comment on `order`.
    const page = paginate(visible, { limit, after, before, order: "asc" });
    // The events list carries only `after` (WorkOS's EventList schema has no `before`).
    return { object: "list", data: page.data.map(clone), list_metadata: { after: page.after } };
  }

  /** A cursor must name a live stream position: a known or well-formed event id within retention. */
  private checkEventCursor(field: string, cursor: string, horizon: number): void {
    const known = this.eventLog.find((event) => event.id === cursor);
    const time = known
      ? Date.parse(known.created_at)
      : cursor.startsWith("event_")
        ? ulidTime(cursor.slice("event_".length))
        : undefined;
    if (time === undefined || Number.isNaN(time) || time <= horizon) {
      throw new ApiError(400, {
        code: "invalid_cursor",
        message: `The ${field} cursor '${cursor}' is invalid or refers to an event older than 30 days.`,
        errors: [{ field, code: "invalid_cursor" }],
      });
    }
  }

  private listOrganizationsRoute(params: URLSearchParams): unknown {
    const domains = new Set(multiValue(params, "domains"));
    // The SDK asks for `order=desc` unless told otherwise, which is also WorkOS's default.
    const query = parseListQuery(params, "desc");
    const matching = this.sorted(this.orgs).filter(
      (org) => domains.size === 0 || org.domains.some((domain) => domains.has(domain.domain)),
    );
    const page = paginate(matching, query);
    return {
      object: "list",
      data: page.data.map(clone),
      list_metadata: { before: page.before, after: page.after },
    };
  }

  private listMembershipsRoute(params: URLSearchParams): unknown {
    const organizationId = params.get("organization_id") || undefined;
    const userId = params.get("user_id") || undefined;
    if (organizationId === undefined && userId === undefined) {
      throw invalid(
        "organization_id",
        "organization_id_or_user_id_required",
        "Provide organization_id or user_id",
      );
    }
    const requested = multiValue(params, "statuses");
    for (const status of requested) {
      if (!(MEMBERSHIP_STATUSES as readonly string[]).includes(status))
        throw invalid("statuses", "invalid_status");
    }
    // WorkOS lists only active memberships unless `statuses` says otherwise.
    const statuses = new Set<string>(requested.length > 0 ? requested : ["active"]);
    const query = parseListQuery(params, "desc");
    const matching = this.sorted(this.memberships).filter(
      (membership) =>
        (organizationId === undefined || membership.organization_id === organizationId) &&
        (userId === undefined || membership.user_id === userId) &&
        statuses.has(membership.status),
    );
    const page = paginate(matching, query);
    return {
      object: "list",
      data: page.data.map(clone),
      list_metadata: { before: page.before, after: page.after },
    };
  }

  private requireOrganization(id: string): RawOrganization {
    const org = this.orgs.get(id);
    if (!org) throw notFound("organization", id);
    return clone(org);
  }

  private organizationByExternalId(externalId: string): RawOrganization {
    for (const org of this.orgs.values()) if (org.external_id === externalId) return clone(org);
    throw new ApiError(404, {
      code: "entity_not_found",
      message: `Could not find organization with external_id '${externalId}'.`,
    });
  }

  /** `PUT /organizations/{id}` with the SDK's serialized body: `name`, `external_id`, `metadata`, `domain_data`, `stripe_customer_id`. */
  private updateOrganizationRoute(id: string, body: unknown): RawOrganization {
    if (!this.orgs.has(id)) throw notFound("organization", id);
    const input = isRecord(body) ? body : {};
    const changes: UpdateOrganizationInput = {};
    if ("name" in input) {
      if (typeof input.name !== "string" || input.name.trim() === "") throw invalid("name", "name_required");
      changes.name = input.name;
    }
    if ("external_id" in input) {
      if (input.external_id !== null && typeof input.external_id !== "string") {
        throw invalid("external_id", "external_id_invalid");
      }
      changes.externalId = input.external_id;
    }
    if ("metadata" in input) {
      const metadata = input.metadata;
      if (!isRecord(metadata) || Object.values(metadata).some((value) => typeof value !== "string")) {
        throw invalid("metadata", "metadata_invalid");
      }
      changes.metadata = metadata as Record<string, string>;
    }
    if ("domain_data" in input) {
      const domainData = input.domain_data;
      if (
        !Array.isArray(domainData) ||
        !domainData.every((entry) => isRecord(entry) && typeof entry.domain === "string")
      ) {
        throw invalid("domain_data", "domain_data_invalid");
      }
      changes.domains = domainData.map((entry) => String((entry as Record<string, unknown>).domain));
    }
    if ("stripe_customer_id" in input) {
      if (input.stripe_customer_id !== null && typeof input.stripe_customer_id !== "string") {
        throw invalid("stripe_customer_id", "stripe_customer_id_invalid");
      }
      changes.stripeCustomerId = input.stripe_customer_id;
    }
    return this.updateOrganization(id, changes);
  }

  // ---- internals ---------------------------------------------------------------------------

  private nowMs(): number {
    return this.fixedNow ?? Date.now();
  }

  private stamp(): string {
    return new Date(this.nowMs()).toISOString();
  }

  /**
   * The next `updated_at` for an object: the clock, but at least 1 ms past the previous value.
   * Consumers skip events whose `updated_at` is not newer than what they hold (WorkOS's own
   * advice), so two updates within one millisecond, or under a fixed clock, must still differ.
   */
  private bump(previous: string): string {
    return new Date(Math.max(this.nowMs(), Date.parse(previous) + 1)).toISOString();
  }

  private newId(prefix: string): string {
    return `${prefix}_${this.ids.next(this.nowMs())}`;
  }

  private newDomain(organizationId: string, domain: string, at: string): RawOrganizationDomain {
    return {
      object: "organization_domain",
      id: this.newId("org_domain"),
      domain,
      organization_id: organizationId,
      state: "verified",
      verification_strategy: "dns",
      created_at: at,
      updated_at: at,
    };
  }

  private assertExternalIdFree(externalId: string | null, ownerId: string | undefined): void {
    if (externalId === null) return;
    for (const org of this.orgs.values()) {
      if (org.external_id === externalId && org.id !== ownerId) {
        throw new ApiError(409, {
          code: "external_id_conflict",
          message: `An organization with external_id '${externalId}' already exists.`,
        });
      }
    }
  }

  /** Records an event whose data is a snapshot: later changes to the object must not rewrite history. */
  private emit(event: string, data: object): void {
    this.insertEvent({
      object: "event",
      id: this.newId("event"),
      event,
      data: clone(data) as Record<string, unknown>,
      created_at: this.stamp(),
    });
  }

  private insertEvent(event: RawEvent): void {
    // Generated ids only grow, so this is a push; appended ids may land anywhere.
    let index = this.eventLog.length;
    while (index > 0 && (this.eventLog[index - 1] as RawEvent).id > event.id) index -= 1;
    this.eventLog.splice(index, 0, event);
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const fault = this.faults.find(
      (candidate) => candidate.pattern.test(path) || candidate.pattern.test(`${method} ${path}`),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return fault;
  }

  private sorted<T extends { id: string }>(map: Map<string, T>): T[] {
    return [...map.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

function requireName(name: string): string {
  if (typeof name !== "string" || name.trim() === "") throw invalid("name", "name_required");
  return name;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, { code: "invalid_path", message: `Malformed path segment '${segment}'.` });
  }
}

/** The millisecond timestamp a ULID carries, or undefined when the value is not one. */
function ulidTime(value: string): number | undefined {
  if (!/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(value)) return undefined;
  return decodeTime(value);
}
