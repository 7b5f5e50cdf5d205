/**
 * Runtime configuration read from the environment. The stacks and the local runtime both set
 * these names (docs/operations.md lists them), so core code never knows where it runs.
 */

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export const env = {
  /** The single DynamoDB table. */
  tableName: () => required("KITH_TABLE_NAME"),
  /** The custom EventBridge bus that carries domain events. */
  eventBusName: () => required("KITH_EVENT_BUS_NAME"),
  /** The deployment stage, for log context. */
  stage: () => process.env.KITH_STAGE ?? "local",
};

/**
 * Every secret the functions read. `stacks/secrets.ts` creates an SST `Config.Secret` for each
 * name and binds it to every function; later issues add theirs here.
 */
export const SECRET_NAMES = [
  "OPERATOR_API_KEY",
  "WORKOS_WEBHOOK_SECRET",
  "WORKOS_API_KEY",
  "SLACK_SIGNING_SECRET",
  "GITHUB_WEBHOOK_SECRET",
  "LINEAR_WEBHOOK_SECRET",
  // The GitHub App, looked up as itself to prove an installation belongs to the claimed account.
  "GITHUB_APP_ID",
  "GITHUB_APP_PRIVATE_KEY",
] as const;

/**
 * Secrets read only outside AWS: in AWS, sealing uses the KMS key the stack creates
 * (`KITH_KMS_KEY_ID`), so this is never bound as an SST secret.
 */
export const LOCAL_ONLY_SECRET_NAMES = ["TOKEN_ENCRYPTION_KEY"] as const;
export type SecretName = (typeof SECRET_NAMES)[number] | (typeof LOCAL_ONLY_SECRET_NAMES)[number];

const cache = new Map<SecretName, string | undefined>();

/**
 * A secret's value: a plain environment variable wins (local runtime, tests); in Lambda, an SST
 * binding (`SST_Secret_value_<NAME>`) is resolved from SSM by SST's own loader, once per container.
 * Unset means undefined, never an empty string that could match an empty header.
 */
export async function secret(name: SecretName): Promise<string | undefined> {
  const direct = process.env[name];
  if (direct) return direct;
  if (cache.has(name)) return cache.get(name);
  let value: string | undefined;
  if (process.env[`SST_Secret_value_${name}`]) {
    const { Config } = await import("sst/node/config");
    value = (Config as unknown as Record<string, string | undefined>)[name] || undefined;
  }
  cache.set(name, value);
  return value;
}
