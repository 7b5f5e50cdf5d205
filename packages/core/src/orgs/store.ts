import { db, type GuardedItem } from "../storage";
import { OrgExists, OrgNotFound, SlugTaken } from "./errors";
import { type Org, OrgSchema } from "./schemas";

/**
 * How orgs are laid out in the table, and every write to an org item: the org module owns them,
 * including the ones directory sync makes (`directory.ts`).
 */

export const keys = {
  org: (orgId: string) => ({ pk: `ORG#${orgId}`, sk: "#ORG" }),
  slugClaim: (slug: string) => ({ pk: `SLUG#${slug}`, sk: "#CLAIM" }),
};

/** The gsi1 partition that lists every org, by slug. */
export const LIST_PARTITION = "ORGS";

/** An org item as stored: the contract's `Org` plus what directory sync keeps on it. */
export interface StoredOrg extends Org {
  /** The last directory event applied (a time-ordered ULID-based id). */
  lastEventId?: string;
  /** The directory's `updated_at` of the state applied. */
  directoryUpdatedAt?: string;
}

export function toOrg(item: Record<string, unknown>): Org {
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

/** The org item as stored, read strongly consistent (callers go on to write). */
export async function readStored(orgId: string): Promise<StoredOrg | undefined> {
  const result = await db.get({ Key: keys.org(orgId), ConsistentRead: true });
  return result.Item as StoredOrg | undefined;
}

/**
 * The org item and its slug claim, for a transaction that creates an org. `sync` is what directory
 * sync records with a directory-created org (its event id and `updated_at`).
 */
export function creationItems(
  org: Org,
  sync: Pick<StoredOrg, "lastEventId" | "directoryUpdatedAt"> = {},
): GuardedItem[] {
  return [
    {
      Put: {
        Item: {
          ...keys.org(org.id),
          entity: "org",
          ...org,
          ...sync,
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

/**
 * The condition that an org exists, as a transaction item: users are only ever created inside a
 * real org, checked atomically with the write rather than by an earlier read.
 */
export function existsCheck(orgId: string): GuardedItem {
  return {
    ConditionCheck: { Key: keys.org(orgId), ConditionExpression: "attribute_exists(pk)" },
    onConditionFailed: () => new OrgNotFound(),
  };
}
