import { randomBytes, randomUUID } from "node:crypto";
import type { DomainEvent } from "../events";
import {
  commit,
  db,
  decodeCursor,
  encodeCursor,
  type Page,
  pageSize,
  queryPage,
  retryOnConflict,
} from "../storage";
import { InvalidInput } from "../util/errors";
import { OrgExists, OrgNotFound, SlugTaken } from "./errors";
import { OrgCreated } from "./events";
import { type CreateOrgInput, CreateOrgInputSchema, type Org, OrgSchema } from "./schemas";

/**
 * Orgs (tenants). The slug is unique across Kith, enforced by a claim item written in the same
 * transaction as the org, and it never changes once chosen.
 */

export const keys = {
  org: (orgId: string) => ({ pk: `ORG#${orgId}`, sk: "#ORG" }),
  slugClaim: (slug: string) => ({ pk: `SLUG#${slug}`, sk: "#CLAIM" }),
};
const LIST_PARTITION = "ORGS";

/**
 * A URL-safe slug from a display name: ASCII letters and digits, hyphen-separated, at most 48
 * characters so a suffix still fits. Empty when nothing usable remains (e.g. a name in another
 * script); callers then fall back to another source.
 */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/g, "");
}

/** `acme` → `acme-3f9a`: the suffix used when a derived slug is already claimed. */
export function suffixedSlug(base: string): string {
  return `${base}-${randomBytes(2).toString("hex")}`;
}

/** How many differently-suffixed slugs are tried before giving up with `slug_taken`. */
export const SLUG_ATTEMPTS = 10;

function toOrg(item: Record<string, unknown>): Org {
  return OrgSchema.parse({
    id: item.id,
    name: item.name,
    slug: item.slug,
    status: item.status,
    directoryId: item.directoryId ?? null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  });
}

/** The org item and its slug claim, for a transaction that creates an org. */
export function orgCreationItems(org: Org, extra: Record<string, unknown> = {}) {
  return [
    {
      Put: {
        Item: {
          ...keys.org(org.id),
          entity: "org",
          ...org,
          ...extra,
          gsi1pk: LIST_PARTITION,
          gsi1sk: org.slug,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      },
      onConditionFailed: () => new OrgExists(org.id),
    },
    {
      Put: {
        Item: { ...keys.slugClaim(org.slug), entity: "slugClaim", slug: org.slug, orgId: org.id },
        ConditionExpression: "attribute_not_exists(pk)",
      },
      onConditionFailed: () => new SlugTaken(org.slug),
    },
  ];
}

export interface CreateOrgResult {
  org: Org;
  events: DomainEvent[];
}

/**
 * Creates an org, with `org.created` in the same transaction. An explicit slug that is taken is a
 * `slug_taken` conflict; a slug derived from the name gets a random 4-hex suffix and is claimed
 * again, up to ten times.
 */
export async function create(input: CreateOrgInput, now = new Date()): Promise<CreateOrgResult> {
  const parsed = CreateOrgInputSchema.parse(input);
  const base = parsed.slug ?? slugify(parsed.name);
  const explicit = parsed.slug !== undefined;
  const timestamp = now.toISOString();
  const id = randomUUID();
  if (!base) throw new InvalidInput("Give a slug: the name yields none", { slug: "required" });
  for (let attempt = 0; attempt < (explicit ? 1 : SLUG_ATTEMPTS); attempt++) {
    const slug = attempt === 0 ? base : suffixedSlug(base);
    const org: Org = {
      id,
      name: parsed.name,
      slug,
      status: "active",
      directoryId: null,
      createdAt: timestamp,
      updatedAt: timestamp,
    };
    try {
      const events = [OrgCreated.create(id, { orgId: id, slug, directoryOrgId: null }, now)];
      // A collision with a concurrent transaction is retried until it commits or loses the slug (409).
      await retryOnConflict(
        () => commit(orgCreationItems(org), { events, now }),
        () => false,
      );
      return { org, events };
    } catch (error) {
      if (!(error instanceof SlugTaken) || explicit) throw error;
    }
  }
  throw new SlugTaken(base);
}

/** The org, or `OrgNotFound`. */
export async function get(orgId: string): Promise<Org> {
  const found = await find(orgId);
  if (!found) throw new OrgNotFound();
  return found;
}

export async function find(orgId: string): Promise<Org | undefined> {
  const result = await db.get({ Key: keys.org(orgId), ConsistentRead: true });
  return result.Item ? toOrg(result.Item) : undefined;
}

/** Every org, ordered by slug (slugs never change, so the order and cursors are stable). */
export async function list(input: { limit?: string | number; cursor?: string }): Promise<Page<Org>> {
  const cursorKeys = ["pk", "sk", "gsi1pk", "gsi1sk"];
  const { items, nextKey } = await queryPage(
    {
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": LIST_PARTITION },
      ExclusiveStartKey: decodeCursor(input.cursor, {
        keys: cursorKeys,
        partition: { gsi1pk: LIST_PARTITION },
      }),
    },
    pageSize(input.limit),
    cursorKeys,
  );
  return { items: items.map(toOrg), nextCursor: encodeCursor(nextKey) };
}

/**
 * The condition that an org exists, as a transaction item: users are only ever created inside a
 * real org, checked atomically with the write rather than by an earlier read.
 */
export function orgExistsCheck(orgId: string) {
  return {
    ConditionCheck: {
      Key: keys.org(orgId),
      ConditionExpression: "attribute_exists(pk)",
    },
    onConditionFailed: () => new OrgNotFound(),
  };
}

export * from "./errors";
export * as Events from "./events";
export * as Routes from "./routes";
export * from "./schemas";
