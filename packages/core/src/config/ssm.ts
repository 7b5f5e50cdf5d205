import { jsonService } from "../aws";
import { KithError } from "../util/errors";

/**
 * SST v2 `Config.Secret` values, read from SSM Parameter Store the way `sst/node/config` reads them,
 * without `@aws-sdk/client-ssm` (docs/decisions.md, "Lean cold starts"): SST binds a
 * secret to a function as `SST_Secret_value_<NAME>=__FETCH_FROM_SSM__`, keeps its value in the
 * SecureString `<SST_SSM_PREFIX>Secret/<NAME>/value`, and a value set for every stage
 * (`sst secrets set --fallback`) in `/sst/<SST_APP>/.fallback/Secret/<NAME>/value`.
 *
 * One `GetParameters` call per 10 names, through `jsonService` (packages/core/src/aws): the SDK's
 * own signer, HTTP handler and credential chain, already in every bundle, instead of the SSM
 * client's 80 KB or more.
 */

/** What SST binds when the function is to fetch the value itself. */
export const SSM_MARKER = "__FETCH_FROM_SSM__";
const BINDING_PREFIX = "SST_Secret_value_";
/** GetParameters accepts at most 10 names per call. */
const NAMES_PER_CALL = 10;

/**
 * SSM or KMS could not be used (network, throttling, a 5xx, missing permission): nothing the
 * caller sent is at fault, so it is a retryable 503, and nothing failed is kept.
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

export interface SsmReader {
  getParameters(names: readonly string[]): Promise<GetParametersOutput>;
}

/** A GetParameters client for SST's region (`SST_REGION`, else `AWS_REGION`; `KITH_SSM_ENDPOINT` in tests). */
export function ssmReader(environment: Environment = process.env): SsmReader {
  const region = environment.SST_REGION ?? environment.AWS_REGION ?? environment.AWS_DEFAULT_REGION;
  return {
    async getParameters(names) {
      try {
        const ssm = jsonService({ service: "ssm", targetPrefix: "AmazonSSM", region, environment });
        return await ssm.call<GetParametersOutput>("GetParameters", { Names: names, WithDecryption: true });
      } catch (error) {
        throw new SecretsUnavailable(error);
      }
    },
  };
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
