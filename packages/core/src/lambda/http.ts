import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy, { type MiddlewareObj } from "@middy/core";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import secureJson from "secure-json-parse";
import * as z from "zod/mini";
import type * as core from "zod/v4/core";
import { type Actor, authenticate, requireOperator } from "../http/actor";
import { orgAccess } from "../http/org-access";
import { errorResponse } from "../http/response";
import type { Route } from "../http/route";
import { InvalidInput, KithError, NotFound, PayloadTooLarge } from "../util/errors";
import { logger } from "../util/logger";
import { issuesToDetails } from "./validation";

/** Mirrors the manifest's auth kinds; a unit test checks every handler against its route. */
export type AuthKind = "none" | "webhook" | "bearer";

type Schema = core.$ZodType;

/** Webhooks are capped at 1 MiB by the contract; admin routes get the same ceiling. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface RawRequest {
  /** The body exactly as the caller sent it, before any parsing: what signatures are computed over. */
  rawBody: Buffer;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  pathParameters: Record<string, string | undefined>;
}

export interface HttpRequest<
  TBody,
  TQuery,
  TVerified = unknown,
  TParams = Record<string, string>,
  TActor = Actor | undefined,
> extends RawRequest {
  body: TBody;
  query: TQuery;
  /** The path parameters, parsed by the route's schema. */
  params: TParams;
  actor: TActor;
  /** What the route's `verify` returned (e.g. the integration whose secret signed the request). */
  verified: TVerified;
  event: APIGatewayProxyEventV2;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HttpHandlerOptions<
  TBodySchema extends Schema | undefined,
  TQuerySchema extends Schema | undefined,
  TVerified = unknown,
> {
  auth: AuthKind;
  /**
   * Required for `webhook` routes: throw `Unauthenticated` (401) when the signature is bad. What it
   * returns reaches the handler as `verified`, so a secret looked up to verify is not looked up twice.
   */
  verify?: (request: RawRequest) => Promise<TVerified> | TVerified;
  /**
   * Runs after authentication and before the body and query are validated, so a caller who may
   * not touch a resource learns nothing about it, not even which fields its requests would need.
   */
  authorize?: (request: {
    actor: Actor | undefined;
    pathParameters: Record<string, string | undefined>;
  }) => Promise<void> | void;
  body?: TBodySchema;
  query?: TQuerySchema;
  /** The path parameters' schema; a value that fails it names nothing, so it is `notFound` (a 404). */
  params?: core.$ZodObject;
  notFound?: () => Error;
  maxBodyBytes?: number;
}

type Inferred<T> = T extends Schema ? core.output<T> : undefined;

interface KitContext extends Context {
  kith?: { rawBody: Buffer; actor?: Actor; verified?: unknown };
}

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/** Decodes the body once, enforces the size limit, and keeps the raw bytes for verification. */
function rawBodyCapture(maxBytes: number): MiddlewareObj<Event, Result, Error, KitContext> {
  return {
    before: (request) => {
      const { body, isBase64Encoded } = request.event;
      const raw =
        body === undefined || body === null
          ? Buffer.alloc(0)
          : Buffer.from(body, isBase64Encoded ? "base64" : "utf8");
      if (raw.length > maxBytes) throw new PayloadTooLarge(maxBytes);
      request.context.kith = { rawBody: raw };
      // Downstream parsers see plain text; the original bytes stay in context.kith.rawBody.
      request.event.body = raw.length > 0 ? raw.toString("utf8") : undefined;
      request.event.isBase64Encoded = false;
    },
  };
}

function signatureVerification(
  verify: NonNullable<HttpHandlerOptions<undefined, undefined>["verify"]>,
): MiddlewareObj<Event, Result, Error, KitContext> {
  return {
    before: async (request) => {
      const verified = await verify({
        rawBody: request.context.kith?.rawBody ?? Buffer.alloc(0),
        headers: request.event.headers,
        pathParameters: request.event.pathParameters ?? {},
      });
      if (request.context.kith) request.context.kith.verified = verified;
    },
  };
}

function bearerAuthentication(): MiddlewareObj<Event, Result, Error, KitContext> {
  return {
    before: async (request) => {
      const actor = await authenticate(request.event.headers.authorization);
      if (request.context.kith) request.context.kith.actor = actor;
      logger.appendKeys({ actor: actor.actor });
    },
  };
}

/** Runs the route's access check after authentication and before the body is even parsed. */
function authorization(
  authorize: NonNullable<HttpHandlerOptions<undefined, undefined>["authorize"]>,
): MiddlewareObj<Event, Result, Error, KitContext> {
  return {
    before: async (request) => {
      await authorize({
        actor: request.context.kith?.actor,
        pathParameters: request.event.pathParameters ?? {},
      });
    },
  };
}

/** Decodes strictly: a JSON body that is not valid UTF-8 is refused, never patched with U+FFFD. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** `application/json` and `application/<anything>+json`, with or without parameters (middy's rule). */
const JSON_CONTENT_TYPE = /^application\/([a-z0-9.+-]+\+)?json(;|$)/i;

/**
 * Parses JSON bodies only when there is one; malformed JSON is the contract's 400. Parsing uses
 * `secure-json-parse`, which refuses `__proto__` and `constructor.prototype` keys like middy's
 * `http-json-body-parser` does, but checks for them with a substring scan instead of a `JSON.parse`
 * reviver: on a 12 KB GitHub payload the reviver was a fifth of a webhook's CPU (bench/webhooks).
 */
function optionalJsonBody(): MiddlewareObj<Event, Result, Error, KitContext> {
  return {
    before: (request) => {
      const body = request.event.body;
      if (body === undefined || body === "") return;
      if (!JSON_CONTENT_TYPE.test(request.event.headers["content-type"] ?? "")) {
        throw new KithError(415, "unsupported_media_type", "Send the body as application/json");
      }
      const raw = request.context.kith?.rawBody;
      let text = body;
      try {
        if (raw) text = strictUtf8.decode(raw);
      } catch {
        throw new InvalidInput("The body is not valid UTF-8", { body: "invalid_utf8" }, "invalid_json");
      }
      try {
        (request.event as { body: unknown }).body = secureJson.parse(text, null, {
          protoAction: "error",
          constructorAction: "error",
        });
      } catch {
        throw new InvalidInput("The body is not valid JSON", { body: "malformed_json" }, "invalid_json");
      }
    },
  };
}

/** Last line of defence: every failure leaves as the contract's error body, never a stack trace. */
function errorMapping(): MiddlewareObj<Event, Result, Error, KitContext> {
  return {
    onError: (request) => {
      const mapped = errorResponse(request.error);
      if (mapped.status >= 500)
        logger.error("request failed", { error: request.error, route: request.event.routeKey });
      else logger.info("request rejected", { status: mapped.status, code: mapped.body.error.code });
      request.response = json(mapped.status, mapped.body, mapped.headers);
    },
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Result {
  if (body === undefined || status === 204) return { statusCode: status, headers };
  // A page (an OAuth callback's answer to a browser) goes out as it is, with its own content type.
  if (typeof body === "string" && headers["content-type"]?.startsWith("text/"))
    return { statusCode: status, headers, body };
  return {
    statusCode: status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(body),
  };
}

function parseWith<T extends Schema | undefined>(schema: T, value: unknown, where: string): Inferred<T> {
  if (!schema) return undefined as Inferred<T>;
  const result = z.safeParse(schema, value);
  if (!result.success) {
    throw new InvalidInput(`The ${where} is invalid`, issuesToDetails(result.error.issues));
  }
  return result.data as Inferred<T>;
}

function parseParams(
  schema: core.$ZodObject | undefined,
  values: Record<string, string | undefined>,
  notFound: (() => Error) | undefined,
): Record<string, string> {
  if (!schema) return values as Record<string, string>;
  const result = z.safeParse(schema, values);
  if (result.success) return result.data as Record<string, string>;
  if (notFound) throw notFound();
  const name = String(result.error.issues[0]?.path[0] ?? "resource");
  throw new NotFound(name.replace(/Id$/, "").replace(/^./, (first) => first.toUpperCase()));
}

/**
 * Wraps an API Gateway v2 handler: header normalization, raw-body capture and size limit,
 * signature verification (before any parsing), bearer authentication, access, JSON parsing, zod
 * validation of path parameters, body and query, and error mapping. The wrapped function receives
 * parsed input and returns `{status, body}`; it holds no HTTP plumbing and no domain logic.
 * Handlers of the API use `httpRoute`, which takes all of this from the route's declaration.
 */
export function httpHandler<
  TBodySchema extends Schema | undefined = undefined,
  TQuerySchema extends Schema | undefined = undefined,
  TVerified = undefined,
>(
  options: HttpHandlerOptions<TBodySchema, TQuerySchema, TVerified>,
  fn: (request: HttpRequest<Inferred<TBodySchema>, Inferred<TQuerySchema>, TVerified>) => Promise<HttpResult>,
) {
  if (options.auth === "webhook" && !options.verify) {
    throw new Error("a webhook route must declare how its signature is verified");
  }
  const chain = middy<Event, Result, Error, KitContext>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorMapping())
    .use(httpHeaderNormalizer())
    .use(rawBodyCapture(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
  if (options.verify)
    chain.use(
      signatureVerification(
        options.verify as NonNullable<HttpHandlerOptions<undefined, undefined>["verify"]>,
      ),
    );
  if (options.auth === "bearer") chain.use(bearerAuthentication());
  if (options.authorize) chain.use(authorization(options.authorize));
  chain.use(optionalJsonBody());

  const handler = chain.handler(async (event, context) => {
    const params = parseParams(options.params, event.pathParameters ?? {}, options.notFound);
    const body = parseWith(options.body as TBodySchema, event.body, "body");
    const query = parseWith(options.query as TQuerySchema, event.queryStringParameters ?? {}, "query string");
    const result = await fn({
      rawBody: context.kith?.rawBody ?? Buffer.alloc(0),
      headers: event.headers,
      body,
      query,
      pathParameters: event.pathParameters ?? {},
      params,
      actor: context.kith?.actor,
      verified: context.kith?.verified as TVerified,
      event,
    });
    return json(result.status, result.body, result.headers);
  });
  return Object.assign(handler, { auth: options.auth });
}

/** The path parameters a route's handler receives. */
type ParamsOf<R extends Route> = core.output<R["params"]>;
type QueryOf<R extends Route> = R["query"] extends Schema ? core.output<R["query"]> : undefined;
type BodyOf<R extends Route> = R["body"] extends Schema ? core.output<R["body"]> : undefined;

/** What a route's handler gets: parsed params, query and body; on bearer routes, always an actor. */
export type RouteRequest<R extends Route, TVerified = undefined> = HttpRequest<
  BodyOf<R>,
  QueryOf<R>,
  TVerified,
  ParamsOf<R>,
  R["auth"] extends "bearer" ? Actor : undefined
>;

/**
 * What a route's handler may answer: one of the route's declared statuses, with that response's
 * schema as the body type. A status or body the declaration (and so the OpenAPI document) does not
 * name does not type-check.
 */
export type RouteResult<R extends Route> = {
  [S in keyof R["responses"] & number]: {
    status: S;
    headers?: Record<string, string>;
  } & (R["responses"][S] extends { schema: infer B extends Schema }
    ? { body: core.output<B> }
    : { body?: unknown });
}[keyof R["responses"] & number];

/** A webhook route's handler must say how its signature is verified; other routes may not. */
type RouteExtras<R extends Route, TVerified> = R["auth"] extends "webhook"
  ? { verify: (request: RawRequest) => Promise<TVerified> | TVerified }
  : { verify?: never };

/**
 * The handler of a declared route (`defineRoute`): its access rule, path parameters, query and
 * body schemas and size limit all come from the declaration, the same object the manifest wires
 * and the OpenAPI document describes. A webhook route also says how its signature is verified.
 * The handler carries its route (`handler.route`), which the manifest test compares with the
 * manifest's.
 *
 * Curried (`httpRoute(route)(fn)`) so that the route alone fixes the types `fn` is checked
 * against: a status or body the declaration does not name does not compile.
 */
export function httpRoute<R extends Route, TVerified = undefined>(
  route: R,
  ...[extras]: R["auth"] extends "webhook" ? [RouteExtras<R, TVerified>] : [RouteExtras<R, TVerified>?]
) {
  return (fn: (request: RouteRequest<R, TVerified>) => Promise<RouteResult<R>>) => {
    const access = route.access;
    const authorize =
      access === undefined
        ? undefined
        : access === "operator"
          ? ({ actor }: { actor: Actor | undefined }) => requireOperator(actor)
          : access === "caller"
            ? undefined
            : orgAccess({
                admin: access.org === "admin",
                selfParameter: access.self,
                othersSeeNotFound: access.othersSeeNotFound,
              });
    const handler = httpHandler(
      {
        auth: route.auth,
        verify: extras?.verify,
        authorize,
        body: route.body,
        query: route.query,
        params: route.params,
        notFound: route.notFound,
        maxBodyBytes: route.maxBodyBytes,
      },
      fn as never,
    );
    return Object.assign(handler, { route });
  };
}

/**
 * The API's origin as the caller reached it (`https://<API Gateway domain>`): what an OAuth
 * redirect URI is built on when `OAUTH_REDIRECT_BASE_URL` does not say otherwise.
 */
export function apiOrigin(event: APIGatewayProxyEventV2): string | undefined {
  const domain = event.requestContext?.domainName;
  return domain ? `https://${domain}` : undefined;
}
