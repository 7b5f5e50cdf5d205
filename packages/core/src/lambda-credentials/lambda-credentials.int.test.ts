import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { credentialsTreatedAsExpired, defaultProvider } from "./index";

/**
 * The credential chain bundled into Lambda functions in place of the SDK's default chain: the
 * environment first (how Lambda hands a function its role), then a container credentials
 * endpoint, served here on loopback in the documented format.
 */

const CREDENTIAL_VARS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "AWS_PROFILE",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
];
const saved = Object.fromEntries(CREDENTIAL_VARS.map((name) => [name, process.env[name]]));

let server: Server;
let url: string;
const served: { authorization: string | undefined }[] = [];
let expiresInMs = 60 * 60 * 1000;

beforeAll(async () => {
  server = createServer((req, res) => {
    served.push({ authorization: req.headers.authorization });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        AccessKeyId: `ASIACONTAINER${served.length}`,
        SecretAccessKey: "container-secret",
        Token: "container-session-token",
        Expiration: new Date(Date.now() + expiresInMs).toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/credentials`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  for (const name of CREDENTIAL_VARS) delete process.env[name];
  served.length = 0;
  expiresInMs = 60 * 60 * 1000;
});
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("the Lambda credential chain", () => {
  it("uses the environment's credentials, as Lambda sets them, without asking any endpoint", async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "ASIAENVIRONMENT",
      AWS_SECRET_ACCESS_KEY: "environment-secret",
      AWS_SESSION_TOKEN: "environment-session",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: url,
    });
    const credentials = await defaultProvider()();
    expect(credentials).toMatchObject({
      accessKeyId: "ASIAENVIRONMENT",
      secretAccessKey: "environment-secret",
      sessionToken: "environment-session",
    });
    expect(served).toEqual([]);
  });

  it("falls back to the container credentials endpoint, with its authorization token, and keeps what it got", async () => {
    Object.assign(process.env, {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "container-auth-token",
    });
    const provider = defaultProvider();
    const first = await provider();
    const second = await provider();
    expect(first).toMatchObject({ accessKeyId: "ASIACONTAINER1", sessionToken: "container-session-token" });
    expect(second.accessKeyId).toBe("ASIACONTAINER1");
    expect(served).toEqual([{ authorization: "container-auth-token" }]);
  });

  it("asks again when what it has expires within five minutes", async () => {
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = url;
    expiresInMs = 60_000;
    const provider = defaultProvider();
    const first = await provider();
    expect(credentialsTreatedAsExpired(first)).toBe(true);
    const asked = served.length;
    const second = await provider();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(served.length).toBeGreaterThan(asked);
  });

  it("fails clearly with neither environment credentials nor an endpoint", async () => {
    await expect(defaultProvider()()).rejects.toMatchObject({
      name: "CredentialsProviderError",
      message: expect.stringContaining("No credentials in the environment"),
    });
  });
});
