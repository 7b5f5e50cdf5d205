import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { SsmSandbox } from "@kith/sandbox";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetSecretsForTests, secret } from "./index";
import {
  fallbackParameterPath,
  loadBoundSecrets,
  SecretsUnavailable,
  secretParameterPath,
  ssmReader,
} from "./ssm";

/**
 * Secrets bound by SST are read from SSM without the SSM client, against a loopback Parameter
 * Store that checks SigV4 signatures the way AWS does (the real @aws-sdk/client-ssm is the
 * reference: it must be answered the same way).
 */

const credentials = { accessKeyId: "AKIDKITHSECRETSTEST", secretAccessKey: "kith-secrets-test-secret-key" };
const PREFIX = "/sst/kith/prod/";

let ssm: SsmSandbox;
const saved = { ...process.env };

function lambdaEnvironment(bound: string[], extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_REGION: "us-east-1",
    SST_REGION: "us-east-1",
    SST_APP: "kith",
    SST_STAGE: "prod",
    SST_SSM_PREFIX: PREFIX,
    KITH_SSM_ENDPOINT: ssm.url,
    ...Object.fromEntries(bound.map((name) => [`SST_Secret_value_${name}`, "__FETCH_FROM_SSM__"])),
    ...extra,
  };
}

beforeAll(async () => {
  ssm = await SsmSandbox.start();
  ssm.addCredentials(credentials);
});
afterAll(() => ssm.close());

beforeEach(() => {
  // The SDK's default credential chain reads these first, as it does in Lambda.
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  ssm.reset();
});
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  resetSecretsForTests();
});

describe("the loopback Parameter Store", () => {
  it("answers the real SSM client (GetParameters, SigV4, decrypted SecureStrings, unknown names listed)", async () => {
    ssm.putParameter("/kith/a", "alpha");
    ssm.putParameter("/kith/b", "plain", "String");
    const client = new SSMClient({ region: "us-east-1", endpoint: ssm.url, credentials });
    const output = await client.send(
      new GetParametersCommand({ Names: ["/kith/a", "/kith/b", "/kith/none"], WithDecryption: true }),
    );
    expect(output.Parameters?.map((p) => [p.Name, p.Type, p.Value])).toEqual([
      ["/kith/a", "SecureString", "alpha"],
      ["/kith/b", "String", "plain"],
    ]);
    expect(output.InvalidParameters).toEqual(["/kith/none"]);
    expect(output.Parameters?.[0]?.LastModifiedDate).toBeInstanceOf(Date);
  });

  it("refuses a request signed with an unknown key or the wrong secret, as AWS does", async () => {
    const stranger = new SSMClient({
      region: "us-east-1",
      endpoint: ssm.url,
      credentials: { accessKeyId: "AKIDSTRANGER", secretAccessKey: "x" },
    });
    await expect(stranger.send(new GetParametersCommand({ Names: ["/kith/a"] }))).rejects.toMatchObject({
      name: "UnrecognizedClientException",
    });
    const forger = new SSMClient({
      region: "us-east-1",
      endpoint: ssm.url,
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: "not-the-secret" },
    });
    await expect(forger.send(new GetParametersCommand({ Names: ["/kith/a"] }))).rejects.toMatchObject({
      name: "InvalidSignatureException",
    });
  });
});

describe("loadBoundSecrets", () => {
  it("reads every secret SST bound to the function in one signed GetParameters call, decrypted", async () => {
    const environment = lambdaEnvironment(["OPERATOR_API_KEY", "GITHUB_WEBHOOK_SECRET"], {
      // Bound with a literal value (not left for the function to fetch): not SSM's business.
      SST_Secret_value_LITERAL: "inline",
    });
    ssm.putParameter(secretParameterPath("OPERATOR_API_KEY", environment), "op-key");
    ssm.putParameter(secretParameterPath("GITHUB_WEBHOOK_SECRET", environment), "gh-secret");

    const { values, missing } = await loadBoundSecrets(environment);

    expect(Object.fromEntries(values)).toEqual({
      GITHUB_WEBHOOK_SECRET: "gh-secret",
      OPERATOR_API_KEY: "op-key",
    });
    expect(missing).toEqual([]);
    expect(ssm.requests).toEqual([
      expect.objectContaining({
        target: "AmazonSSM.GetParameters",
        names: [
          "/sst/kith/prod/Secret/GITHUB_WEBHOOK_SECRET/value",
          "/sst/kith/prod/Secret/OPERATOR_API_KEY/value",
        ],
        withDecryption: true,
        accessKeyId: credentials.accessKeyId,
        status: 200,
      }),
    ]);
  });

  it("falls back to the app-wide value (sst secrets set --fallback), and reports a secret set nowhere as missing", async () => {
    const environment = lambdaEnvironment([
      "LINEAR_WEBHOOK_SECRET",
      "SLACK_SIGNING_SECRET",
      "WORKOS_API_KEY",
    ]);
    ssm.putParameter(secretParameterPath("WORKOS_API_KEY", environment), "stage-value");
    ssm.putParameter(fallbackParameterPath("WORKOS_API_KEY", environment), "fallback-loses");
    ssm.putParameter(fallbackParameterPath("SLACK_SIGNING_SECRET", environment), "fallback-value");
    expect(fallbackParameterPath("SLACK_SIGNING_SECRET", environment)).toBe(
      "/sst/kith/.fallback/Secret/SLACK_SIGNING_SECRET/value",
    );

    const { values, missing } = await loadBoundSecrets(environment);

    expect(Object.fromEntries(values)).toEqual({
      SLACK_SIGNING_SECRET: "fallback-value",
      WORKOS_API_KEY: "stage-value",
    });
    expect(missing).toEqual(["LINEAR_WEBHOOK_SECRET"]);
    expect(ssm.requests.map((request) => request.names)).toEqual([
      [
        "/sst/kith/prod/Secret/LINEAR_WEBHOOK_SECRET/value",
        "/sst/kith/prod/Secret/SLACK_SIGNING_SECRET/value",
        "/sst/kith/prod/Secret/WORKOS_API_KEY/value",
      ],
      [
        "/sst/kith/.fallback/Secret/LINEAR_WEBHOOK_SECRET/value",
        "/sst/kith/.fallback/Secret/SLACK_SIGNING_SECRET/value",
      ],
    ]);
  });

  it("asks for at most 10 names per call, as GetParameters allows", async () => {
    const names = Array.from({ length: 23 }, (_, index) => `S${String(index).padStart(2, "0")}`);
    const environment = lambdaEnvironment(names);
    for (const name of names) ssm.putParameter(secretParameterPath(name, environment), `value-${name}`);

    const { values } = await loadBoundSecrets(environment);

    expect(values.size).toBe(23);
    expect(values.get("S17")).toBe("value-S17");
    expect(ssm.requests.map((request) => request.names.length).sort((a, b) => a - b)).toEqual([3, 10, 10]);
  });

  it("signs for AWS_REGION when SST_REGION is not set, as in a function SST did not give it", async () => {
    const { SST_REGION: _, ...environment } = lambdaEnvironment(["OPERATOR_API_KEY"]);
    ssm.putParameter(secretParameterPath("OPERATOR_API_KEY", environment), "op-key");
    expect((await loadBoundSecrets(environment)).values.get("OPERATOR_API_KEY")).toBe("op-key");
    const elsewhere = { ...environment, AWS_REGION: "eu-west-1" };
    await expect(loadBoundSecrets(elsewhere)).rejects.toBeInstanceOf(SecretsUnavailable);
  });

  it("signs with the session token of temporary credentials, as Lambda's role credentials are", async () => {
    const environment = lambdaEnvironment(["OPERATOR_API_KEY"]);
    ssm.putParameter(secretParameterPath("OPERATOR_API_KEY", environment), "op-key");
    process.env.AWS_SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN";

    expect((await loadBoundSecrets(environment)).values.get("OPERATOR_API_KEY")).toBe("op-key");
    expect(ssm.requests.at(-1)).toMatchObject({ status: 200, accessKeyId: credentials.accessKeyId });
  });

  it("makes no call when nothing is bound", async () => {
    const { values } = await loadBoundSecrets(lambdaEnvironment([]));
    expect(values.size).toBe(0);
    expect(ssm.requests).toEqual([]);
  });

  it("turns throttling, a 5xx and refused credentials into a retryable SecretsUnavailable that names no value", async () => {
    const environment = lambdaEnvironment(["OPERATOR_API_KEY"]);
    ssm.putParameter(secretParameterPath("OPERATOR_API_KEY", environment), "op-key-never-in-an-error");

    ssm.failNext({ status: 400, type: "ThrottlingException" });
    const throttled = await loadBoundSecrets(environment).catch((error: unknown) => error);
    expect(throttled).toBeInstanceOf(SecretsUnavailable);
    expect(throttled).toMatchObject({
      status: 503,
      code: "secrets_unavailable",
      details: { retryAfterSeconds: 2 },
    });
    expect(String((throttled as Error).cause)).toContain("ThrottlingException");

    ssm.failNext({ status: 500 });
    await expect(loadBoundSecrets(environment)).rejects.toBeInstanceOf(SecretsUnavailable);

    process.env.AWS_SECRET_ACCESS_KEY = "rotated-away";
    const refused = await loadBoundSecrets(environment).catch((error: unknown) => error);
    expect(String((refused as Error).cause)).toContain("InvalidSignatureException");
    expect(JSON.stringify(refused) + String((refused as Error).cause)).not.toContain("op-key-never");
  });

  it("turns an SSM that does not answer into SecretsUnavailable", async () => {
    const environment = lambdaEnvironment(["OPERATOR_API_KEY"], { KITH_SSM_ENDPOINT: "http://127.0.0.1:9/" });
    await expect(ssmReader(environment).getParameters(["x"])).rejects.toBeInstanceOf(SecretsUnavailable);
  });
});

describe("secret()", () => {
  it("prefers a plain environment variable, as the local runtime sets it, and never calls SSM for it", async () => {
    Object.assign(process.env, lambdaEnvironment(["OPERATOR_API_KEY"]), { OPERATOR_API_KEY: "from-env" });
    expect(await secret("OPERATOR_API_KEY")).toBe("from-env");
    expect(ssm.requests).toEqual([]);
  });

  it("resolves SST bindings once per container, shared by concurrent callers", async () => {
    Object.assign(process.env, lambdaEnvironment(["OPERATOR_API_KEY", "GITHUB_WEBHOOK_SECRET"]));
    ssm.putParameter(`${PREFIX}Secret/OPERATOR_API_KEY/value`, "op-key");
    ssm.putParameter(`${PREFIX}Secret/GITHUB_WEBHOOK_SECRET/value`, "gh-secret");

    const [operator, github] = await Promise.all([
      secret("OPERATOR_API_KEY"),
      secret("GITHUB_WEBHOOK_SECRET"),
    ]);
    expect([operator, github]).toEqual(["op-key", "gh-secret"]);
    expect(await secret("OPERATOR_API_KEY")).toBe("op-key");
    expect(ssm.requests).toHaveLength(1);
  });

  it("takes a value SST prefetched into the binding at deploy as it is", async () => {
    Object.assign(process.env, lambdaEnvironment([]), { SST_Secret_value_OPERATOR_API_KEY: "prefetched" });
    expect(await secret("OPERATOR_API_KEY")).toBe("prefetched");
    expect(ssm.requests).toEqual([]);
  });

  it("reads an unbound or unset secret as undefined", async () => {
    Object.assign(process.env, lambdaEnvironment(["SLACK_SIGNING_SECRET"]));
    expect(await secret("SLACK_SIGNING_SECRET")).toBeUndefined();
    expect(await secret("LINEAR_WEBHOOK_SECRET")).toBeUndefined();
  });

  it("does not keep a failed read: the next call tries SSM again", async () => {
    Object.assign(process.env, lambdaEnvironment(["OPERATOR_API_KEY"]));
    ssm.putParameter(`${PREFIX}Secret/OPERATOR_API_KEY/value`, "op-key");
    ssm.failNext({ status: 500 });
    await expect(secret("OPERATOR_API_KEY")).rejects.toBeInstanceOf(SecretsUnavailable);
    expect(await secret("OPERATOR_API_KEY")).toBe("op-key");
    expect(ssm.requests.map((request) => request.status)).toEqual([500, 200]);
  });
});
