import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ulid } from "ulid";
import { type LoopbackServer, listenLoopback, sendJson } from "./http";
import { type RecordedRequest, readRequest, recordOf, respond } from "./workos-api";
import { toMs } from "./workos-clock";
import {
  type CreateOrganizationInput,
  type CreateUserInput,
  type MembershipInput,
  type UpdateOrganizationInput,
  type UpdateUserInput,
  WorkOSDirectory,
} from "./workos-directory";
import type { AppendEventInput } from "./workos-event-log";
import { type FailureOptions, Faults } from "./workos-faults";
import {
  clone,
  type RawEvent,
  type RawOrganization,
  type RawOrganizationMembership,
  type RawUser,
  type SignedWebhook,
  signWorkOSWebhook,
} from "./workos-wire";

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

export type { RecordedRequest } from "./workos-api";
export { WORKOS_EVENT_RETENTION_MS } from "./workos-api-events";
export type {
  CreateOrganizationInput,
  CreateUserInput,
  MembershipInput,
  UpdateOrganizationInput,
  UpdateUserInput,
} from "./workos-directory";
export type { AppendEventInput } from "./workos-event-log";
export type { FailureOptions } from "./workos-faults";
export {
  type MembershipStatus,
  type RawEvent,
  type RawOrganization,
  type RawOrganizationDomain,
  type RawOrganizationMembership,
  type RawUser,
  type SignedWebhook,
  signWorkOSWebhook,
} from "./workos-wire";

export interface WorkOSSandboxOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** The key clients must send as `Authorization: Bearer <key>`; random `sk_test_…` by default. */
  apiKey?: string;
}

/**
 * The WorkOS sandbox: an in-process HTTP server on 127.0.0.1 plus the state behind it. Control
 * methods return snapshots in wire format (snake_case); mutate state only through them.
 */
export class WorkOSSandbox {
  /** The key clients must present. */
  readonly apiKey: string;
  private server!: LoopbackServer;
  private readonly directory = new WorkOSDirectory();
  private readonly recorded: RecordedRequest[] = [];
  private readonly faults = new Faults();

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
    return new Date(this.directory.clock.nowMs());
  }

  /** Fixes the clock at `time` (e.g. 31 days ahead to expire events); `null` returns to wall time. */
  setNow(time: Date | string | number | null): void {
    this.directory.clock.set(time);
  }

  /** Moves the clock forward by `ms`, fixing it there. */
  advanceTime(ms: number): void {
    this.directory.clock.advance(ms);
  }

  // ---- organizations -----------------------------------------------------------------------

  /** Creates an organization and emits `organization.created`. */
  createOrganization(input: CreateOrganizationInput): RawOrganization {
    return this.directory.createOrganization(input);
  }

  /** Updates an organization and emits `organization.updated`, as `PUT /organizations/{id}` does. */
  updateOrganization(id: string, changes: UpdateOrganizationInput): RawOrganization {
    return this.directory.updateOrganization(id, changes);
  }

  /** Deletes an organization (and its memberships) and emits `organization.deleted`. */
  deleteOrganization(id: string): void {
    this.directory.deleteOrganization(id);
  }

  organization(id: string): RawOrganization | undefined {
    return this.directory.organization(id);
  }

  organizations(): RawOrganization[] {
    return this.directory.organizations();
  }

  // ---- users -------------------------------------------------------------------------------

  /** Creates a User Management user and emits `user.created`. */
  createUser(input: CreateUserInput): RawUser {
    return this.directory.createUser(input);
  }

  /** Updates a user and emits `user.updated`. */
  updateUser(id: string, changes: UpdateUserInput): RawUser {
    return this.directory.updateUser(id, changes);
  }

  /** Deletes a user (and their memberships) and emits `user.deleted`. */
  deleteUser(id: string): void {
    this.directory.deleteUser(id);
  }

  user(id: string): RawUser | undefined {
    return this.directory.user(id);
  }

  // ---- memberships -------------------------------------------------------------------------

  /** Adds a user to an organization and emits `organization_membership.created`. */
  createMembership(
    organizationId: string,
    userId: string,
    input: MembershipInput = {},
  ): RawOrganizationMembership {
    return this.directory.createMembership(organizationId, userId, input);
  }

  /** Changes a membership's status, role or attributes and emits `organization_membership.updated`. */
  updateMembership(id: string, changes: MembershipInput): RawOrganizationMembership {
    return this.directory.updateMembership(id, changes);
  }

  /** Removes a membership and emits `organization_membership.deleted`. */
  deleteMembership(id: string): void {
    this.directory.deleteMembership(id);
  }

  membership(id: string): RawOrganizationMembership | undefined {
    return this.directory.membership(id);
  }

  // ---- events ------------------------------------------------------------------------------

  /**
   * Pushes an event as is, for out-of-order, stale and duplicate scenarios: an explicit `id`
   * lower than a consumer's cursor is never listed to it, a repeated `id` is listed twice (but a
   * cursor at that id skips both), and `data` is not checked against the sandbox's state.
   */
  appendEvent(input: AppendEventInput): RawEvent {
    return this.directory.events.append(input);
  }

  /** An `event_<ULID>` id for `time` (not ordered against other ids of that millisecond). */
  eventIdAt(time: Date | string | number): string {
    return `event_${ulid(toMs(time))}`;
  }

  /** Every event emitted or appended, in id order, including those past retention. */
  events(): RawEvent[] {
    return this.directory.events.entries.map(clone);
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
    this.faults.add(pattern, status, times, options);
  }

  /** Signs `payload` as a WorkOS webhook delivery; see {@link signWorkOSWebhook}. */
  signWebhook(payload: object | string, secret: string, timestampMs?: number): SignedWebhook {
    return signWorkOSWebhook(payload, secret, timestampMs);
  }

  // ---- HTTP --------------------------------------------------------------------------------

  // Recorded first, then faults, then the key: a test sees every attempt, and an injected
  // failure answers even a client with a wrong key.
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readRequest(req);
    this.recorded.push(recordOf(request));
    const headers = { "x-request-id": `req_${ulid(Date.now())}` };
    const fault = this.faults.take(request.method, request.url.pathname);
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
    const reply = respond(this.directory, request);
    sendJson(res, reply.status, reply.body, headers);
  }
}
