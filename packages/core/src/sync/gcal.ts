import type { calendar_v3 } from "@googleapis/calendar";
import { ulid } from "ulid";
import { type MeetingMetadata, meetingEvents, normalizeEmail } from "./classify";
import type { InteractionEvent, MeetingResponse } from "./event";
import { calendarClient } from "./google-clients";
import { classifyProviderError, SyncDeferred } from "./pacing";
import { unmarkedRemoteIds } from "./state";
import { backfillHorizon, type Step, type StepContext, type Syncer } from "./syncer";

/**
 * Google Calendar, primary calendar, `singleEvents=true` so a recurring meeting is one item per
 * occurrence. The backfill lists from 24 months back (`timeMin`); its last page's `nextSyncToken`
 * starts the incremental sync, whose `cancelled` items are deletions and cancellations both
 * (Google reports a deleted event as cancelled): their events are removed. A 410 starts one
 * bounded re-sync: the same listing again, compared with what is stored.
 *
 * A sync token cannot be combined with `orderBy`, so the listing is in Google's order, not newest
 * first; a calendar's 24 months are a page or two of 2,500, so its progress moves by page.
 */

const PAGE_SIZE = 2_500;
/**
 * Listings stop a year ahead: a series with no end expands into occurrences without end under
 * `singleEvents=true`. Later changes arrive through the sync token; beyond the year they are left.
 */
const AHEAD_DAYS = 365;

function aheadOf(now: Date): Date {
  return new Date(now.getTime() + AHEAD_DAYS * 86_400_000);
}

type CalendarCursor =
  | { stage: "backfill" | "resync"; timeMin: string; pageToken: string | null; mark?: string }
  | { stage: "incremental"; syncToken: string; pageToken: string | null };

export const gcalSyncer: Syncer = {
  api: "google_calendar",
  async step(context) {
    const token = await context.accessToken();
    const client = calendarClient(token);
    const cursor = (context.cursor as CalendarCursor | undefined) ?? {
      stage: "backfill",
      timeMin: backfillHorizon(context.now).toISOString(),
      pageToken: null,
    };
    if (cursor.stage === "incremental") return incrementalStep(context, client, cursor);
    return listingStep(context, client, cursor);
  },
};

async function listingStep(
  context: StepContext,
  client: calendar_v3.Calendar,
  cursor: Extract<CalendarCursor, { stage: "backfill" | "resync" }>,
): Promise<Step> {
  const page = (
    await context.calls.call("events.list", () =>
      client.events.list({
        calendarId: "primary",
        singleEvents: true,
        timeMin: cursor.timeMin,
        timeMax: aheadOf(context.now).toISOString(),
        maxResults: PAGE_SIZE,
        ...(cursor.pageToken ? { pageToken: cursor.pageToken } : {}),
      }),
    )
  ).data;
  const { upserts, removals, present } = await classifyItems(context, page.items ?? []);
  const resync = cursor.stage === "resync";
  // A re-listing marks what it writes; what is stored in the window without the mark is gone.
  const marked = resync && cursor.mark ? { mark: cursor.mark } : {};
  if (page.nextPageToken) {
    return {
      upserts,
      removals,
      replacements: resync ? present : [],
      ...marked,
      cursor: { ...cursor, pageToken: page.nextPageToken },
      phase: resync ? "incremental" : "backfill",
      progress: resync ? 1 : 0.5,
      backfilledThrough: null,
      done: false,
    };
  }
  if (!page.nextSyncToken) throw new Error("Calendar's last page carried no nextSyncToken");
  let stale: string[] = [];
  if (resync && cursor.mark) {
    const own = new Set(present);
    const gone = await unmarkedRemoteIds(context.account.accountId, "calendar", cursor.mark, {
      since: cursor.timeMin,
    });
    stale = [...gone].filter((id) => !own.has(id));
  }
  return {
    upserts,
    removals: [...removals, ...stale],
    replacements: resync ? present : [],
    ...marked,
    cursor: { stage: "incremental", syncToken: page.nextSyncToken, pageToken: null },
    phase: "incremental",
    progress: 1,
    backfilledThrough: cursor.timeMin,
    done: false,
    recount: true,
  };
}

async function incrementalStep(
  context: StepContext,
  client: calendar_v3.Calendar,
  cursor: Extract<CalendarCursor, { stage: "incremental" }>,
): Promise<Step> {
  let page: calendar_v3.Schema$Events;
  try {
    page = (
      await context.calls.call("events.list", () =>
        client.events.list({
          calendarId: "primary",
          singleEvents: true,
          syncToken: cursor.syncToken,
          maxResults: PAGE_SIZE,
          ...(cursor.pageToken ? { pageToken: cursor.pageToken } : {}),
        }),
      )
    ).data;
  } catch (error) {
    if (classifyProviderError(error).kind !== "expired_cursor") throw error;
    // One re-sync per invocation: a token that expires again at once defers the job, never loops.
    if (context.memo.get("gcal-resynced")) throw new SyncDeferred("cursor_expired_again", 5 * 60_000);
    context.memo.set("gcal-resynced", true);
    return listingStep(context, client, {
      stage: "resync",
      timeMin: backfillHorizon(context.now).toISOString(),
      pageToken: null,
      mark: ulid(),
    });
  }
  const { upserts, removals, present } = await classifyItems(context, page.items ?? []);
  const next: CalendarCursor = page.nextPageToken
    ? { ...cursor, pageToken: page.nextPageToken }
    : { stage: "incremental", syncToken: page.nextSyncToken ?? cursor.syncToken, pageToken: null };
  return {
    upserts,
    removals,
    // A changed meeting's events are exactly its current attendees'.
    replacements: present,
    cursor: next,
    phase: "incremental",
    progress: 1,
    backfilledThrough: backfillHorizon(context.now).toISOString(),
    done: !page.nextPageToken,
  };
}

async function classifyItems(
  context: StepContext,
  items: readonly calendar_v3.Schema$Event[],
): Promise<{ upserts: InteractionEvent[]; removals: string[]; present: string[] }> {
  const horizon = backfillHorizon(context.now).getTime();
  const ahead = aheadOf(context.now).getTime();
  const removals: string[] = [];
  const present: string[] = [];
  const meetings: MeetingMetadata[] = [];
  for (const item of items) {
    if (!item.id) continue;
    if (item.status === "cancelled") {
      removals.push(item.id);
      continue;
    }
    present.push(item.id);
    const meeting = toMeeting(item);
    if (meeting && meeting.start.getTime() >= horizon && meeting.start.getTime() < ahead)
      meetings.push(meeting);
  }
  await context.people.load(
    meetings
      .flatMap((meeting) => [meeting.organizer ?? "", ...meeting.attendees.map((attendee) => attendee.email)])
      .flatMap((email) => {
        const normalized = normalizeEmail(email);
        return normalized ? [normalized] : [];
      }),
  );
  return {
    upserts: meetings.flatMap((meeting) => meetingEvents(context.owner, meeting, context.people)),
    removals,
    present,
  };
}

const RESPONSES: Record<string, MeetingResponse> = {
  accepted: "accepted",
  tentative: "tentative",
  declined: "declined",
  needsAction: "needsAction",
};

/** The title, description and location are never read. */
export function toMeeting(item: calendar_v3.Schema$Event): MeetingMetadata | undefined {
  const startValue = item.start?.dateTime ?? item.start?.date;
  if (!item.id || !startValue) return undefined;
  const attendees = (item.attendees ?? []).filter((attendee) => !attendee.resource && attendee.email);
  const self = attendees.find((attendee) => attendee.self);
  const response: MeetingResponse = item.organizer?.self
    ? "organizer"
    : (RESPONSES[self?.responseStatus ?? ""] ?? "needsAction");
  return {
    remoteId: item.id,
    threadId: item.recurringEventId ?? item.id,
    start: new Date(startValue),
    organizer: item.organizer?.email ?? undefined,
    attendees: attendees.map((attendee) => ({ email: attendee.email as string })),
    response,
    cancelled: false,
  };
}
