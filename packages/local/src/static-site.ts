import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import path from "node:path";

/** Paths that belong to the API and the runtime: never answered with the console, even on a miss. */
const API_PREFIXES = ["/v1/", "/webhooks/", "/oauth/", "/_local/"];
const API_PATHS = new Set(["/v1", "/webhooks", "/oauth", "/_local", "/health"]);

/** Whether a path is the API's (or the runtime's); everything else may be the console. */
export function isApiPath(pathname: string): boolean {
  return API_PATHS.has(pathname) || API_PREFIXES.some((prefix) => pathname.startsWith(prefix));
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

/**
 * Serves the built console from `root`, as CloudFront serves the StaticSite: a file when one exists
 * (hashed `assets/` cached for good), else `index.html` for the single-page app's own routes.
 */
export async function serveStatic(
  root: string,
  pathname: string,
  method: string,
  response: ServerResponse,
): Promise<void> {
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    relative = "/";
  }
  const resolved = path.resolve(root, `.${path.posix.normalize(relative)}`);
  const inside = resolved === root || resolved.startsWith(`${root}${path.sep}`);
  const file = inside ? await stat(resolved).catch(() => undefined) : undefined;
  const target = file?.isFile() ? resolved : path.join(root, "index.html");
  const info = file?.isFile() ? file : await stat(target).catch(() => undefined);
  if (!info) {
    response.writeHead(404, { "content-type": "application/json" });
    response.end(JSON.stringify({ message: "Not Found" }));
    return;
  }
  const immutable = target !== path.join(root, "index.html") && relative.startsWith("/assets/");
  response.writeHead(200, {
    "content-type": CONTENT_TYPES[path.extname(target)] ?? "application/octet-stream",
    "content-length": String(info.size),
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
  });
  if (method === "HEAD") {
    response.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    createReadStream(target).on("error", reject).pipe(response).on("finish", resolve).on("error", reject);
  });
}
