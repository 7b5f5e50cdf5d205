import "./quiet-logs";
import { createHash } from "node:crypto";
import type { AuditEvent, CreateUserInput, MintedToken, User } from "@kith/core/identity";
import type { Org } from "@kith/core/orgs";
import { LocalGateway } from "@kith/local/gateway";
import { afterAll, beforeAll, expect } from "vitest";
import { manifest } from "../../manifest";
import { scanTable, uniqueName, useFreshTable } from "../support/integration";

/**
 * Route tests: the manifest's real routes behind the local API Gateway, over HTTP, against a
 * DynamoDB Local table of their own. Handlers run in this process (as in `npm start`), so the table
 * can be read directly to prove that a rejected write wrote nothing.
 */

export const OPERATOR_KEY = "routes-test-operator-key-0123456789";

/** The contract's operator actor, computed here independently of the product code. */
export const OPERATOR_ACTOR = `op:${createHash("sha256").update(OPERATOR_KEY).digest("hex").slice(0, 16)}`;

/** Matches any ISO-8601 UTC timestamp as the API returns them. */
export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** The contract's user token shape. */
export const USER_TOKEN = /^kith_[0-9A-Za-z]{32,}$/;

export interface CallOptions {
  /** Bearer token; defaults to the operator key, `null` sends no Authorization header. */
  token?: string | null;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (for malformed JSON); wins over `body`. */
  raw?: string;
  headers?: Record<string, string>;
}

// biome-ignore lint/suspicious/noExplicitAny: reply bodies are JSON, asserted field by field in each test
export type Json = any;

export interface Reply<T = Json> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: T;
  text: string;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type Item = Record<string, unknown>;

export interface RouteHarness {
  readonly port: number;
  api<T = Json>(method: string, path: string, options?: CallOptions): Promise<Reply<T>>;
  /** POST /v1/orgs as operator; fails the test unless it is a 201. */
  createOrg(name?: string, slug?: string): Promise<Org>;
  /** POST /v1/orgs/{orgId}/users as operator; fails the test unless it is a 201. */
  createUser(orgId: string, input?: Partial<CreateUserInput>): Promise<User>;
  /** POST …/tokens as operator; fails the test unless it is a 201. */
  mintToken(orgId: string, userId: string, label?: string): Promise<MintedToken>;
  /** GET …/users/{userId} as operator. */
  getUser(orgId: string, userId: string): Promise<Reply<User>>;
  /** Every audit event of a user, newest first (all pages). */
  events(orgId: string, userId: string): Promise<AuditEvent[]>;
  /** Every item of the table, for "nothing was written" checks. */
  tableItems(): Promise<Item[]>;
  /** Every item that belongs to one org (its partitions, claims, and its users' tokens). */
  orgItems(orgId: string): Promise<Item[]>;
  /** A fresh, unique email in this file. */
  email(prefix?: string): string;
}

/**
 * Starts one gateway over the manifest's routes and one fresh table for the calling test file
 * (registered as beforeAll/afterAll), and returns the helpers the tests use.
 */
export function useRouteGateway(): RouteHarness {
  let gateway: LocalGateway | undefined;
  let drop: (() => Promise<void>) | undefined;
  let port = 0;
  let counter = 0;

  beforeAll(async () => {
    ({ drop } = await useFreshTable());
    process.env.OPERATOR_API_KEY = OPERATOR_KEY;
    // No bus in these tests: domain events are skipped after commit (the write is what is tested).
    delete process.env.KITH_EVENT_BUS_NAME;
    gateway = new LocalGateway(manifest.routes, []);
    port = await gateway.listen(0);
  });

  afterAll(async () => {
    await gateway?.close();
    await drop?.();
  });

  async function api<T = Json>(method: string, path: string, options: CallOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? OPERATOR_KEY : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers["content-type"] ??= "application/json";
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text.length > 0 ? JSON.parse(text) : undefined) as T,
      text,
    };
  }

  function expectStatus<T>(reply: Reply<T>, status: number, what: string): T {
    if (reply.status !== status) {
      throw new Error(`${what}: expected ${status}, got ${reply.status} ${reply.text}`);
    }
    return reply.body;
  }

  return {
    get port() {
      return port;
    },
    api,
    async createOrg(name = uniqueName("Org"), slug?: string) {
      return expectStatus(
        await api<Org>("POST", "/v1/orgs", { body: slug === undefined ? { name } : { name, slug } }),
        201,
        "create org",
      );
    },
    async createUser(orgId, input = {}) {
      return expectStatus(
        await api<User>("POST", `/v1/orgs/${orgId}/users`, { body: { name: uniqueName("User"), ...input } }),
        201,
        "create user",
      );
    },
    async mintToken(orgId, userId, label) {
      return expectStatus(
        await api<MintedToken>("POST", `/v1/orgs/${orgId}/users/${userId}/tokens`, {
          body: label === undefined ? {} : { label },
        }),
        201,
        "mint token",
      );
    },
    getUser: (orgId, userId) => api<User>("GET", `/v1/orgs/${orgId}/users/${userId}`),
    async events(orgId, userId) {
      const all: AuditEvent[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=200&cursor=${encodeURIComponent(cursor)}` : "?limit=200";
        const page: Page<AuditEvent> = await expectStatus(
          await api<Page<AuditEvent>>("GET", `/v1/orgs/${orgId}/users/${userId}/events${query}`),
          200,
          "list events",
        );
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    },
    tableItems: scanTable,
    async orgItems(orgId) {
      return (await scanTable()).filter(
        (item) => String(item.pk).startsWith(`ORG#${orgId}`) || item.orgId === orgId,
      );
    },
    email(prefix = "person") {
      counter += 1;
      return `${prefix}.${counter}.${uniqueName("x")}@example.com`;
    },
  };
}

/** The `eventType`s of audit events, in the order listed (newest first). */
export function eventTypes(events: readonly AuditEvent[]): string[] {
  return events.map((event) => event.eventType);
}

/** Asserts a contract error body and returns its details. */
export function expectError(reply: Reply, status: number, code: string): Record<string, unknown> {
  expect({ status: reply.status, code: reply.body?.error?.code }).toEqual({ status, code });
  expect(reply.body).toEqual({
    error: {
      code,
      message: expect.any(String),
      ...(reply.body.error.details === undefined ? {} : { details: expect.any(Object) }),
    },
  });
  return (reply.body as ErrorBody).error.details ?? {};
}

/** Path of a manifest route with its `{parameters}` filled in (each value URL-encoded). */
export function fillPath(path: string, parameters: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = parameters[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(value);
  });
}
