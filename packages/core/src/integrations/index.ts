import { randomUUID } from "node:crypto";
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
import { IntegrationExists, IntegrationNotFound } from "./errors";
import * as IntegrationEvents from "./events";
import { proveTenant } from "./proof";
import {
  type CreateIntegrationInput,
  CreateIntegrationInputSchema,
  canonicalTenantId,
  type Integration,
  PATH_ROUTED,
  PROOF_ONLY_SETTINGS,
  type Provider,
  SETTINGS_SCHEMAS,
} from "./schemas";
import { sealBotToken, sealWebhookSecret } from "./sealed";

/**
 * Integrations say which org a provider's webhook belongs to. Each one claims its
 * `(provider, externalTenantId)` across all of Kith, in the same transaction as the integration,
 * so one Slack team or GitHub installation can never feed two orgs. The claim carries a copy of
 * everything a webhook needs, so finding the tenant of a delivery is one GetItem.
 *
 * Secrets (the GitLab token, the AgentMail signing secret, Slack's bot token) are sealed before
 * they are written and are never returned.
 */

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

/**
 * What a webhook handler gets: the integration, its secrets still sealed. `./sealed` opens them,
 * so only the functions granted KMS bundle it.
 */
export interface ActiveIntegration {
  id: string;
  orgId: string;
  provider: Provider;
  externalTenantId: string;
  settings: Record<string, unknown>;
  /** The integration's own webhook secret, sealed (`openWebhookSecret`). */
  sealedSecret?: string;
  /** Slack's bot token, sealed (`openBotToken`). */
  sealedBotToken?: string;
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
    ...(stored.sealedSecret ? { sealedSecret: stored.sealedSecret } : {}),
    ...(stored.sealedBotToken ? { sealedBotToken: stored.sealedBotToken } : {}),
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

/**
 * Connects a provider tenant to an org. With `proveTenant` (an org admin, not an operator) the
 * settings must prove control of a Slack, GitHub or Linear tenant first (`proof.ts`): a missing
 * proof is a 400, another tenant's a 403 `tenant_not_proven`, and nothing is written. A tenant
 * already connected anywhere is a 409.
 */
export async function create(
  orgId: string,
  input: CreateIntegrationInput,
  options: { actor: string; proveTenant?: boolean; now?: Date },
): Promise<Integration> {
  // Routes validate with the same schema (a 400 naming the fields); this guards other callers.
  const parsed = CreateIntegrationInputSchema.parse(input);
  const { provider, secret } = parsed;
  const externalTenantId = canonicalTenantId(provider, parsed.externalTenantId) as string;
  const settings = SETTINGS_SCHEMAS[provider].parse(parsed.settings ?? {}) as Record<string, unknown>;
  if (options.proveTenant) await proveTenant({ provider, externalTenantId, settings });
  for (const field of PROOF_ONLY_SETTINGS) delete settings[field];
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
  if (secret) stored.sealedSecret = await sealWebhookSecret(stored, secret);
  if (botToken) stored.sealedBotToken = await sealBotToken(stored, botToken);

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
  await commit(items, {
    events: [
      IntegrationEvents.IntegrationCreated.create(
        orgId,
        { integrationId: id, provider, externalTenantId },
        now,
      ),
    ],
    now,
  });
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
  const now = options.now ?? new Date();
  const deleted = IntegrationEvents.IntegrationDeleted.create(
    orgId,
    { integrationId, provider: stored.provider, actor: options.actor },
    now,
  );
  await commit(
    [
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
    ],
    { events: [deleted], now },
  );
  forget(integrationId);
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

export { ProviderUnavailable } from "../util/errors";
export * from "./errors";
export * as Events from "./events";
export { proveTenant } from "./proof";
export * as Routes from "./routes";
export * from "./schemas";
