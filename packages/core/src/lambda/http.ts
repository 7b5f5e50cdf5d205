import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy, { type MiddlewareObj } from "@middy/core";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import secureJson from "secure-json-parse";
import type { z } from "zod";
import { type Actor, authenticate } from "../http/actor";
import { errorResponse } from "../http/response";
import { InvalidInput, KithError, PayloadTooLarge } from "../util/errors";
import { logger } from "../util/logger";
import { issuesToDetails } from "./validation";

/** Mirrors the manifest's auth kinds; a unit test checks every handler against its route. */
export type AuthKind = "none" | "webhook" | "bearer";

/** Webhooks are capped at 1 MiB by the contract; admin routes get the same ceiling. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface RawRequest {
  /** The body exactly as the caller sent it, before any parsing: what signatures are computed over. */
  rawBody: Buffer;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  pathParameters: Record<string, string | undefined>;
}

export interface HttpRequest<TBody, TQuery, TVerified = unknown> extends RawRequest {
  body: TBody;
  query: TQuery;
  actor: Actor | undefined;
  /** What the route's `verify` returned (e.g. the integration whose secret signed the request). */
  verified: TVerified;
  event: APIGatewayProxyEventV2;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HttpRouteOptions<
  TBodySchema extends z.ZodType | undefined,
  TQuerySchema extends z.ZodType | undefined,
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
  maxBodyBytes?: number;
}

type Inferred<T> = T extends z.ZodType ? z.infer<T> : undefined;

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
  verify: NonNullable<HttpRouteOptions<undefined, undefined>["verify"]>,
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
  authorize: NonNullable<HttpRouteOptions<undefined, undefined>["authorize"]>,
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
      try {
        (request.event as { body: unknown }).body = secureJson.parse(body, null, {
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
  return {
    statusCode: status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(body),
  };
}

function parseWith<T extends z.ZodType | undefined>(schema: T, value: unknown, where: string): Inferred<T> {
  if (!schema) return undefined as Inferred<T>;
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidInput(`The ${where} is invalid`, issuesToDetails(result.error.issues));
  }
  return result.data as Inferred<T>;
}

/**
 * Wraps an API Gateway v2 handler: header normalization, raw-body capture and size limit,
 * signature verification (before any parsing), bearer authentication, JSON parsing, zod
 * validation of body and query, and error mapping. The wrapped function receives parsed input
 * and returns `{status, body}`; it holds no HTTP plumbing and no domain logic.
 */
export function httpRoute<
  TBodySchema extends z.ZodType | undefined = undefined,
  TQuerySchema extends z.ZodType | undefined = undefined,
  TVerified = undefined,
>(
  options: HttpRouteOptions<TBodySchema, TQuerySchema, TVerified>,
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
      signatureVerification(options.verify as NonNullable<HttpRouteOptions<undefined, undefined>["verify"]>),
    );
  if (options.auth === "bearer") chain.use(bearerAuthentication());
  if (options.authorize) chain.use(authorization(options.authorize));
  chain.use(optionalJsonBody());

  const handler = chain.handler(async (event, context) => {
    const body = parseWith(options.body as TBodySchema, event.body, "body");
    const query = parseWith(options.query as TQuerySchema, event.queryStringParameters ?? {}, "query string");
    const result = await fn({
      rawBody: context.kith?.rawBody ?? Buffer.alloc(0),
      headers: event.headers,
      body,
      query,
      pathParameters: event.pathParameters ?? {},
      actor: context.kith?.actor,
      verified: context.kith?.verified as TVerified,
      event,
    });
    return json(result.status, result.body, result.headers);
  });
  return Object.assign(handler, { auth: options.auth });
}
