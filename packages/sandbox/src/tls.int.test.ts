import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listenLoopbackTls, loopbackTls } from "./tls";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kith-tls-test-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("loopbackTls", () => {
  it("makes a certificate for localhost and 127.0.0.1 once, with a private key file, and reuses it", async () => {
    const first = await loopbackTls(dir);
    const again = await loopbackTls(dir);

    const cert = new X509Certificate(first.cert);
    expect(cert.checkHost("localhost")).toBe("localhost");
    expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(again).toEqual(first);
    expect(readFileSync(first.caFile, "utf8")).toBe(first.cert);
    expect(statSync(join(dir, "localhost", "key.pem")).mode & 0o777).toBe(0o600);
  });

  it("converges on one certificate when several callers create it at once", async () => {
    const all = await Promise.all([loopbackTls(dir), loopbackTls(dir), loopbackTls(dir), loopbackTls(dir)]);

    const onDisk = readFileSync(join(dir, "localhost", "cert.pem"), "utf8");
    for (const tls of all) expect(tls.cert).toBe(onDisk);
    expect(new Set(all.map((tls) => tls.key)).size).toBe(1);
  });

  it("replaces a damaged certificate instead of serving it", async () => {
    const first = await loopbackTls(dir);
    writeFileSync(first.caFile, "-----BEGIN CERTIFICATE-----\ntruncated");

    const second = await loopbackTls(dir);

    expect(second.cert).not.toBe(first.cert);
    expect(() => new X509Certificate(second.cert)).not.toThrow();
  });
});

describe("listenLoopbackTls", () => {
  it("serves https on localhost with the certificate, which a client trusting it accepts", async () => {
    const tls = await loopbackTls(dir);
    const server = await listenLoopbackTls(async (_req, res) => {
      res.end("hello");
    }, tls);
    try {
      const { request } = await import("node:https");
      const body = await new Promise<string>((resolve, reject) => {
        request(`${server.url}/`, { ca: tls.cert, agent: false }, (res) => {
          res.setEncoding("utf8");
          let text = "";
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () => resolve(text));
        })
          .on("error", reject)
          .end();
      });
      expect(server.url).toMatch(/^https:\/\/localhost:\d+$/);
      expect(body).toBe("hello");
    } finally {
      await server.close();
    }
  });
});
