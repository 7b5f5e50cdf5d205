import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { BATCH_ROUTE } from "./graph-batch";
import { CALENDAR_ROUTES } from "./graph-calendar";
import { type GraphMailboxes, MAIL_ROUTES } from "./graph-mail";
import type { MicrosoftState, StoredAccount } from "./microsoft-state";
import { GRAPH_RESOURCE_ID, graphErrorBody, type InjectedFailure, retryAfterHeader } from "./microsoft-wire";

/**
 * Microsoft Graph under `/v1.0`. Routes are a table: each names its method, a path pattern
 * (matched case-insensitively, as Graph matches segments) and the delegated permissions any one of
 * which lets a token call it; later routes (mail, calendar) are added to {@link GRAPH_ROUTES}.
 * A request no route matches is 501 `NotImplemented`, never a made-up success.
 */

export type AccessCheck =
  | { ok: true; account: StoredAccount; scopes: string[] }
  | { ok: false; status: 401 | 403; code: string; message: string };

/**
 * The account an access token acts for, if the token is one the sandbox issued, has not expired
 * and (when `requiredScope` is given) carries at least one of those permissions. The failures are
 * Graph's: 401 `InvalidAuthenticationToken` ("Access token is empty." / "Access token has expired
 * or is not yet valid." / "Access token validation failure.") and 403 for a missing permission.
 */
export function checkAccessToken(
  state: MicrosoftState,
  token: string | undefined,
  requiredScope?: string | readonly string[],
  insufficient: { code: string; message: string } = {
    code: "ErrorAccessDenied",
    message: "Access is denied. Check credentials and try again.",
  },
): AccessCheck {
  if (!token)
    return { ok: false, status: 401, code: "InvalidAuthenticationToken", message: "Access token is empty." };
  const grant = state.accessTokens.get(token);
  if (!grant) {
    return {
      ok: false,
      status: 401,
      code: "InvalidAuthenticationToken",
      message: "Access token validation failure.",
    };
  }
  if (Date.now() >= grant.expiresAt) {
    return {
      ok: false,
      status: 401,
      code: "InvalidAuthenticationToken",
      message: "Access token has expired or is not yet valid.",
    };
  }
  const account = state.accounts.get(grant.accountId) as StoredAccount;
  const required =
    requiredScope === undefined ? [] : typeof requiredScope === "string" ? [requiredScope] : requiredScope;
  const lower = grant.scopes.map((scope) => scope.toLowerCase());
  if (required.length > 0 && !required.some((scope) => lower.includes(scope.toLowerCase()))) {
    return { ok: false, status: 403, ...insufficient };
  }
  return { ok: true, account, scopes: [...grant.scopes] };
}

export interface GraphRequest {
  state: MicrosoftState;
  account: StoredAccount;
  method: string;
  /** Path below `/v1.0`, e.g. `/me`. */
  path: string;
  match: RegExpExecArray;
  query: URLSearchParams;
  /** Request headers, names lower-cased. */
  headers: Record<string, string>;
  body: string;
  /** The permissions the access token carries. */
  scopes: string[];
  /** `https://localhost:<port>/v1.0`, for `@odata.context` and next links. */
  serviceRoot: string;
  mailboxes: GraphMailboxes;
  /** Answers another request as if it had arrived on its own (JSON batching). */
  dispatch(call: GraphCall): Promise<GraphReply>;
}

export interface GraphReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface GraphRoute {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Matched against the path below `/v1.0`, case-insensitively. */
  pattern: RegExp;
  /** Any one of these delegated permissions lets a token call the route. */
  scopes: readonly string[];
  /** Graph's answer to a token without them. */
  insufficient: { code: string; message: string };
  /**
   * Outlook-backed routes name their endpoint here: they count against the mailbox's limits
   * (requests per window, requests in flight), see its injected faults, and are accounted under
   * this name.
   */
  mailboxEndpoint?: string;
  handle(request: GraphRequest): GraphReply | Promise<GraphReply>;
}

/** The properties `GET /me` returns without `$select` ("Get user", v1.0). */
const USER_DEFAULT_PROPERTIES = [
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "id",
] as const;

function renderUser(account: StoredAccount): Record<string, unknown> {
  return {
    businessPhones: [],
    displayName: account.displayName,
    givenName: account.givenName,
    jobTitle: null,
    mail: account.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: account.surname,
    userPrincipalName: account.userPrincipalName,
    id: account.id,
  };
}

/** `$select` (Graph takes it with or without the `$`), validated against the modelled properties. */
function selection(
  query: URLSearchParams,
  known: readonly string[],
): string[] | { unknown: string } | undefined {
  const raw = query.get("$select") ?? query.get("select");
  if (raw === null) return undefined;
  const names = raw
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const chosen: string[] = [];
  for (const name of names) {
    const found = known.find((property) => property.toLowerCase() === name.toLowerCase());
    if (!found) return { unknown: name };
    if (!chosen.includes(found)) chosen.push(found);
  }
  return chosen;
}

export const GRAPH_ROUTES: GraphRoute[] = [
  {
    method: "GET",
    pattern: /^\/me\/?$/i,
    scopes: ["User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"],
    insufficient: {
      code: "Authorization_RequestDenied",
      message: "Insufficient privileges to complete the operation.",
    },
    handle({ account, query, serviceRoot }) {
      const user = renderUser(account);
      const selected = selection(query, USER_DEFAULT_PROPERTIES);
      if (selected && "unknown" in selected) {
        return {
          status: 400,
          body: {
            code: "BadRequest",
            message: `Could not find a property named '${selected.unknown}' on type 'microsoft.graph.user'.`,
          },
        };
      }
      if (!selected)
        return { status: 200, body: { "@odata.context": `${serviceRoot}/$metadata#users/$entity`, ...user } };
      const body: Record<string, unknown> = {
        "@odata.context": `${serviceRoot}/$metadata#users(${selected.join(",")})/$entity`,
      };
      for (const name of selected) body[name] = user[name];
      return { status: 200, body };
    },
  },
  ...MAIL_ROUTES,
  ...CALENDAR_ROUTES,
  BATCH_ROUTE,
];

/** Sends a Graph JSON answer with Graph's headers. A 4xx/5xx `body` of `{ code, message }` is wrapped in Graph's error envelope. */
export function sendGraph(
  res: ServerResponse,
  reply: GraphReply,
  requestId: string,
  clientRequestId = requestId,
): void {
  const body = graphReplyBody(reply, requestId, clientRequestId);
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(reply.status, {
    ...(text
      ? {
          "content-type":
            "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
        }
      : {}),
    "content-length": Buffer.byteLength(text),
    "request-id": requestId,
    "client-request-id": clientRequestId,
    "odata-version": "4.0",
    ...reply.headers,
  });
  res.end(text);
}

/** The body as Graph sends it: a 4xx/5xx `{ code, message }` inside Graph's error envelope. */
export function graphReplyBody(reply: GraphReply, requestId: string, clientRequestId = requestId): unknown {
  return reply.status >= 400 && isCodeMessage(reply.body)
    ? graphErrorBody(reply.body.code, reply.body.message, requestId, clientRequestId)
    : reply.body;
}

function isCodeMessage(value: unknown): value is { code: string; message: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

export interface GraphServe {
  state: MicrosoftState;
  mailboxes: GraphMailboxes;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: string;
  loginUrl: string;
  graphUrl: string;
  /** An injected failure to answer with instead (`failNext`). */
  failure: InjectedFailure | undefined;
}

/** One request to Graph, arriving over HTTP or inside a JSON batch. */
export interface GraphCall {
  method: string;
  url: URL;
  /** Names lower-cased. */
  headers: Record<string, string>;
  body: string;
}

export interface GraphContext {
  state: MicrosoftState;
  mailboxes: GraphMailboxes;
  loginUrl: string;
  graphUrl: string;
}

/**
 * Answers one `/v1.0/…` request: an injected failure (429 `TooManyRequests` / 503
 * `serviceNotAvailable`, with `Retry-After`), 501 for a route the sandbox does not serve, Graph's
 * 401/403 for a token that may not call the route, else the route's answer.
 */
export async function serveGraph({ req, res, url, body, failure, ...context }: GraphServe): Promise<void> {
  const requestId = randomUUID();
  const clientRequestId = req.headers["client-request-id"]?.toString() ?? requestId;
  const send = (reply: GraphReply) => sendGraph(res, reply, requestId, clientRequestId);
  if (failure) {
    const [code, message] =
      failure.status === 429
        ? ["TooManyRequests", "Please retry again later."]
        : failure.status === 503
          ? ["serviceNotAvailable", "The service is temporarily unavailable. Please retry again later."]
          : ["generalException", "An unspecified error has occurred."];
    send({ status: failure.status, body: { code, message }, headers: retryAfterHeader(failure) });
    return;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  send(await dispatchGraph(context, { method: req.method ?? "GET", url, headers, body }));
}

/** Routes one call, checks its token against the route's permissions and answers it. */
export async function dispatchGraph(context: GraphContext, call: GraphCall): Promise<GraphReply> {
  const method = call.method.toUpperCase();
  const path = decodePath(call.url.pathname.slice("/v1.0".length) || "/");
  let found: { route: GraphRoute; match: RegExpExecArray } | undefined;
  for (const route of GRAPH_ROUTES) {
    const match = route.method === method ? route.pattern.exec(path) : null;
    if (match) {
      found = { route, match };
      break;
    }
  }
  if (!found) {
    return {
      status: 501,
      body: { code: "NotImplemented", message: `The sandbox does not serve ${method} /v1.0${path}.` },
    };
  }
  const { route, match } = found;
  const bearer = /^bearer\s+(\S+)\s*$/i.exec(call.headers.authorization ?? "")?.[1];
  const check = checkAccessToken(context.state, bearer, route.scopes, route.insufficient);
  if (!check.ok) {
    return {
      status: check.status,
      body: { code: check.code, message: check.message },
      ...(check.status === 401
        ? {
            headers: {
              "www-authenticate":
                `Bearer realm="", authorization_uri="${context.loginUrl}/common/oauth2/authorize", ` +
                `client_id="${GRAPH_RESOURCE_ID}"`,
            },
          }
        : {}),
    };
  }
  const request: GraphRequest = {
    state: context.state,
    account: check.account,
    method,
    path,
    match,
    query: call.url.searchParams,
    headers: call.headers,
    body: call.body,
    scopes: check.scopes,
    serviceRoot: `${context.graphUrl}/v1.0`,
    mailboxes: context.mailboxes,
    dispatch: (inner) => dispatchGraph(context, inner),
  };
  if (route.mailboxEndpoint === undefined) return route.handle(request);
  return context.mailboxes.run(check.account, route.mailboxEndpoint, () => route.handle(request));
}

/** Paths arrive percent-encoded when a client escapes the quotes of `mailFolders('…')`. */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
