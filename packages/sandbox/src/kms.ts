import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type AwsCredentials, readAwsJsonRequest } from "./aws-sigv4";
import { type LoopbackServer, listenLoopback, readBody, sendJson } from "./http";

/**
 * A loopback AWS KMS for tests: symmetric `Encrypt` and `Decrypt`, as the KMS API reference
 * describes them and as the real `@aws-sdk/client-kms` calls them (its test checks that):
 *
 * - AWS JSON 1.1: `POST /`, `Content-Type: application/x-amz-json-1.1`, `X-Amz-Target:
 *   TrentService.Encrypt` / `TrentService.Decrypt`; blobs are base64 in the JSON; errors are
 *   `{"__type": "<Exception>", "message": …}` with HTTP 400 (500 for KMS's own failures).
 * - Every request is SigV4-signed for `kms` and checked as AWS checks it (`aws-sigv4.ts`).
 * - `Encrypt`: `KeyId` (key id or key ARN) must name an enabled key (else `NotFoundException`),
 *   `Plaintext` 1 to 4,096 bytes (else `ValidationException`). The ciphertext names its key, so
 *   `Decrypt` needs no `KeyId`; the `EncryptionContext` is bound as authenticated data (AES-256-GCM
 *   here), so `Decrypt` with another context is an `InvalidCiphertextException`, as is any change
 *   to the ciphertext.
 * - `Decrypt` with a `KeyId` other than the ciphertext's key is an `IncorrectKeyException`; a
 *   disabled key is a `DisabledException`.
 *
 * Not modelled: aliases, grants, key policies, asymmetric keys, data keys, re-encryption.
 */

export interface KmsSandboxOptions {
  port?: number;
  region?: string;
  accountId?: string;
}

export interface KmsRecordedRequest {
  operation: string;
  keyId: string | undefined;
  status: number;
  /** The `__type` of an error answer. */
  error?: string;
}

export interface KmsFailure {
  status: 400 | 500;
  type?: string;
  times?: number;
}

interface StoredKey {
  id: string;
  arn: string;
  material: Buffer;
  enabled: boolean;
}

const TARGET_PREFIX = "TrentService.";
const CIPHERTEXT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_PLAINTEXT = 4_096;

type Answer = { status: number; body: Record<string, unknown> };
const failure = (status: number, type: string, message: string): Answer => ({
  status,
  body: { __type: type, message },
});

export class KmsSandbox {
  readonly requests: KmsRecordedRequest[] = [];
  private readonly keys = new Map<string, StoredKey>();
  private readonly credentials = new Map<string, string>();
  private readonly failures: Required<KmsFailure>[] = [];

  private constructor(
    private readonly server: LoopbackServer,
    readonly region: string,
    readonly accountId: string,
  ) {}

  static async start(options: KmsSandboxOptions = {}): Promise<KmsSandbox> {
    let sandbox: KmsSandbox | undefined;
    const server = await listenLoopback((req, res) => {
      if (!sandbox) throw new Error("sandbox not ready");
      return sandbox.handle(req, res);
    }, options.port);
    sandbox = new KmsSandbox(server, options.region ?? "us-east-1", options.accountId ?? "123456789012");
    return sandbox;
  }

  get url(): string {
    return `${this.server.url}/`;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  addCredentials(credentials: AwsCredentials): void {
    this.credentials.set(credentials.accessKeyId, credentials.secretAccessKey);
  }

  /** Creates a symmetric key (`CreateKey`) and returns its ARN. */
  createKey(): string {
    const id = randomUUID();
    const arn = `arn:aws:kms:${this.region}:${this.accountId}:key/${id}`;
    this.keys.set(id, { id, arn, material: randomBytes(32), enabled: true });
    return arn;
  }

  /** `DisableKey`: the key stays, and refuses to encrypt or decrypt. */
  disableKey(keyIdOrArn: string): void {
    const key = this.find(keyIdOrArn);
    if (key) key.enabled = false;
  }

  failNext(next: KmsFailure): void {
    this.failures.push({
      status: next.status,
      type: next.type ?? (next.status === 400 ? "ThrottlingException" : "KMSInternalException"),
      times: next.times ?? 1,
    });
  }

  reset(): void {
    this.keys.clear();
    this.failures.length = 0;
    this.requests.length = 0;
  }

  private find(keyIdOrArn: unknown): StoredKey | undefined {
    if (typeof keyIdOrArn !== "string") return undefined;
    const id = keyIdOrArn.startsWith("arn:") ? keyIdOrArn.split("/").pop() : keyIdOrArn;
    const key = id ? this.keys.get(id) : undefined;
    // An ARN must name this sandbox's region and account, as it must in AWS.
    if (key && keyIdOrArn.startsWith("arn:") && keyIdOrArn !== key.arn) return undefined;
    return key;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const operation = String(req.headers["x-amz-target"] ?? "").replace(TARGET_PREFIX, "");
    const record: KmsRecordedRequest = { operation, keyId: undefined, status: 200 };
    this.requests.push(record);
    const answer = await this.answer(req, raw, record);
    record.status = answer.status;
    if (answer.status !== 200) record.error = String(answer.body.__type);
    sendJson(res, answer.status, answer.body, { "content-type": "application/x-amz-json-1.1" });
  }

  private async answer(req: IncomingMessage, raw: string, record: KmsRecordedRequest): Promise<Answer> {
    const request = await readAwsJsonRequest(
      req,
      raw,
      { service: "kms", region: this.region, credentials: this.credentials },
      this.failures,
    );
    if (!request.ok) return failure(request.status, request.type, request.message);
    const input = request.input;
    if (typeof input.KeyId === "string") record.keyId = input.KeyId;
    const context = input.EncryptionContext ?? {};
    if (!isContext(context))
      return failure(400, "ValidationException", "EncryptionContext must map strings to strings");
    switch (record.operation) {
      case "Encrypt":
        return this.encrypt(input, context);
      case "Decrypt":
        return this.decrypt(input, context);
      default:
        return failure(
          400,
          "UnknownOperationException",
          `Unsupported operation ${record.operation || "(none)"}`,
        );
    }
  }

  private encrypt(input: Record<string, unknown>, context: Record<string, string>): Answer {
    const key = this.find(input.KeyId);
    if (!key) return failure(400, "NotFoundException", `Key '${String(input.KeyId)}' does not exist`);
    if (!key.enabled) return failure(400, "DisabledException", `${key.arn} is disabled.`);
    const plaintext =
      typeof input.Plaintext === "string" ? Buffer.from(input.Plaintext, "base64") : undefined;
    if (!plaintext || plaintext.length < 1 || plaintext.length > MAX_PLAINTEXT) {
      return failure(400, "ValidationException", "Plaintext must be 1 to 4096 bytes");
    }
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key.material, iv);
    cipher.setAAD(contextBytes(context));
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const keyId = Buffer.from(key.id, "utf8");
    const blob = Buffer.concat([
      Buffer.from([CIPHERTEXT_VERSION, keyId.length]),
      keyId,
      iv,
      cipher.getAuthTag(),
      sealed,
    ]);
    return {
      status: 200,
      body: {
        CiphertextBlob: blob.toString("base64"),
        KeyId: key.arn,
        EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
      },
    };
  }

  private decrypt(input: Record<string, unknown>, context: Record<string, string>): Answer {
    const blob =
      typeof input.CiphertextBlob === "string"
        ? Buffer.from(input.CiphertextBlob, "base64")
        : Buffer.alloc(0);
    const invalid = failure(400, "InvalidCiphertextException", "");
    if (blob.length < 2 || blob[0] !== CIPHERTEXT_VERSION) return invalid;
    const idLength = blob[1] as number;
    const key = this.keys.get(blob.subarray(2, 2 + idLength).toString("utf8"));
    if (!key) return invalid;
    if (input.KeyId !== undefined && this.find(input.KeyId) !== key) {
      return failure(
        400,
        "IncorrectKeyException",
        "The key ID in the request does not identify the key that encrypted the ciphertext.",
      );
    }
    if (!key.enabled) return failure(400, "DisabledException", `${key.arn} is disabled.`);
    const at = 2 + idLength;
    const iv = blob.subarray(at, at + IV_BYTES);
    const tag = blob.subarray(at + IV_BYTES, at + IV_BYTES + TAG_BYTES);
    if (tag.length !== TAG_BYTES) return invalid;
    try {
      const decipher = createDecipheriv("aes-256-gcm", key.material, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(contextBytes(context));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([
        decipher.update(blob.subarray(at + IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]);
      return {
        status: 200,
        body: {
          Plaintext: plaintext.toString("base64"),
          KeyId: key.arn,
          EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
        },
      };
    } catch {
      return invalid;
    }
  }
}

function isContext(value: unknown): value is Record<string, string> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === "string")
  );
}

/** The context as order-independent bytes: KMS binds the pairs, not their order. */
function contextBytes(context: Record<string, string>): Buffer {
  return Buffer.from(
    JSON.stringify(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  );
}
