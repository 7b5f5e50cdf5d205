import { open, seal } from "../vault";
import type { ActiveIntegration } from "./index";

/**
 * Opening and sealing an integration's secrets: the only integrations code that reaches the vault
 * (and so KMS). A webhook that verifies with an integration's own secret (GitLab, AgentMail) or
 * calls Slack with its bot token imports this; the others never bundle the KMS client, matching the
 * manifest's `sealedSecrets`, which grants KMS only to those functions.
 */

type Sealable = Pick<ActiveIntegration, "id" | "orgId">;

/** Binds a sealed value to its integration and purpose, so it does not open on another item. */
export function sealContext(integration: Sealable, purpose: "webhook-secret" | "bot-token") {
  return { integrationId: integration.id, orgId: integration.orgId, purpose };
}

export function sealWebhookSecret(integration: Sealable, value: string): Promise<string> {
  return seal(value, sealContext(integration, "webhook-secret"));
}

export function sealBotToken(integration: Sealable, value: string): Promise<string> {
  return seal(value, sealContext(integration, "bot-token"));
}

/** The integration's own webhook secret (GitLab's token, AgentMail's signing secret), if it has one. */
export async function openWebhookSecret(integration: ActiveIntegration): Promise<string | undefined> {
  return integration.sealedSecret
    ? open(integration.sealedSecret, sealContext(integration, "webhook-secret"))
    : undefined;
}

/** Slack's bot token, if one is stored. */
export async function openBotToken(integration: ActiveIntegration): Promise<string | undefined> {
  return integration.sealedBotToken
    ? open(integration.sealedBotToken, sealContext(integration, "bot-token"))
    : undefined;
}
