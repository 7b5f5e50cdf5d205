import { randomBytes, X509Certificate } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";
import { type Handler, type LoopbackServer, listenLoopback } from "./http";

/**
 * TLS for the loopback sandboxes whose real clients insist on `https` (Microsoft's MSAL and Graph
 * client, for instance). One self-signed certificate, valid for the DNS name `localhost` and the
 * address 127.0.0.1, is made once per directory and reused by every later call and process.
 *
 * Node trusts it only through `NODE_EXTRA_CA_CERTS=<caFile>`, which Node reads once, when the
 * process starts: a test run sets it before its workers start (test/setup/integration-global.ts),
 * and a long-running local process must be started with it in its environment.
 */

export interface LoopbackTls {
  /** PEM private key (the file beside the certificate is mode 0600). */
  key: string;
  /** PEM certificate, self-signed. */
  cert: string;
  /** Path of the certificate's PEM file: the value for `NODE_EXTRA_CA_CERTS`. */
  caFile: string;
}

/** Where `loopbackTls` keeps its material when no directory is given: stable across processes. */
export function defaultTlsDir(): string {
  return process.env.KITH_SANDBOX_TLS_DIR ?? join(tmpdir(), "kith-sandbox-tls");
}

const SUBDIR = "localhost";
const KEY_FILE = "key.pem";
const CERT_FILE = "cert.pem";
/** Regenerated when it has less than this left, so a reused certificate never expires mid-run. */
const MIN_REMAINING_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The certificate and key in `dir` (created with mode 0700 if missing), made on first use.
 * Creation is race-safe across processes: the pair is written into a private temporary directory
 * that is then renamed into place in one step; a process that loses the race discards its own pair
 * and reads the winner's, so every process ends up with the same certificate.
 */
export async function loopbackTls(dir: string = defaultTlsDir()): Promise<LoopbackTls> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const target = join(dir, SUBDIR);
  const existing = readPair(target);
  if (existing) return existing;

  const notBefore = new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = new Date(notBefore.getTime() + 10 * 365 * 24 * 60 * 60 * 1000);
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });

  const staging = join(dir, `.${SUBDIR}-${process.pid}-${randomBytes(6).toString("hex")}`);
  mkdirSync(staging, { mode: 0o700 });
  writeFileSync(join(staging, KEY_FILE), pems.private, { mode: 0o600 });
  chmodSync(join(staging, KEY_FILE), 0o600);
  writeFileSync(join(staging, CERT_FILE), pems.cert, { mode: 0o644 });
  try {
    if (stale(target)) rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } catch (error) {
    // Another process renamed its pair into place first (ENOTEMPTY / EEXIST): use that one.
    rmSync(staging, { recursive: true, force: true });
    const winner = readPair(target);
    if (winner) return winner;
    throw error;
  }
  const created = readPair(target);
  if (!created) throw new Error(`Could not read the TLS material just written to ${target}`);
  return created;
}

function readPair(target: string): LoopbackTls | undefined {
  const caFile = join(target, CERT_FILE);
  let key: string;
  let cert: string;
  try {
    key = readFileSync(join(target, KEY_FILE), "utf8");
    cert = readFileSync(caFile, "utf8");
  } catch {
    return undefined;
  }
  if (!key.includes("PRIVATE KEY")) return undefined;
  let validTo: number;
  try {
    validTo = Date.parse(new X509Certificate(cert).validTo);
  } catch {
    return undefined;
  }
  if (validTo - Date.now() < MIN_REMAINING_MS) return undefined;
  return { key, cert, caFile };
}

/** A pair that exists but is unusable (expiring, truncated): replaced rather than reused. */
function stale(target: string): boolean {
  try {
    readFileSync(join(target, CERT_FILE));
  } catch {
    return false;
  }
  return readPair(target) === undefined;
}

/**
 * `listenLoopback` with this certificate: https on 127.0.0.1, `url` naming `localhost` (Node
 * resolves it to 127.0.0.1; trying ::1 first on some hosts, it falls back at once).
 */
export function listenLoopbackTls(
  handler: Handler,
  tls: Pick<LoopbackTls, "key" | "cert">,
  port = 0,
): Promise<LoopbackServer> {
  return listenLoopback(handler, port, tls);
}
