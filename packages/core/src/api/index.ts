import { z } from "zod";
import * as Identity from "../identity";
import * as Integrations from "../integrations";
import * as Journal from "../journal";
import { type ApiOperation, buildDocument, pageSchema } from "../openapi";
import * as Orgs from "../orgs";
import { PageQuerySchema } from "../storage";

/**
 * The public HTTP API as OpenAPI operations, built from the same zod schemas the handlers validate
 * with. A unit test checks that every `/v1` route in the manifest appears here and nothing else.
 */

const OrgPage = pageSchema(Orgs.OrgSchema, "OrgPage");
const UserPage = pageSchema(Identity.UserSchema, "UserPage");
const AuditEventPage = pageSchema(Identity.AuditEventSchema, "AuditEventPage");
const UnmappedPage = pageSchema(Identity.UnmappedIdentitySchema, "UnmappedIdentityPage");
const IntegrationPage = pageSchema(Integrations.IntegrationSchema, "IntegrationPage");

const WebhookAnswer = z
  .object({
    received: z.literal(true),
    outcome: z.enum(["processed", "duplicate", "ignored", "unknown_tenant"]),
  })
  .meta({ id: "WebhookAnswer" });

const PROVIDER_WEBHOOKS = [
  {
    path: "/webhooks/slack",
    operationId: "receiveSlackWebhook",
    summary: "Slack Events API (verified by X-Slack-Signature, v0, ±5 minutes)",
    description: "A `url_verification` request gets its challenge echoed back as `{challenge}`.",
  },
  {
    path: "/webhooks/github",
    operationId: "receiveGithubWebhook",
    summary: "GitHub App events (verified by X-Hub-Signature-256)",
  },
  {
    path: "/webhooks/gitlab/{integrationId}",
    operationId: "receiveGitlabWebhook",
    summary: "GitLab events for one integration (verified by X-Gitlab-Token)",
  },
  {
    path: "/webhooks/linear",
    operationId: "receiveLinearWebhook",
    summary: "Linear events (verified by Linear-Signature and the signed webhookTimestamp)",
  },
  {
    path: "/webhooks/agentmail/{integrationId}",
    operationId: "receiveAgentmailWebhook",
    summary: "AgentMail events for one integration (Standard Webhooks / Svix signature)",
  },
] as const;

const WhoAmISchema = z
  .object({
    actor: z.string(),
    kind: z.enum(["operator", "user"]),
    orgId: z.string().nullable(),
    user: Identity.UserSchema.nullable(),
  })
  .meta({ id: "WhoAmI" });

const JournalQuery = PageQuerySchema.extend({ orgId: z.string().optional() });
const JournalEntry = Journal.JournalEntrySchema.meta({ id: "JournalEntry" });

const Health = z
  .object({ status: z.string(), checks: z.record(z.string(), z.unknown()), stage: z.string() })
  .meta({ id: "Health" });

const ok = (description: string, schema?: z.ZodType) => ({ description, schema });

export const operations: readonly ApiOperation[] = [
  {
    method: "GET",
    path: "/health",
    operationId: "getHealth",
    summary: "Health of the API and its table",
    tags: ["system"],
    auth: "none",
    responses: {
      200: ok("Healthy", Health),
      503: ok('The table is unreachable: the same body with status "degraded"'),
    },
  },
  {
    method: "GET",
    path: "/v1/openapi.json",
    operationId: "getOpenApiDocument",
    summary: "This document",
    tags: ["system"],
    auth: "none",
    responses: { 200: ok("The OpenAPI 3.1 document") },
  },
  {
    method: "GET",
    path: "/v1/whoami",
    operationId: "whoAmI",
    summary: "Who the bearer token belongs to",
    tags: ["system"],
    auth: "bearer",
    responses: { 200: ok("The caller", WhoAmISchema) },
  },
  {
    method: "GET",
    path: "/v1/journal",
    operationId: "listJournal",
    summary: "Domain events of the last 30 days, newest first (operator)",
    tags: ["system"],
    auth: "bearer",
    query: JournalQuery,
    responses: { 200: ok("A page of journal entries", pageSchema(JournalEntry, "JournalEntryPage")) },
  },
  {
    method: "POST",
    path: "/webhooks/workos",
    operationId: "receiveWorkosWebhook",
    summary: "WorkOS directory events (verified by WorkOS-Signature)",
    description:
      "Only nudges the directory sync: the Events API is read for the organization, in order, from its cursor. " +
      "A bad or stale signature is a 401 and nothing is queued.",
    tags: ["webhooks"],
    auth: "webhook",
    responses: { 200: ok("Accepted") },
  },
  ...PROVIDER_WEBHOOKS.map(
    (webhook): ApiOperation => ({
      method: "POST",
      path: webhook.path,
      operationId: webhook.operationId,
      summary: webhook.summary,
      description:
        ("description" in webhook ? `${webhook.description} ` : "") +
        "The sender is resolved to a user (or recorded as unmapped) and `webhook.received` is published. " +
        "A bad signature or stale timestamp is a 401, malformed JSON a 400, a body over 1 MiB a 413; none writes " +
        "anything. A verified delivery for a tenant with no integration is a 202; a delivery id seen before is a " +
        "200 that changes nothing.",
      tags: ["webhooks"],
      auth: "webhook",
      responses: {
        200: ok("Processed, ignored or a duplicate", WebhookAnswer),
        202: ok("No integration for this tenant", WebhookAnswer),
      },
      errors: [400, 401, 413],
    }),
  ),
  {
    method: "POST",
    path: "/v1/orgs",
    operationId: "createOrg",
    summary: "Create an org (operator)",
    tags: ["orgs"],
    auth: "bearer",
    body: Orgs.CreateOrgInputSchema,
    responses: { 201: ok("Created", Orgs.OrgSchema) },
    errors: [409],
  },
  {
    method: "GET",
    path: "/v1/orgs",
    operationId: "listOrgs",
    summary: "List orgs by slug (operator)",
    tags: ["orgs"],
    auth: "bearer",
    query: PageQuerySchema,
    responses: { 200: ok("A page of orgs", OrgPage) },
  },
  {
    method: "GET",
    path: "/v1/orgs/{orgId}",
    operationId: "getOrg",
    summary: "Get an org (operator, or any token of the org)",
    tags: ["orgs"],
    auth: "bearer",
    responses: { 200: ok("The org", Orgs.OrgSchema) },
    errors: [404],
  },
  {
    method: "POST",
    path: "/v1/orgs/{orgId}/users",
    operationId: "createUser",
    summary: "Create a user with its emails and identities",
    description:
      "Every email and identity is claimed in the same transaction as the user: a conflict is a 409 and nothing is written.",
    tags: ["users"],
    auth: "bearer",
    body: Identity.CreateUserInputSchema,
    responses: { 201: ok("Created", Identity.UserSchema) },
    errors: [404, 409],
  },
  {
    method: "GET",
    path: "/v1/orgs/{orgId}/users",
    operationId: "listUsers",
    summary: "List users, ordered by name",
    tags: ["users"],
    auth: "bearer",
    query: PageQuerySchema,
    responses: { 200: ok("A page of users", UserPage) },
    errors: [404],
  },
  {
    method: "GET",
    path: "/v1/orgs/{orgId}/users/{userId}",
    operationId: "getUser",
    summary: "Get a user with identities and token metadata",
    tags: ["users"],
    auth: "bearer",
    responses: { 200: ok("The user", Identity.UserSchema) },
    errors: [404],
  },
  {
    method: "PATCH",
    path: "/v1/orgs/{orgId}/users/{userId}",
    operationId: "updateUser",
    summary: "Update a user partially",
    tags: ["users"],
    auth: "bearer",
    body: Identity.UpdateUserInputSchema,
    responses: { 200: ok("The updated user", Identity.UserSchema) },
    errors: [404, 409],
  },
  {
    method: "DELETE",
    path: "/v1/orgs/{orgId}/users/{userId}",
    operationId: "deleteUser",
    summary: "Delete a user; its audit events remain",
    tags: ["users"],
    auth: "bearer",
    responses: { 204: ok("Deleted") },
    errors: [404],
  },
  {
    method: "POST",
    path: "/v1/orgs/{orgId}/users/{userId}/identities",
    operationId: "linkIdentity",
    summary: "Link an external identity to the user",
    tags: ["identities"],
    auth: "bearer",
    body: Identity.IdentityRefSchema,
    responses: {
      200: ok("Already linked to this user", Identity.IdentitySchema),
      201: ok("Linked", Identity.IdentitySchema),
    },
    errors: [404, 409],
  },
  {
    method: "DELETE",
    path: "/v1/orgs/{orgId}/users/{userId}/identities/{kind}/{externalId}",
    operationId: "unlinkIdentity",
    summary: "Unlink an external identity",
    tags: ["identities"],
    auth: "bearer",
    responses: { 204: ok("Unlinked") },
    errors: [404],
  },
  {
    method: "POST",
    path: "/v1/orgs/{orgId}/users/{userId}/merge",
    operationId: "mergeUsers",
    summary: "Merge another user into this one",
    tags: ["users"],
    auth: "bearer",
    body: Identity.MergeInputSchema,
    responses: { 200: ok("The merged user", Identity.UserSchema) },
    errors: [404, 409],
  },
  {
    method: "POST",
    path: "/v1/orgs/{orgId}/users/{userId}/tokens",
    operationId: "mintToken",
    summary: "Mint an API token; the plaintext is returned only here",
    tags: ["tokens"],
    auth: "bearer",
    body: Identity.MintTokenInputSchema,
    responses: { 201: ok("Minted", Identity.MintedTokenSchema) },
    errors: [404, 409],
  },
  {
    method: "DELETE",
    path: "/v1/orgs/{orgId}/users/{userId}/tokens/{tokenId}",
    operationId: "revokeToken",
    summary: "Revoke a token (idempotent)",
    tags: ["tokens"],
    auth: "bearer",
    responses: { 204: ok("Revoked, or already gone") },
  },
  {
    method: "GET",
    path: "/v1/orgs/{orgId}/users/{userId}/events",
    operationId: "listUserEvents",
    summary: "A user's audit events, newest first",
    tags: ["users"],
    auth: "bearer",
    query: PageQuerySchema,
    responses: { 200: ok("A page of audit events", AuditEventPage) },
    errors: [404],
  },
  {
    method: "GET",
    path: "/v1/orgs/{orgId}/resolve",
    operationId: "resolveUser",
    summary: "The user behind an identity or an email",
    tags: ["identities"],
    auth: "bearer",
    query: Identity.LookupQuerySchema,
    responses: { 200: ok("The user", Identity.UserSchema) },
    errors: [404],
  },
  {
    method: "GET",
    path: "/v1/orgs/{orgId}/unmapped",
    operationId: "listUnmapped",
    summary: "Identities seen on webhooks that no user holds, by count",
    tags: ["identities"],
    auth: "bearer",
    query: Identity.UnmappedQuerySchema,
    responses: { 200: ok("A page of unmapped identities", UnmappedPage) },
    errors: [404],
  },
  {
    method: "POST",
    path: "/v1/orgs/{orgId}/unmapped/{kind}/{externalId}/resolve",
    operationId: "resolveUnmapped",
    summary: "Map an unmapped identity to a user, or to a new user",
    tags: ["identities"],
    auth: "bearer",
    body: Identity.ResolveUnmappedInputSchema,
    responses: {
      200: ok("Linked to the existing user", Identity.UserSchema),
      201: ok("Linked to a new user", Identity.UserSchema),
    },
    errors: [404, 409],
  },
  {
    method: "POST",
    path: "/v1/orgs/{orgId}/integrations",
    operationId: "createIntegration",
    summary: "Connect a provider tenant (a Slack team, a GitHub installation, …) to the org",
    description:
      "`secret` (required for gitlab and agentmail) and `settings.botToken` are encrypted at rest and never " +
      "returned. Settings per provider: slack `{botToken?, botUserId?}`, gitlab `{host?}`, linear `{botUserId?}`, " +
      "agentmail `{allowedDomains}`. A Slack, GitHub or Linear tenant connected to any org already, or a GitLab or " +
      "AgentMail tenant label the org already uses, is a 409 `integration_exists`.",
    tags: ["integrations"],
    auth: "bearer",
    body: Integrations.CreateIntegrationInputSchema,
    responses: { 201: ok("Created", Integrations.IntegrationSchema) },
    errors: [404, 409],
  },
  {
    method: "GET",
    path: "/v1/orgs/{orgId}/integrations",
    operationId: "listIntegrations",
    summary: "The org's integrations, oldest first",
    tags: ["integrations"],
    auth: "bearer",
    query: PageQuerySchema,
    responses: { 200: ok("A page of integrations", IntegrationPage) },
    errors: [404],
  },
  {
    method: "DELETE",
    path: "/v1/orgs/{orgId}/integrations/{integrationId}",
    operationId: "deleteIntegration",
    summary: "Disconnect an integration; its webhooks then get 202 (unknown tenant) or 401 (path-routed)",
    tags: ["integrations"],
    auth: "bearer",
    responses: { 204: ok("Deleted") },
    errors: [404],
  },
];

let cached: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document, built once per process. */
export function document(): Record<string, unknown> {
  cached ??= buildDocument(operations, {
    title: "Kith API",
    version: "1",
    description:
      "Who is this person across our tools, and who on our team knows them. Errors are " +
      '`{"error": {"code", "message", "details"}}`; lists take `limit` and `cursor`.',
  });
  return cached;
}
