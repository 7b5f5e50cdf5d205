import { v5 as uuidv5 } from "uuid";
import * as Orgs from "../orgs";
import { ConditionFailed, commit, db, type GuardedItem, TransactionCancelled } from "../storage";
import { logger } from "../util/logger";
import { advance, organizationCursorItem } from "./cursors";
import { ApplyContended } from "./errors";
import type { DirectoryClient, DirectoryOrganization, OrganizationEvent } from "./types";

/**
 * Directory organizations become orgs. Each organization event is applied in one transaction with
 * the organization's cursor, under the ordering guard (`Orgs.directoryChangeItem`), so an older or
 * repeated event can never rewind an org: delivered shuffled and with duplicates, the same events
 * give the state in-order application gives. The org module owns every write to the org item.
 */

/**
 * Namespace of the UUIDv5 org ids derived from directory organization ids. Fixed forever: changing
 * it would give every directory-created org a second id.
 */
export const DIRECTORY_NAMESPACE = "6f1c2b4e-8a3d-5e7f-9b0a-1c2d3e4f5a6b";

/** Our org id for a directory organization that carries no external id. */
export function orgIdForDirectory(directoryOrgId: string): string {
  return uuidv5(directoryOrgId, DIRECTORY_NAMESPACE);
}

/** The claim linking one directory organization to one org. */
export const claimKey = (directoryOrgId: string) => ({ pk: `ORGDIR#${directoryOrgId}`, sk: "#CLAIM" });

/** The org a directory organization is linked to (its directory claim), if any. */
export async function claimedOrgId(directoryOrgId: string): Promise<string | undefined> {
  const claim = await db.get({ Key: claimKey(directoryOrgId), ConsistentRead: true });
  return claim.Item?.orgId as string | undefined;
}

/** The org an organization maps to: by directory claim, else its external id, else the UUIDv5. */
async function locate(organization: DirectoryOrganization): Promise<{ orgId: string; org?: Orgs.StoredOrg }> {
  const orgId =
    (await claimedOrgId(organization.id)) ??
    (organization.externalId && organization.externalId.length <= 128
      ? organization.externalId
      : orgIdForDirectory(organization.id));
  return { orgId, org: await Orgs.readStored(orgId) };
}

/**
 * The ordering guard, as a decision: an event applies only if its id is greater than the last
 * applied one; with no event id stored (an org linked or created another way), only if its
 * `updated_at` is not older than the directory timestamp stored. `Orgs.directoryChangeItem`
 * enforces the same rule as the write's condition.
 */
export function isNewer(
  event: Pick<OrganizationEvent, "id" | "data">,
  org: Pick<Orgs.StoredOrg, "lastEventId" | "directoryUpdatedAt">,
) {
  if (org.lastEventId) return event.id > org.lastEventId;
  if (org.directoryUpdatedAt) return event.data.updatedAt >= org.directoryUpdatedAt;
  return true;
}

export type ApplyOutcome = "created" | "updated" | "skipped";

export interface ApplyResult {
  outcome: ApplyOutcome;
  orgId?: string;
  /** The directory lacks our id as its `external_id`; push it back (after commit). */
  needsExternalIdPush: boolean;
}

const MAX_APPLY_ROUNDS = Orgs.SLUG_ATTEMPTS + 3;

function claimItem(directoryOrgId: string, orgId: string, condition: "new" | "same"): GuardedItem {
  return {
    Put: {
      Item: { ...claimKey(directoryOrgId), entity: "directoryClaim", directoryOrgId, orgId },
      ConditionExpression:
        condition === "new" ? "attribute_not_exists(pk)" : "attribute_not_exists(pk) OR orgId = :orgId",
      ...(condition === "same" ? { ExpressionAttributeValues: { ":orgId": orgId } } : {}),
    },
  };
}

/**
 * Applies one organization event, together with the cursor, in one transaction, with its domain
 * event (`org.created`, `org.updated` or `org.disabled`). A create claims the slug (chosen once:
 * the slugified name, else the slugified directory id; a taken slug gets a 4-hex suffix) and the
 * directory id. An update renames but never touches the slug and never re-enables a disabled org;
 * a delete disables and never removes. A snapshot (`options.snapshot`) records no event id and
 * leaves the cursor alone.
 */
export async function applyEvent(
  event: OrganizationEvent,
  now = new Date(),
  options: { snapshot?: boolean } = {},
): Promise<ApplyResult> {
  const directoryOrgId = event.data.id;
  const needsExternalIdPush = (orgId: string) => event.data.externalId !== orgId;
  for (let round = 0; round < MAX_APPLY_ROUNDS; round++) {
    const { orgId, org } = await locate(event.data);
    try {
      if (org) {
        if (!isNewer(event, org)) {
          // The cursor may already be past this event: a replay, which is exactly what skipping is for.
          await advance(organizationCursorItem(directoryOrgId, event.id, now));
          return { outcome: "skipped", orgId, needsExternalIdPush: false };
        }
        const deleted = event.event === "organization.deleted";
        const change = { orgId, directoryOrgId, directoryEventId: event.id };
        await commit(
          [
            Orgs.directoryChangeItem({
              orgId,
              directoryOrgId,
              eventId: event.id,
              name: event.data.name,
              directoryUpdatedAt: event.data.updatedAt,
              status: deleted ? "disabled" : org.status,
              now,
            }),
            organizationCursorItem(directoryOrgId, event.id, now),
            ...(org.directoryId !== directoryOrgId ? [claimItem(directoryOrgId, orgId, "same")] : []),
          ],
          {
            events: [
              deleted
                ? Orgs.Events.OrgDisabled.create(orgId, change, now)
                : Orgs.Events.OrgUpdated.create(orgId, change, now),
            ],
            now,
          },
        );
        return { outcome: "updated", orgId, needsExternalIdPush: needsExternalIdPush(orgId) };
      }

      // A delete of an organization we never knew still creates it, disabled: that tombstone is
      // what makes older events arriving later stale, so delivery order cannot resurrect it.
      const base = Orgs.slugify(event.data.name) || Orgs.slugify(directoryOrgId) || "org";
      const timestamp = now.toISOString();
      const created: Orgs.Org = {
        id: orgId,
        name: event.data.name,
        slug: round === 0 ? base : Orgs.suffixedSlug(base),
        status: event.event === "organization.deleted" ? "disabled" : "active",
        directoryId: directoryOrgId,
        createdAt: timestamp,
        updatedAt: timestamp,
      };
      await commit(
        [
          ...Orgs.creationItems(
            created,
            options.snapshot
              ? { directoryUpdatedAt: event.data.updatedAt }
              : { lastEventId: event.id, directoryUpdatedAt: event.data.updatedAt },
          ),
          claimItem(directoryOrgId, orgId, "new"),
          ...(options.snapshot ? [] : [organizationCursorItem(directoryOrgId, event.id, now)]),
        ],
        {
          events: [Orgs.Events.OrgCreated.create(orgId, { orgId, slug: created.slug, directoryOrgId }, now)],
          now,
        },
      );
      return { outcome: "created", orgId, needsExternalIdPush: needsExternalIdPush(orgId) };
    } catch (error) {
      // A taken slug: claim again with a suffix. Anything else that lost a race (a concurrent create
      // of the same org, a newer event applied meanwhile, the cursor already past this event): look again.
      if (
        error instanceof Orgs.SlugTaken ||
        error instanceof Orgs.OrgExists ||
        error instanceof Orgs.DirectoryChangeStale ||
        error instanceof TransactionCancelled ||
        error instanceof ConditionFailed
      ) {
        continue;
      }
      throw error;
    }
  }
  throw new ApplyContended(event.id, MAX_APPLY_ROUNDS);
}

/**
 * A full reconcile's organization half: the directory's current state of the organization applied
 * as a snapshot. An organization the directory no longer has (deleted longer ago than events are
 * kept) disables its org, as its delete would have; one we have no org for is created from the
 * snapshot (its creation is older than the Events API keeps); otherwise a newer name is applied.
 */
export async function applyOrganizationSnapshot(
  directoryOrgId: string,
  client: DirectoryClient,
  now: Date,
): Promise<void> {
  const organization = await client.getOrganization(directoryOrgId);
  if (!organization) {
    const orgId = await claimedOrgId(directoryOrgId);
    if (orgId) await Orgs.disableForDirectory(orgId, now);
    return;
  }
  const { orgId, org } = await locate(organization);
  if (!org) {
    const result = await applyEvent(
      {
        id: `snapshot_${organization.updatedAt}`,
        event: "organization.created",
        createdAt: organization.updatedAt,
        data: organization,
      },
      now,
      { snapshot: true },
    );
    if (result.needsExternalIdPush && result.orgId)
      await pushExternalId(client, directoryOrgId, result.orgId);
    return;
  }
  await Orgs.applyDirectorySnapshot(
    orgId,
    { name: organization.name, directoryUpdatedAt: organization.updatedAt },
    now,
  );
}

/** Pushes our org id back to the directory as `external_id`; a failure is logged and the next event retries. */
export async function pushExternalId(
  client: DirectoryClient,
  directoryOrgId: string,
  orgId: string,
): Promise<void> {
  try {
    await client.setExternalId(directoryOrgId, orgId);
  } catch (error) {
    logger.warn("could not push our org id to the directory; the next event retries", {
      directoryOrgId,
      orgId,
      error,
    });
  }
}
