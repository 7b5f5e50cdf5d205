import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

/** Shared plumbing for the loopback sandboxes: a node:http server on 127.0.0.1 and JSON replies. */

/** A request handler; anything it throws becomes a 500 so one bad route cannot wedge a test run. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface LoopbackServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (never 0.0.0.0: a sandbox is for this machine only); port 0 picks a free
 * one. With `tls` (a key and certificate for `localhost`) it serves https, and `url` names the
 * host `localhost`, which the certificate covers.
 */
export async function listenLoopback(
  handler: Handler,
  port = 0,
  tls?: { key: string; cert: string },
): Promise<LoopbackServer> {
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, 500, { message: error instanceof Error ? error.message : String(error) });
    });
  };
  const server: Server = tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert }, onRequest)
    : createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: tls ? `https://localhost:${bound}` : `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // fetch keeps connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
