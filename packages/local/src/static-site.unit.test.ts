import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isApiPath, serveStatic } from "./static-site";

let root: string;
let server: Server;
let port: number;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "kith-static-"));
  mkdirSync(path.join(root, "assets"));
  writeFileSync(path.join(root, "index.html"), "<!doctype html><title>console</title>");
  writeFileSync(path.join(root, "assets", "app-1a2b.js"), "console.log(1)");
  server = createServer((req, res) => {
    void serveStatic(root, new URL(req.url ?? "/", "http://local").pathname, req.method ?? "GET", res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

/** A raw GET, so `..` segments reach the server as sent. */
function get(rawPath: string, method = "GET") {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: rawPath, method }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    },
  );
}

describe("the console's static files on the local gateway", () => {
  it("leaves the API's paths and the runtime's to the API, whatever follows them", () => {
    expect(
      ["/v1/orgs", "/v1", "/webhooks/github", "/oauth/google/callback", "/_local/health", "/health"].map(
        isApiPath,
      ),
    ).toEqual([true, true, true, true, true, true]);
    expect(["/", "/orgs/1/people", "/assets/app.js", "/healthy", "/v1x"].map(isApiPath)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it("serves a hashed asset with its type, cached for good", async () => {
    const reply = await get("/assets/app-1a2b.js");

    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(reply.headers["cache-control"]).toContain("immutable");
    expect(reply.body).toBe("console.log(1)");
  });

  it("answers the single-page app's own routes with index.html, never cached", async () => {
    const reply = await get("/orgs/o1/collections/c1");

    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(reply.headers["cache-control"]).toBe("no-cache");
    expect(reply.body).toContain("<title>console</title>");
  });

  it("never serves a file outside its folder: a path that climbs out gets index.html", async () => {
    const name = path.basename(root);
    writeFileSync(path.join(root, "..", `${name}-secret.txt`), "secret");
    try {
      const plain = await get(`/../${name}-secret.txt`);
      const encoded = await get(`/%2e%2e/${name}-secret.txt`);

      expect(plain.body).not.toContain("secret");
      expect(encoded.body).not.toContain("secret");
      expect(encoded.body).toContain("<title>console</title>");
    } finally {
      rmSync(path.join(root, "..", `${name}-secret.txt`), { force: true });
    }
  });

  it("answers HEAD with the headers only", async () => {
    const reply = await get("/", "HEAD");

    expect(reply.status).toBe(200);
    expect(reply.headers["content-length"]).toBe(String("<!doctype html><title>console</title>".length));
    expect(reply.body).toBe("");
  });
});
