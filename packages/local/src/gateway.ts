import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_FUNCTION_TIMEOUT_SECONDS, type RouteDefinition } from "../../../manifest";
import {
  type CompiledRoute,
  compileRoute,
  fromResult,
  matchRoute,
  sortBySpecificity,
  toEvent,
} from "./apigw";
import { InvocationTimeout, invoke } from "./lambda";
import { log } from "./log";
import { isApiPath, serveStatic } from "./static-site";

/** API Gateway HTTP APIs accept at most 10 MB; the handlers apply their own, smaller limits. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** API Gateway HTTP APIs give up on an integration after 30 s, whatever the function's timeout. */
const INTEGRATION_TIMEOUT_SECONDS = 30;

export interface LocalRoute {
  method: string;
  path: string;
  handle: (
    request: IncomingMessage,
    body: Buffer,
    parameters: Record<string, string>,
  ) => Promise<LocalResponse>;
}

export interface LocalResponse {
  status: number;
  body?: unknown;
}

/**
 * The local API Gateway: each request becomes a payload-2.0 event for the handler module the
 * manifest names, and the handler's result is mapped back byte for byte. Routes under `/_local`
 * belong to the runtime itself (health, firing schedules) and never reach a handler.
 */
export class LocalGateway {
  readonly #routes: CompiledRoute[];
  readonly #localRoutes: CompiledRoute[];
  readonly #localHandlers = new Map<string, LocalRoute["handle"]>();
  #server: Server | undefined;
  /** Requests being handled now; a stop waits for them. */
  #inFlight = 0;
  #draining = false;
  #drained: (() => void) | undefined;

  /** The built admin console, served for every GET outside the API's paths (none: 404 as before). */
  readonly #staticRoot: string | undefined;

  constructor(
    routes: readonly RouteDefinition[],
    localRoutes: LocalRoute[],
    options: { staticRoot?: string } = {},
  ) {
    this.#staticRoot = options.staticRoot;
    this.#routes = sortBySpecificity(routes.map(compileRoute));
    this.#localRoutes = localRoutes.map((route) => {
      const compiled = compileRoute({
        method: route.method as RouteDefinition["method"],
        path: route.path,
        handler: "",
        auth: "none",
      });
      this.#localHandlers.set(compiled.routeKey, route.handle);
      return compiled;
    });
  }

  async listen(port: number, host = "127.0.0.1"): Promise<number> {
    this.#server = createServer((request, response) => {
      if (this.#draining) {
        // Stopping: a request that arrives now is refused before it can commit anything.
        response.shouldKeepAlive = false;
        send(response, 503, { message: "Service Unavailable" }, { "retry-after": "1" });
        return;
      }
      this.#inFlight += 1;
      this.#handle(request, response)
        .catch((error: Error) => {
          log("error", "gateway failure", { error: error.message });
          if (!response.headersSent) send(response, 500, { message: "Internal Server Error" });
        })
        .finally(() => {
          this.#inFlight -= 1;
          if (this.#draining && this.#inFlight === 0) this.#drained?.();
        });
    });
    await new Promise<void>((resolve, reject) => {
      this.#server?.once("error", reject);
      this.#server?.listen(port, host, () => resolve());
    });
    return (this.#server.address() as AddressInfo).port;
  }

  /** Requests the gateway is handling right now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * A clean drain: new connections are refused and new requests on open ones get 503 (nothing
   * commits without an answer); requests already being handled run to their end, within API
   * Gateway's 30 s, and are answered; then every connection closes.
   */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        setTimeout(resolve, (INTEGRATION_TIMEOUT_SECONDS + 2) * 1000).unref();
      });
    }
    server.closeAllConnections();
    await closed;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request, GATEWAY_MAX_BODY_BYTES);
    if (body === "too_large") return send(response, 413, { message: "Request Entity Too Large" });
    const method = request.method ?? "GET";
    const path = new URL(request.url ?? "/", "http://local").pathname;

    const local = matchRoute(this.#localRoutes, method, path);
    if (local) {
      const handle = this.#localHandlers.get(local.compiled.routeKey);
      const result = await handle?.(request, body, local.pathParameters);
      return send(response, result?.status ?? 500, result?.body);
    }

    const match = matchRoute(this.#routes, method, path);
    if (!match) {
      // The console's files and its own routes (SPA fallback); the API's paths keep their 404.
      if (this.#staticRoot && (method === "GET" || method === "HEAD") && !isApiPath(path)) {
        return serveStatic(this.#staticRoot, path, method, response);
      }
      return send(response, 404, { message: "Not Found" });
    }
    const event = toEvent(
      {
        method,
        url: request.url ?? "/",
        headers: request.headers,
        body,
        sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
        host: request.headers.host ?? "localhost",
      },
      match,
    );
    const route = match.compiled.route;
    const functionTimeout = route.timeoutSeconds ?? DEFAULT_FUNCTION_TIMEOUT_SECONDS;
    let result: unknown;
    try {
      result = await invoke(route.handler, event, Math.min(functionTimeout, INTEGRATION_TIMEOUT_SECONDS), {
        memoryMB: route.memoryMB,
      });
    } catch (error) {
      // What API Gateway answers: a function that times out is a failed integration (500); only
      // the gateway's own 30 s limit gives 503.
      if (error instanceof InvocationTimeout && functionTimeout >= INTEGRATION_TIMEOUT_SECONDS) {
        return send(response, 503, { message: "Service Unavailable" });
      }
      log("error", `handler for ${match.compiled.routeKey} threw`, { error: (error as Error).message });
      return send(response, 500, { message: "Internal Server Error" });
    }
    const mapped = fromResult(result);
    // An answer finished while stopping closes its connection, so the client does not reuse it.
    if (this.#draining) response.shouldKeepAlive = false;
    response.writeHead(
      mapped.status,
      mapped.headers
        .flatMap(([name, value]) => (Array.isArray(value) ? value.map((v) => [name, v]) : [[name, value]]))
        .flat(),
    );
    response.end(mapped.body);
  }
}

function send(
  response: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  if (body === undefined) {
    response.writeHead(status, headers);
    response.end();
    return;
  }
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | "too_large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on("end", () => resolve(tooLarge ? "too_large" : Buffer.concat(chunks)));
    request.on("error", reject);
  });
}
