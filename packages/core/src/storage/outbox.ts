import type { TransactItem } from "./client";

/**
 * The transactional outbox, storage side. A unit of work's domain events are written in the same
 * DynamoDB write as the state change they describe, in an attribute named `outbox` (a JSON array
 * of events), so they commit or vanish with it. The table's stream carries that write to the relay
 * (`events/relay.ts`), which puts the events on the bus: nothing is published by hand, and nothing
 * committed is left unpublished.
 *
 * Two ways to carry them, chosen by what the write already is:
 * - a transaction gets one more item, a TTL'd outbox item (`outboxItem`);
 * - a single-item write carries the attribute on the item it writes (`carryEvents`), so the hot
 *   webhook path stays one request.
 * The relay publishes the events of a new image whose ids its old image did not carry, so a later
 * write to an item that still carries an old `outbox` publishes nothing twice.
 */

export const OUTBOX_ATTRIBUTE = "outbox";

/**
 * How long an outbox item outlives its write. The stream keeps records 24 hours; the item stays
 * a week so an operator can still read what a failed relay could not publish (docs/operations.md).
 */
export const OUTBOX_RETENTION_SECONDS = 7 * 86_400;

/** What the outbox needs of an event: an id (consumers dedupe by it) and a JSON-serializable body. */
export interface OutboxEvent {
  id: string;
  type: string;
}

/** The `outbox` attribute value: the events as one JSON string (filterable by the stream's event source). */
export function outboxValue(events: readonly OutboxEvent[]): string {
  return JSON.stringify(events);
}

/** A TTL'd item holding a unit of work's events, keyed by its first event's id. */
export function outboxRecord(events: readonly OutboxEvent[], now = new Date()): Record<string, unknown> {
  const first = events[0];
  if (!first) throw new Error("an outbox item needs at least one event");
  return {
    pk: `OUTBOX#${first.id}`,
    sk: "#OUTBOX",
    entity: "outbox",
    [OUTBOX_ATTRIBUTE]: outboxValue(events),
    expiresAt: Math.floor(now.getTime() / 1000) + OUTBOX_RETENTION_SECONDS,
  };
}

/** The outbox item as one more element of the unit's own transaction. */
export function outboxItem(events: readonly OutboxEvent[], now = new Date()): TransactItem {
  return { Put: { Item: outboxRecord(events, now) } };
}

/** The attributes to add to a single item's Put so that it carries these events. */
export function carryEvents(events: readonly OutboxEvent[]): Record<string, string> {
  return events.length > 0 ? { [OUTBOX_ATTRIBUTE]: outboxValue(events) } : {};
}

/**
 * The events a stream record's write committed: those in the new image's `outbox` whose ids the
 * old image did not already carry. Deletes and writes that did not touch the outbox give none.
 */
export function committedEvents(newOutbox: unknown, oldOutbox: unknown): unknown[] {
  const added = parseOutbox(newOutbox);
  if (added.length === 0) return [];
  const before = new Set(parseOutbox(oldOutbox).map((event) => (event as { id?: unknown }).id));
  return added.filter((event) => !before.has((event as { id?: unknown }).id));
}

function parseOutbox(value: unknown): unknown[] {
  if (typeof value !== "string" || value.length === 0) return [];
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed)) throw new Error("an outbox attribute must hold a JSON array");
  return parsed;
}
