import { defineRoute } from "../http/route";
import { PageQuerySchema, pageSchema } from "../storage/cursor";
import { CreateIntegrationInputSchema, IntegrationSchema } from "./schemas";

/** The integrations module's routes: which tenant a webhook belongs to. */

const IntegrationPage = pageSchema(IntegrationSchema, "IntegrationPage");

export const createIntegration = defineRoute({
  method: "POST",
  path: "/v1/orgs/{orgId}/integrations",
  handler: "functions/http/create-integration.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "createIntegration",
  summary: "Connect a provider tenant (a Slack team, a GitHub installation, …) to the org",
  description:
    "`secret` (required for gitlab and agentmail) and `settings.botToken` are encrypted at rest and never " +
    "returned. Settings per provider: slack `{botToken?, botUserId?}`, gitlab `{host?}`, linear `{botUserId?}`, " +
    "agentmail `{allowedDomains}`. A Slack, GitHub or Linear tenant connected to any org already, or a GitLab or " +
    "AgentMail tenant label the org already uses, is a 409 `integration_exists`. An org admin (not an operator) must " +
    "prove control of a Slack, GitHub or Linear tenant: Slack `settings.botToken` passes `auth.test` for the team " +
    "(or, org-wide, the enterprise); GitHub `settings.installationId` (or the claimed installation id) is an " +
    "installation of the Kith GitHub App on the claimed account; Linear `settings.apiKey` (or `settings.accessToken`) " +
    "belongs to the claimed organization and is not stored. A missing proof is a 400 naming the field, another " +
    "tenant's a 403 `tenant_not_proven`; nothing is written either way.",
  tags: ["integrations"],
  body: CreateIntegrationInputSchema,
  responses: { 201: { description: "Created", schema: IntegrationSchema } },
  errors: [404, 409, 503],
  sealedSecrets: "seal",
});

export const listIntegrations = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}/integrations",
  handler: "functions/http/list-integrations.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "listIntegrations",
  summary: "The org's integrations, oldest first",
  tags: ["integrations"],
  query: PageQuerySchema,
  responses: { 200: { description: "A page of integrations", schema: IntegrationPage } },
  errors: [404],
});

export const deleteIntegration = defineRoute({
  method: "DELETE",
  path: "/v1/orgs/{orgId}/integrations/{integrationId}",
  handler: "functions/http/delete-integration.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "deleteIntegration",
  summary: "Disconnect an integration; its webhooks then get 202 (unknown tenant) or 401 (path-routed)",
  tags: ["integrations"],
  responses: { 204: { description: "Deleted" } },
  errors: [404],
});

export const all = [createIntegration, listIntegrations, deleteIntegration] as const;
