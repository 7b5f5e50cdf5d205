import { decodeTime } from "ulid";
import { multiValue, paginate, parseListQuery, parseTime } from "./workos-paging";
import { ApiError, clone, invalid, type RawEvent } from "./workos-wire";

/**
 * `GET /events`: the event log as a consumer reads it, through retention, cursors and filters.
 * The `WorkOSSandbox` module comment says where this models behaviour WorkOS leaves undocumented.
 */

/** Events are listed while younger than this; at 30 days old they drop out of `GET /events`. */
export const WORKOS_EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** `log` is the whole event log in id order; `nowMs` the sandbox clock, which retention counts from. */
export function listEvents(log: readonly RawEvent[], nowMs: number, params: URLSearchParams): unknown {
  const types = new Set(multiValue(params, "events"));
  const organizationId = params.get("organization_id") || undefined;
  const { limit, after, before } = parseListQuery(params, "asc");
  const rangeStart = parseTime(params, "range_start");
  const rangeEnd = parseTime(params, "range_end");
  if (after !== undefined && rangeStart !== undefined) {
    throw invalid("range_start", "mutually_exclusive", "range_start cannot be combined with after");
  }
  const horizon = nowMs - WORKOS_EVENT_RETENTION_MS;
  if (after !== undefined) checkEventCursor(log, "after", after, horizon);
  if (before !== undefined) checkEventCursor(log, "before", before, horizon);
  const visible = log.filter((event) => {
    const at = Date.parse(event.created_at);
    return (
      at > horizon &&
      (types.size === 0 || types.has(event.event)) &&
      (organizationId === undefined || eventOrganizationId(event) === organizationId) &&
      (rangeStart === undefined || at >= rangeStart) &&
      (rangeEnd === undefined || at <= rangeEnd)
    );
  });
  // Always ascending: see the module comment on `order`.
  const page = paginate(visible, { limit, after, before, order: "asc" });
  // The events list carries only `after` (WorkOS's EventList schema has no `before`).
  return { object: "list", data: page.data.map(clone), list_metadata: { after: page.after } };
}

/** A cursor must name a live stream position: a known or well-formed event id within retention. */
function checkEventCursor(log: readonly RawEvent[], field: string, cursor: string, horizon: number): void {
  const known = log.find((event) => event.id === cursor);
  const time = known
    ? Date.parse(known.created_at)
    : cursor.startsWith("event_")
      ? ulidTime(cursor.slice("event_".length))
      : undefined;
  if (time === undefined || Number.isNaN(time) || time <= horizon) {
    throw new ApiError(400, {
      code: "invalid_cursor",
      message: `The ${field} cursor '${cursor}' is invalid or refers to an event older than 30 days.`,
      errors: [{ field, code: "invalid_cursor" }],
    });
  }
}

/** The organization an event belongs to, for the `organization_id` filter; `undefined` for user events. */
function eventOrganizationId(event: RawEvent): string | undefined {
  const { data } = event;
  // `organization.created|updated|deleted` carry the organization itself; `organization_membership.*`
  // and friends carry `organization_id`.
  const own = /^organization\.[a-z_]+$/.test(event.event) ? data.id : data.organization_id;
  return typeof own === "string" ? own : undefined;
}

/** The millisecond timestamp a ULID carries, or undefined when the value is not one. */
function ulidTime(value: string): number | undefined {
  if (!/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(value)) return undefined;
  return decodeTime(value);
}
