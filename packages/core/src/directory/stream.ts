import { decodeTime } from "ulid";
import { KithError } from "../util/errors";
import { logger } from "../util/logger";
import { advance, cursor, organizationCursorItem, usersCursor, usersCursorItem } from "./cursors";
import * as Members from "./members";
import { applyEvent, applyOrganizationSnapshot, claimedOrgId, pushExternalId } from "./organizations";
import {
  type DirectoryClient,
  type DirectoryEvent,
  isMembershipEvent,
  isOrganizationEvent,
  isUserEvent,
  MEMBERSHIP_EVENTS,
  ORGANIZATION_EVENTS,
  USER_EVENTS,
} from "./types";

/**
 * Reading the directory's event streams in order. Webhooks only nudge; the Events API, read from a
 * stored cursor, is the authoritative order. One stream per directory organization (its
 * organization and membership events) and one for users (`user.*` events concern no
 * organization). A cursor too old for the API's retention gets a full reconcile first.
 */

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
      await applyOrganizationSnapshot(directoryOrgId, client, now);
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
        await advance(organizationCursorItem(directoryOrgId, event.id, now));
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

/** Milliseconds encoded in a time-ordered event id (`event_<ULID>`), or 0 when it carries none. */
function eventTime(eventId: string): number {
  try {
    return decodeTime(eventId.slice(eventId.lastIndexOf("_") + 1));
  } catch {
    return 0;
  }
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
