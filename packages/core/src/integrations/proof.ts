import { secret } from "../config";
import { InvalidInput, ProviderUnavailable } from "../util/errors";
import { logger } from "../util/logger";
import { TenantNotProven } from "./errors";
import type { Provider } from "./schemas";

/**
 * Proof that whoever connects a Slack team, a GitHub installation or a Linear organization
 * controls it. Without it, any org admin could claim another company's tenant and receive its
 * webhooks. Each proof asks the provider itself (Slack and GitHub through their client libraries,
 * Linear through one GraphQL query) at the provider URL the deployment is configured with
 * (`SLACK_API_URL`, `GITHUB_API_URL`, `LINEAR_API_URL`):
 * - Slack: the bot token's `auth.test` names the claimed team (or, for an org-wide Enterprise Grid
 *   installation, the claimed enterprise);
 * - GitHub: the installation, looked up as the GitHub App (`GITHUB_APP_ID`,
 *   `GITHUB_APP_PRIVATE_KEY`), exists for this app and belongs to the claimed account;
 * - Linear: the API key's (or OAuth token's) `organization { id }` is the claimed organization.
 * A missing proof is a 400 naming the field; a proof of another tenant, or one the provider
 * refuses, is a 403 `tenant_not_proven`; a provider that cannot be reached is a retryable 503.
 * Operators may claim without proof (they run the deployment).
 */

export const DEFAULT_SLACK_API_URL = "https://slack.com/api/";
export const DEFAULT_GITHUB_API_URL = "https://api.github.com";
export const DEFAULT_LINEAR_API_URL = "https://api.linear.app/graphql";

/** What a proof may read from the create request (credentials are used here and never stored, except Slack's bot token). */
export interface ProofInput {
  provider: Provider;
  /** The canonical tenant id (`T…`, `E…`; `N`, `installation:N`, `organization:N`, `account:N`; a uuid). */
  externalTenantId: string;
  settings: Record<string, unknown>;
}

/** The provider could not be asked (network, 5xx, rate limit): the claim may succeed in a moment. */
class TenantProviderUnavailable extends ProviderUnavailable {
  constructor(provider: string, cause?: unknown) {
    super(provider, cause, `${provider} could not be reached to prove the tenant; retry shortly`);
  }
}

const missing = (field: string, why: string) =>
  new InvalidInput(`Prove control of the tenant: ${why}`, { [`settings.${field}`]: "required" });

/** Throws unless the settings prove control of the tenant (see the module comment). */
export async function proveTenant(input: ProofInput): Promise<void> {
  switch (input.provider) {
    case "slack":
      return proveSlack(input);
    case "github":
      return proveGitHub(input);
    case "linear":
      return proveLinear(input);
    default:
      // GitLab and AgentMail route by integration id and verify with the integration's own secret.
      return;
  }
}

async function proveSlack({ externalTenantId, settings }: ProofInput): Promise<void> {
  const token = settings.botToken;
  if (typeof token !== "string")
    throw missing("botToken", "a bot token of the Slack team, checked with auth.test");
  const { WebClient } = await import("@slack/web-api");
  const client = new WebClient(token, {
    slackApiUrl: process.env.SLACK_API_URL || DEFAULT_SLACK_API_URL,
    retryConfig: { retries: 1 },
    rejectRateLimitedCalls: true,
  });
  let answer: { team_id?: string; enterprise_id?: string; is_enterprise_install?: boolean };
  try {
    answer = await client.auth.test();
  } catch (error) {
    // Slack answers a bad, revoked or inactive token with ok: false (platform_error).
    const code = (error as { code?: string; data?: { error?: string } }).data?.error;
    if ((error as { code?: string }).code === "slack_webapi_platform_error") {
      throw new TenantNotProven("slack", externalTenantId, `Slack refused the bot token (${code})`);
    }
    throw new TenantProviderUnavailable("Slack", error);
  }
  // An org-wide Enterprise Grid installation speaks for its enterprise; a workspace token for its team.
  const proven = externalTenantId.startsWith("E")
    ? answer.is_enterprise_install === true && answer.enterprise_id === externalTenantId
    : answer.team_id === externalTenantId;
  if (!proven) {
    throw new TenantNotProven("slack", externalTenantId, "the bot token belongs to another Slack team");
  }
}

async function proveGitHub({ externalTenantId, settings }: ProofInput): Promise<void> {
  const [kind, id] = externalTenantId.includes(":")
    ? (externalTenantId.split(":") as [string, string])
    : [undefined, externalTenantId];
  const given = settings.installationId;
  const installationId =
    typeof given === "number"
      ? String(given)
      : kind === "installation" || kind === undefined
        ? id
        : undefined;
  if (!installationId) {
    throw missing("installationId", "the GitHub App installation on that account, looked up as the App");
  }
  const installation = await lookUpInstallation(externalTenantId, installationId);
  const accountId = String(installation.account?.id ?? "");
  const proven =
    kind === "installation"
      ? installationId === id
      : kind === "organization"
        ? accountId === id && installation.account?.type === "Organization"
        : kind === "account"
          ? accountId === id
          : installationId === id || accountId === id;
  if (!proven) {
    throw new TenantNotProven(
      "github",
      externalTenantId,
      "that installation does not belong to the claimed account",
    );
  }
}

interface Installation {
  id: number;
  account?: { id?: number; type?: string } | null;
}

async function lookUpInstallation(claimed: string, installationId: string): Promise<Installation> {
  const [appId, privateKey] = await Promise.all([secret("GITHUB_APP_ID"), secret("GITHUB_APP_PRIVATE_KEY")]);
  if (!appId || !privateKey) {
    throw new TenantNotProven(
      "github",
      claimed,
      "this deployment has no GitHub App credentials (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY); an operator can connect it",
    );
  }
  const [{ createAppAuth }, { request }] = await Promise.all([
    import("@octokit/auth-app"),
    import("@octokit/request"),
  ]);
  const github = request.defaults({ baseUrl: process.env.GITHUB_API_URL || DEFAULT_GITHUB_API_URL });
  const auth = createAppAuth({ appId, privateKey, request: github });
  try {
    const { data } = await auth.hook(github, "GET /app/installations/{installation_id}", {
      installation_id: Number(installationId),
    });
    return data as Installation;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404) {
      throw new TenantNotProven(
        "github",
        claimed,
        `installation ${installationId} is not an installation of this GitHub App`,
      );
    }
    if (status === 401 || status === 403) {
      logger.error("GitHub refused the App's credentials while proving a tenant", { status });
      throw new TenantNotProven(
        "github",
        claimed,
        "GitHub refused this deployment's App credentials; an operator must check them",
      );
    }
    throw new TenantProviderUnavailable("GitHub", error);
  }
}

async function proveLinear({ externalTenantId, settings }: ProofInput): Promise<void> {
  const apiKey = typeof settings.apiKey === "string" ? settings.apiKey : undefined;
  const accessToken = typeof settings.accessToken === "string" ? settings.accessToken : undefined;
  if (!apiKey && !accessToken) {
    throw missing("apiKey", "a Linear API key (or settings.accessToken, an OAuth token) of the organization");
  }
  const organizationId = await linearOrganizationId(
    apiKey ? { apiKey } : { accessToken: accessToken as string },
  );
  if (organizationId === undefined) {
    throw new TenantNotProven("linear", externalTenantId, "Linear refused the credential");
  }
  if (organizationId.toLowerCase() !== externalTenantId) {
    throw new TenantNotProven(
      "linear",
      externalTenantId,
      "the credential belongs to another Linear organization",
    );
  }
}

/** Linear's error types (`extensions.type`) that mean the credential itself was refused. */
const LINEAR_REFUSALS = new Set(["authentication error", "forbidden"]);

/**
 * The organization a Linear credential belongs to, from one GraphQL query (`{ organization { id } }`)
 * over `fetch`, or undefined when Linear refuses the credential. Written against Linear's public
 * GraphQL API rather than `@linear/sdk`, which does not tree-shake and put 1.9 MB into the
 * create-integration function for this one query (docs/decisions.md); a refusal is read as the SDK
 * reads it: the first error's `extensions.type`, else the HTTP status (403 forbidden, 429 rate
 * limited, any other 4xx authentication). Anything else is `ProviderUnavailable` (a 503).
 */
async function linearOrganizationId(
  credential: { apiKey: string } | { accessToken: string },
): Promise<string | undefined> {
  const url = process.env.LINEAR_API_URL || DEFAULT_LINEAR_API_URL;
  let status: number;
  let body: {
    data?: { organization?: { id?: unknown } };
    errors?: { extensions?: { type?: unknown; code?: unknown } }[];
  };
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        // A personal API key is sent bare; an OAuth token as a Bearer token (Linear's authentication docs).
        authorization: "apiKey" in credential ? credential.apiKey : `Bearer ${credential.accessToken}`,
      },
      body: JSON.stringify({ query: "query KithTenantProof { organization { id } }" }),
      signal: AbortSignal.timeout(5_000),
    });
    status = response.status;
    body = (await response.json().catch(() => ({}))) as typeof body;
  } catch (error) {
    throw new TenantProviderUnavailable("Linear", error);
  }
  const extensions = body.errors?.[0]?.extensions;
  // Linear answers a spent rate budget with code RATELIMITED (and HTTP 400): retryable, not a refusal.
  const errorType = extensions?.code === "RATELIMITED" ? "ratelimited" : extensions?.type;
  if (typeof errorType === "string") {
    if (LINEAR_REFUSALS.has(errorType)) return undefined;
    throw new TenantProviderUnavailable("Linear", new Error(`Linear answered ${status}: ${errorType}`));
  }
  if (status >= 400 && status < 500 && status !== 429) return undefined;
  const id = body.data?.organization?.id;
  if (status !== 200 || typeof id !== "string") {
    throw new TenantProviderUnavailable(
      "Linear",
      new Error(`Linear answered ${status} without an organization`),
    );
  }
  return id;
}
