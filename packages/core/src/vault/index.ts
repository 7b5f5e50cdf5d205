import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { AwsServiceError, type JsonService, jsonService } from "../aws";
import { SecretsUnavailable, secret } from "../config";

/**
 * Secrets at rest (webhook secrets, bot tokens, later OAuth tokens). A value is sealed before it
 * is written and opened only where it is used; the table never holds plaintext.
 *
 * - In AWS, `KITH_KMS_KEY_ID` names a KMS key: the value is encrypted by KMS itself (secrets here
 *   are well under KMS's 4 KB limit, so there is no data key to manage).
 * - Elsewhere (local runtime, tests), AES-256-GCM under a key derived from `TOKEN_ENCRYPTION_KEY`.
 *
 * Both bind the value to a context (for example the integration id) as KMS encryption context or
 * GCM additional data, so a sealed value copied onto another item does not open there.
 */

export type SealContext = Record<string, string>;

const LOCAL_PREFIX = "v1.local.";
const KMS_PREFIX = "v1.kms.";
const TAG_BYTES = 16;

export class VaultUnavailable extends Error {
  override readonly name = "VaultUnavailable";
}

let kms: JsonService | undefined;
/** KMS's `Encrypt` and `Decrypt` through `jsonService` (packages/core/src/aws), not the 30 KB client. */
function kmsService(): JsonService {
  kms ??= jsonService({ service: "kms", targetPrefix: "TrentService" });
  return kms;
}

/**
 * Calls KMS; throttling, KMS's own failures and an unreachable KMS are a retryable 503 (nothing
 * the caller sent is at fault), anything else (a refused key, a ciphertext that does not open) an
 * error that is never shown.
 */
async function callKms<Output>(operation: "Encrypt" | "Decrypt", input: unknown): Promise<Output> {
  try {
    return await kmsService().call<Output>(operation, input);
  } catch (error) {
    if (error instanceof AwsServiceError && !error.retryable)
      throw new Error(`KMS ${operation} refused: ${error.type}`);
    throw new SecretsUnavailable(error);
  }
}

async function localKey(): Promise<Buffer> {
  const material = await secret("TOKEN_ENCRYPTION_KEY");
  if (!material) {
    throw new VaultUnavailable(
      "neither KITH_KMS_KEY_ID nor TOKEN_ENCRYPTION_KEY is set; secrets cannot be sealed",
    );
  }
  // Any string works as key material; hashing gives exactly 32 bytes whatever its length.
  return createHash("sha256").update(material, "utf8").digest();
}

/** Canonical, order-independent bytes of a context, for GCM's additional data. */
function contextBytes(context: SealContext): Buffer {
  const sorted = Object.keys(context)
    .sort()
    .map((key) => [key, context[key]]);
  return Buffer.from(JSON.stringify(sorted), "utf8");
}

export async function seal(plaintext: string, context: SealContext): Promise<string> {
  const keyId = process.env.KITH_KMS_KEY_ID;
  if (keyId) {
    // Blobs travel base64-encoded in KMS's JSON protocol.
    const result = await callKms<{ CiphertextBlob?: string }>("Encrypt", {
      KeyId: keyId,
      Plaintext: Buffer.from(plaintext, "utf8").toString("base64"),
      EncryptionContext: context,
    });
    if (!result.CiphertextBlob) throw new Error("KMS Encrypt answered without a ciphertext");
    return KMS_PREFIX + Buffer.from(result.CiphertextBlob, "base64").toString("base64url");
  }
  const key = await localKey();
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(contextBytes(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${LOCAL_PREFIX}${iv.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}.${ciphertext.toString("base64url")}`;
}

/**
 * Opened values are kept per process, keyed by the sealed text and its context: a webhook for a
 * known integration then costs no KMS call after the first. A rotated secret has new sealed text.
 */
const opened = new Map<string, string>();
const MAX_CACHED = 1_000;

export async function open(sealed: string, context: SealContext): Promise<string> {
  const cacheKey = `${sealed}\u0000${contextBytes(context).toString("base64url")}`;
  const cached = opened.get(cacheKey);
  if (cached !== undefined) return cached;
  let plaintext: string;
  if (sealed.startsWith(KMS_PREFIX)) {
    const keyId = process.env.KITH_KMS_KEY_ID;
    const result = await callKms<{ Plaintext?: string }>("Decrypt", {
      CiphertextBlob: Buffer.from(sealed.slice(KMS_PREFIX.length), "base64url").toString("base64"),
      EncryptionContext: context,
      // Naming the key makes KMS refuse a ciphertext made under any other key (AWS's own advice).
      ...(keyId ? { KeyId: keyId } : {}),
    });
    if (result.Plaintext === undefined) throw new Error("KMS Decrypt answered without a plaintext");
    plaintext = Buffer.from(result.Plaintext, "base64").toString("utf8");
  } else if (sealed.startsWith(LOCAL_PREFIX)) {
    // Where KMS seals, a locally sealed value can only have been planted: never open it.
    if (process.env.KITH_KMS_KEY_ID) throw new Error("a locally sealed value where KMS is configured");
    const [iv, tag, ciphertext] = sealed.slice(LOCAL_PREFIX.length).split(".");
    if (!iv || !tag || ciphertext === undefined) throw new Error("a sealed value is malformed");
    const authTag = Buffer.from(tag, "base64url");
    // GCM accepts truncated tags unless told otherwise; a short tag is a forgery aid.
    if (authTag.length !== TAG_BYTES) throw new Error("a sealed value is malformed");
    const decipher = createDecipheriv("aes-256-gcm", await localKey(), Buffer.from(iv, "base64url"), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(contextBytes(context));
    decipher.setAuthTag(authTag);
    plaintext = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, "base64url")),
      decipher.final(),
    ]).toString("utf8");
  } else {
    throw new Error("a sealed value has an unknown format");
  }
  if (opened.size >= MAX_CACHED) opened.delete(opened.keys().next().value as string);
  opened.set(cacheKey, plaintext);
  return plaintext;
}
