import {
  changeKey,
  continuation,
  type DeltaEntry,
  type DeltaRound,
  decodeGraphId,
  deltaPage,
  deltaPageSize,
  encodeGraphId,
  graphInstant,
  isReply,
  mailboxWorld,
  queryOption,
  recipient,
} from "./graph-mail";
import type { MailWorld, ResponseStatus, WorldMeeting } from "./mail-world";
import type { GraphReply, GraphRequest, GraphRoute } from "./microsoft-graph";
import type { StoredAccount } from "./microsoft-state";

/**
 * Outlook calendar in Microsoft Graph: `GET /me/calendarView/delta`, served from the mailbox's
 * {@link MailWorld}. Sources (public, microsoft-graph-docs): "event: delta" and "Get incremental
 * changes to events in a calendar view" (`startDateTime`/`endDateTime` required on the initial
 * request and encoded in the state tokens; `$select` cannot narrow the properties and `$expand`,
 * `$filter`, `$orderby`, `$search` are unsupported; a round may report under `@removed` (reason
 * `deleted`) both events deleted inside the range and events added, changed or deleted outside
 * it), the event resource type (`type`, `seriesMasterId`, `responseStatus`, `attendees`,
 * `iCalUId` that differs per occurrence while `uid` is the series'), the responseType enum and the
 * permissions reference (`Calendars.ReadBasic` reads everything but `body` and `bodyPreview`).
 *
 * Modelled on Exchange's behaviour where the docs say nothing: the organizer is never listed
 * among `attendees`; only the organizer's copy tracks the attendees' responses (an attendee's copy
 * lists everyone with `none`); the signed-in user's own answer is `responseStatus`; a cancelled
 * meeting stays on an attendee's calendar as `isCancelled: true` with "Canceled: " before its
 * subject; an occurrence moved or cancelled on its own is an `exception`. Times are UTC (as without
 * `Prefer: outlook.timezone`).
 */

const EVENT_PREFIX = "AAMkA";
const NO_TIME = "0001-01-01T00:00:00Z";
const CALENDAR_VIEW = "calendarView";
const CALENDAR_FULL_READ = ["calendars.read", "calendars.readwrite"];

interface CalendarViewParams {
  start: number;
  end: number;
}

/** `2026-01-02T10:00:00.0000000`, the form of `dateTimeTimeZone.dateTime`. */
function wallClock(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000");
}

function eventId(account: StoredAccount, meetingId: string): string {
  return encodeGraphId(EVENT_PREFIX, ["e", account.id, meetingId]);
}

/**
 * Exchange's global object id in hex: the occurrence's date sits in bytes 16–19 of `iCalUId`
 * and is zero in `uid`, which is therefore the same for every occurrence of a series.
 */
function globalObjectId(meeting: WorldMeeting, occurrenceStart: number | undefined): string {
  const date = occurrenceStart === undefined ? "00000000" : occurrenceDateHex(occurrenceStart);
  return (
    `040000008200E00074C5B7101A82E008${date}0000000000000000000000000000000010000000` +
    Buffer.from(meeting.iCalUID).toString("hex").toUpperCase()
  );
}

function occurrenceDateHex(ms: number): string {
  const date = new Date(ms);
  return (
    date.getUTCFullYear().toString(16).padStart(4, "0") +
    (date.getUTCMonth() + 1).toString(16).padStart(2, "0") +
    date.getUTCDate().toString(16).padStart(2, "0")
  ).toUpperCase();
}

/** The start an occurrence was scheduled for, from its id (`<seriesId>_<yyyymmddThhmmssZ>`). */
function scheduledStart(meeting: WorldMeeting): number | undefined {
  const stamp = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(meeting.id);
  if (!stamp) return undefined;
  const [, y, mo, d, h, mi, s] = stamp;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

const OWN_RESPONSE: Record<ResponseStatus, string> = {
  needsAction: "notResponded",
  tentative: "tentativelyAccepted",
  accepted: "accepted",
  declined: "declined",
};

/** How the organizer's copy shows an attendee who has not answered. */
const ATTENDEE_RESPONSE: Record<ResponseStatus, string> = { ...OWN_RESPONSE, needsAction: "none" };

function isOwner(world: MailWorld, email: string): boolean {
  const lower = email.toLowerCase();
  return lower === world.owner.email || world.aliases.includes(lower);
}

function renderEvent(
  account: StoredAccount,
  world: MailWorld,
  meeting: WorldMeeting,
  fullRead: boolean,
  webRoot: string,
): Record<string, unknown> {
  const id = eventId(account, meeting.id);
  const key = changeKey("event", meeting.changedAt);
  const organizes = isOwner(world, meeting.organizer.email);
  const own = meeting.attendees.find((attendee) => isOwner(world, attendee.email));
  const cancelled = meeting.status === "cancelled";
  const scheduled = scheduledStart(meeting);
  const type =
    meeting.recurringEventId === undefined
      ? "singleInstance"
      : cancelled || (scheduled !== undefined && scheduled !== meeting.start)
        ? "exception"
        : "occurrence";
  const created = Math.min(meeting.start - 7 * 86_400_000, world.now);
  const modified = meeting.changedAt > 1 ? world.now + meeting.changedAt * 1000 : created;
  const ownResponse = organizes
    ? { response: "organizer", time: NO_TIME }
    : own && own.responseStatus !== "needsAction"
      ? { response: OWN_RESPONSE[own.responseStatus], time: graphInstant(created + 3_600_000) }
      : { response: "notResponded", time: NO_TIME };
  const attendees = meeting.attendees
    .filter(
      (attendee) =>
        !attendee.organizer && attendee.email.toLowerCase() !== meeting.organizer.email.toLowerCase(),
    )
    .map((attendee) => ({
      type: "required",
      status: organizes
        ? {
            response: ATTENDEE_RESPONSE[attendee.responseStatus],
            time: attendee.responseStatus === "needsAction" ? NO_TIME : graphInstant(created + 3_600_000),
          }
        : { response: "none", time: NO_TIME },
      emailAddress: { name: attendee.name, address: attendee.email },
    }));
  const showAs = cancelled
    ? "free"
    : ownResponse.response === "declined"
      ? "free"
      : ownResponse.response === "tentativelyAccepted" || ownResponse.response === "notResponded"
        ? "tentative"
        : "busy";
  const location = {
    displayName: meeting.location,
    locationType: "default",
    uniqueId: meeting.location,
    uniqueIdType: "private",
  };
  return {
    "@odata.type": "#microsoft.graph.event",
    "@odata.etag": `W/"${key}"`,
    id,
    createdDateTime: `${new Date(created).toISOString().slice(0, 19)}.0000000Z`,
    lastModifiedDateTime: `${new Date(modified).toISOString().slice(0, 19)}.0000000Z`,
    changeKey: key,
    categories: [],
    transactionId: null,
    originalStartTimeZone: "UTC",
    originalEndTimeZone: "UTC",
    iCalUId: globalObjectId(
      meeting,
      meeting.recurringEventId === undefined ? undefined : (scheduled ?? meeting.start),
    ),
    uid: globalObjectId(meeting, undefined),
    reminderMinutesBeforeStart: 15,
    isReminderOn: !cancelled,
    hasAttachments: false,
    subject: cancelled && !organizes ? `Canceled: ${meeting.title}` : meeting.title,
    ...(fullRead ? { bodyPreview: meeting.description } : {}),
    importance: "normal",
    sensitivity: "normal",
    isAllDay: false,
    isCancelled: cancelled,
    isOrganizer: organizes,
    responseRequested: true,
    seriesMasterId:
      meeting.recurringEventId === undefined ? null : eventId(account, meeting.recurringEventId),
    showAs,
    type,
    webLink: `${webRoot}/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: false,
    onlineMeetingProvider: "unknown",
    allowNewTimeProposals: true,
    isDraft: false,
    hideAttendees: false,
    responseStatus: ownResponse,
    ...(fullRead
      ? { body: { contentType: "html", content: `<html><body>${meeting.description}</body></html>` } }
      : {}),
    start: { dateTime: wallClock(meeting.start), timeZone: "UTC" },
    end: { dateTime: wallClock(meeting.end), timeZone: "UTC" },
    location,
    locations: meeting.location ? [location] : [],
    recurrence: null,
    attendees,
    organizer: recipient(meeting.organizer),
    onlineMeeting: null,
  };
}

function inView(meeting: WorldMeeting, params: CalendarViewParams): boolean {
  return meeting.start < params.end && meeting.end > params.start;
}

function startCalendarRound(
  account: StoredAccount,
  world: MailWorld,
  params: CalendarViewParams,
  previous: DeltaRound<CalendarViewParams> | undefined,
): DeltaRound<CalendarViewParams> {
  const current = world.meetings().filter((meeting) => inView(meeting, params));
  const membership = new Set(current.map((meeting) => meeting.id));
  const base = { resource: CALENDAR_VIEW, accountId: account.id, params, membership, seq: world.seq };
  if (!previous)
    return { ...base, entries: current.map((meeting) => ({ worldId: meeting.id, removed: false })) };
  const touched = [
    ...new Set(
      world
        .changesSince(previous.seq)
        .filter((change) => change.kind.startsWith("meeting."))
        .map((change) => change.id),
    ),
  ];
  const entries: DeltaEntry[] = touched.map((id) => ({ worldId: id, removed: !membership.has(id) }));
  // Outside the range and untouched by the round before: Graph still reports it, as removed.
  return { ...base, entries };
}

/** An ISO 8601 instant; without an offset it is UTC (the time zone assumed without a `Prefer`). */
function parseInstant(raw: string): number {
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(raw) ? raw : `${raw}Z`;
  return Date.parse(zoned);
}

function parseCalendarView(request: GraphRequest): CalendarViewParams | GraphReply {
  const { query } = request;
  for (const unsupported of ["$select", "$filter", "$orderby", "$expand", "$search", "$top"]) {
    if (queryOption(query, unsupported) !== undefined) {
      return {
        status: 400,
        body: {
          code: "ErrorInvalidUrlQuery",
          message:
            "The following parameters are not supported with change tracking over the 'Events' resource: " +
            "'$orderby, $filter, $select, $expand, $search, $top'.",
        },
      };
    }
  }
  const startRaw = queryOption(query, "startDateTime");
  const endRaw = queryOption(query, "endDateTime");
  if (startRaw === undefined || endRaw === undefined) {
    return {
      status: 400,
      body: {
        code: "ErrorInvalidParameter",
        message:
          "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
      },
    };
  }
  for (const [name, raw] of [
    ["StartDateTime", startRaw],
    ["EndDateTime", endRaw],
  ] as const) {
    if (Number.isNaN(parseInstant(raw))) {
      return {
        status: 400,
        body: {
          code: "ErrorInvalidParameter",
          message: `The value '${raw}' of parameter '${name}' is invalid.`,
        },
      };
    }
  }
  const start = parseInstant(startRaw);
  const end = parseInstant(endRaw);
  if (end <= start) {
    return {
      status: 400,
      body: { code: "ErrorInvalidParameter", message: "The end time of the window must be after its start." },
    };
  }
  return { start, end };
}

function calendarViewDelta(request: GraphRequest): GraphReply {
  const world = mailboxWorld(request);
  if (isReply(world)) return world;
  const { account } = request;
  const token = continuation<CalendarViewParams>(request, CALENDAR_VIEW);
  if (token && !token.ok) return token.reply;
  let round: DeltaRound<CalendarViewParams>;
  let offset = 0;
  if (token?.ok && token.offset !== undefined) {
    round = token.round;
    offset = token.offset;
  } else if (token?.ok) {
    round = startCalendarRound(account, world, token.round.params, token.round);
  } else {
    const params = parseCalendarView(request);
    if (isReply(params)) return params;
    round = startCalendarRound(account, world, params, undefined);
  }
  const fullRead = request.scopes.some((scope) => CALENDAR_FULL_READ.includes(scope.toLowerCase()));
  const webRoot = new URL(request.serviceRoot).origin;
  return deltaPage(
    request,
    round,
    offset,
    deltaPageSize(request.headers, undefined),
    (tokenParam) => `${request.serviceRoot}/me/calendarView/delta?${tokenParam}`,
    (entry) => {
      const meeting = world.meeting(entry.worldId);
      if (entry.removed || !meeting) {
        return {
          "@odata.type": "#microsoft.graph.event",
          id: eventId(account, entry.worldId),
          "@removed": { reason: "deleted" },
        };
      }
      return renderEvent(account, world, meeting, fullRead, webRoot);
    },
    "Collection(event)",
  );
}

/** The world meeting an event id names, for tests and tools that hold Graph ids. */
export function meetingIdOf(eventGraphId: string): string | undefined {
  const parts = decodeGraphId(EVENT_PREFIX, eventGraphId);
  return parts?.[0] === "e" ? parts[2] : undefined;
}

export const CALENDAR_ROUTES: GraphRoute[] = [
  {
    method: "GET",
    pattern: /^\/me\/calendarView\/(?:delta|microsoft\.graph\.delta(?:\(\))?)\/?$/i,
    scopes: ["Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"],
    insufficient: {
      code: "ErrorAccessDenied",
      message: "Access is denied. Check credentials and try again.",
    },
    mailboxEndpoint: "calendarView.delta",
    handle: calendarViewDelta,
  },
];
