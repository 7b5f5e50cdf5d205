import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from "node:crypto";
import { generate } from "selfsigned";

/**
 * The Google sandbox's ID-token signing key: RS256, published as Google publishes its own, both as
 * `{ kid: "-----BEGIN CERTIFICATE-----…" }` (`/oauth2/v1/certs`, what google-auth-library fetches
 * on Node for `verifyIdToken`) and as a JWKS (`/oauth2/v3/certs`).
 */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  certificatePem: string;
  jwk: Record<string, unknown>;
}

let shared: Promise<SigningKey> | undefined;

/**
 * One key per process: RSA key generation costs a few hundred milliseconds, and sandboxes are
 * started per test. Sandboxes therefore verify each other's ID tokens, which no test relies on.
 */
export function signingKey(): Promise<SigningKey> {
  shared ??= createSigningKey();
  return shared;
}

async function createSigningKey(): Promise<SigningKey> {
  const now = Date.now();
  const pems = await generate(
    [{ name: "commonName", value: "federated-signon.system.gserviceaccount.com" }],
    {
      keyType: "rsa",
      keySize: 2048,
      algorithm: "sha256",
      notBeforeDate: new Date(now - 24 * 60 * 60 * 1000),
      notAfterDate: new Date(now + 14 * 24 * 60 * 60 * 1000),
    },
  );
  const jwk = createPublicKey(pems.public).export({ format: "jwk" });
  // Google's key ids are 40 hex digits.
  const kid = createHash("sha1").update(pems.cert).digest("hex");
  return {
    kid,
    privateKey: createPrivateKey(pems.private),
    certificatePem: pems.cert,
    jwk: { kty: "RSA", alg: "RS256", use: "sig", kid, n: jwk.n, e: jwk.e },
  };
}

function base64Url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function signJwt(key: SigningKey, payload: Record<string, unknown>): string {
  const input = `${base64Url({ alg: "RS256", kid: key.kid, typ: "JWT" })}.${base64Url(payload)}`;
  return `${input}.${sign("RSA-SHA256", Buffer.from(input), key.privateKey).toString("base64url")}`;
}

/** OpenID Connect `at_hash`: the left half of the access token's SHA-256, base64url. */
export function accessTokenHash(accessToken: string): string {
  return createHash("sha256").update(accessToken).digest().subarray(0, 16).toString("base64url");
}
