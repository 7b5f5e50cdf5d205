import { logger } from "../util/logger";
import { loadBoundSecrets, SSM_MARKER } from "./ssm";

export { SecretsUnavailable } from "./ssm";

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
  // Mailbox connections: the OAuth apps members connect Google and Microsoft mailboxes through.
  "GOOGLE_CLIENT_ID",
  "GOOGLE_CLIENT_SECRET",
  "MICROSOFT_CLIENT_ID",
  "MICROSOFT_CLIENT_SECRET",
  // Signs the OAuth `state` (HMAC-SHA256), so a callback rejects a forged one before any read.
  "OAUTH_STATE_SECRET",
  // Enrichment: the Findem API key, and the secret its profile-update webhooks (F7) are signed with.
  "FINDEM_API_KEY",
  "FINDEM_WEBHOOK_SECRET",
] as const;

/**
 * Secrets read only outside AWS: in AWS, sealing uses the KMS key the stack creates
 * (`KITH_KMS_KEY_ID`), so this is never bound as an SST secret.
 */
export const LOCAL_ONLY_SECRET_NAMES = ["TOKEN_ENCRYPTION_KEY"] as const;
export type SecretName = (typeof SECRET_NAMES)[number] | (typeof LOCAL_ONLY_SECRET_NAMES)[number];

let bound: Promise<Map<string, string>> | undefined;

/**
 * The secrets SST bound to this function, fetched from SSM once per container (config/ssm.ts). A
 * failed read is not kept: the next call tries again, and meanwhile the caller answers 503.
 */
function boundSecrets(): Promise<Map<string, string>> {
  bound ??= loadBoundSecrets().then(
    ({ values, missing }) => {
      // Names only: a value never reaches a log.
      if (missing.length > 0) logger.warn("secrets not set for this stage", { missing });
      return values;
    },
    (error: unknown) => {
      bound = undefined;
      throw error;
    },
  );
  return bound;
}

/**
 * A secret's value: a plain environment variable wins (local runtime, tests); in Lambda, an SST
 * binding (`SST_Secret_value_<NAME>`) is resolved from SSM once per container. Unset means
 * undefined, never an empty string that could match an empty header. Throws `SecretsUnavailable`
 * (a 503) when SSM cannot be read.
 */
export async function secret(name: SecretName): Promise<string | undefined> {
  const direct = process.env[name];
  if (direct) return direct;
  const binding = process.env[`SST_Secret_value_${name}`];
  if (!binding) return undefined;
  // SST's `prefetchSecrets` writes the value itself into the binding at deploy.
  if (binding !== SSM_MARKER) return binding;
  const values = await boundSecrets();
  return values.get(name) || undefined;
}

/** Forgets the secrets read from SSM (tests; a container never needs it). */
export function resetSecretsForTests(): void {
  bound = undefined;
}
