import { calendar, type calendar_v3 } from "@googleapis/calendar";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GoogleMailSandboxOptions, GoogleSandbox } from "./google";
import { consentedAuth, googleFailure as failure, MAYA, startGoogleMailbox } from "./google-test-support";
import type { MailWorld } from "./mail-world";

// Through the real @googleapis/calendar client, rootUrl pointed at the sandbox.

const CALENDAR_READONLY = "https://www.googleapis.com/auth/calendar.readonly";
const NOW = Date.parse("2026-12-01T12:00:00Z");

let sandbox: GoogleSandbox;
let world: MailWorld;

async function start(options: GoogleMailSandboxOptions = {}) {
  ({ sandbox, world } = await startGoogleMailbox({ seed: 5, messages: 10, meetings: 23, now: NOW }, options));
}

afterEach(async () => {
  await sandbox?.close();
});

async function client(): Promise<calendar_v3.Calendar> {
  const auth = await consentedAuth(sandbox, [CALENDAR_READONLY]);
  return calendar({ version: "v3", rootUrl: sandbox.rootUrl, auth, retry: false });
}

/** Pages a listing to its end; returns the events and the final sync token. */
async function listAll(api: calendar_v3.Calendar, params: calendar_v3.Params$Resource$Events$List) {
  const events: calendar_v3.Schema$Event[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  for (;;) {
    const { data } = await api.events.list({
      calendarId: "primary",
      ...params,
      ...(pageToken ? { pageToken } : {}),
    });
    events.push(...(data.items ?? []));
    pages += 1;
    if (!data.nextPageToken) return { events, syncToken: data.nextSyncToken ?? undefined, pages };
    expect(data.nextSyncToken).toBeUndefined();
    pageToken = data.nextPageToken;
  }
}

describe("events.list", () => {
  beforeEach(() => start());

  it("lists every confirmed occurrence across pages and ends with a nextSyncToken", async () => {
    const api = await client();
    const { events, syncToken, pages } = await listAll(api, { singleEvents: true, maxResults: 5 });
    const confirmed = world.meetings().filter((meeting) => meeting.status === "confirmed");
    expect(pages).toBe(Math.ceil(confirmed.length / 5));
    expect(events.map((event) => event.id)).toEqual(confirmed.map((meeting) => meeting.id));
    expect(syncToken).toBeTruthy();

    const meeting = confirmed[0];
    const event = events[0];
    if (!meeting || !event) throw new Error("no meetings");
    expect(event).toMatchObject({
      kind: "calendar#event",
      id: meeting.id,
      status: "confirmed",
      summary: meeting.title,
      iCalUID: meeting.iCalUID,
      start: { dateTime: new Date(meeting.start).toISOString().replace(".000Z", "Z"), timeZone: "UTC" },
      organizer: { email: meeting.organizer.email },
    });
    const own = event.attendees?.filter((attendee) => attendee.self);
    expect(own?.map((attendee) => attendee.email)).toEqual([MAYA]);
    const recurring = events.find((candidate) => candidate.recurringEventId);
    if (recurring) expect(recurring.originalStartTime?.dateTime).toMatch(/Z$/);
  });

  it("filters by timeMin/timeMax and orders by start time without a sync token", async () => {
    const api = await client();
    const meetings = world.meetings().filter((meeting) => meeting.status === "confirmed");
    const middle = meetings[Math.floor(meetings.length / 2)];
    if (!middle) throw new Error("no meetings");
    const { data } = await api.events.list({
      calendarId: MAYA,
      singleEvents: true,
      orderBy: "startTime",
      timeMin: new Date(middle.start).toISOString(),
    });
    expect(data.items?.map((event) => event.id)).toEqual(
      meetings.filter((meeting) => meeting.end > middle.start).map((meeting) => meeting.id),
    );
    expect(data.nextSyncToken).toBeUndefined();
    const unordered = await failure(api.events.list({ calendarId: "primary", orderBy: "startTime" }));
    expect(unordered.status).toBe(400);
  });

  it("returns changed, cancelled and deleted meetings incrementally, then 410 once tokens expire", async () => {
    const api = await client();
    const { syncToken } = await listAll(api, { singleEvents: true, maxResults: 50 });
    const [moved, cancelled, deleted] = world.meetings().filter((meeting) => meeting.status === "confirmed");
    const recurring = world
      .meetings()
      .find(
        (meeting) =>
          meeting.recurringEventId &&
          meeting.status === "confirmed" &&
          ![moved?.id, cancelled?.id, deleted?.id].includes(meeting.id),
      );
    if (!moved || !cancelled || !deleted || !recurring) throw new Error("the world lacks meetings");
    world.updateMeeting(moved.id, { start: moved.start + 3_600_000, end: moved.end + 3_600_000 });
    world.cancelMeeting(cancelled.id);
    world.deleteMeeting(deleted.id);
    world.deleteMeeting(recurring.id);

    const { data } = await api.events.list({ calendarId: "primary", singleEvents: true, syncToken });
    const byId = new Map((data.items ?? []).map((event) => [event.id, event]));
    expect([...byId.keys()].sort()).toEqual([moved.id, cancelled.id, deleted.id, recurring.id].sort());
    expect(byId.get(moved.id)?.start?.dateTime).toBe(
      new Date(moved.start).toISOString().replace(".000Z", "Z"),
    );
    expect(byId.get(cancelled.id)?.status).toBe("cancelled");
    // Deleted outright: Google keeps only the id, status and (for an occurrence) its series and slot.
    const removed = byId.get(deleted.id);
    expect(removed).toMatchObject({ kind: "calendar#event", id: deleted.id, status: "cancelled" });
    expect(
      Object.keys(removed ?? {})
        .filter((key) => !["etag", "recurringEventId", "originalStartTime"].includes(key))
        .sort(),
    ).toEqual(["id", "kind", "status"]);
    expect(byId.get(recurring.id)).toMatchObject({
      status: "cancelled",
      recurringEventId: recurring.recurringEventId,
      originalStartTime: { dateTime: expect.stringMatching(/Z$/) },
    });
    expect(data.nextSyncToken).toBeTruthy();

    const quiet = await api.events.list({ calendarId: "primary", syncToken: data.nextSyncToken ?? "" });
    expect(quiet.data.items).toEqual([]);

    sandbox.calendar.expireSyncTokens(MAYA);
    const { status, data: gone } = await failure(
      api.events.list({ calendarId: "primary", syncToken: data.nextSyncToken ?? "" }),
    );
    expect(status).toBe(410);
    expect(gone).toEqual({
      error: {
        errors: [
          {
            domain: "global",
            reason: "fullSyncRequired",
            message: "Sync token is no longer valid, a full sync is required.",
          },
        ],
        code: 410,
        message: "Sync token is no longer valid, a full sync is required.",
      },
    });
  });

  it("refuses a syncToken combined with timeMin", async () => {
    const api = await client();
    const { syncToken } = await listAll(api, { singleEvents: true });
    const { status, data } = await failure(
      api.events.list({ calendarId: "primary", syncToken, timeMin: new Date(NOW).toISOString() }),
    );
    expect(status).toBe(400);
    expect(data.error.code).toBe(400);
  });

  it("answers a calendar that is not the caller's with 404", async () => {
    const api = await client();
    expect((await failure(api.events.list({ calendarId: "omar@acme.example" }))).status).toBe(404);
  });
});

describe("quota", () => {
  it("throttles past the per-user requests per minute with usageLimits rateLimitExceeded", async () => {
    await start({ calendar: { requestsPerMinute: 2 } });
    const api = await client();
    await api.events.list({ calendarId: "primary", maxResults: 1 });
    await api.events.list({ calendarId: "primary", maxResults: 1 });
    const refused = await failure(api.events.list({ calendarId: "primary", maxResults: 1 }));
    expect(refused.status).toBe(403);
    expect(refused.data).toEqual({
      error: {
        errors: [{ domain: "usageLimits", reason: "rateLimitExceeded", message: "Rate Limit Exceeded" }],
        code: 403,
        message: "Rate Limit Exceeded",
      },
    });
    sandbox.calendar.setQuota({ throttleStatus: 429 });
    expect((await failure(api.events.list({ calendarId: "primary" }))).status).toBe(429);
    expect(sandbox.calendar.usage(MAYA)).toMatchObject({ requests: { "events.list": 4 }, throttled: 2 });
    sandbox.calendar.failNext(500);
    sandbox.calendar.resetUsage(MAYA);
    const outage = await failure(api.events.list({ calendarId: "primary" }));
    expect(outage.status).toBe(500);
    expect(outage.data.error.errors[0]?.reason).toBe("backendError");
  });
});
