import * as z from "zod/mini";
import type * as core from "zod/v4/core";

/**
 * A route of the HTTP API, declared once: what the manifest wires (method, path, auth, handler,
 * function settings), who may call it, the zod schemas its handler validates with, and what the
 * OpenAPI document says about it. The stacks, the local runtime, the handler kit and the document
 * all read this one object, so they cannot disagree.
 *
 * This file imports nothing but zod (its tree-shakable `zod/mini` build): the manifest (and through
 * it `sst.config.ts`) loads every route declaration, and a handler bundle loads its own. Schemas
 * are typed by zod's core, so routes take classic and mini schemas alike.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * - `none`: public (health, OAuth callbacks).
 * - `webhook`: not bearer-authenticated; the handler verifies a provider signature on the raw body.
 * - `bearer`: `Authorization: Bearer <operator key | kith_ token>`, checked by the handler kit.
 */
export type AuthKind = "none" | "webhook" | "bearer";

/**
 * Who may call a bearer route, checked after authentication and before anything is parsed:
 * - `operator`: only the operator;
 * - `caller`: any authenticated caller;
 * - `{ org }`: a token of the path's `{orgId}` (or the operator): `admin` needs an admin token,
 *   except for the user a `self` path parameter names; `member` takes any token of the org.
 */
export type Access =
  | "operator"
  | "caller"
  | {
      org: "admin" | "member";
      self?: string;
      /**
       * With `self`: a member token naming another user gets 404, as if that user's resource did
       * not exist (a mailbox is private to its user), instead of 403.
       */
      othersSeeNotFound?: boolean;
    };

export interface RouteResponse {
  description: string;
  schema?: core.$ZodType;
}

export interface RouteSpec {
  method: HttpMethod;
  /** API Gateway path syntax: `/v1/orgs/{orgId}`. */
  path: string;
  /** `<file without extension>.<export>` relative to the repository root, as SST's `handler` prop takes it. */
  handler: string;
  auth: AuthKind;
  /** Required for `bearer` routes, absent otherwise. */
  access?: Access;
  /** camelCase and unique across the API: client generators turn it into a function name. */
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  /** The path parameters' schema; by default every `{name}` is a string of 1 to 128 characters. */
  params?: core.$ZodObject;
  /** What a path that cannot name anything is (a parameter that fails its schema); default a 404. */
  notFound?: () => Error;
  query?: core.$ZodObject;
  /** The JSON body; a route without one takes none. */
  body?: core.$ZodType;
  /** Success responses; error statuses share the contract's error body (`errors`). */
  responses: Readonly<Record<number, RouteResponse>>;
  /** Further error statuses this route can return, e.g. `[404, 409]`. */
  errors?: readonly number[];
  /** Seconds; API Gateway HTTP APIs cap integrations at 30 s. */
  timeoutSeconds?: number;
  memoryMB?: number;
  /**
   * Access to the KMS key that seals secrets at rest (packages/core/src/vault): `seal` grants
   * Encrypt, `open` grants Decrypt. Functions without it get neither.
   */
  sealedSecrets?: "seal" | "open" | "seal+open";
  /** Bodies over this many bytes are a 413 (default 1 MiB, the contract's webhook ceiling). */
  maxBodyBytes?: number;
}

/** `"/v1/orgs/{orgId}/users/{userId}"` → `"orgId" | "userId"`. */
export type PathParameterNames<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParameterNames<Rest>
  : never;

/** A declared route: its spec, with the path parameters' schema always present. */
export type Route<S extends RouteSpec = RouteSpec> = S & {
  readonly params: S["params"] extends core.$ZodObject
    ? S["params"]
    : core.$ZodObject<Record<PathParameterNames<S["path"]>, core.$ZodString>>;
};

/** The id-like default of a path parameter: what API Gateway can deliver, and what an id can be. */
export const PathId = z.string().check(z.minLength(1), z.maxLength(128));

const OPERATION_ID = /^[a-z][A-Za-z0-9]*$/;

/** The names in a path, in order: `{orgId}` → `orgId`. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{([^{}]+)\}/g)].map((match) => match[1] as string);
}

/**
 * Declares a route. Inconsistencies that would otherwise surface only at run time (a bearer route
 * without an access rule, a path parameter its schema does not name) throw here, when the module
 * loads, so the manifest test and every handler's import fail on them.
 */
export function defineRoute<const S extends RouteSpec>(spec: S): Route<S> {
  const where = `${spec.method} ${spec.path}`;
  if (!spec.path.startsWith("/")) throw new Error(`${where}: a path starts with "/"`);
  if (!OPERATION_ID.test(spec.operationId)) throw new Error(`${where}: operationId must be camelCase`);
  if ((spec.auth === "bearer") !== (spec.access !== undefined)) {
    throw new Error(`${where}: bearer routes declare who may call them (access); other routes do not`);
  }
  const names = pathParameterNames(spec.path);
  if (new Set(names).size !== names.length) throw new Error(`${where}: a path parameter appears twice`);
  const params = spec.params ?? z.object(Object.fromEntries(names.map((name) => [name, PathId])));
  const declared = Object.keys(params._zod.def.shape);
  if (declared.length !== names.length || declared.some((name) => !names.includes(name))) {
    throw new Error(`${where}: params must name exactly the path's parameters (${names.join(", ")})`);
  }
  if (typeof spec.access === "object") {
    if (!names.includes("orgId")) throw new Error(`${where}: org access needs an {orgId} in the path`);
    if (spec.access.self !== undefined && !names.includes(spec.access.self)) {
      throw new Error(`${where}: access.self names "${spec.access.self}", which is not a path parameter`);
    }
  }
  return { ...spec, params } as Route<S>;
}
