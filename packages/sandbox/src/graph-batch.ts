import { randomUUID } from "node:crypto";
import type { GraphReply, GraphRequest, GraphRoute } from "./microsoft-graph";
import { graphErrorBody } from "./microsoft-wire";

/**
 * JSON batching, `POST /v1.0/$batch` ("Combine multiple HTTP requests using JSON batching",
 * microsoft-graph-docs concepts/json-batching.md): up to 20 requests `{ id, method, url (relative
 * to the version), headers?, body?, dependsOn? }`; ids unique (case-insensitively); the answer is
 * 200 `{ responses: [{ id, status, headers, body }] }` whenever the batch parses, 400 otherwise.
 * Each request is authorized with the batch's token and counts against its mailbox's limits on
 * its own, so requests to one mailbox beyond its 4 concurrent slots come back 429. Requests
 * without `dependsOn` are dispatched together; a request runs once everything it depends on has
 * answered, and fails with 424 when any of that failed.
 */

const MAX_REQUESTS = 20;

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  dependsOn: string[];
}

function invalidBatch(message: string): GraphReply {
  return { status: 400, body: { code: "BadRequest", message } };
}

function parseBatch(text: string): BatchItem[] | GraphReply {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return invalidBatch("Invalid batch payload format.");
  }
  const requests = (parsed as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests)) return invalidBatch("Invalid batch payload format.");
  if (requests.length > MAX_REQUESTS) {
    return invalidBatch(
      `The batch contains ${requests.length} requests; at most ${MAX_REQUESTS} are allowed.`,
    );
  }
  const items: BatchItem[] = [];
  for (const raw of requests as Record<string, unknown>[]) {
    const { id, method, url, headers, body, dependsOn } = raw ?? {};
    if (typeof id !== "string" || id === "" || typeof method !== "string" || typeof url !== "string") {
      return invalidBatch("Invalid batch payload format.");
    }
    if (items.some((item) => item.id.toLowerCase() === id.toLowerCase())) {
      return invalidBatch(`Batch request contains duplicate id '${id}'.`);
    }
    const lowered: Record<string, string> = {};
    if (headers !== undefined) {
      if (typeof headers !== "object" || headers === null)
        return invalidBatch("Invalid batch payload format.");
      for (const [name, value] of Object.entries(headers)) lowered[name.toLowerCase()] = String(value);
    }
    if (body !== undefined && lowered["content-type"] === undefined) {
      return invalidBatch(`Request '${id}' has a body but no Content-Type header.`);
    }
    if (
      dependsOn !== undefined &&
      !(Array.isArray(dependsOn) && dependsOn.every((d) => typeof d === "string"))
    ) {
      return invalidBatch("Invalid batch payload format.");
    }
    items.push({
      id,
      method,
      url,
      headers: lowered,
      body,
      dependsOn: (dependsOn as string[] | undefined) ?? [],
    });
  }
  const ids = new Set(items.map((item) => item.id.toLowerCase()));
  for (const item of items) {
    for (const dependency of item.dependsOn) {
      if (!ids.has(dependency.toLowerCase()) || dependency.toLowerCase() === item.id.toLowerCase()) {
        return invalidBatch(`Request '${item.id}' depends on '${dependency}', which is not in the batch.`);
      }
    }
  }
  return items;
}

/** Graph's spelling of the headers an inner response carries. */
function batchHeaders(reply: GraphReply, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  if (hasBody) {
    headers["Content-Type"] =
      reply.status < 400
        ? "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
        : "application/json";
  }
  for (const [name, value] of Object.entries(reply.headers ?? {})) {
    const spelled = name
      .split("-")
      .map((part) => (part === "www" ? "WWW" : `${part.charAt(0).toUpperCase()}${part.slice(1)}`))
      .join("-");
    headers[spelled] = value;
  }
  return headers;
}

async function runBatch(request: GraphRequest): Promise<GraphReply> {
  const items = parseBatch(request.body);
  if (!("length" in items)) return items;
  const replies = new Map<string, GraphReply>();
  let pending = items;
  while (pending.length > 0) {
    const ready = pending.filter((item) => item.dependsOn.every((d) => replies.has(d.toLowerCase())));
    if (ready.length === 0) return invalidBatch("The dependsOn references of the batch form a cycle.");
    pending = pending.filter((item) => !ready.includes(item));
    const answered = await Promise.all(ready.map((item) => runItem(request, item, replies)));
    ready.forEach((item, index) => {
      replies.set(item.id.toLowerCase(), answered[index] as GraphReply);
    });
  }
  const clientRequestId = request.headers["client-request-id"] ?? randomUUID();
  return {
    status: 200,
    body: {
      responses: items.map((item) => {
        const reply = replies.get(item.id.toLowerCase()) as GraphReply;
        const body = errorEnvelope(reply, randomUUID(), clientRequestId);
        return {
          id: item.id,
          status: reply.status,
          headers: batchHeaders(reply, body !== undefined),
          ...(body !== undefined ? { body } : {}),
        };
      }),
    },
  };
}

/** microsoft-graph.ts imports this module, so it cannot import that one's helper back. */
function errorEnvelope(reply: GraphReply, requestId: string, clientRequestId: string): unknown {
  const body = reply.body as { code?: unknown; message?: unknown } | undefined;
  return reply.status >= 400 && typeof body?.code === "string" && typeof body.message === "string"
    ? graphErrorBody(body.code, body.message, requestId, clientRequestId)
    : reply.body;
}

function runItem(
  request: GraphRequest,
  item: BatchItem,
  replies: Map<string, GraphReply>,
): Promise<GraphReply> {
  if (item.dependsOn.some((d) => ((replies.get(d.toLowerCase()) as GraphReply).status ?? 500) >= 400)) {
    return Promise.resolve({
      status: 424,
      body: { code: "FailedDependency", message: "Failed dependency." },
    });
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(item.url) || /^\/?\$batch(?:[/?]|$)/i.test(item.url)) {
    return Promise.resolve({
      status: 400,
      body: {
        code: "BadRequest",
        message: "The url of a batched request must be relative and must not be a batch.",
      },
    });
  }
  const relative = item.url.startsWith("/") ? item.url : `/${item.url}`;
  const url = new URL(`${request.serviceRoot}${relative}`);
  const headers = { ...item.headers };
  // Every request of a batch acts with the batch's own credentials.
  if (request.headers.authorization) headers.authorization = request.headers.authorization;
  else delete headers.authorization;
  const body =
    item.body === undefined ? "" : typeof item.body === "string" ? item.body : JSON.stringify(item.body);
  return request.dispatch({ method: item.method, url, headers, body });
}

export const BATCH_ROUTE: GraphRoute = {
  method: "POST",
  pattern: /^\/\$batch\/?$/i,
  scopes: [],
  insufficient: { code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again." },
  handle: runBatch,
};
