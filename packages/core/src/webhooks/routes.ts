import * as z from "zod/mini";
import { defineRoute } from "../http/route";

/** Webhook ingress routes, one function per provider (each verifies its own signature scheme). */

export const WebhookAnswerSchema = z
  .object({
    received: z.literal(true),
    outcome: z.enum(["processed", "duplicate", "ignored", "unknown_tenant"]),
  })
  .register(z.globalRegistry, { id: "WebhookAnswer" });

const PIPELINE =
  "The sender is resolved to a user (or recorded as unmapped) and `webhook.received` is published. " +
  "A bad signature or stale timestamp is a 401, malformed JSON a 400, a body over 1 MiB a 413; none writes " +
  "anything. A verified delivery for a tenant with no integration is a 202; a delivery id seen before is a " +
  "200 that changes nothing; a retry while another attempt holds the delivery is a 503 with Retry-After.";

const answers = {
  200: { description: "Processed, ignored or a duplicate", schema: WebhookAnswerSchema },
  202: { description: "No integration for this tenant", schema: WebhookAnswerSchema },
  503: { description: "Another attempt is processing this delivery; retry after Retry-After" },
} as const;

export const slack = defineRoute({
  method: "POST",
  path: "/webhooks/slack",
  handler: "functions/webhooks/slack.handler",
  auth: "webhook",
  // The provider's JSON, as signed: each provider module reads what it needs.
  body: z.unknown(),
  operationId: "receiveSlackWebhook",
  summary: "Slack Events API (verified by X-Slack-Signature, v0, ±5 minutes)",
  description: `A \`url_verification\` request gets its challenge echoed back as \`{challenge}\`. ${PIPELINE}`,
  tags: ["webhooks"],
  responses: {
    ...answers,
    200: {
      description: "Processed, ignored, a duplicate, or the echoed challenge",
      schema: z.union([WebhookAnswerSchema, z.object({ challenge: z.string() })]),
    },
  },
  errors: [400, 401, 413],
  // Slack opens the integration's sealed bot token for users.info.
  sealedSecrets: "open",
});

export const github = defineRoute({
  method: "POST",
  path: "/webhooks/github",
  handler: "functions/webhooks/github.handler",
  auth: "webhook",
  // The provider's JSON, as signed: each provider module reads what it needs.
  body: z.unknown(),
  operationId: "receiveGithubWebhook",
  summary: "GitHub App events (verified by X-Hub-Signature-256)",
  description: PIPELINE,
  tags: ["webhooks"],
  responses: answers,
  errors: [400, 401, 413],
});

export const gitlab = defineRoute({
  method: "POST",
  path: "/webhooks/gitlab/{integrationId}",
  handler: "functions/webhooks/gitlab.handler",
  auth: "webhook",
  // The provider's JSON, as signed: each provider module reads what it needs.
  body: z.unknown(),
  operationId: "receiveGitlabWebhook",
  summary: "GitLab events for one integration (verified by X-Gitlab-Token)",
  description: PIPELINE,
  tags: ["webhooks"],
  responses: answers,
  errors: [400, 401, 413],
  // The integration's own secret verifies the request.
  sealedSecrets: "open",
});

export const linear = defineRoute({
  method: "POST",
  path: "/webhooks/linear",
  handler: "functions/webhooks/linear.handler",
  auth: "webhook",
  // The provider's JSON, as signed: each provider module reads what it needs.
  body: z.unknown(),
  operationId: "receiveLinearWebhook",
  summary: "Linear events (verified by Linear-Signature and the signed webhookTimestamp)",
  description: PIPELINE,
  tags: ["webhooks"],
  responses: answers,
  errors: [400, 401, 413],
});

export const agentmail = defineRoute({
  method: "POST",
  path: "/webhooks/agentmail/{integrationId}",
  handler: "functions/webhooks/agentmail.handler",
  auth: "webhook",
  // The provider's JSON, as signed: each provider module reads what it needs.
  body: z.unknown(),
  operationId: "receiveAgentmailWebhook",
  summary: "AgentMail events for one integration (Standard Webhooks / Svix signature)",
  description: PIPELINE,
  tags: ["webhooks"],
  responses: answers,
  errors: [400, 401, 413],
  sealedSecrets: "open",
});

export const all = [slack, github, gitlab, linear, agentmail] as const;
