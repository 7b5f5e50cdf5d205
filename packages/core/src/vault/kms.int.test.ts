import { DecryptCommand, EncryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { KmsSandbox } from "@kith/sandbox";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { SecretsUnavailable } from "../config";
import { open, seal } from "./index";

/**
 * Sealing with KMS (`KITH_KMS_KEY_ID` set), against a loopback KMS that checks SigV4 and binds the
 * encryption context, as KMS does. The sandbox is held to the real @aws-sdk/client-kms first.
 */

const credentials = { accessKeyId: "AKIDKITHVAULTTEST", secretAccessKey: "kith-vault-test-secret" };
const saved = { ...process.env };
let kms: KmsSandbox;
let keyArn: string;

beforeAll(async () => {
  kms = await KmsSandbox.start();
  kms.addCredentials(credentials);
});
afterAll(() => kms.close());

beforeEach(() => {
  kms.reset();
  keyArn = kms.createKey();
  Object.assign(process.env, {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    KITH_KMS_ENDPOINT: kms.url,
    KITH_KMS_KEY_ID: keyArn,
  });
  delete process.env.TOKEN_ENCRYPTION_KEY;
});
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

describe("the loopback KMS", () => {
  it("answers the real KMS client: Encrypt, then Decrypt with the same context and no key id", async () => {
    const client = new KMSClient({ region: "us-east-1", endpoint: kms.url, credentials });
    const context = { purpose: "check" };
    const encrypted = await client.send(
      new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from("hello"), EncryptionContext: context }),
    );
    expect(encrypted.KeyId).toBe(keyArn);
    const decrypted = await client.send(
      new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: context }),
    );
    expect(Buffer.from(decrypted.Plaintext as Uint8Array).toString()).toBe("hello");
    await expect(
      client.send(
        new DecryptCommand({
          CiphertextBlob: encrypted.CiphertextBlob,
          EncryptionContext: { purpose: "other" },
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidCiphertextException" });
    await expect(
      client.send(new EncryptCommand({ KeyId: `${keyArn}0`, Plaintext: Buffer.from("x") })),
    ).rejects.toMatchObject({ name: "NotFoundException" });
  });
});

describe("vault with KMS", () => {
  it("seals through KMS Encrypt with the context as encryption context, and opens through Decrypt naming the key", async () => {
    const context = { integrationId: "i-kms-1", purpose: "webhook-secret" };

    const sealed = await seal("linear-secret-kms", context);
    const opened = await open(sealed, { purpose: "webhook-secret", integrationId: "i-kms-1" });

    expect(sealed.startsWith("v1.kms.")).toBe(true);
    expect(sealed).not.toContain("linear-secret-kms");
    expect(opened).toBe("linear-secret-kms");
    expect(kms.requests.map((request) => [request.operation, request.keyId, request.status])).toEqual([
      ["Encrypt", keyArn, 200],
      ["Decrypt", keyArn, 200],
    ]);
  });

  it("keeps what it opened: a webhook for a known integration costs no KMS call after the first", async () => {
    const context = { integrationId: "i-kms-cache", purpose: "bot-token" };
    const sealed = await seal("cached-bot-token", context);
    expect(await open(sealed, context)).toBe("cached-bot-token");
    expect(await open(sealed, context)).toBe("cached-bot-token");
    expect(kms.requests.map((request) => request.operation)).toEqual(["Encrypt", "Decrypt"]);
  });

  it("opens a KMS-sealed value where no key id is configured: the ciphertext names its key", async () => {
    const context = { integrationId: "i-kms-nokey" };
    const sealed = await seal("sealed-before", context);
    delete process.env.KITH_KMS_KEY_ID;
    expect(await open(sealed, context)).toBe("sealed-before");
    expect(kms.requests.at(-1)).toMatchObject({ operation: "Decrypt", keyId: undefined, status: 200 });
  });

  it("refuses a sealed value of no known format", async () => {
    await expect(open("v9.future.abc", { integrationId: "i-kms-format" })).rejects.toThrow(/unknown format/);
  });

  it("does not open a value under another context (a sealed secret copied onto another integration)", async () => {
    const sealed = await seal("copied-secret", { integrationId: "i-kms-2" });
    const refused = await open(sealed, { integrationId: "i-kms-3" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Error);
    expect(refused).not.toBeInstanceOf(SecretsUnavailable);
    expect(String(refused)).toContain("InvalidCiphertextException");
  });

  it("does not open a value sealed under another key, even with the right context", async () => {
    const sealed = await seal("other-key-secret", { integrationId: "i-kms-4" });
    process.env.KITH_KMS_KEY_ID = kms.createKey();
    await expect(open(sealed, { integrationId: "i-kms-4" })).rejects.toThrow(/IncorrectKeyException/);
  });

  it("makes KMS throttling or failure a retryable 503, and a disabled key an error that is not retried", async () => {
    kms.failNext({ status: 400, type: "ThrottlingException" });
    await expect(seal("throttled", { integrationId: "i-kms-5" })).rejects.toMatchObject({
      status: 503,
      code: "secrets_unavailable",
    });
    kms.failNext({ status: 500 });
    await expect(seal("failed", { integrationId: "i-kms-5" })).rejects.toBeInstanceOf(SecretsUnavailable);

    const sealed = await seal("then-disabled", { integrationId: "i-kms-6" });
    kms.disableKey(keyArn);
    const refused = await open(sealed, { integrationId: "i-kms-6" }).catch((error: unknown) => error);
    expect(refused).not.toBeInstanceOf(SecretsUnavailable);
    expect(String(refused)).toContain("DisabledException");
  });

  it("makes an unreachable KMS a retryable 503", async () => {
    process.env.KITH_KMS_ENDPOINT = "http://127.0.0.1:9/";
    // The vault keeps its KMS caller per process (a container); a new endpoint needs fresh modules.
    vi.resetModules();
    const fresh = await import("./index");
    await expect(fresh.seal("unreachable", { integrationId: "i-kms-7" })).rejects.toMatchObject({
      status: 503,
      code: "secrets_unavailable",
    });
  });
});
