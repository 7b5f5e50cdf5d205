import { randomUUID } from "node:crypto";
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
import { OrgNotFound, SlugTaken } from "./errors";
import { OrgCreated } from "./events";
import { type CreateOrgInput, CreateOrgInputSchema, type Org } from "./schemas";
import { SLUG_ATTEMPTS, slugify, suffixedSlug } from "./slug";
import { creationItems, keys, LIST_PARTITION, toOrg } from "./store";

/**
 * Orgs (tenants). The slug is unique across Kith, enforced by a claim item written in the same
 * transaction as the org, and it never changes once chosen.
 */

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
        () => commit(creationItems(org), { events, now }),
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
