import { ulid } from "ulid";
import { type MeetingMetadata, meetingEvents, normalizeEmail } from "./classify";
import type { MeetingResponse } from "./event";
import { addressOf, type DeltaPage, deltaPage, graphFor } from "./graph";
import { classifyProviderError, SyncDeferred } from "./pacing";
import { unmarkedRemoteIds } from "./state";
import { backfillHorizon, DAY_MS, type Step, type StepContext, type Syncer } from "./syncer";

/**
 * Outlook calendar through Graph's calendarView delta, which expands recurring meetings into
 * occurrences over a fixed window: 24 months back to a year ahead, set when the round starts. The
 * backfill is the first round; its delta link carries the incremental sync (`@removed`
 * occurrences lose their events; a cancelled one is kept with `cancelled`, as Graph still shows
 * it). An expired delta link (410, `syncStateNotFound`), or a window whose end is near, starts one
 * new round over a fresh window that marks what it writes and then removes what it did not see.
 */

const WINDOW_AHEAD_DAYS = 365;
/** A window is renewed this long before it ends, so meetings just past its end are never missed. */
const WINDOW_RENEW_DAYS = 30;

interface CalendarViewCursor {
  stage: "backfill" | "incremental";
  link: string | null;
  windowStart: string;
  windowEnd: string;
  /** Set while a renewed round is being listed. */
  mark?: string;
}

interface GraphEvent {
  id: string;
  type?: string;
  seriesMasterId?: string | null;
  isCancelled?: boolean;
  isOrganizer?: boolean;
  start?: { dateTime?: string; timeZone?: string };
  organizer?: { emailAddress?: { address?: string } };
  attendees?: { type?: string; emailAddress?: { address?: string } }[];
  responseStatus?: { response?: string };
}

function windowFor(now: Date): Pick<CalendarViewCursor, "windowStart" | "windowEnd"> {
  return {
    windowStart: backfillHorizon(now).toISOString(),
    windowEnd: new Date(now.getTime() + WINDOW_AHEAD_DAYS * DAY_MS).toISOString(),
  };
}

function initialLink(cursor: CalendarViewCursor): string {
  const query = new URLSearchParams({ startDateTime: cursor.windowStart, endDateTime: cursor.windowEnd });
  return `/me/calendarView/delta?${query.toString()}`;
}

export const ocalSyncer: Syncer = {
  api: "ms_graph_calendar",
  async step(context) {
    let cursor = (context.cursor as CalendarViewCursor | undefined) ?? {
      stage: "backfill",
      link: null,
      ...windowFor(context.now),
    };
    if (
      cursor.stage === "incremental" &&
      !cursor.mark &&
      Date.parse(cursor.windowEnd) - context.now.getTime() < WINDOW_RENEW_DAYS * DAY_MS
    ) {
      cursor = renewed(context.now);
    }
    try {
      return await stepFrom(context, cursor);
    } catch (error) {
      // Any expired link (a delta link, or a page link of a round left for days) starts a new
      // round over a fresh window, once per invocation.
      if (classifyProviderError(error).kind !== "expired_cursor" || cursor.link === null) throw error;
      if (context.memo.get("ocal-resynced")) throw new SyncDeferred("cursor_expired_again", 5 * 60_000);
      context.memo.set("ocal-resynced", true);
      return stepFrom(context, renewed(context.now, cursor.stage));
    }
  },
};

function renewed(now: Date, stage: CalendarViewCursor["stage"] = "incremental"): CalendarViewCursor {
  return { stage, link: null, ...windowFor(now), mark: ulid() };
}

async function stepFrom(context: StepContext, cursor: CalendarViewCursor): Promise<Step> {
  const client = await graphFor(context);
  const page: DeltaPage<GraphEvent> = await deltaPage(
    context,
    client,
    "calendarView.delta",
    cursor.link ?? initialLink(cursor),
  );
  const removals: string[] = [];
  const present: string[] = [];
  const meetings: MeetingMetadata[] = [];
  const horizon = backfillHorizon(context.now).getTime();
  for (const item of page.value ?? []) {
    if (!item.id) continue;
    if (item["@removed"]) {
      removals.push(item.id);
      continue;
    }
    present.push(item.id);
    const meeting = toMeeting(item);
    if (meeting && meeting.start.getTime() >= horizon) meetings.push(meeting);
  }
  await context.people.load(
    meetings
      .flatMap((meeting) => [meeting.organizer, ...meeting.attendees.map((attendee) => attendee.email)])
      .flatMap((email) => {
        const normalized = normalizeEmail(email);
        return normalized ? [normalized] : [];
      }),
  );
  const upserts = meetings.flatMap((meeting) => meetingEvents(context.owner, meeting, context.people));
  const nextLink = page["@odata.nextLink"];
  const deltaLink = page["@odata.deltaLink"];
  if (!nextLink && !deltaLink) throw new Error("Graph delta page carried neither a next nor a delta link");
  const roundOver = !nextLink;
  const mark = cursor.mark;
  const stale =
    roundOver && mark ? [...(await unmarkedRemoteIds(context.account.accountId, "calendar", mark))] : [];
  const backfill = cursor.stage === "backfill" && !roundOver;
  return {
    upserts,
    removals: [...removals, ...stale],
    replacements: cursor.stage === "backfill" ? [] : present,
    ...(mark ? { mark } : {}),
    cursor: roundOver
      ? {
          stage: "incremental",
          link: deltaLink ?? null,
          windowStart: cursor.windowStart,
          windowEnd: cursor.windowEnd,
        }
      : { ...cursor, link: nextLink ?? null },
    phase: backfill ? "backfill" : "incremental",
    progress: backfill ? 0.5 : 1,
    backfilledThrough: backfill ? null : cursor.windowStart,
    done: roundOver && cursor.stage === "incremental",
    ...(roundOver && (cursor.stage === "backfill" || mark) ? { recount: true } : {}),
  };
}

const RESPONSES: Record<string, MeetingResponse> = {
  organizer: "organizer",
  accepted: "accepted",
  tentativelyAccepted: "tentative",
  declined: "declined",
  none: "needsAction",
  notResponded: "needsAction",
};

/** The subject, body and location are never selected or read. */
export function toMeeting(item: GraphEvent): MeetingMetadata | undefined {
  const start = item.start?.dateTime;
  if (!start) return undefined;
  // Graph's dateTime has no offset; with `outlook.timezone="UTC"` (or timeZone UTC) it is UTC.
  const zone = item.start?.timeZone;
  const startAt = new Date(zone && zone !== "UTC" ? start : `${start.replace(/Z$/, "")}Z`);
  if (Number.isNaN(startAt.getTime())) return undefined;
  return {
    remoteId: item.id,
    threadId: item.seriesMasterId ?? item.id,
    start: startAt,
    organizer: addressOf(item.organizer),
    attendees: (item.attendees ?? [])
      .filter((attendee) => attendee.type !== "resource")
      .flatMap((attendee) => {
        const email = addressOf(attendee);
        return email ? [{ email }] : [];
      }),
    response: item.isOrganizer
      ? "organizer"
      : (RESPONSES[item.responseStatus?.response ?? ""] ?? "needsAction"),
    cancelled: item.isCancelled === true,
  };
}
