import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { open, seal } from "./index";

describe("vault: sealing secrets at rest", () => {
  beforeEach(() => {
    delete process.env.KITH_KMS_KEY_ID;
    process.env.TOKEN_ENCRYPTION_KEY = "vault-unit-test-key";
  });
  afterEach(() => {
    delete process.env.KITH_KMS_KEY_ID;
  });

  it("seals locally with AES-256-GCM: the sealed text holds no plaintext and opens under its context", async () => {
    // act
    const sealed = await seal("gitlab-token-abc", { integrationId: "i-1", purpose: "webhook-secret" });

    // assess
    expect(sealed.startsWith("v1.local.")).toBe(true);
    expect(sealed).not.toContain("gitlab-token-abc");
    expect(await open(sealed, { purpose: "webhook-secret", integrationId: "i-1" })).toBe("gitlab-token-abc");
  });

  it("gives a different sealed text each time (random IV)", async () => {
    // act
    const [a, b] = [await seal("same", { id: "x" }), await seal("same", { id: "x" })];

    // assess
    expect(a).not.toBe(b);
  });

  it("refuses to open a sealed value under another context (copied onto another integration)", async () => {
    // prepare
    const sealed = await seal("secret-one", { integrationId: "i-1" });

    // act / assess
    await expect(open(sealed, { integrationId: "i-2" })).rejects.toThrow();
  });

  it("refuses a tampered sealed value", async () => {
    // prepare
    const sealed = await seal("secret-two", { integrationId: "i-1" });
    const parts = sealed.split(".");
    const body = Buffer.from(parts[4] as string, "base64url");
    body[0] = (body[0] as number) ^ 1;
    parts[4] = body.toString("base64url");

    // act / assess
    await expect(open(parts.join("."), { integrationId: "i-1" })).rejects.toThrow();
  });

  it("refuses a sealed value whose authentication tag was cut short", async () => {
    // prepare
    const parts = (await seal("secret-three", { integrationId: "i-1" })).split(".");
    parts[3] = Buffer.from(parts[3] as string, "base64url")
      .subarray(0, 4)
      .toString("base64url");

    // act / assess
    await expect(open(parts.join("."), { integrationId: "i-1" })).rejects.toThrow(/malformed/);
  });

  it("refuses to open a locally sealed value once KMS is configured (it could only have been planted)", async () => {
    // prepare
    const sealed = await seal("planted", { integrationId: "i-9" });
    process.env.KITH_KMS_KEY_ID = "arn:aws:kms:us-east-1:111122223333:key/test";

    // act / assess
    await expect(open(sealed, { integrationId: "i-9", other: "context" })).rejects.toThrow(/KMS/);
  });

  it("cannot seal without KITH_KMS_KEY_ID or TOKEN_ENCRYPTION_KEY", async () => {
    // prepare
    delete process.env.TOKEN_ENCRYPTION_KEY;

    // act / assess
    await expect(seal("x", { id: "1" })).rejects.toThrow(/TOKEN_ENCRYPTION_KEY/);
  });
});
