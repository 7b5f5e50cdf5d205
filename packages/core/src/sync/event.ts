import type { MailboxProvider, Scope } from "../mailbox/schemas";
import { keys as mailboxKeys } from "../mailbox/store";

/**
 * The interaction event: one email or one meeting, as metadata, for one external correspondent.
 * Every provider lands in this one shape, so the rollup never knows where an interaction came from.
 * No subject, body, snippet or title exists in it: the syncers never read them into this shape.
 */

export type EventSource = "gmail" | "gcal" | "outlook" | "ocal";
export type EventKind = "email" | "meeting";
export type Direction = "inbound" | "outbound" | "attended";
/** The member's own answer to a meeting; `organizer` when they organised it. */
export type MeetingResponse = "organizer" | "accepted" | "tentative" | "declined" | "needsAction";

export interface InteractionEvent {
  orgId: string;
  userId: string;
  accountId: string;
  provider: EventSource;
  kind: EventKind;
  direction: Direction;
  /** ISO-8601 UTC: the message's date, or the meeting's start. */
  occurredAt: string;
  /** Gmail `threadId`, Graph `conversationId`; for meetings, the series (or the meeting) id. */
  threadId: string;
  /** The provider's id of the message or meeting occurrence. */
  remoteId: string;
  /** Lower-cased, trimmed. */
  correspondent: string;
  /** Inbound mail with list or automation headers (scoring.md "Newsletter flag"); never set on bulk mail. */
  newsletter: boolean;
  /** More than 20 recipients (To + Cc + Bcc): counts nowhere. */
  bulk: boolean;
  /** Email: distinct To + Cc + Bcc addresses. */
  recipientCount?: number;
  /** Meeting: attendees, the member and the organizer included. */
  attendeeCount?: number;
  /** Meeting: the member's response. */
  response?: MeetingResponse;
  /** Meeting: cancelled but still on the calendar (Graph `isCancelled`). */
  cancelled?: boolean;
  /** The classifying headers only, as evidence for the flags. */
  headers?: ClassifyingHeaders;
}

export interface ClassifyingHeaders {
  listUnsubscribe?: boolean;
  listId?: string;
  precedence?: string;
  autoSubmitted?: string;
}

/** Events are kept 25 months past their date: a month beyond the 24-month window anything counts in. */
export const EVENT_RETENTION_DAYS = 761;
const DAY_MS = 86_400_000;

export function scopeOf(provider: EventSource): Scope {
  return provider === "gmail" || provider === "outlook" ? "mail" : "calendar";
}

export function eventSource(provider: MailboxProvider, scope: Scope): EventSource {
  if (provider === "google") return scope === "mail" ? "gmail" : "gcal";
  return scope === "mail" ? "outlook" : "ocal";
}

export const eventKeys = {
  /** Every event of an account lives in its partition; a message's events share a prefix. */
  partition: (accountId: string) => mailboxKeys.accountEvents(accountId),
  sortKey: (scope: Scope, remoteId: string, correspondent: string) => `${scope}#${remoteId}#${correspondent}`,
  remotePrefix: (scope: Scope, remoteId: string) => `${scope}#${remoteId}#`,
  /** gsi2: one correspondent across the org; `begins_with(gsi2sk, USER#<userId>#)` narrows to one member. */
  correspondent: (orgId: string, email: string) => `ORG#${orgId}#CORR#${email}`,
  correspondentSort: (event: Pick<InteractionEvent, "userId" | "occurredAt" | "accountId" | "remoteId">) =>
    `USER#${event.userId}#${event.occurredAt}#${event.accountId}#${event.remoteId}`,
  memberPrefix: (userId: string) => `USER#${userId}#`,
};

/** The stored item: the event, its keys and its expiry. Kept well under 1 KB, so one write unit (and one for gsi2). */
export function eventItem(event: InteractionEvent): Record<string, unknown> {
  const scope = scopeOf(event.provider);
  return {
    pk: eventKeys.partition(event.accountId),
    sk: eventKeys.sortKey(scope, event.remoteId, event.correspondent),
    gsi2pk: eventKeys.correspondent(event.orgId, event.correspondent),
    gsi2sk: eventKeys.correspondentSort(event),
    entity: "interactionEvent",
    ...event,
    expiresAt: Math.floor((Date.parse(event.occurredAt) + EVENT_RETENTION_DAYS * DAY_MS) / 1000),
  };
}

const EVENT_FIELDS = [
  "orgId",
  "userId",
  "accountId",
  "provider",
  "kind",
  "direction",
  "occurredAt",
  "threadId",
  "remoteId",
  "correspondent",
  "newsletter",
  "bulk",
  "recipientCount",
  "attendeeCount",
  "response",
  "cancelled",
  "headers",
] as const;

export function eventFromItem(item: Record<string, unknown>): InteractionEvent {
  const event: Record<string, unknown> = {};
  for (const field of EVENT_FIELDS) if (item[field] !== undefined) event[field] = item[field];
  return event as unknown as InteractionEvent;
}
