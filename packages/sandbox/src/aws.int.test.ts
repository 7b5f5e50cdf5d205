import { DecryptCommand, EncryptCommand, KMSClient, ListKeysCommand } from "@aws-sdk/client-kms";
import { GetParameterCommand, GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KmsSandbox } from "./kms";
import { SsmSandbox } from "./ssm";

/**
 * The loopback SSM and KMS answer the real AWS SDK clients the way the services do, refusals
 * included, so nothing Kith relies on is a sandbox dialect.
 */

const credentials = { accessKeyId: "AKIDSANDBOXCHECK", secretAccessKey: "sandbox-check-secret" };
let ssm: SsmSandbox;
let kms: KmsSandbox;
let ssmClient: SSMClient;
let kmsClient: KMSClient;

beforeAll(async () => {
  [ssm, kms] = await Promise.all([SsmSandbox.start(), KmsSandbox.start()]);
  ssm.addCredentials(credentials);
  kms.addCredentials(credentials);
  ssmClient = new SSMClient({ region: "us-east-1", endpoint: ssm.url, credentials, maxAttempts: 1 });
  kmsClient = new KMSClient({ region: "us-east-1", endpoint: kms.url, credentials, maxAttempts: 1 });
});
afterAll(() => Promise.all([ssm.close(), kms.close()]));

describe("SsmSandbox", () => {
  it("returns a SecureString's value only WithDecryption, and refuses more than 10 names", async () => {
    ssm.putParameter("/check/secure", "plain-text");
    const hidden = await ssmClient.send(new GetParametersCommand({ Names: ["/check/secure"] }));
    expect(hidden.Parameters?.[0]?.Value).not.toContain("plain-text");
    const names = Array.from({ length: 11 }, (_, index) => `/check/${index}`);
    await expect(ssmClient.send(new GetParametersCommand({ Names: names }))).rejects.toMatchObject({
      name: "ValidationException",
    });
  });

  it("gives a parameter's ARN one slash, whether or not its name starts with one", async () => {
    ssm.putParameter("relative-name", "v", "String");
    ssm.putParameter("/absolute/name", "v", "String");
    const output = await ssmClient.send(
      new GetParametersCommand({ Names: ["relative-name", "/absolute/name"] }),
    );
    expect(output.Parameters?.map((parameter) => parameter.ARN)).toEqual([
      `arn:aws:ssm:us-east-1:${ssm.accountId}:parameter/relative-name`,
      `arn:aws:ssm:us-east-1:${ssm.accountId}:parameter/absolute/name`,
    ]);
  });

  it("answers an operation it does not serve with UnknownOperationException, not a silent success", async () => {
    await expect(ssmClient.send(new GetParameterCommand({ Name: "/check/secure" }))).rejects.toMatchObject({
      name: "UnknownOperationException",
    });
  });

  it("refuses an unsigned request and one signed for another region", async () => {
    const unsigned = await fetch(ssm.url, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.GetParameters" },
      body: JSON.stringify({ Names: ["/check/secure"] }),
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ __type: "IncompleteSignatureException" });
    const elsewhere = new SSMClient({ region: "eu-west-1", endpoint: ssm.url, credentials, maxAttempts: 1 });
    await expect(
      elsewhere.send(new GetParametersCommand({ Names: ["/check/secure"] })),
    ).rejects.toMatchObject({
      name: "InvalidSignatureException",
    });
  });
});

describe("KmsSandbox", () => {
  it("refuses a plaintext over 4 KB, a disabled key and a ciphertext that is not one", async () => {
    const key = kms.createKey();
    await expect(
      kmsClient.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.alloc(4_097, 1) })),
    ).rejects.toMatchObject({ name: "ValidationException" });
    await expect(
      kmsClient.send(new DecryptCommand({ CiphertextBlob: Buffer.from("not a ciphertext") })),
    ).rejects.toMatchObject({ name: "InvalidCiphertextException" });
    const { CiphertextBlob } = await kmsClient.send(
      new EncryptCommand({ KeyId: key, Plaintext: Buffer.from("x") }),
    );
    const tampered = Buffer.from(CiphertextBlob as Uint8Array);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    await expect(kmsClient.send(new DecryptCommand({ CiphertextBlob: tampered }))).rejects.toMatchObject({
      name: "InvalidCiphertextException",
    });
    kms.disableKey(key);
    await expect(
      kmsClient.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from("x") })),
    ).rejects.toMatchObject({ name: "DisabledException" });
  });

  it("finds a key by its id as well as its ARN, and by neither an ARN of another account", async () => {
    const arn = kms.createKey();
    const id = arn.split("/").pop() as string;
    const byId = await kmsClient.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from("y") }));
    expect(byId.KeyId).toBe(arn);
    await expect(
      kmsClient.send(
        new EncryptCommand({
          KeyId: arn.replace(kms.accountId, "999999999999"),
          Plaintext: Buffer.from("y"),
        }),
      ),
    ).rejects.toMatchObject({ name: "NotFoundException" });
  });

  it("answers an operation it does not serve with UnknownOperationException", async () => {
    await expect(kmsClient.send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: "UnknownOperationException",
    });
  });

  it("refuses Decrypt naming another key, and an encryption context that is not strings", async () => {
    const [first, second] = [kms.createKey(), kms.createKey()];
    const { CiphertextBlob } = await kmsClient.send(
      new EncryptCommand({ KeyId: first, Plaintext: Buffer.from("z") }),
    );
    await expect(kmsClient.send(new DecryptCommand({ CiphertextBlob, KeyId: second }))).rejects.toMatchObject(
      {
        name: "IncorrectKeyException",
      },
    );
    expect(
      await signedPost(kms.url, "kms", "TrentService.Encrypt", { KeyId: 5, Plaintext: "eg==" }),
    ).toMatchObject({
      status: 400,
      type: "NotFoundException",
    });
    expect(await signedPost(kms.url, "kms", "TrentService.Encrypt", { KeyId: first })).toMatchObject({
      status: 400,
      type: "ValidationException",
    });
    const numbers = await signedPost(kms.url, "kms", "TrentService.Encrypt", {
      KeyId: first,
      Plaintext: "eg==",
      EncryptionContext: { n: 1 },
    });
    expect(numbers).toMatchObject({ status: 400, type: "ValidationException" });
  });
});

describe("both sandboxes", () => {
  it("refuse what is not a signed POST / of AWS JSON 1.1", async () => {
    for (const [sandbox, service, target] of [
      [ssm, "ssm", "AmazonSSM.GetParameters"],
      [kms, "kms", "TrentService.Encrypt"],
    ] as const) {
      const get = await fetch(`${sandbox.url}anything`);
      expect(get.status, service).toBe(404);
      expect(await signedPost(sandbox.url, service, target, {}, "application/json"), service).toMatchObject({
        status: 400,
        type: "SerializationException",
      });
      const stripped = await signedPost(sandbox.url, service, target, {}, undefined, {
        dropAfterSigning: "x-kith-trace",
      });
      expect(stripped, service).toMatchObject({ status: 400, type: "InvalidSignatureException" });
      expect(await signedPost(sandbox.url, service, target, "{not json"), service).toMatchObject({
        status: 400,
        type: "SerializationException",
      });
    }
  });
});

/** A request signed as the SDK signs, with a body and content type the SDK would never send. */
async function signedPost(
  url: string,
  service: string,
  target: string,
  body: unknown,
  contentType = "application/x-amz-json-1.1",
  options: { dropAfterSigning?: string } = {},
): Promise<{ status: number; type: unknown }> {
  const endpoint = new URL(url);
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const signer = new SignatureV4({
    service,
    region: "us-east-1",
    credentials,
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path: "/",
      headers: {
        host: endpoint.host,
        "content-type": contentType,
        "x-amz-target": target,
        "x-kith-trace": "1",
      },
      body: text,
    }),
  );
  const headers = { ...signed.headers };
  if (options.dropAfterSigning) delete headers[options.dropAfterSigning];
  const response = await fetch(url, { method: "POST", headers, body: text });
  return { status: response.status, type: ((await response.json()) as { __type?: unknown }).__type };
}
