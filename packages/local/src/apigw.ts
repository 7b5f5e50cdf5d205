import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { RouteDefinition } from "../../../manifest";

export interface CompiledRoute {
  route: RouteDefinition;
  routeKey: string;
  pattern: RegExp;
  parameterNames: string[];
}

/** `/v1/orgs/{orgId}/users/{proxy+}` → a regex with one group per parameter, as API Gateway matches. */
export function compileRoute(route: RouteDefinition): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.path
    .split("/")
    .map((segment) => {
      const greedy = segment.match(/^\{(\w+)\+\}$/);
      if (greedy) {
        parameterNames.push(greedy[1] as string);
        return "(.+)";
      }
      const parameter = segment.match(/^\{(\w+)\}$/);
      if (parameter) {
        parameterNames.push(parameter[1] as string);
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return {
    route,
    routeKey: `${route.method} ${route.path}`,
    pattern: new RegExp(`^${source}$`),
    parameterNames,
  };
}

/** API Gateway prefers the most specific route: literal segments beat parameters, greedy comes last. */
function specificity(compiled: CompiledRoute): number[] {
  return compiled.route.path
    .split("/")
    .map((segment) => (segment.endsWith("+}") ? 0 : segment.startsWith("{") ? 1 : 2));
}

export function sortBySpecificity(routes: CompiledRoute[]): CompiledRoute[] {
  return [...routes].sort((a, b) => {
    const sa = specificity(a);
    const sb = specificity(b);
    for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
      const diff = (sb[i] ?? -1) - (sa[i] ?? -1);
      if (diff !== 0) return diff;
    }
    return 0;
  });
}

export interface RouteMatch {
  compiled: CompiledRoute;
  pathParameters: Record<string, string>;
}

/** API Gateway answers 404 both for an unknown path and for a known path with another method. */
export function matchRoute(routes: CompiledRoute[], method: string, path: string): RouteMatch | undefined {
  for (const compiled of routes) {
    if (compiled.route.method !== method) continue;
    const match = compiled.pattern.exec(path);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    compiled.parameterNames.forEach((name, index) => {
      const raw = match[index + 1] as string;
      try {
        pathParameters[name] = decodeURIComponent(raw);
      } catch {
        pathParameters[name] = raw;
      }
    });
    return { compiled, pathParameters };
  }
  return undefined;
}

const TEXT_CONTENT_TYPE =
  /^(text\/|application\/(json|[\w.+-]+\+json|x-www-form-urlencoded|xml|[\w.+-]+\+xml|javascript))/i;

export interface IncomingRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  sourceIp: string;
  host: string;
}

/**
 * Builds the payload-format-2.0 event API Gateway HTTP APIs send. Text bodies pass as UTF-8 only
 * when that round-trips byte for byte; everything else is base64, so signatures over the raw body
 * verify exactly as in AWS.
 */
export function toEvent(
  request: IncomingRequest,
  match: RouteMatch,
  now = new Date(),
): APIGatewayProxyEventV2 {
  const url = new URL(request.url, "http://local");
  // The path exactly as sent: URL parsing would resolve "/a/../b" and re-encode characters.
  const queryStart = request.url.indexOf("?");
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? "" : request.url.slice(queryStart + 1);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower === "cookie") {
      cookies = (Array.isArray(value) ? value.join("; ") : value).split(/;\s*/).filter(Boolean);
      continue;
    }
    headers[lower] = Array.isArray(value) ? value.join(",") : value;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    queryStringParameters[key] =
      key in queryStringParameters ? `${queryStringParameters[key]},${value}` : value;
  }

  const contentType = headers["content-type"] ?? "";
  const asText = request.body.toString("utf8");
  const textual = TEXT_CONTENT_TYPE.test(contentType) && Buffer.from(asText, "utf8").equals(request.body);
  const hasBody = request.body.length > 0;
  const requestId = randomUUID();

  return {
    version: "2.0",
    routeKey: match.compiled.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters } : {}),
    ...(match.compiled.parameterNames.length > 0 ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: request.host,
      domainPrefix: request.host.split(".")[0] ?? request.host,
      http: {
        method: request.method,
        path: rawPath,
        protocol: "HTTP/1.1",
        sourceIp: request.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId,
      routeKey: match.compiled.routeKey,
      stage: "$default",
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(hasBody ? { body: textual ? asText : request.body.toString("base64") } : {}),
    isBase64Encoded: hasBody && !textual,
  };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function formatRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

export interface OutgoingResponse {
  status: number;
  /** Each header once, except Set-Cookie, which appears once per cookie. */
  headers: [string, string | string[]][];
  body: Buffer;
}

type HandlerResult = APIGatewayProxyStructuredResultV2;

/**
 * Maps a handler's result back as API Gateway does for payload format 2.0: a structured result
 * keeps its status, headers (a value with commas stays one header), `cookies` (one Set-Cookie
 * each) and (base64) body; `multiValueHeaders` is ignored, as in AWS; anything else becomes a 200
 * JSON body.
 */
export function fromResult(result: unknown): OutgoingResponse {
  if (!isStructured(result)) {
    const body = typeof result === "string" ? result : JSON.stringify(result ?? null);
    return { status: 200, headers: [["content-type", "application/json"]], body: Buffer.from(body, "utf8") };
  }
  const grouped = new Map<string, string[]>();
  const add = (name: string, value: string | number | boolean) => {
    const key = name.toLowerCase();
    grouped.set(key, [...(grouped.get(key) ?? []), String(value)]);
  };
  for (const [name, value] of Object.entries(result.headers ?? {})) add(name, value);
  for (const cookie of result.cookies ?? []) add("set-cookie", cookie);
  const body =
    result.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8");
  return {
    status: result.statusCode ?? 200,
    headers: [...grouped].map(([name, values]) => [
      name,
      values.length === 1 ? (values[0] as string) : values,
    ]),
    body,
  };
}

function isStructured(result: unknown): result is HandlerResult {
  return typeof result === "object" && result !== null && "statusCode" in result;
}
