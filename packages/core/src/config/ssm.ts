import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Hash } from "@smithy/hash-node";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { KithError } from "../util/errors";

/**
 * SST v2 `Config.Secret` values, read from SSM Parameter Store the way `sst/node/config` reads them,
 * without `@aws-sdk/client-ssm` (docs/decisions.md, "Secrets without the SSM client"): SST binds a
 * secret to a function as `SST_Secret_value_<NAME>=__FETCH_FROM_SSM__`, keeps its value in the
 * SecureString `<SST_SSM_PREFIX>Secret/<NAME>/value`, and a value set for every stage
 * (`sst secrets set --fallback`) in `/sst/<SST_APP>/.fallback/Secret/<NAME>/value`.
 *
 * One `GetParameters` call (the AWS JSON 1.1 protocol: `POST /`, `X-Amz-Target:
 * AmazonSSM.GetParameters`) per 10 names, signed with SigV4 by the SDK's own signer, over the
 * SDK's own HTTP handler and with its default credential chain: the very modules the DynamoDB
 * client already bundles, so reading secrets adds about 3 KB to a function instead of the SSM
 * client's 80 KB or more.
 */

/** What SST binds when the function is to fetch the value itself. */
export const SSM_MARKER = "__FETCH_FROM_SSM__";
const BINDING_PREFIX = "SST_Secret_value_";
/** GetParameters accepts at most 10 names per call. */
const NAMES_PER_CALL = 10;

/**
 * Secrets Manager or SSM could not be read (network, throttling, a 5xx, missing permission):
 * nothing the caller sent is at fault, so it is a retryable 503 and never caches.
 */
export class SecretsUnavailable extends KithError {
  override readonly name = "SecretsUnavailable";
  constructor(cause?: unknown) {
    super(503, "secrets_unavailable", "Configuration is unavailable; retry shortly", {
      cause,
      expose: true,
      details: { retryAfterSeconds: 2 },
    });
  }
}

export interface SsmParameter {
  Name: string;
  Value?: string;
}

interface GetParametersOutput {
  Parameters?: SsmParameter[];
  InvalidParameters?: string[];
}

type Environment = Record<string, string | undefined>;

/** The secrets bound to this function that SST left for the function to fetch, by name. */
export function boundSecretNames(environment: Environment = process.env): string[] {
  return Object.keys(environment)
    .filter((key) => key.startsWith(BINDING_PREFIX) && environment[key] === SSM_MARKER)
    .map((key) => key.slice(BINDING_PREFIX.length))
    .sort();
}

export const secretParameterPath = (name: string, environment: Environment = process.env) =>
  `${environment.SST_SSM_PREFIX ?? ""}Secret/${name}/value`;

export const fallbackParameterPath = (name: string, environment: Environment = process.env) =>
  `/sst/${environment.SST_APP ?? ""}/.fallback/Secret/${name}/value`;

function region(environment: Environment): string {
  const value = environment.SST_REGION ?? environment.AWS_REGION ?? environment.AWS_DEFAULT_REGION;
  if (!value) throw new SecretsUnavailable(new Error("no region for SSM (SST_REGION or AWS_REGION)"));
  return value;
}

/** The regional endpoint (`amazonaws.com.cn` in China), or `KITH_SSM_ENDPOINT` (a loopback sandbox in tests). */
function endpoint(environment: Environment): URL {
  const override = environment.KITH_SSM_ENDPOINT;
  if (override) return new URL(override);
  const name = region(environment);
  return new URL(`https://ssm.${name}.amazonaws.${name.startsWith("cn-") ? "com.cn" : "com"}/`);
}

export interface SsmReader {
  getParameters(names: readonly string[]): Promise<GetParametersOutput>;
}

/** A GetParameters client for the environment's region (or `KITH_SSM_ENDPOINT`). */
export function ssmReader(environment: Environment = process.env): SsmReader {
  const url = endpoint(environment);
  const signingRegion = environment.KITH_SSM_ENDPOINT
    ? (environment.AWS_REGION ?? "us-east-1")
    : region(environment);
  const signer = new SignatureV4({
    service: "ssm",
    region: signingRegion,
    credentials: defaultProvider(),
    sha256: Hash.bind(null, "sha256"),
  });
  // The same bounds as the DynamoDB client: an SSM that does not answer becomes a 503, not a hang.
  const http = new NodeHttpHandler({ connectionTimeout: 1_000, requestTimeout: 5_000 });
  return {
    async getParameters(names) {
      const body = JSON.stringify({ Names: names, WithDecryption: true });
      const request = new HttpRequest({
        method: "POST",
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        headers: {
          host: url.host,
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": "AmazonSSM.GetParameters",
          "content-length": String(Buffer.byteLength(body)),
        },
        body,
      });
      let status: number;
      let text: string;
      try {
        const { response } = await http.handle((await signer.sign(request)) as HttpRequest);
        status = response.statusCode;
        text = await readText(response.body);
      } catch (error) {
        throw new SecretsUnavailable(error);
      }
      if (status !== 200) {
        // The error document names a type (ThrottlingException, AccessDeniedException, …), never a value.
        throw new SecretsUnavailable(new Error(`SSM GetParameters answered ${status}: ${errorType(text)}`));
      }
      try {
        return JSON.parse(text) as GetParametersOutput;
      } catch (error) {
        throw new SecretsUnavailable(error);
      }
    },
  };
}

async function readText(body: unknown): Promise<string> {
  if (body === undefined || body === null) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function errorType(text: string): string {
  try {
    const parsed = JSON.parse(text) as { __type?: unknown };
    return typeof parsed.__type === "string" ? (parsed.__type.split("#").pop() ?? "unknown") : "unknown";
  } catch {
    return "unknown";
  }
}

async function fetchAll(reader: SsmReader, paths: readonly string[]) {
  const chunks: string[][] = [];
  for (let at = 0; at < paths.length; at += NAMES_PER_CALL) chunks.push(paths.slice(at, at + NAMES_PER_CALL));
  const outputs = await Promise.all(chunks.map((chunk) => reader.getParameters(chunk)));
  const values = new Map<string, string>();
  const invalid = new Set<string>();
  for (const output of outputs) {
    for (const parameter of output.Parameters ?? []) {
      if (typeof parameter.Value === "string") values.set(parameter.Name, parameter.Value);
    }
    for (const name of output.InvalidParameters ?? []) invalid.add(name);
  }
  return { values, invalid };
}

export interface LoadedSecrets {
  values: Map<string, string>;
  /** Bound secrets with no value for the stage and no fallback: unset, as locally. */
  missing: string[];
}

/**
 * Every secret bound to this function (`SST_Secret_value_<NAME>=__FETCH_FROM_SSM__`), in one
 * round trip (a second only for names the stage has not set, from the fallback path). A secret
 * set nowhere is reported as missing and reads as unset; `sst/node/config` fails the whole import
 * instead, which would take down every route of a function for a secret only one of them reads.
 */
export async function loadBoundSecrets(
  environment: Environment = process.env,
  reader: SsmReader = ssmReader(environment),
): Promise<LoadedSecrets> {
  const names = boundSecretNames(environment);
  const values = new Map<string, string>();
  if (names.length === 0) return { values, missing: [] };
  const byPath = new Map(names.map((name) => [secretParameterPath(name, environment), name]));
  const first = await fetchAll(reader, [...byPath.keys()]);
  const unset: string[] = [];
  for (const [path, name] of byPath) {
    const value = first.values.get(path);
    if (value !== undefined) values.set(name, value);
    else unset.push(name);
  }
  if (unset.length === 0) return { values, missing: [] };
  const byFallback = new Map(unset.map((name) => [fallbackParameterPath(name, environment), name]));
  const fallback = await fetchAll(reader, [...byFallback.keys()]);
  const missing: string[] = [];
  for (const [path, name] of byFallback) {
    const value = fallback.values.get(path);
    if (value !== undefined) values.set(name, value);
    else missing.push(name);
  }
  return { values, missing };
}
