import type { SignedDelivery } from "@kith/sandbox";
import type { Item, Reply, RouteHarness } from "./support";

/** Secrets every webhook route test runs with; providers' app-level secrets are environment variables. */
export const WEBHOOK_SECRETS = {
  SLACK_SIGNING_SECRET: "routes-test-slack-signing-secret",
  GITHUB_WEBHOOK_SECRET: "routes-test-github-webhook-secret",
  LINEAR_WEBHOOK_SECRET: "routes-test-linear-webhook-secret",
  TOKEN_ENCRYPTION_KEY: "routes-test-token-encryption-key",
} as const;
export const GITLAB_TOKEN = "routes-test-gitlab-token-0123456789";
export const AGENTMAIL_SECRET = `whsec_${Buffer.from("routes-test-agentmail-signing-secret").toString("base64")}`;

export function useWebhookSecrets(): void {
  Object.assign(process.env, WEBHOOK_SECRETS);
}

/** POSTs a signed delivery as the provider would: no bearer token, the body byte for byte. */
export function deliver(routes: RouteHarness, path: string, delivery: SignedDelivery): Promise<Reply> {
  return routes.api("POST", path, { token: null, raw: delivery.body, headers: delivery.headers });
}

/** Connects a provider tenant to an org as the operator; fails the test unless it is a 201. */
export async function connect(
  routes: RouteHarness,
  orgId: string,
  body: Record<string, unknown>,
): Promise<{ id: string; webhookPath: string }> {
  const reply = await routes.api("POST", `/v1/orgs/${orgId}/integrations`, { body });
  if (reply.status !== 201) throw new Error(`connect: expected 201, got ${reply.status} ${reply.text}`);
  return reply.body;
}

/** The unmapped entry of an identity, read through the API (undefined when there is none). */
export async function unmappedEntry(
  routes: RouteHarness,
  orgId: string,
  kind: string,
  externalId: string,
): Promise<Item | undefined> {
  const reply = await routes.api("GET", `/v1/orgs/${orgId}/unmapped?kind=${kind}&limit=200`);
  return (reply.body.items as Item[]).find((item) => item.externalId === externalId);
}

/** The users of an org, through the API. */
export async function usersOf(routes: RouteHarness, orgId: string): Promise<Item[]> {
  const reply = await routes.api("GET", `/v1/orgs/${orgId}/users?limit=200`);
  return reply.body.items as Item[];
}
