import type { ClassifyingHeaders, EventSource, InteractionEvent, MeetingResponse } from "./event";

/**
 * From provider-neutral message and meeting metadata to interaction events, by scoring.md
 * "Statistics" and "Newsletter flag". Pure: who is the member and who is a teammate is decided by
 * the `People` passed in.
 */

/** Bulk is more than this many recipients. */
export const BULK_RECIPIENTS = 20;

export interface MessageMetadata {
  remoteId: string;
  threadId: string;
  occurredAt: Date;
  /** Sent by the member: Gmail's `SENT` label, Graph's Sent Items folder. */
  sent: boolean;
  /** Drafts, spam and trash count nowhere. */
  excluded: boolean;
  from: string | undefined;
  to: readonly string[];
  cc: readonly string[];
  bcc: readonly string[];
  headers: RawClassifyingHeaders;
}

/** Header values as they came, before classification. */
export interface RawClassifyingHeaders {
  listUnsubscribe?: string;
  listId?: string;
  precedence?: string;
  autoSubmitted?: string;
}

export interface MeetingMetadata {
  remoteId: string;
  /** The series for an occurrence, else the meeting itself. */
  threadId: string;
  start: Date;
  organizer: string | undefined;
  attendees: readonly { email: string }[];
  response: MeetingResponse;
  cancelled: boolean;
}

/** Who the member is and who their teammates are, addresses lower-cased. */
export interface People {
  isMember(email: string): boolean;
  isTeammate(email: string): boolean;
}

export interface EventOwner {
  orgId: string;
  userId: string;
  accountId: string;
  provider: EventSource;
}

/** Lower-cased and trimmed; undefined for anything that is not an address. */
export function normalizeEmail(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const email = raw.trim().toLowerCase();
  const at = email.indexOf("@");
  if (at <= 0 || at !== email.lastIndexOf("@") || at === email.length - 1 || /\s/.test(email))
    return undefined;
  return email;
}

const NEWSLETTER_PRECEDENCE = new Set(["bulk", "list", "junk"]);

export function classifyHeaders(raw: RawClassifyingHeaders): {
  flagged: boolean;
  headers: ClassifyingHeaders;
} {
  const headers: ClassifyingHeaders = {};
  if (raw.listUnsubscribe !== undefined) headers.listUnsubscribe = true;
  if (raw.listId !== undefined) headers.listId = raw.listId.trim().slice(0, 200);
  if (raw.precedence !== undefined) headers.precedence = raw.precedence.trim().toLowerCase().slice(0, 40);
  if (raw.autoSubmitted !== undefined)
    headers.autoSubmitted = raw.autoSubmitted.trim().toLowerCase().slice(0, 60);
  const autoSubmitted = headers.autoSubmitted?.split(";")[0]?.trim();
  const flagged =
    headers.listUnsubscribe === true ||
    headers.listId !== undefined ||
    (headers.precedence !== undefined && NEWSLETTER_PRECEDENCE.has(headers.precedence)) ||
    (autoSubmitted !== undefined && autoSubmitted !== "no");
  return { flagged, headers };
}

function external(people: People, email: string | undefined): email is string {
  return email !== undefined && !people.isMember(email) && !people.isTeammate(email);
}

/** One event per external correspondent of a message; none for drafts, spam, trash or mail to oneself. */
export function messageEvents(
  owner: EventOwner,
  message: MessageMetadata,
  people: People,
): InteractionEvent[] {
  if (message.excluded) return [];
  const recipients = [...new Set([...message.to, ...message.cc, ...message.bcc].map(normalizeEmail))].filter(
    (email): email is string => email !== undefined,
  );
  const bulk = recipients.length > BULK_RECIPIENTS;
  const from = normalizeEmail(message.from);
  const { flagged, headers } = classifyHeaders(message.headers);

  let direction: "inbound" | "outbound";
  let correspondents: string[];
  if (message.sent) {
    direction = "outbound";
    correspondents = recipients.filter((email) => external(people, email));
  } else {
    // Mail from the member that is not in their sent mail (a copy to themself, an alias's echo) is not inbound.
    if (from === undefined || people.isMember(from)) return [];
    direction = "inbound";
    correspondents = external(people, from) ? [from] : [];
  }
  const hasHeaders = Object.keys(headers).length > 0;
  return correspondents.map((correspondent) => ({
    ...owner,
    kind: "email",
    direction,
    occurredAt: message.occurredAt.toISOString(),
    threadId: message.threadId,
    remoteId: message.remoteId,
    correspondent,
    newsletter: direction === "inbound" && !bulk && flagged,
    bulk,
    recipientCount: recipients.length,
    ...(hasHeaders ? { headers } : {}),
  }));
}

/** One event per external participant (attendees and organizer) of a meeting the member is on. */
export function meetingEvents(
  owner: EventOwner,
  meeting: MeetingMetadata,
  people: People,
): InteractionEvent[] {
  const participants = new Set<string>();
  for (const attendee of meeting.attendees) {
    const email = normalizeEmail(attendee.email);
    if (email) participants.add(email);
  }
  const organizer = normalizeEmail(meeting.organizer);
  if (organizer) participants.add(organizer);
  const attendeeCount = participants.size;
  return [...participants]
    .filter((email) => external(people, email))
    .map((correspondent) => ({
      ...owner,
      kind: "meeting" as const,
      direction: "attended" as const,
      occurredAt: meeting.start.toISOString(),
      threadId: meeting.threadId,
      remoteId: meeting.remoteId,
      correspondent,
      newsletter: false,
      bulk: false,
      attendeeCount,
      response: meeting.response,
      ...(meeting.cancelled ? { cancelled: true } : {}),
    }));
}

/** Parses an address header (`"Name, Jr." <a@b>, c@d`) into its addresses, names and comments dropped. */
export function parseAddressList(value: string | undefined): string[] {
  if (!value) return [];
  // RFC 5322 groups (`Team: a@x, b@y;`, `undisclosed-recipients:;`): their members, not their names.
  const ungrouped = value.replace(/(^|,)\s*[^,:<>"@]*:/g, "$1").replace(/;/g, ",");
  const out: string[] = [];
  let current = "";
  let quoted = false;
  let angle = 0;
  let comment = 0;
  for (const char of ungrouped) {
    if (char === '"' && comment === 0) quoted = !quoted;
    else if (!quoted && char === "(") comment += 1;
    else if (!quoted && char === ")" && comment > 0) comment -= 1;
    else if (!quoted && comment === 0 && char === "<") angle += 1;
    else if (!quoted && comment === 0 && char === ">" && angle > 0) angle -= 1;
    if (char === "," && !quoted && angle === 0 && comment === 0) {
      out.push(current);
      current = "";
    } else current += char;
  }
  out.push(current);
  return out
    .map((part) => {
      const bracketed = /<([^<>]*)>/.exec(part);
      const candidate = bracketed ? bracketed[1] : part.replace(/\([^)]*\)/g, "").replace(/"[^"]*"/g, "");
      return normalizeEmail(candidate);
    })
    .filter((email): email is string => email !== undefined);
}
