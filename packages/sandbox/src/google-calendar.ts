import {
  type ApiReply,
  accessFailure,
  bearerFrom,
  decodeCursor,
  encodeCursor,
  type GoogleApiHost,
  sendReply,
} from "./gmail";
import type { MailWorld, WorldMeeting } from "./mail-world";
import { MailboxServiceControls } from "./mailbox-controls";

/**
 * The Google Calendar API (v3) `events.list` over a {@link MailWorld}'s meetings, served by the
 * GoogleSandbox so `@googleapis/calendar` with `rootUrl` set to the sandbox talks to it unchanged:
 *
 * - `GET /calendar/v3/calendars/{calendarId}/events`, `calendarId` `primary` or the caller's
 *   address: `singleEvents`, `timeMin`, `timeMax`, `maxResults` (250 by default, at most 2500),
 *   `pageToken`, `syncToken`, `showDeleted`, `orderBy`.
 *
 * A full listing ends with `nextSyncToken` (intermediate pages carry `nextPageToken`), except when
 * ordered by `orderBy`, as Google does. The token remembers the world's `seq` when the listing
 * began, so a change made while the client was paging comes back in the next incremental sync.
 * An incremental sync lists every meeting changed since, cancelled ones (`status: "cancelled"`)
 * included; a meeting deleted outright comes back as Google returns a deleted event: `id`,
 * `status: "cancelled"` and, for an occurrence, `recurringEventId` and `originalStartTime`.
 * `syncToken` with `timeMin`, `timeMax`, `orderBy`, `q` or `updatedMin` is 400; a token from before
 * {@link CalendarService.expireSyncTokens} (or one the sandbox cannot read) is 410 `fullSyncRequired`.
 *
 * The world stores occurrences, never series masters: `singleEvents=false` returns the same
 * occurrences rather than one recurring event with an RRULE (Kith always asks for single events).
 */

const CALENDAR_SCOPES = [
  "https://www.googleapis.com/auth/calendar",
  "https://www.googleapis.com/auth/calendar.readonly",
  "https://www.googleapis.com/auth/calendar.events",
  "https://www.googleapis.com/auth/calendar.events.readonly",
  "https://www.googleapis.com/auth/calendar.events.owned",
  "https://www.googleapis.com/auth/calendar.events.owned.readonly",
];

export interface CalendarOptions {
  /** Per-user requests per minute; 600 by default. */
  requestsPerMinute?: number;
  /** Calls of one user in flight at once; unlimited by default (Google documents no cap). */
  maxConcurrentPerUser?: number;
  /**
   * Calendar answers an exhausted per-user quota with 403 or 429, both `usageLimits` /
   * `rateLimitExceeded`; 403 by default, the one seen most in the wild.
   */
  throttleStatus?: 403 | 429;
  clock?: () => number;
}

/** Calendar's older error shape: `{ error: { errors: [{ domain, reason, message }], code, message } }`. */
function calendarError(status: number, domain: string, reason: string, message: string): ApiReply {
  return { status, body: { error: { errors: [{ domain, reason, message }], code: status, message } } };
}

/** Bodies from Google's "Handle API errors" guide for Calendar, and the generic 400 of a bad combination. */
export const CALENDAR_ERRORS = {
  fullSyncRequired: () =>
    calendarError(
      410,
      "global",
      "fullSyncRequired",
      "Sync token is no longer valid, a full sync is required.",
    ),
  rateLimited: (status: 403 | 429) =>
    calendarError(status, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"),
  badRequest: () => calendarError(400, "global", "badRequest", "Bad Request"),
  invalid: (message: string) => calendarError(400, "global", "invalid", message),
  notFound: () => calendarError(404, "global", "notFound", "Not Found"),
  backend: (status: number) => calendarError(status, "global", "backendError", "Backend Error"),
} as const;

interface KnownMeeting {
  recurringEventId?: string;
  start: number;
}

interface CalendarMailbox {
  email: string;
  world: MailWorld;
  seen: number;
  /** What a deleted meeting still needs to be reported: its series and original start. */
  known: Map<string, KnownMeeting>;
  /** When the sandbox first saw each meeting's latest change (Google's `updated`). */
  updated: Map<string, number>;
  /** Deleted meeting ids, by the seq of their deletion. */
  deleted: Map<string, number>;
  /** Raised by expireSyncTokens: tokens of an older epoch are 410. */
  epoch: number;
}

type SyncCursor = { e: number; s: number };
type PageCursor = { e: number; s: number; m: "full" | "sync"; k: number; a: string };

function isSyncCursor(value: unknown): value is SyncCursor {
  const cursor = value as SyncCursor;
  return (
    typeof cursor === "object" &&
    cursor !== null &&
    typeof cursor.e === "number" &&
    typeof cursor.s === "number"
  );
}

function isPageCursor(value: unknown): value is PageCursor {
  const cursor = value as PageCursor;
  return (
    isSyncCursor(value) &&
    (cursor.m === "full" || cursor.m === "sync") &&
    typeof cursor.k === "number" &&
    typeof cursor.a === "string"
  );
}

/** Calendar over the attached worlds; the fault and usage controls come from {@link MailboxServiceControls}. */
export class CalendarService extends MailboxServiceControls {
  private readonly mailboxes = new Map<string, CalendarMailbox>();
  private throttleStatus: 403 | 429;

  constructor(
    private readonly host: GoogleApiHost,
    options: CalendarOptions = {},
  ) {
    super({
      unitsPerWindow: options.requestsPerMinute ?? 600,
      windowMs: 60_000,
      maxInFlight: options.maxConcurrentPerUser ?? Number.POSITIVE_INFINITY,
      clock: options.clock,
    });
    this.throttleStatus = options.throttleStatus ?? 403;
  }

  /** Registered with the first world, leaving the paths free for a test's own routes until then. */
  private routed = false;

  private addRoutes(): void {
    if (this.routed) return;
    this.routed = true;
    const host = this.host;
    host.route("GET", /^\/calendar\/v3\/calendars\/([^/]+)\/events$/, "calendar", async (context) => {
      const calendarId = decodeURIComponent(context.match?.[1] ?? "");
      const token =
        bearerFrom(context.req.headers.authorization) ?? context.url.searchParams.get("access_token");
      sendReply(context, await this.listEvents(calendarId, context.url.searchParams, token ?? undefined));
    });
  }

  // ---- controls ---------------------------------------------------------------------------------

  attach(email: string, world: MailWorld): void {
    this.addRoutes();
    const mailbox: CalendarMailbox = {
      email: email.toLowerCase(),
      world,
      seen: world.seq,
      known: new Map(),
      updated: new Map(),
      deleted: new Map(),
      epoch: 0,
    };
    for (const meeting of world.meetings()) remember(mailbox, meeting);
    this.mailboxes.set(mailbox.email, mailbox);
  }

  /** Every sync token issued so far is 410 `fullSyncRequired`. */
  expireSyncTokens(email: string): void {
    const mailbox = this.mailboxes.get(email.toLowerCase());
    if (!mailbox) throw new Error(`No world attached to ${email}; call attachWorld first`);
    mailbox.epoch += 1;
  }

  setQuota(change: {
    requestsPerMinute?: number;
    maxConcurrentPerUser?: number;
    throttleStatus?: 403 | 429;
  }): void {
    this.configureQuota({
      unitsPerWindow: change.requestsPerMinute,
      maxInFlight: change.maxConcurrentPerUser,
    });
    if (change.throttleStatus !== undefined) this.throttleStatus = change.throttleStatus;
  }

  // ---- events.list --------------------------------------------------------------------------

  async listEvents(calendarId: string, query: URLSearchParams, token: string | undefined): Promise<ApiReply> {
    const check = token === undefined ? undefined : this.host.accountForAccessToken(token, CALENDAR_SCOPES);
    if (!check?.ok) return accessFailure(check, CALENDAR_SCOPES);
    const email = check.account.email.toLowerCase();
    if (calendarId !== "primary" && calendarId.toLowerCase() !== email) return CALENDAR_ERRORS.notFound();
    const mailbox = this.mailboxes.get(email);
    if (!mailbox) return CALENDAR_ERRORS.notFound();
    const outcome = await this.gate.pass(
      email,
      "events.list",
      1,
      () => {
        catchUp(mailbox);
        return list(mailbox, query);
      },
      (reply) => reply.status,
    );
    if (outcome.kind === "answered") return outcome.value;
    if (outcome.kind === "fault") {
      return outcome.status === 429
        ? CALENDAR_ERRORS.rateLimited(429)
        : CALENDAR_ERRORS.backend(outcome.status);
    }
    return CALENDAR_ERRORS.rateLimited(this.throttleStatus);
  }
}

function remember(mailbox: CalendarMailbox, meeting: WorldMeeting): void {
  mailbox.known.set(meeting.id, {
    ...(meeting.recurringEventId === undefined ? {} : { recurringEventId: meeting.recurringEventId }),
    start: meeting.start,
  });
}

function catchUp(mailbox: CalendarMailbox): void {
  const now = Date.now();
  for (const change of mailbox.world.changesSince(mailbox.seen)) {
    if (!change.kind.startsWith("meeting.")) continue;
    mailbox.updated.set(change.id, now);
    if (change.kind === "meeting.deleted") {
      mailbox.deleted.set(change.id, change.seq);
      continue;
    }
    mailbox.deleted.delete(change.id);
    const meeting = mailbox.world.meeting(change.id);
    if (meeting) remember(mailbox, meeting);
  }
  mailbox.seen = mailbox.world.seq;
}

const SYNC_INCOMPATIBLE = [
  "timeMin",
  "timeMax",
  "orderBy",
  "q",
  "updatedMin",
  "iCalUID",
  "privateExtendedProperty",
];

function list(mailbox: CalendarMailbox, query: URLSearchParams): ApiReply {
  const rawSize = query.get("maxResults");
  const size = rawSize === null ? 250 : Number(rawSize);
  if (!Number.isInteger(size) || size < 1) return CALENDAR_ERRORS.invalid(`Invalid value for: maxResults`);
  const pageSize = Math.min(size, 2500);
  const singleEvents = query.get("singleEvents") === "true";
  const orderBy = query.get("orderBy");
  if (orderBy !== null && orderBy !== "startTime" && orderBy !== "updated")
    return CALENDAR_ERRORS.badRequest();
  if (orderBy === "startTime" && !singleEvents) return CALENDAR_ERRORS.badRequest();

  const pageToken = query.get("pageToken");
  const syncToken = query.get("syncToken");
  let cursor: PageCursor;
  if (pageToken) {
    const decoded = decodeCursor(pageToken, isPageCursor);
    if (!decoded) return CALENDAR_ERRORS.invalid("Invalid page token value.");
    if (decoded.e !== mailbox.epoch && decoded.m === "sync") return CALENDAR_ERRORS.fullSyncRequired();
    cursor = decoded;
  } else if (syncToken) {
    if (SYNC_INCOMPATIBLE.some((name) => query.has(name))) return CALENDAR_ERRORS.badRequest();
    const decoded = decodeCursor(syncToken, isSyncCursor);
    if (!decoded || decoded.e !== mailbox.epoch || decoded.s > mailbox.world.seq) {
      return CALENDAR_ERRORS.fullSyncRequired();
    }
    cursor = { e: mailbox.epoch, s: decoded.s, m: "sync", k: -1, a: "" };
  } else {
    cursor = { e: mailbox.epoch, s: mailbox.world.seq, m: "full", k: Number.NEGATIVE_INFINITY, a: "" };
  }

  const items = cursor.m === "sync" ? changedSince(mailbox, cursor.s) : fullListing(mailbox, query);
  if (typeof items === "string") return CALENDAR_ERRORS.invalid(items);
  // Both listings are sorted by (key, id), so a cursor past the last item stays put when items are added.
  const remaining = items.filter(
    (item) => item.key > cursor.k || (item.key === cursor.k && item.id > cursor.a),
  );
  const page = remaining.slice(0, pageSize);
  const last = page[page.length - 1];
  const more = remaining.length > pageSize && last !== undefined;
  const syncSeq = cursor.m === "sync" ? mailbox.world.seq : cursor.s;
  return {
    status: 200,
    body: {
      kind: "calendar#events",
      etag: `"${mailbox.world.seq}"`,
      summary: mailbox.email,
      description: "",
      updated: new Date().toISOString(),
      timeZone: "UTC",
      accessRole: "owner",
      defaultReminders: [],
      ...(more ? { nextPageToken: encodeCursor({ ...cursor, k: last.key, a: last.id }) } : {}),
      ...(!more && orderBy === null ? { nextSyncToken: encodeCursor({ e: mailbox.epoch, s: syncSeq }) } : {}),
      items: page.map((item) => item.event),
    },
  };
}

interface Listed {
  key: number;
  id: string;
  event: Record<string, unknown>;
}

/** `timeMin` bounds the end, `timeMax` the start, both exclusive, as the reference says. */
function fullListing(mailbox: CalendarMailbox, query: URLSearchParams): Listed[] | string {
  const bound = (name: string): number | undefined | string => {
    const raw = query.get(name);
    if (raw === null) return undefined;
    const ms = /[zZ]|[+-]\d\d:\d\d$/.test(raw) ? Date.parse(raw) : Number.NaN;
    return Number.isNaN(ms) ? `Bad Request` : ms;
  };
  const timeMin = bound("timeMin");
  const timeMax = bound("timeMax");
  if (typeof timeMin === "string") return timeMin;
  if (typeof timeMax === "string") return timeMax;
  const showDeleted = query.get("showDeleted") === "true";
  return mailbox.world
    .meetings()
    .filter((meeting) => showDeleted || meeting.status !== "cancelled")
    .filter((meeting) => timeMin === undefined || meeting.end > timeMin)
    .filter((meeting) => timeMax === undefined || meeting.start < timeMax)
    .map((meeting) => ({ key: meeting.start, id: meeting.id, event: renderEvent(mailbox, meeting) }))
    .sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Each meeting changed after `seq` once, in the order of its latest change. */
function changedSince(mailbox: CalendarMailbox, seq: number): Listed[] {
  const latest = new Map<string, number>();
  for (const change of mailbox.world.changesSince(seq)) {
    if (change.kind.startsWith("meeting.")) latest.set(change.id, change.seq);
  }
  return [...latest]
    .map(([id, changeSeq]) => {
      const meeting = mailbox.world.meeting(id);
      return {
        key: changeSeq,
        id,
        event: meeting ? renderEvent(mailbox, meeting) : deletedEvent(mailbox, id),
      };
    })
    .sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : 1));
}

function dateTime(ms: number): { dateTime: string; timeZone: string } {
  return { dateTime: new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"), timeZone: "UTC" };
}

function originalStart(id: string, recurringEventId: string | undefined, fallback: number) {
  if (recurringEventId === undefined) return undefined;
  const stamp = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(id);
  const ms = stamp
    ? Date.parse(`${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}:${stamp[5]}:${stamp[6]}Z`)
    : fallback;
  return dateTime(ms);
}

function htmlLink(mailbox: CalendarMailbox, id: string): string {
  return `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${mailbox.email}`).toString("base64url")}`;
}

function renderEvent(mailbox: CalendarMailbox, meeting: WorldMeeting): Record<string, unknown> {
  const self = (email: string) => (email.toLowerCase() === mailbox.email ? { self: true } : {});
  // Generated meetings were created a week before they start (and never after the world's "now").
  const created = Math.min(meeting.start - 7 * 86_400_000, mailbox.world.now);
  const updated = mailbox.updated.get(meeting.id) ?? created;
  const original = originalStart(meeting.id, meeting.recurringEventId, meeting.start);
  return {
    kind: "calendar#event",
    etag: `"${meeting.changedAt}"`,
    id: meeting.id,
    status: meeting.status,
    htmlLink: htmlLink(mailbox, meeting.id),
    created: new Date(created).toISOString(),
    updated: new Date(updated).toISOString(),
    summary: meeting.title,
    description: meeting.description,
    location: meeting.location,
    creator: { email: meeting.organizer.email, ...self(meeting.organizer.email) },
    organizer: {
      email: meeting.organizer.email,
      ...(meeting.organizer.name ? { displayName: meeting.organizer.name } : {}),
      ...self(meeting.organizer.email),
    },
    start: dateTime(meeting.start),
    end: dateTime(meeting.end),
    ...(meeting.recurringEventId === undefined ? {} : { recurringEventId: meeting.recurringEventId }),
    ...(original ? { originalStartTime: original } : {}),
    iCalUID: meeting.iCalUID,
    sequence: 0,
    attendees: meeting.attendees.map((attendee) => ({
      email: attendee.email,
      ...(attendee.name ? { displayName: attendee.name } : {}),
      ...(attendee.organizer ? { organizer: true } : {}),
      ...self(attendee.email),
      responseStatus: attendee.responseStatus,
    })),
    reminders: { useDefault: true },
    eventType: "default",
  };
}

function deletedEvent(mailbox: CalendarMailbox, id: string): Record<string, unknown> {
  const known = mailbox.known.get(id);
  const original = known ? originalStart(id, known.recurringEventId, known.start) : undefined;
  return {
    kind: "calendar#event",
    etag: `"${mailbox.deleted.get(id) ?? 0}"`,
    id,
    status: "cancelled",
    ...(known?.recurringEventId === undefined ? {} : { recurringEventId: known.recurringEventId }),
    ...(original ? { originalStartTime: original } : {}),
  };
}
