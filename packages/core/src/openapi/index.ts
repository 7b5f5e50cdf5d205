import * as z from "zod/mini";
import { STATUS_MESSAGES } from "../http/response";

/**
 * A small OpenAPI 3.1 document builder. Routes declare their contract once, as zod schemas, and the
 * document is derived from those same schemas, so it cannot drift from what the handlers validate.
 * JSON Schema comes from zod's own `z.toJSONSchema`; this module only places the results in an
 * OpenAPI document and points zod's `$defs` references at `components.schemas`.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What the document needs of a route: a route declaration (`http/route.ts`) is one. */
export interface ApiOperation {
  method: HttpMethod;
  /** API Gateway syntax, e.g. `/v1/orgs/{orgId}/users/{userId}`; every `{name}` becomes a path parameter. */
  path: string;
  /** camelCase and unique across the document: client generators turn it into a function name. */
  operationId: string;
  summary: string;
  description?: string;
  tags?: readonly string[];
  /** Mirrors the route's `AuthKind`. */
  auth: "none" | "bearer" | "webhook";
  /** Who may call a bearer route (see `Access` in http/route.ts); documented as `x-access`. */
  access?: "operator" | "caller" | { org: "admin" | "member"; self?: string };
  /** The path parameters' schema; each property documents its `{name}` (default: a string). */
  params?: z.core.$ZodObject;
  /** Each property becomes a query parameter, required unless the field is optional. */
  query?: z.core.$ZodObject;
  /** Documented as a required `application/json` request body, in the schema's input shape. */
  body?: z.core.$ZodType;
  /** Success responses (output shape) and error statuses that deserve their own description. */
  responses: Readonly<Record<number, { description: string; schema?: z.core.$ZodType }>>;
  /** Further error statuses this operation can return, e.g. `[404, 409]`. */
  errors?: readonly number[];
}

/** A message Kith publishes (a domain event): documented as a schema and listed in `x-domain-events`. */
export interface ApiEvent {
  type: string;
  description: string;
  /** The whole event (`{id, type, occurredAt, orgId, data}`), registered with an id. */
  schema: z.core.$ZodType;
}

export interface ApiInfo {
  title: string;
  version: string;
  description?: string;
}

/** The contract's error body (see `http/response.ts`); every error response in the document uses it. */
export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().check(z.describe("Stable, machine-readable error code, e.g. `not_found`.")),
      message: z
        .string()
        .check(z.describe("Human-readable explanation; for 5xx it is deliberately generic.")),
      details: z.optional(z.record(z.string(), z.unknown())),
    }),
  })
  .register(z.globalRegistry, { id: "Error" });

export { pageSchema } from "../storage/cursor";

type Json = null | boolean | number | string | Json[] | JsonObject;
type JsonObject = { [key: string]: Json };
type Io = "input" | "output";

const COMPONENTS = "#/components/schemas/";
const DEFS = "#/$defs/";
/** What OpenAPI allows as a component key; anything else would need escaping in every `$ref`. */
const COMPONENT_NAME = /^[A-Za-z0-9._-]+$/;
const OPERATION_ID = /^[a-z][A-Za-z0-9]*$/;
const METHOD_ORDER: readonly HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

const ERROR_DESCRIPTIONS: Record<number, string> = {
  ...STATUS_MESSAGES,
  500: "Something went wrong",
  503: "The service is unavailable",
};

/**
 * Builds an OpenAPI 3.1 document from operation declarations. Schemas registered with
 * `.meta({ id })` become `components.schemas` entries and are referenced, never inlined. Request
 * bodies and query parameters use the schema's input shape and responses its output shape; when a
 * named schema is used both ways and the shapes differ (unknown keys, defaults, transforms), the
 * input variant is the component `<id>Input`. The result is plain JSON, and the same operations always give
 * byte-identical output, so a committed document diffs cleanly.
 *
 * @throws Error when operations are inconsistent (duplicate operationId or route, a bad
 * operationId or component id, two schemas sharing an id) or a recursive schema has no id.
 */
export function buildDocument(
  operations: readonly ApiOperation[],
  info: ApiInfo,
  events: readonly ApiEvent[] = [],
): Record<string, unknown> {
  checkOperations(operations);
  const schemas = new SchemaSet();
  const errorRoot = schemas.convert(ErrorBodySchema, "output");
  const eventRoots = events.map((event) => ({ event, root: schemas.convert(event.schema, "output") }));

  // Convert everything first: a reference's final name depends on whether its schema is used
  // both ways anywhere in the document.
  const drafts = operations.map((operation) => draftOperation(operation, schemas, errorRoot));
  const naming = schemas.naming();

  const byPath = new Map<string, Map<HttpMethod, JsonObject>>();
  for (const draft of drafts) {
    const methods = byPath.get(draft.path) ?? new Map<HttpMethod, JsonObject>();
    methods.set(draft.method, finishOperation(draft, naming));
    byPath.set(draft.path, methods);
  }
  const paths: JsonObject = {};
  for (const path of [...byPath.keys()].sort()) {
    const methods = byPath.get(path) ?? new Map<HttpMethod, JsonObject>();
    const item: JsonObject = {};
    for (const method of METHOD_ORDER) {
      const operation = methods.get(method);
      if (operation) item[method.toLowerCase()] = operation;
    }
    paths[path] = item;
  }

  // Outgoing messages, not requests: EventBridge consumers and the journal see exactly these.
  const domainEvents: Json = eventRoots.map(({ event, root }) => ({
    type: event.type,
    description: event.description,
    schema: naming.rewrite(root, "output"),
  }));

  const components: JsonObject = {};
  const componentSchemas = naming.reachableFrom({ paths, events: domainEvents });
  if (Object.keys(componentSchemas).length > 0) components.schemas = componentSchemas;
  if (operations.some((operation) => operation.auth === "bearer")) {
    components.securitySchemes = {
      bearerAuth: {
        type: "http",
        scheme: "bearer",
        description: "An operator key, or a `kith_` user token.",
      },
    };
  }

  const document: JsonObject = { openapi: "3.1.0", info: infoObject(info) };
  const tags = [...new Set(operations.flatMap((operation) => operation.tags ?? []))].sort();
  if (tags.length > 0) document.tags = tags.map((name) => ({ name }));
  document.paths = paths;
  if (Object.keys(components).length > 0) document.components = components;
  if (events.length > 0) document["x-domain-events"] = domainEvents;
  return document;
}

function infoObject(info: ApiInfo): JsonObject {
  const result: JsonObject = { title: info.title, version: info.version };
  if (info.description !== undefined) result.description = info.description;
  return result;
}

/** Mistakes a generated client would only reveal much later, so they fail the build instead. */
function checkOperations(operations: readonly ApiOperation[]): void {
  const ids = new Set<string>();
  const routes = new Set<string>();
  for (const operation of operations) {
    if (!OPERATION_ID.test(operation.operationId)) {
      throw new Error(`operationId "${operation.operationId}" must be camelCase`);
    }
    if (ids.has(operation.operationId)) throw new Error(`duplicate operationId "${operation.operationId}"`);
    ids.add(operation.operationId);
    const route = `${operation.method} ${operation.path}`;
    if (routes.has(route)) throw new Error(`duplicate route ${route}`);
    routes.add(route);
    if (!operation.path.startsWith("/")) throw new Error(`path "${operation.path}" must start with "/"`);
  }
}

/** An operation whose schemas are converted but whose `$ref`s still use zod's `#/$defs/<id>`. */
interface DraftOperation {
  method: HttpMethod;
  path: string;
  head: JsonObject;
  parameters: { parameter: JsonObject; schema: Json }[];
  body: Json | undefined;
  responses: { status: number; description: string; schema: Json | undefined; io: Io }[];
}

function draftOperation(operation: ApiOperation, schemas: SchemaSet, errorRoot: Json): DraftOperation {
  const head: JsonObject = {};
  if (operation.tags && operation.tags.length > 0) head.tags = [...operation.tags];
  head.summary = operation.summary;
  if (operation.description !== undefined) head.description = operation.description;
  head.operationId = operation.operationId;
  if (operation.auth === "bearer") head.security = [{ bearerAuth: [] }];
  if (operation.access !== undefined) head["x-access"] = accessDescription(operation.access);

  const parameters: DraftOperation["parameters"] = [];
  const seen = new Set<string>();
  const pathSchemas = operation.params ? objectProperties(operation.params, schemas) : {};
  for (const match of operation.path.matchAll(/\{([^{}]+)\}/g)) {
    const name = match[1] ?? "";
    if (seen.has(name)) throw new Error(`path parameter {${name}} appears twice in ${operation.path}`);
    seen.add(name);
    const schema = pathSchemas[name] ?? { type: "string" };
    parameters.push({ parameter: { name, in: "path", required: true }, schema });
  }
  if (operation.query) parameters.push(...queryParameters(operation.query, schemas));

  const body = operation.body ? schemas.convert(operation.body, "input") : undefined;

  const responses: DraftOperation["responses"] = [];
  for (const [key, response] of Object.entries(operation.responses)) {
    const status = Number(key);
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new Error(`${operation.operationId}: ${key} is not an HTTP status`);
    }
    if (status >= 400) {
      // The error mapper sends every failure as the contract's error body, whatever the route.
      if (response.schema !== undefined && response.schema !== ErrorBodySchema) {
        throw new Error(`${operation.operationId}: error response ${status} must use ErrorBodySchema`);
      }
      responses.push({ status, description: response.description, schema: errorRoot, io: "output" });
    } else {
      const schema = response.schema ? schemas.convert(response.schema, "output") : undefined;
      responses.push({ status, description: response.description, schema, io: "output" });
    }
  }
  const errors = new Set<number>(operation.errors ?? []);
  if (operation.body || operation.query) errors.add(400);
  if (operation.auth === "bearer") {
    errors.add(401);
    errors.add(403);
  }
  // A webhook's signature check rejects with 401 before the handler runs.
  if (operation.auth === "webhook") errors.add(401);
  errors.add(500);
  for (const status of errors) {
    if (status < 400 || status > 599 || !Number.isInteger(status)) {
      throw new Error(`${operation.operationId}: ${status} is not an error status`);
    }
    if (responses.some((response) => response.status === status)) continue;
    const description = ERROR_DESCRIPTIONS[status] ?? "Request failed";
    responses.push({ status, description, schema: errorRoot, io: "output" });
  }
  responses.sort((a, b) => a.status - b.status);

  return { method: operation.method, path: operation.path, head, parameters, body, responses };
}

/** Who may call, in words, for the `x-access` extension. */
function accessDescription(access: NonNullable<ApiOperation["access"]>): string {
  if (access === "operator") return "operator";
  if (access === "caller") return "any authenticated caller";
  const who =
    access.org === "admin" ? "an admin of the org, or the operator" : "any token of the org, or the operator";
  return access.self ? `${who}; or the user that {${access.self}} names` : who;
}

/** The input JSON Schema of each property of an object schema. */
function objectProperties(object: z.core.$ZodObject, schemas: SchemaSet): Record<string, Json> {
  const root = schemas.resolve(schemas.convert(object, "input"), "input");
  return isObject(root.properties) ? (root.properties as Record<string, Json>) : {};
}

/** Query parameters are read off the object's input JSON Schema, so `required` is zod's own verdict. */
function queryParameters(query: z.core.$ZodObject, schemas: SchemaSet): DraftOperation["parameters"] {
  const root = schemas.resolve(schemas.convert(query, "input"), "input");
  const properties = isObject(root.properties) ? root.properties : {};
  const required = new Set(Array.isArray(root.required) ? root.required : []);
  return Object.entries(properties).map(([name, schema]) => {
    const parameter: JsonObject = { name, in: "query", required: required.has(name) };
    if (isObject(schema) && typeof schema.description === "string")
      parameter.description = schema.description;
    return { parameter, schema };
  });
}

function finishOperation(draft: DraftOperation, naming: Naming): JsonObject {
  const result: JsonObject = { ...draft.head };
  if (draft.parameters.length > 0) {
    result.parameters = draft.parameters.map(({ parameter, schema }) => ({
      ...parameter,
      schema: naming.rewrite(schema, "input"),
    }));
  }
  if (draft.body !== undefined) {
    result.requestBody = { required: true, content: jsonContent(naming.rewrite(draft.body, "input")) };
  }
  const responses: JsonObject = {};
  for (const response of draft.responses) {
    const entry: JsonObject = { description: response.description };
    if (response.schema !== undefined)
      entry.content = jsonContent(naming.rewrite(response.schema, response.io));
    responses[String(response.status)] = entry;
  }
  result.responses = responses;
  return result;
}

function jsonContent(schema: Json): JsonObject {
  return { "application/json": { schema } };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Every schema the document uses, converted by zod one at a time. zod puts each named schema a
 * conversion reaches under `$defs`; those definitions are collected here, per shape, and become
 * components once their names are settled.
 */
class SchemaSet {
  /** Named definitions by id, per shape, as zod emitted them (references still `#/$defs/<id>`). */
  private readonly defs: Record<Io, Map<string, JsonObject>> = { input: new Map(), output: new Map() };
  /** Ids given with `.meta({ id })`, as opposed to the ones zod invents to break a cycle. */
  private readonly named = new Set<string>();
  private readonly cache: Record<Io, WeakMap<z.core.$ZodType, Json>> = {
    input: new WeakMap(),
    output: new WeakMap(),
  };

  /** Converts a schema and returns its root, which is a `$ref` when the schema itself is named. */
  convert(schema: z.core.$ZodType, io: Io): Json {
    const cached = this.cache[io].get(schema);
    if (cached !== undefined) return cached;
    const result = z.toJSONSchema(schema, {
      target: "draft-2020-12",
      io,
      // A transform's output has no JSON Schema; `{}` documents it as "any" rather than failing.
      unrepresentable: "any",
      override: ({ zodSchema }) => {
        const id = z.globalRegistry.get(zodSchema)?.id;
        if (id !== undefined) this.named.add(id);
      },
    });
    const { $schema: _dialect, $defs, ...root } = toJson(result) as JsonObject;
    for (const [id, definition] of Object.entries(isObject($defs) ? $defs : {})) {
      this.define(id, io, definition);
    }
    this.cache[io].set(schema, root);
    return root;
  }

  /** Follows a root `$ref` to the definition, for callers that need the schema's own properties. */
  resolve(root: Json, io: Io): JsonObject {
    if (isObject(root) && typeof root.$ref === "string" && root.$ref.startsWith(DEFS)) {
      return this.defs[io].get(decodePointer(root.$ref.slice(DEFS.length))) ?? {};
    }
    return isObject(root) ? root : {};
  }

  /**
   * Settles component names. An input variant needs a name of its own only when the same named
   * schema also appears in a response with a different shape, directly or through a schema it
   * references; otherwise the component keeps its id. zod's input objects accept unknown keys and
   * its output objects do not, so a plain object used both ways nearly always gets `<id>Input`.
   */
  naming(): Naming {
    const { input, output } = this.defs;
    const inputVariants = new Set<string>();
    for (const [id, definition] of input) {
      const counterpart = output.get(id);
      if (counterpart !== undefined && JSON.stringify(definition) !== JSON.stringify(counterpart)) {
        inputVariants.add(id);
      }
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const [id, definition] of input) {
        if (inputVariants.has(id) || !output.has(id)) continue;
        if (collectRefs(definition, DEFS).some((ref) => inputVariants.has(decodePointer(ref)))) {
          inputVariants.add(id);
          changed = true;
        }
      }
    }
    for (const id of inputVariants) {
      if (input.has(`${id}Input`) || output.has(`${id}Input`)) {
        throw new Error(`schema id "${id}Input" is taken, but is needed for the input shape of "${id}"`);
      }
    }
    return new Naming(this.defs, inputVariants);
  }

  private define(id: string, io: Io, definition: Json): void {
    if (!this.named.has(id)) {
      // zod invents an id only to break a cycle it cannot otherwise express.
      throw new Error(
        `a recursive schema needs an id in z.globalRegistry (.register or .meta) to be documented (zod called it "${id}")`,
      );
    }
    if (!COMPONENT_NAME.test(id)) throw new Error(`schema id "${id}" may only use A-Z a-z 0-9 . _ -`);
    if (!isObject(definition)) throw new Error(`schema "${id}" did not convert to a JSON Schema object`);
    const existing = this.defs[io].get(id);
    if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(definition)) {
      throw new Error(`two different schemas use the id "${id}"`);
    }
    this.defs[io].set(id, definition);
  }
}

/** Final component names, and the rewriting of zod's `#/$defs/<id>` into component references. */
class Naming {
  constructor(
    private readonly defs: Record<Io, Map<string, JsonObject>>,
    private readonly inputVariants: ReadonlySet<string>,
  ) {}

  name(id: string, io: Io): string {
    return io === "input" && this.inputVariants.has(id) ? `${id}Input` : id;
  }

  rewrite(value: Json, io: Io): Json {
    if (Array.isArray(value)) return value.map((item) => this.rewrite(item, io));
    if (!isObject(value)) return value;
    const result: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === "$ref" && typeof item === "string") result[key] = this.reference(item, io);
      else result[key] = this.rewrite(item, io);
    }
    return result;
  }

  /** Only the components the paths actually reach, so a document lists no unused schema. */
  reachableFrom(paths: Json): JsonObject {
    const all = new Map<string, Json>();
    for (const io of ["output", "input"] as const) {
      for (const [id, definition] of this.defs[io]) all.set(this.name(id, io), this.rewrite(definition, io));
    }
    const reached = new Set<string>();
    const pending = collectRefs(paths, COMPONENTS);
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      if (reached.has(name)) continue;
      reached.add(name);
      pending.push(...collectRefs(all.get(name) ?? null, COMPONENTS));
    }
    const result: JsonObject = {};
    for (const name of [...reached].sort()) result[name] = all.get(name) ?? {};
    return result;
  }

  private reference(ref: string, io: Io): string {
    if (ref === "#") {
      // In a document, "#" is the whole OpenAPI document, not the schema zod meant.
      throw new Error(
        "a recursive schema needs an id in z.globalRegistry (.register or .meta) to be documented",
      );
    }
    if (!ref.startsWith(DEFS)) return ref;
    return COMPONENTS + this.name(decodePointer(ref.slice(DEFS.length)), io);
  }
}

/** `$ref` targets under `prefix`, with the prefix removed, in document order. */
function collectRefs(value: Json, prefix: string): string[] {
  const refs: string[] = [];
  const visit = (node: Json): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
    } else if (isObject(node)) {
      for (const [key, item] of Object.entries(node)) {
        if (key === "$ref" && typeof item === "string" && item.startsWith(prefix)) {
          refs.push(item.slice(prefix.length));
        } else visit(item);
      }
    }
  };
  visit(value);
  return refs;
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** A plain-JSON copy: drops zod's non-enumerable extras and any `undefined`, refuses what JSON cannot hold. */
function toJson(value: unknown): Json {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${value} cannot be represented in JSON`);
    return value;
  }
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object") {
    const result: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) result[key] = toJson(item);
    }
    return result;
  }
  throw new Error(`a ${typeof value} cannot be represented in JSON`);
}
