import { decodeTime } from "ulid";
import { v5 as uuidv5 } from "uuid";
import * as Orgs from "../orgs";
import { ConditionFailed, commit, db, type GuardedItem, TransactionCancelled } from "../storage";
import { KithError } from "../util/errors";
import { logger } from "../util/logger";
import * as Members from "./members";

/**
 * Organization sync from the directory provider (WorkOS). Webhooks only nudge; the Events API,
 * read from a per-organization cursor, is the authoritative order. Each event is applied in one
 * transaction with the cursor, guarded so an older or repeated event can never rewind an org:
 * delivered shuffled and with duplicates, the same events give the state in-order application gives.
 */

/**
 * Namespace of the UUIDv5 org ids derived from directory organization ids. Fixed forever: changing
 * it would give every directory-created org a second id.
 */
export const DIRECTORY_NAMESPACE = "6f1c2b4e-8a3d-5e7f-9b0a-1c2d3e4f5a6b";

export const ORGANIZATION_EVENTS = [
  "organization.created",
  "organization.updated",
  "organization.deleted",
] as const;
export type OrganizationEventType = (typeof ORGANIZATION_EVENTS)[number];

export const MEMBERSHIP_EVENTS = [
  "organization_membership.created",
  "organization_membership.updated",
  "organization_membership.deleted",
] as const;
export type MembershipEventType = (typeof MEMBERSHIP_EVENTS)[number];

/** User events concern no organization: WorkOS leaves them out of an `organization_id` filter. */
export const USER_EVENTS = ["user.created", "user.updated", "user.deleted"] as const;
export type UserEventType = (typeof USER_EVENTS)[number];

export type DirectoryEventType = OrganizationEventType | MembershipEventType | UserEventType;

/** The directory's view of an organization, as the events carry it. */
export interface DirectoryOrganization {
  id: string;
  name: string;
  externalId: string | null;
  updatedAt: string;
}

export const MEMBERSHIP_STATUSES = ["active", "inactive", "pending"] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/** A directory user's membership of one organization. */
export interface DirectoryMembership {
  id: string;
  /** The directory user id: our identity kind `workos`. */
  userId: string;
  organizationId: string;
  status: MembershipStatus;
  updatedAt: string;
}

/** A directory (User Management) user. */
export interface DirectoryUser {
  id: string;
  email: string;
  emailVerified: boolean;
  /** The display name: `name`, else first and last name; null when the directory has none. */
  name: string | null;
  updatedAt: string;
}

interface EventBase {
  /** Time-ordered (ULID-based), so a string comparison orders events. */
  id: string;
  createdAt: string;
}
export interface OrganizationEvent extends EventBase {
  event: OrganizationEventType;
  data: DirectoryOrganization;
}
export interface MembershipEvent extends EventBase {
  event: MembershipEventType;
  data: DirectoryMembership;
}
export interface UserEvent extends EventBase {
  event: UserEventType;
  data: DirectoryUser;
}
export type DirectoryEvent = OrganizationEvent | MembershipEvent | UserEvent;

/** What the sync needs from the provider; `workos.ts` implements it with `@workos-inc/node`. */
export interface DirectoryClient {
  /** `GET /events`: only the requested types; without `organizationId`, across organizations. */
  listEvents(input: {
    events: readonly DirectoryEventType[];
    organizationId?: string;
    after?: string;
    limit: number;
  }): Promise<{ events: DirectoryEvent[]; after: string | null }>;
  getOrganization(id: string): Promise<DirectoryOrganization | undefined>;
  listOrganizations(
    after?: string,
  ): Promise<{ organizations: DirectoryOrganization[]; after: string | null }>;
  setExternalId(organizationId: string, externalId: string): Promise<void>;
  /** The user, or undefined when the directory no longer has it (404). */
  getUser(id: string): Promise<DirectoryUser | undefined>;
  /** One page of an organization's memberships, in every status (active, inactive and pending). */
  listMemberships(input: {
    organizationId: string;
    after?: string;
  }): Promise<{ memberships: DirectoryMembership[]; after: string | null }>;
}

/** Our org id for a directory organization that carries no external id. */
export function orgIdForDirectory(directoryOrgId: string): string {
  return uuidv5(directoryOrgId, DIRECTORY_NAMESPACE);
}

export const keys = {
  directoryClaim: (directoryOrgId: string) => ({ pk: `ORGDIR#${directoryOrgId}`, sk: "#CLAIM" }),
  cursor: (directoryOrgId: string) => ({ pk: `DIRSYNC#${directoryOrgId}`, sk: "#CURSOR" }),
  /** The cursor of the user stream (`user.*` events, which concern no organization). */
  usersCursor: () => ({ pk: "DIRSYNC_USERS", sk: "#CURSOR" }),
};
const CURSOR_INDEX_PARTITION = "DIRSYNC";

interface StoredOrg extends Orgs.Org {
  lastEventId?: string;
  directoryUpdatedAt?: string;
}

async function readOrg(orgId: string): Promise<StoredOrg | undefined> {
  const result = await db.get({ Key: Orgs.keys.org(orgId), ConsistentRead: true });
  return result.Item as StoredOrg | undefined;
}

/** The org a directory organization is linked to (its directory claim), if any. */
export async function claimedOrgId(directoryOrgId: string): Promise<string | undefined> {
  const claim = await db.get({ Key: keys.directoryClaim(directoryOrgId), ConsistentRead: true });
  return claim.Item?.orgId as string | undefined;
}

/** The org an organization maps to: by directory id, else by its external id, else the UUIDv5. */
async function locate(organization: DirectoryOrganization): Promise<{ orgId: string; org?: StoredOrg }> {
  const claim = await db.get({ Key: keys.directoryClaim(organization.id), ConsistentRead: true });
  const orgId =
    (claim.Item?.orgId as string | undefined) ??
    (organization.externalId && organization.externalId.length <= 128
      ? organization.externalId
      : orgIdForDirectory(organization.id));
  return { orgId, org: await readOrg(orgId) };
}

/**
 * The ordering guard: an event applies only if its id is greater than the last applied one; with
 * no event id stored (an org linked or created another way), only if its `updated_at` is not older
 * than the directory timestamp stored.
 */
export function isNewer(
  event: Pick<OrganizationEvent, "id" | "data">,
  org: Pick<StoredOrg, "lastEventId" | "directoryUpdatedAt">,
) {
  if (org.lastEventId) return event.id > org.lastEventId;
  if (org.directoryUpdatedAt) return event.data.updatedAt >= org.directoryUpdatedAt;
  return true;
}

const GUARD =
  "attribute_exists(pk) AND (lastEventId < :eventId OR (attribute_not_exists(lastEventId) AND " +
  "(attribute_not_exists(directoryUpdatedAt) OR directoryUpdatedAt <= :directoryUpdatedAt)))";

/** Advances the cursor only forward: a replayed event cannot move it back. */
function cursorItem(directoryOrgId: string, eventId: string, now: Date): GuardedItem {
  return {
    Update: {
      Key: keys.cursor(directoryOrgId),
      UpdateExpression:
        "SET entity = :entity, directoryOrgId = :dir, lastEventId = :eventId, syncedAt = :now, gsi1pk = :index, gsi1sk = :dir",
      ConditionExpression: "attribute_not_exists(lastEventId) OR lastEventId < :eventId",
      ExpressionAttributeValues: {
        ":entity": "directoryCursor",
        ":dir": directoryOrgId,
        ":eventId": eventId,
        ":now": now.toISOString(),
        ":index": CURSOR_INDEX_PARTITION,
      },
    },
  };
}

/** The user stream's cursor: forward only, and outside the reconcile's organization work list. */
function usersCursorItem(eventId: string, now: Date): GuardedItem {
  return {
    Update: {
      Key: keys.usersCursor(),
      UpdateExpression: "SET entity = :entity, lastEventId = :eventId, syncedAt = :now",
      ConditionExpression: "attribute_not_exists(lastEventId) OR lastEventId < :eventId",
      ExpressionAttributeValues: {
        ":entity": "directoryUsersCursor",
        ":eventId": eventId,
        ":now": now.toISOString(),
      },
    },
  };
}

/** Moves a cursor to `eventId` unless it is already there or past it (a replay). */
async function advance(item: GuardedItem): Promise<void> {
  try {
    await commit([item]);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
  }
}

export type ApplyOutcome = "created" | "updated" | "skipped";

export interface ApplyResult {
  outcome: ApplyOutcome;
  orgId?: string;
  /** The directory lacks our id as its `external_id`; push it back (after commit). */
  needsExternalIdPush: boolean;
}

const MAX_APPLY_ROUNDS = Orgs.SLUG_ATTEMPTS + 3;

/**
 * Applies one organization event, together with the cursor, in one `TransactWriteItems`. A create
 * claims the slug (chosen once: the slugified name, else the slugified directory id; a taken slug
 * gets a 4-hex suffix) and the directory id. An update renames but never touches the slug and
 * never re-enables a disabled org; a delete disables and never removes.
 */
export async function applyEvent(
  event: OrganizationEvent,
  now = new Date(),
  options: { snapshot?: boolean } = {},
): Promise<ApplyResult> {
  const directoryOrgId = event.data.id;
  for (let round = 0; round < MAX_APPLY_ROUNDS; round++) {
    const { orgId, org } = await locate(event.data);
    try {
      if (org) {
        if (!isNewer(event, org)) return await skip(directoryOrgId, event, orgId, now);
        const items: GuardedItem[] = [
          {
            Update: {
              Key: Orgs.keys.org(orgId),
              UpdateExpression:
                "SET #name = :name, directoryId = :dir, lastEventId = :eventId, directoryUpdatedAt = :directoryUpdatedAt, " +
                "updatedAt = :now, #status = :status",
              ConditionExpression: GUARD,
              ExpressionAttributeNames: { "#name": "name", "#status": "status" },
              ExpressionAttributeValues: {
                ":name": event.data.name,
                ":dir": directoryOrgId,
                ":eventId": event.id,
                ":directoryUpdatedAt": event.data.updatedAt,
                ":now": now.toISOString(),
                ":status": event.event === "organization.deleted" ? "disabled" : org.status,
              },
            },
          },
          cursorItem(directoryOrgId, event.id, now),
        ];
        if (org.directoryId !== directoryOrgId) {
          items.push({
            Put: {
              Item: {
                ...keys.directoryClaim(directoryOrgId),
                entity: "directoryClaim",
                directoryOrgId,
                orgId,
              },
              ConditionExpression: "attribute_not_exists(pk) OR orgId = :orgId",
              ExpressionAttributeValues: { ":orgId": orgId },
            },
          });
        }
        const change = { orgId, directoryOrgId, directoryEventId: event.id };
        await commit(items, {
          events: [
            event.event === "organization.deleted"
              ? Orgs.Events.OrgDisabled.create(orgId, change, now)
              : Orgs.Events.OrgUpdated.create(orgId, change, now),
          ],
          now,
        });
        return { outcome: "updated", orgId, needsExternalIdPush: event.data.externalId !== orgId };
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
      const orgCreated = Orgs.Events.OrgCreated.create(
        orgId,
        { orgId, slug: created.slug, directoryOrgId },
        now,
      );
      await commit(
        [
          // A snapshot is no event: it records no event id (later events are then ordered by
          // `updated_at`, the rule for orgs that have none) and leaves the cursor alone.
          ...Orgs.orgCreationItems(
            created,
            options.snapshot
              ? { directoryUpdatedAt: event.data.updatedAt }
              : { lastEventId: event.id, directoryUpdatedAt: event.data.updatedAt },
          ),
          {
            Put: {
              Item: {
                ...keys.directoryClaim(directoryOrgId),
                entity: "directoryClaim",
                directoryOrgId,
                orgId,
              },
              ConditionExpression: "attribute_not_exists(pk)",
            },
          },
          ...(options.snapshot ? [] : [cursorItem(directoryOrgId, event.id, now)]),
        ],
        { events: [orgCreated], now },
      );
      return { outcome: "created", orgId, needsExternalIdPush: event.data.externalId !== orgId };
    } catch (error) {
      // A taken slug: claim again with a suffix. Anything else that lost a race (a concurrent create
      // of the same org, a newer event applied meanwhile, the cursor already past this event): look again.
      if (
        error instanceof Orgs.SlugTaken ||
        error instanceof TransactionCancelled ||
        error instanceof ConditionFailed ||
        error instanceof Orgs.OrgExists
      ) {
        continue;
      }
      throw error;
    }
  }
  throw new Error(`could not apply directory event ${event.id} after ${MAX_APPLY_ROUNDS} rounds`);
}

async function skip(directoryOrgId: string, event: OrganizationEvent, orgId: string | undefined, now: Date) {
  // The cursor may already be past this event: a replay, which is exactly what skipping is for.
  await advance(cursorItem(directoryOrgId, event.id, now));
  return { outcome: "skipped" as const, orgId, needsExternalIdPush: false };
}

/** The stored cursor of a directory organization. */
export async function cursor(
  directoryOrgId: string,
): Promise<{ lastEventId?: string; syncedAt?: string } | undefined> {
  const result = await db.get({ Key: keys.cursor(directoryOrgId), ConsistentRead: true });
  return result.Item as { lastEventId?: string; syncedAt?: string } | undefined;
}

/** The stored cursor of the user stream. */
export async function usersCursor(): Promise<{ lastEventId?: string; syncedAt?: string } | undefined> {
  const result = await db.get({ Key: keys.usersCursor(), ConsistentRead: true });
  return result.Item as { lastEventId?: string; syncedAt?: string } | undefined;
}

/** The Events API keeps 30 days; a cursor older than this is re-read from a full reconcile. */
export const EVENT_RETENTION_MS = 30 * 86_400_000;
const FULL_RECONCILE_AFTER_MS = EVENT_RETENTION_MS - 86_400_000;
const PAGE_SIZE = 100;

export interface SyncSummary {
  /** The directory organization, or `users` for the user stream. */
  directoryOrgId: string;
  applied: number;
  skipped: number;
  fullReconcile: boolean;
  lastEventId?: string;
}

type EventPage = Awaited<ReturnType<DirectoryClient["listEvents"]>>;

/**
 * Pages one event stream from its stored cursor, handing each event to `apply` in order. A cursor
 * older than the API's retention (or one the API refuses with a 400) is not trusted: `snapshot`
 * applies the current state, then every retained event is replayed (the guards skip what is
 * already applied).
 */
async function pageStream(
  summary: SyncSummary,
  lastEventId: string | undefined,
  list: (after: string | undefined) => Promise<EventPage>,
  snapshot: () => Promise<void>,
  apply: (event: DirectoryEvent) => Promise<void>,
  now: Date,
  /** Whether the stream's first page, read from the beginning, still needs a snapshot first. */
  snapshotFirst?: (page: EventPage) => boolean,
): Promise<SyncSummary> {
  // The Events API forgets events after 30 days; a cursor naming an older event cannot be resumed.
  let stale = lastEventId !== undefined && now.getTime() - eventTime(lastEventId) > FULL_RECONCILE_AFTER_MS;
  let firstPage: EventPage | undefined;
  if (!stale) {
    try {
      firstPage = await list(lastEventId);
    } catch (error) {
      // The API refuses a cursor it no longer knows (400): start over from a full reconcile.
      if ((error as { status?: number }).status !== 400 || !lastEventId) throw error;
      stale = true;
    }
  }
  if (!stale && lastEventId === undefined && firstPage && snapshotFirst?.(firstPage)) stale = true;
  summary.fullReconcile = stale;
  if (stale) await snapshot();
  let after = stale ? undefined : lastEventId;
  for (;;) {
    const page = firstPage ?? (await list(after));
    firstPage = undefined;
    for (const event of page.events) await apply(event);
    if (!page.after || page.events.length === 0) break;
    after = page.after;
  }
  return summary;
}

/**
 * Brings one directory organization up to date: pages the Events API from the stored cursor and
 * applies each organization and membership event in order. A stale cursor gets a full reconcile:
 * the organization and its memberships are applied as a snapshot first. Pushing our id back as
 * `external_id` happens after each commit; a failed push is logged and the next event pushes again.
 */
export async function syncOrganization(
  directoryOrgId: string,
  client: DirectoryClient,
  now = new Date(),
): Promise<SyncSummary> {
  const stored = await cursor(directoryOrgId);
  // A first sync whose events no longer include the organization's own (created more than 30 days
  // ago, unchanged since) would skip every membership: the organization is taken from a snapshot.
  const known = stored !== undefined || (await claimedOrgId(directoryOrgId)) !== undefined;
  const lacksOrganization = (page: EventPage) =>
    !known && !page.events.some((event) => isOrganizationEvent(event) && event.data.id === directoryOrgId);
  const summary: SyncSummary = { directoryOrgId, applied: 0, skipped: 0, fullReconcile: false };
  const pushed = new Set<string>();
  const count = (outcome: string, eventId: string) => {
    if (outcome === "skipped") summary.skipped += 1;
    else summary.applied += 1;
    summary.lastEventId = eventId;
  };
  return pageStream(
    summary,
    stored?.lastEventId,
    (after) =>
      client.listEvents({
        events: [...ORGANIZATION_EVENTS, ...MEMBERSHIP_EVENTS],
        organizationId: directoryOrgId,
        after,
        limit: PAGE_SIZE,
      }),
    async () => {
      await applySnapshot(directoryOrgId, client, now);
      await Members.applyMembershipSnapshot(directoryOrgId, client);
    },
    async (event) => {
      if (isOrganizationEvent(event) && event.data.id === directoryOrgId) {
        const result = await applyEvent(event, now);
        count(result.outcome, event.id);
        if (result.needsExternalIdPush && result.orgId && !pushed.has(result.orgId)) {
          pushed.add(result.orgId);
          await pushExternalId(client, directoryOrgId, result.orgId);
        }
      } else if (isMembershipEvent(event) && event.data.organizationId === directoryOrgId) {
        const outcome = await skipIfRefused(event.id, () => Members.applyMembershipEvent(event, client));
        await advance(cursorItem(directoryOrgId, event.id, now));
        count(outcome, event.id);
      }
    },
    now,
    lacksOrganization,
  );
}

/**
 * Brings the user stream up to date: `user.*` events concern no organization, so they are read
 * without the organization filter, from their own cursor, and each is applied to every org the
 * directory user is a member of. A stale cursor re-reads every directory user we hold a membership
 * for.
 */
export async function syncUsers(client: DirectoryClient, now = new Date()): Promise<SyncSummary> {
  const stored = await usersCursor();
  const summary: SyncSummary = { directoryOrgId: "users", applied: 0, skipped: 0, fullReconcile: false };
  return pageStream(
    summary,
    stored?.lastEventId,
    (after) => client.listEvents({ events: USER_EVENTS, after, limit: PAGE_SIZE }),
    () => Members.applyUsersSnapshot(client),
    async (event) => {
      if (!isUserEvent(event)) return;
      const outcome = await skipIfRefused(event.id, () => Members.applyUserEvent(event));
      await advance(usersCursorItem(event.id, now));
      if (outcome === "skipped") summary.skipped += 1;
      else summary.applied += 1;
      summary.lastEventId = event.id;
    },
    now,
  );
}

export function isOrganizationEvent(event: DirectoryEvent): event is OrganizationEvent {
  return (ORGANIZATION_EVENTS as readonly string[]).includes(event.event);
}
export function isMembershipEvent(event: DirectoryEvent): event is MembershipEvent {
  return (MEMBERSHIP_EVENTS as readonly string[]).includes(event.event);
}
export function isUserEvent(event: DirectoryEvent): event is UserEvent {
  return (USER_EVENTS as readonly string[]).includes(event.event);
}

/** Milliseconds encoded in a time-ordered event id (`event_<ULID>`), or 0 when it carries none. */
function eventTime(eventId: string): number {
  try {
    return decodeTime(eventId.slice(eventId.lastIndexOf("_") + 1));
  } catch {
    return 0;
  }
}

async function applySnapshot(directoryOrgId: string, client: DirectoryClient, now: Date): Promise<void> {
  const organization = await client.getOrganization(directoryOrgId);
  if (!organization) {
    // Deleted in the directory longer ago than events are kept: disable it, as its delete would have.
    const claim = await db.get({ Key: keys.directoryClaim(directoryOrgId), ConsistentRead: true });
    if (!claim.Item) return;
    await db.update({
      Key: Orgs.keys.org(claim.Item.orgId as string),
      UpdateExpression: "SET #status = :disabled, updatedAt = :now",
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":disabled": "disabled", ":now": now.toISOString() },
    });
    return;
  }
  const { orgId, org } = await locate(organization);
  if (!org) {
    // Its creation is older than the Events API keeps: create it from what the directory says now.
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
  if (org.directoryUpdatedAt && organization.updatedAt <= org.directoryUpdatedAt) return;
  await db
    .update({
      Key: Orgs.keys.org(orgId),
      UpdateExpression: "SET #name = :name, directoryUpdatedAt = :directoryUpdatedAt, updatedAt = :now",
      ConditionExpression:
        "attribute_not_exists(directoryUpdatedAt) OR directoryUpdatedAt < :directoryUpdatedAt",
      ExpressionAttributeNames: { "#name": "name" },
      ExpressionAttributeValues: {
        ":name": organization.name,
        ":directoryUpdatedAt": organization.updatedAt,
        ":now": now.toISOString(),
      },
    })
    .catch((error) => {
      if (!(error instanceof ConditionFailed)) throw error;
    });
}

/**
 * A directory event the identity core refuses (a 4xx: an email or identity limit, an invalid
 * value) would fail the same way on every retry and hold the stream behind it for ever: it is
 * logged and passed over, and the daily reconcile or the next change of that member applies it.
 */
async function skipIfRefused(
  eventId: string,
  apply: () => Promise<Members.MemberOutcome>,
): Promise<Members.MemberOutcome> {
  try {
    return await apply();
  } catch (error) {
    if (!(error instanceof KithError) || error.status >= 500) throw error;
    logger.warn("directory event refused by the identity core; passed over", {
      eventId,
      code: error.code,
      message: error.message,
    });
    return "skipped";
  }
}

async function pushExternalId(client: DirectoryClient, directoryOrgId: string, orgId: string): Promise<void> {
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

/** Every directory organization we hold a cursor for (the reconcile schedule's work list). */
export async function knownDirectoryOrganizations(): Promise<string[]> {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await db.query({
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": CURSOR_INDEX_PARTITION },
      ExclusiveStartKey: startKey,
    });
    for (const item of result.Items ?? []) ids.push(item.directoryOrgId as string);
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return ids;
}

export {
  applyMembershipEvent,
  applyUserEvent,
  type MemberItem,
  member,
  membersOfDirectoryUser,
} from "./members";
export {
  acceptWebhook,
  enqueue,
  handleNudge,
  type Nudge,
  NudgeSchema,
  nudgeFor,
  QUEUE,
  reconcileAll,
  USERS_GROUP,
} from "./nudges";
export * as Routes from "./routes";
export { createDirectoryClient, directoryClient, verifyWebhook } from "./workos";
