import { randomUUID } from "node:crypto";
import { z } from "zod";
import { create as createEvent, publishAfterCommit } from "../events";
import {
  commit,
  db,
  decodeCursor,
  encodeCursor,
  type GuardedItem,
  type Page,
  pageSize,
  queryPage,
} from "../storage";
import { Conflict, NotFound } from "../util/errors";
import { open, seal } from "../vault";

/**
 * Integrations say which org a provider's webhook belongs to. Each one claims its
 * `(provider, externalTenantId)` across all of Kith, in the same transaction as the integration,
 * so one Slack team or GitHub installation can never feed two orgs. The claim carries a copy of
 * everything a webhook needs, so finding the tenant of a delivery is one GetItem.
 *
 * Secrets (the GitLab token, the AgentMail signing secret, Slack's bot token) are sealed before
 * they are written and are never returned.
 */

export const PROVIDERS = ["slack", "github", "gitlab", "linear", "agentmail"] as const;
export const ProviderSchema = z.enum(PROVIDERS);
export type Provider = z.infer<typeof ProviderSchema>;

/** Providers whose route carries the integration id and which sign with the integration's own secret. */
export const PATH_ROUTED: readonly Provider[] = ["gitlab", "agentmail"];

const SlackSettingsSchema = z.strictObject({
  /** `xoxb-…`, used for `users.info`; sealed like a secret and never returned. */
  botToken: z
    .string()
    .trim()
    .regex(/^xox[bp]-[A-Za-z0-9-]{8,250}$/, "a Slack bot token (xoxb-…)")
    .optional(),
  /** The app's own bot user, whose events are ignored. */
  botUserId: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[UW][A-Z0-9]{2,}$/)
    .optional(),
});
const GitHubSettingsSchema = z.strictObject({});
const GitLabSettingsSchema = z.strictObject({
  /** A self-managed instance's host (`gitlab.example.com`); identities are then `host:id`. Default: the payload's host. */
  host: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9.-]+(?::\d{1,5})?$/, "a host name, without scheme")
    .max(253)
    .optional(),
});
const LinearSettingsSchema = z.strictObject({
  /** The app's own bot user (a Linear user uuid), whose events are ignored. */
  botUserId: z.string().trim().toLowerCase().uuid().optional(),
});
const AgentMailSettingsSchema = z.strictObject({
  /** Senders outside these domains are ignored. Required: mail arrives from anyone. */
  allowedDomains: z
    .array(
      z
        .string()
        .trim()
        .toLowerCase()
        .regex(/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, "a domain name"),
    )
    .min(1)
    .max(50),
});

const SETTINGS_SCHEMAS = {
  slack: SlackSettingsSchema,
  github: GitHubSettingsSchema,
  gitlab: GitLabSettingsSchema,
  linear: LinearSettingsSchema,
  agentmail: AgentMailSettingsSchema,
} as const;

export type IntegrationSettings = {
  slack: z.infer<typeof SlackSettingsSchema>;
  github: z.infer<typeof GitHubSettingsSchema>;
  gitlab: z.infer<typeof GitLabSettingsSchema>;
  linear: z.infer<typeof LinearSettingsSchema>;
  agentmail: z.infer<typeof AgentMailSettingsSchema>;
};

/** How each provider's tenant id is spelled once, so `T0ABC` and `t0abc` are one claim. */
function canonicalTenantId(provider: Provider, raw: string): string | undefined {
  const value = raw.trim();
  switch (provider) {
    case "slack":
      return /^[TE][A-Z0-9]{2,}$/i.test(value) ? value.toUpperCase() : undefined;
    case "github": {
      // `installation:N`, `organization:N` or `account:N` match only that kind of id; a plain `N`
      // matches any of them, in the contract's order (installation, organization, owner).
      const match = /^(?:(installation|organization|org|account):)?(\d{1,20})$/i.exec(value);
      if (!match) return undefined;
      const id = (match[2] as string).replace(/^0+(?=\d)/, "");
      const kind = match[1]?.toLowerCase();
      return kind ? `${kind === "org" ? "organization" : kind}:${id}` : id;
    }
    case "linear":
      return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
        ? value.toLowerCase()
        : undefined;
    default:
      // GitLab and AgentMail route by integration id; their tenant id is a free-form label (a group, an inbox).
      return value.length >= 1 && value.length <= 200 && /^[\p{L}\p{N}\p{P}\p{S} ]+$/u.test(value)
        ? value
        : undefined;
  }
}

export const CreateIntegrationInputSchema = z
  .strictObject({
    provider: ProviderSchema,
    externalTenantId: z.string().min(1).max(200),
    secret: z.string().min(8).max(1024).optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((input, context) => {
    if (canonicalTenantId(input.provider, input.externalTenantId) === undefined) {
      context.addIssue({
        code: "custom",
        path: ["externalTenantId"],
        message: {
          slack: "a Slack team id (T…)",
          github:
            "a numeric GitHub installation, organization or account id, optionally typed: installation:N, organization:N, account:N",
          linear: "a Linear organization uuid",
          gitlab: "1 to 200 printable characters",
          agentmail: "1 to 200 printable characters",
        }[input.provider],
      });
    }
    if (PATH_ROUTED.includes(input.provider) && !input.secret) {
      context.addIssue({
        code: "custom",
        path: ["secret"],
        message: `${input.provider} webhooks are verified with the integration's own secret; it is required`,
      });
    }
    if (input.provider === "agentmail" && input.secret && !/^whsec_[A-Za-z0-9+/=]{16,}$/.test(input.secret)) {
      context.addIssue({
        code: "custom",
        path: ["secret"],
        message: "a Standard Webhooks signing secret (whsec_…)",
      });
    }
    const settings = SETTINGS_SCHEMAS[input.provider].safeParse(input.settings ?? {});
    if (!settings.success) {
      for (const issue of settings.error.issues) {
        context.addIssue({ code: "custom", path: ["settings", ...issue.path], message: issue.message });
      }
    }
  })
  .meta({ id: "CreateIntegrationInput" });
export type CreateIntegrationInput = z.input<typeof CreateIntegrationInputSchema>;

export const IntegrationSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    provider: ProviderSchema,
    externalTenantId: z.string(),
    /** Where the provider must deliver: relative to the API's base URL. */
    webhookPath: z.string(),
    /** Settings without any secret; `botToken` shows only whether one is stored. */
    settings: z.record(z.string(), z.unknown()),
    hasSecret: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: "Integration" });
export type Integration = z.infer<typeof IntegrationSchema>;

export class IntegrationExists extends Conflict {
  override readonly name = "IntegrationExists";
  constructor(provider: string, externalTenantId: string) {
    super(
      "integration_exists",
      PATH_ROUTED.includes(provider as Provider)
        ? `This org already has a ${provider} integration named "${externalTenantId}"`
        : `This ${provider} tenant is already connected to an org; delete that integration first`,
      { provider, externalTenantId },
    );
  }
}

export class IntegrationNotFound extends NotFound {
  override readonly name = "IntegrationNotFound";
  constructor() {
    super("Integration", "integration_not_found");
  }
}

export const keys = {
  integration: (integrationId: string) => ({ pk: `INTEGRATION#${integrationId}`, sk: "#INTEGRATION" }),
  /**
   * Payload-routed tenants (a Slack team, a GitHub installation, a Linear workspace) are unique across
   * Kith; a path-routed integration's tenant id is only a label, unique within its org.
   */
  tenantClaim: (provider: Provider, externalTenantId: string, orgId: string) => ({
    pk: PATH_ROUTED.includes(provider)
      ? `INTEGRATION_TENANT#${provider}#${orgId}#${externalTenantId}`
      : `INTEGRATION_TENANT#${provider}#${externalTenantId}`,
    sk: "#CLAIM",
  }),
};
const listPartition = (orgId: string) => `ORG#${orgId}#INTEGRATIONS`;

/** What is stored: the integration item and its tenant claim both hold exactly this. */
interface StoredIntegration {
  id: string;
  orgId: string;
  provider: Provider;
  externalTenantId: string;
  settings: Record<string, unknown>;
  sealedSecret?: string;
  sealedBotToken?: string;
  createdAt: string;
}

/** What a webhook handler gets: the integration with its secrets openable on demand. */
export interface ActiveIntegration {
  id: string;
  orgId: string;
  provider: Provider;
  externalTenantId: string;
  settings: Record<string, unknown>;
  /** The integration's own webhook secret, opened (once per process) on demand. */
  secret(): Promise<string | undefined>;
  /** Slack's bot token, opened on demand. */
  botToken(): Promise<string | undefined>;
}

function sealContext(integration: Pick<StoredIntegration, "id" | "orgId">, purpose: string) {
  return { integrationId: integration.id, orgId: integration.orgId, purpose };
}

export function webhookPath(provider: Provider, integrationId: string): string {
  return PATH_ROUTED.includes(provider) ? `/webhooks/${provider}/${integrationId}` : `/webhooks/${provider}`;
}

function toIntegration(stored: StoredIntegration): Integration {
  const { botToken: _, ...settings } = stored.settings;
  return {
    id: stored.id,
    orgId: stored.orgId,
    provider: stored.provider,
    externalTenantId: stored.externalTenantId,
    webhookPath: webhookPath(stored.provider, stored.id),
    settings: stored.sealedBotToken ? { ...settings, botToken: "(stored)" } : settings,
    hasSecret: stored.sealedSecret !== undefined,
    createdAt: stored.createdAt,
  };
}

function toActive(stored: StoredIntegration): ActiveIntegration {
  return {
    id: stored.id,
    orgId: stored.orgId,
    provider: stored.provider,
    externalTenantId: stored.externalTenantId,
    settings: stored.settings,
    secret: async () =>
      stored.sealedSecret ? open(stored.sealedSecret, sealContext(stored, "webhook-secret")) : undefined,
    botToken: async () =>
      stored.sealedBotToken ? open(stored.sealedBotToken, sealContext(stored, "bot-token")) : undefined,
  };
}

function fromItem(item: Record<string, unknown>): StoredIntegration {
  return {
    id: item.id as string,
    orgId: item.orgId as string,
    provider: item.provider as Provider,
    externalTenantId: item.externalTenantId as string,
    settings: (item.settings as Record<string, unknown> | undefined) ?? {},
    sealedSecret: item.sealedSecret as string | undefined,
    sealedBotToken: item.sealedBotToken as string | undefined,
    createdAt: item.createdAt as string,
  };
}

/** Connects a provider tenant to an org. A tenant already connected anywhere is a 409. */
export async function create(
  orgId: string,
  input: CreateIntegrationInput,
  options: { actor: string; now?: Date },
): Promise<Integration> {
  // Routes validate with the same schema (a 400 naming the fields); this guards other callers.
  const parsed = CreateIntegrationInputSchema.parse(input);
  const { provider, secret } = parsed;
  const externalTenantId = canonicalTenantId(provider, parsed.externalTenantId) as string;
  const settings = SETTINGS_SCHEMAS[provider].parse(parsed.settings ?? {}) as Record<string, unknown>;
  const now = options.now ?? new Date();
  const id = randomUUID();
  const { botToken, ...plainSettings } = settings as { botToken?: string };
  const stored: StoredIntegration = {
    id,
    orgId,
    provider,
    externalTenantId,
    settings: plainSettings,
    createdAt: now.toISOString(),
  };
  if (secret) stored.sealedSecret = await seal(secret, sealContext(stored, "webhook-secret"));
  if (botToken) stored.sealedBotToken = await seal(botToken, sealContext(stored, "bot-token"));

  const items: GuardedItem[] = [
    {
      Put: {
        Item: {
          ...keys.integration(id),
          entity: "integration",
          ...stored,
          createdBy: options.actor,
          gsi1pk: listPartition(orgId),
          gsi1sk: `${stored.createdAt}#${id}`,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      },
    },
    {
      Put: {
        Item: {
          ...keys.tenantClaim(provider, externalTenantId, orgId),
          entity: "integrationTenant",
          ...stored,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      },
      onConditionFailed: () => new IntegrationExists(provider, externalTenantId),
    },
  ];
  await commit(items);
  await publishAfterCommit([
    createEvent("integration.created", orgId, { integrationId: id, provider, externalTenantId }, now),
  ]);
  return toIntegration(stored);
}

export async function list(
  orgId: string,
  query: { limit?: string | number; cursor?: string },
): Promise<Page<Integration>> {
  const partition = listPartition(orgId);
  const page = await queryPage(
    {
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": partition },
      ExclusiveStartKey: decodeCursor(query.cursor, {
        keys: ["pk", "sk", "gsi1pk", "gsi1sk"],
        partition: { gsi1pk: partition, sk: "#INTEGRATION" },
        prefixes: { pk: "INTEGRATION#" },
      }),
    },
    pageSize(query.limit),
    ["pk", "sk", "gsi1pk", "gsi1sk"],
  );
  return {
    items: page.items.map((item) => toIntegration(fromItem(item))),
    nextCursor: encodeCursor(page.nextKey),
  };
}

/** Disconnects: the integration and its tenant claim go together; another org's integration is a 404. */
export async function remove(
  orgId: string,
  integrationId: string,
  options: { actor: string; now?: Date },
): Promise<void> {
  const found = await db.get({ Key: keys.integration(integrationId), ConsistentRead: true });
  if (!found.Item || found.Item.orgId !== orgId) throw new IntegrationNotFound();
  const stored = fromItem(found.Item);
  await commit([
    {
      Delete: {
        Key: keys.integration(integrationId),
        ConditionExpression: "orgId = :orgId",
        ExpressionAttributeValues: { ":orgId": orgId },
      },
      onConditionFailed: () => new IntegrationNotFound(),
    },
    {
      Delete: {
        Key: keys.tenantClaim(stored.provider, stored.externalTenantId, orgId),
        ConditionExpression: "attribute_not_exists(pk) OR id = :id",
        ExpressionAttributeValues: { ":id": integrationId },
      },
    },
  ]);
  forget(integrationId);
  const now = options.now ?? new Date();
  await publishAfterCommit([
    createEvent(
      "integration.deleted",
      orgId,
      { integrationId, provider: stored.provider, actor: options.actor },
      now,
    ),
  ]);
}

/**
 * Integrations found by webhooks are kept per process for 30 s: a busy tenant then costs no read
 * at all to route. Only hits are kept (a tenant connected a moment ago is found at once); a delete
 * drops its entries in this process at once and is seen by every other process within 30 s.
 */
export const CACHE_TTL_MS = 30_000;
const MAX_CACHED = 1_000;
const found = new Map<string, { integration: StoredIntegration; until: number }>();

async function cachedLookup(
  cacheKey: string,
  read: () => Promise<StoredIntegration | undefined>,
): Promise<ActiveIntegration | undefined> {
  const now = Date.now();
  const hit = found.get(cacheKey);
  if (hit && hit.until > now) return toActive(hit.integration);
  const integration = await read();
  if (!integration) return undefined;
  if (found.size >= MAX_CACHED) found.delete(found.keys().next().value as string);
  found.set(cacheKey, { integration, until: now + CACHE_TTL_MS });
  return toActive(integration);
}

function forget(integrationId: string): void {
  for (const [cacheKey, entry] of found) if (entry.integration.id === integrationId) found.delete(cacheKey);
}

/** The integration for a provider's tenant id as a payload carries it, or undefined: one GetItem. */
export async function forTenant(
  provider: Provider,
  rawTenantId: string,
): Promise<ActiveIntegration | undefined> {
  const externalTenantId = canonicalTenantId(provider, rawTenantId);
  if (externalTenantId === undefined) return undefined;
  if (PATH_ROUTED.includes(provider)) return undefined;
  return cachedLookup(`${provider}#${externalTenantId}`, async () => {
    const result = await db.get({ Key: keys.tenantClaim(provider, externalTenantId, "") });
    return result.Item ? fromItem(result.Item) : undefined;
  });
}

export interface GitHubTenantIds {
  installation?: string;
  organization?: string;
  account?: string;
}

/**
 * The GitHub integration a payload belongs to, in one BatchGetItem: its installation, else its
 * organization, else its repository owner, each matched by a typed claim (`installation:N`) or a
 * plain one (`N`), typed first.
 */
export async function forGitHub(ids: GitHubTenantIds): Promise<ActiveIntegration | undefined> {
  const candidates: string[] = [];
  for (const kind of ["installation", "organization", "account"] as const) {
    const id = ids[kind];
    if (id === undefined || !/^\d{1,20}$/.test(id)) continue;
    const plain = id.replace(/^0+(?=\d)/, "");
    candidates.push(`${kind}:${plain}`, plain);
  }
  if (candidates.length === 0) return undefined;
  return cachedLookup(`github#${candidates.join("|")}`, async () => {
    const items = await db.batchGet(
      [...new Set(candidates)].map((tenant) => keys.tenantClaim("github", tenant, "")),
    );
    const byTenant = new Map(items.map((item) => [item.externalTenantId as string, item]));
    for (const tenant of candidates) {
      const item = byTenant.get(tenant);
      if (item) return fromItem(item);
    }
    return undefined;
  });
}

/** A path-routed integration (GitLab, AgentMail) by id, when it is of that provider: one GetItem. */
export async function byId(
  provider: Provider,
  integrationId: string,
): Promise<ActiveIntegration | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(integrationId)) return undefined;
  return cachedLookup(`${provider}@${integrationId}`, async () => {
    const result = await db.get({ Key: keys.integration(integrationId) });
    return result.Item && result.Item.provider === provider ? fromItem(result.Item) : undefined;
  });
}
