import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";

/** The names and local-only defaults the embedded runtime runs with (docs/local-runtime.md). */

export const LOCAL_TABLE_NAME = "kith-local";
export const LOCAL_BUS_NAME = "kith-local";
export const QUEUE_PREFIX = "kith-local-";
/** Local only, like the operator key: what a developer signs test webhooks with. */
export const DEFAULT_WORKOS_WEBHOOK_SECRET = "local-workos-webhook-secret";
const DEFAULT_OPERATOR_KEY = "local-operator-key";
/** Local only: what a developer signs test deliveries with (docs/local-runtime.md). */
export const DEFAULT_WEBHOOK_SECRETS = {
  SLACK_SIGNING_SECRET: "local-slack-signing-secret",
  GITHUB_WEBHOOK_SECRET: "local-github-webhook-secret",
  LINEAR_WEBHOOK_SECRET: "local-linear-webhook-secret",
  WORKOS_WEBHOOK_SECRET: DEFAULT_WORKOS_WEBHOOK_SECRET,
  // Standard Webhooks secrets are `whsec_` and base64: this is "local-findem-webhook-secret".
  FINDEM_WEBHOOK_SECRET: "whsec_bG9jYWwtZmluZGVtLXdlYmhvb2stc2VjcmV0",
} as const;

/** A loopback port nothing listens on (discard), so an SDK client with no local stand-in fails at once. */
const UNROUTABLE_ENDPOINT = "http://127.0.0.1:9";

/**
 * Handlers read the same variables in Lambda; here they point at the local components. The
 * developer's own AWS credentials and profile are removed and every other service's endpoint goes
 * nowhere, so the local runtime cannot touch a real AWS account even by mistake.
 */
export function configureHandlerEnvironment(
  endpoints: { dynamo: string; sqs: string },
  region: string,
): void {
  process.env.AWS_REGION = region;
  for (const name of [
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  ]) {
    delete process.env[name];
  }
  process.env.AWS_ACCESS_KEY_ID = "local";
  process.env.AWS_SECRET_ACCESS_KEY = "local";
  process.env.AWS_ENDPOINT_URL = UNROUTABLE_ENDPOINT;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamo;
  process.env.AWS_ENDPOINT_URL_SQS = endpoints.sqs;
  process.env.KITH_TABLE_NAME = LOCAL_TABLE_NAME;
  process.env.KITH_EVENT_BUS_NAME = LOCAL_BUS_NAME;
  process.env.KITH_STAGE = "local";
  process.env.OPERATOR_API_KEY ||= DEFAULT_OPERATOR_KEY;
  process.env.POWERTOOLS_SERVICE_NAME ||= "kith";
}

/** The local default of every secret left unset, and the key that seals secrets at rest. */
export async function applySecretDefaults(dataDir: string | undefined): Promise<void> {
  for (const [name, value] of Object.entries(DEFAULT_WEBHOOK_SECRETS)) process.env[name] ||= value;
  process.env.TOKEN_ENCRYPTION_KEY ||= await localEncryptionKey(dataDir);
  process.env.OAUTH_STATE_SECRET ||= await localEncryptionKey(dataDir, "oauth-state-secret");
}

/**
 * A local key: the one that seals secrets at rest when there is no KMS, or the OAuth state's
 * signing key. With a data directory it is generated
 * once and kept there (mode 0600), so sealed values survive a restart; in memory it lives as long
 * as the process, like the data.
 */
async function localEncryptionKey(
  dataDir: string | undefined,
  file = "token-encryption-key",
): Promise<string> {
  if (!dataDir) return randomBytes(32).toString("base64url");
  const path = resolve(dataDir, file);
  try {
    return (await readFile(path, "utf8")).trim();
  } catch {
    await mkdir(dataDir, { recursive: true });
    const key = randomBytes(32).toString("base64url");
    await writeFile(path, key, { mode: 0o600, flag: "wx" }).catch(async () => undefined);
    return (await readFile(path, "utf8")).trim();
  }
}
