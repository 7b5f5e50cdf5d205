import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AwsServiceError, AwsServiceUnreachable, jsonService } from "./index";

/**
 * How `jsonService` reads what an AWS JSON 1.1 endpoint answers, against a loopback endpoint that
 * answers whatever a test sets: the service's error document, a body that is not JSON, nothing.
 */

let server: Server;
let url: string;
let next: { status: number; body: string } = { status: 200, body: "{}" };
const received: { target: string | undefined; contentType: string | undefined; authorization: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push({
      target: req.headers["x-amz-target"] as string | undefined,
      contentType: req.headers["content-type"],
      authorization: String(req.headers.authorization ?? ""),
    });
    req.resume();
    req.on("end", () => {
      res.writeHead(next.status, { "content-type": "application/x-amz-json-1.1" });
      res.end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
const savedCredentials = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
beforeEach(() => {
  received.length = 0;
  // The SDK's credential chain reads the process environment, as it does in Lambda.
  process.env.AWS_ACCESS_KEY_ID = "AKIDJSONSERVICE";
  process.env.AWS_SECRET_ACCESS_KEY = "json-service-secret";
});
afterAll(() => {
  for (const [name, value] of [
    ["AWS_ACCESS_KEY_ID", savedCredentials.id],
    ["AWS_SECRET_ACCESS_KEY", savedCredentials.secret],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const environment = () => ({ AWS_REGION: "eu-central-1", KITH_KMS_ENDPOINT: url });

describe("jsonService", () => {
  it("posts the operation as X-Amz-Target in AWS JSON 1.1, signed for the service and region", async () => {
    next = { status: 200, body: '{"KeyId":"k"}' };
    const kms = jsonService({ service: "kms", targetPrefix: "TrentService", environment: environment() });

    expect(await kms.call("Encrypt", { KeyId: "k" })).toEqual({ KeyId: "k" });
    expect(received[0]).toMatchObject({
      target: "TrentService.Encrypt",
      contentType: "application/x-amz-json-1.1",
      authorization: expect.stringMatching(
        /^AWS4-HMAC-SHA256 Credential=AKIDJSONSERVICE\/\d{8}\/eu-central-1\/kms\/aws4_request, /,
      ),
    });
  });

  it("names a service error by its short type, and tells throttling and 5xx (retryable) from refusals", async () => {
    const kms = jsonService({ service: "kms", targetPrefix: "TrentService", environment: environment() });
    const failure = async (status: number, type: string) => {
      next = { status, body: JSON.stringify({ __type: type, message: "no" }) };
      return (await kms.call("Decrypt", {}).catch((error: unknown) => error)) as AwsServiceError;
    };

    const throttled = await failure(400, "com.amazonaws.kms#ThrottlingException");
    expect(throttled).toBeInstanceOf(AwsServiceError);
    expect([throttled.type, throttled.status, throttled.retryable]).toEqual([
      "ThrottlingException",
      400,
      true,
    ]);
    expect((await failure(500, "KMSInternalException")).retryable).toBe(true);
    expect((await failure(400, "AccessDeniedException")).retryable).toBe(false);
    next = { status: 403, body: "" };
    expect(await kms.call("Decrypt", {}).catch((error: unknown) => error)).toMatchObject({
      type: "UnknownError",
      retryable: false,
    });
  });

  it("treats a body that is not JSON, or no answer at all, as the service being unreachable", async () => {
    next = { status: 200, body: "<html>proxy error</html>" };
    const kms = jsonService({ service: "kms", targetPrefix: "TrentService", environment: environment() });
    await expect(kms.call("Encrypt", {})).rejects.toBeInstanceOf(AwsServiceUnreachable);

    const nowhere = jsonService({
      service: "kms",
      targetPrefix: "TrentService",
      environment: { ...environment(), KITH_KMS_ENDPOINT: "http://127.0.0.1:9/" },
    });
    await expect(nowhere.call("Encrypt", {})).rejects.toBeInstanceOf(AwsServiceUnreachable);
  });

  it("needs a region", () => {
    expect(() => jsonService({ service: "kms", targetPrefix: "TrentService", environment: {} })).toThrow(
      AwsServiceUnreachable,
    );
  });
});
