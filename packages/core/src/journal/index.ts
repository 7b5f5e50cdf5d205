import type { DomainEvent } from "../events";
import { ConditionFailed, commit, db, decodeCursor, encodeCursor, type Page, pageSize } from "../storage";
import { Heartbeat } from "./events";
import { type JournalEntry, JournalEntrySchema } from "./schemas";

/**
 * The domain-event journal: every event published on the bus, each parsed with its definition
 * (`catalog`), kept 30 days, readable per org.
 * It gives operators a view of what the system did ("did the directory sync run for org X?"),
 * and the heartbeat entries prove that the schedule → bus → queue → consumer path is alive.
 */

export const RETENTION_DAYS = 30;
const SYSTEM_PARTITION = "system";

function partition(orgId: string | null): string {
  return `JOURNAL#${orgId ?? SYSTEM_PARTITION}`;
}

/**
 * Records one delivered event. Keyed by (time, event id), and written only if absent, so a
 * redelivered message is a no-op: the first write wins and the call still succeeds.
 *
 * @returns whether this call wrote the entry (false for a duplicate delivery).
 */
export async function record(event: DomainEvent, now = new Date()): Promise<boolean> {
  const expiresAt = Math.floor(now.getTime() / 1000) + RETENTION_DAYS * 86_400;
  try {
    await db.put({
      Item: {
        pk: partition(event.orgId),
        sk: `EV#${event.occurredAt}#${event.id}`,
        entity: "journal",
        id: event.id,
        type: event.type,
        orgId: event.orgId,
        occurredAt: event.occurredAt,
        recordedAt: now.toISOString(),
        data: event.data,
        expiresAt,
      },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    return true;
  } catch (error) {
    if (error instanceof ConditionFailed) return false;
    throw error;
  }
}

export interface ListJournalInput {
  orgId: string | null;
  limit?: string | number;
  cursor?: string;
  now?: Date;
}

/**
 * Newest first. Expired entries are filtered out, because DynamoDB deletes TTL items lazily (and
 * DynamoDB Local never does); the query goes on past filtered entries until the page is full, so a
 * page is only short when the journal has no more.
 */
export async function list(input: ListJournalInput): Promise<Page<JournalEntry>> {
  const nowSeconds = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const pk = partition(input.orgId);
  const limit = pageSize(input.limit);
  const items: JournalEntry[] = [];
  let startKey: Record<string, unknown> | undefined = decodeCursor(input.cursor, {
    keys: ["pk", "sk"],
    partition: { pk },
  });
  do {
    // Limit counts evaluated items, so the last one evaluated is the last one returned when the page fills.
    const result = await db.query({
      KeyConditionExpression: "pk = :pk",
      FilterExpression: "expiresAt > :now",
      ExpressionAttributeValues: { ":pk": pk, ":now": nowSeconds },
      ScanIndexForward: false,
      Limit: limit - items.length,
      ExclusiveStartKey: startKey,
    });
    for (const item of result.Items ?? []) items.push(JournalEntrySchema.parse(item));
    startKey = result.LastEvaluatedKey;
  } while (items.length < limit && startKey);
  return { items, nextCursor: encodeCursor(startKey) };
}

/**
 * The heartbeat a schedule writes: an outbox item of its own, so when it lands in the journal the
 * whole path (schedule → table stream → relay → bus → queue → consumer) works.
 */
export async function heartbeat(scheduledAt: string, now = new Date()) {
  const event = Heartbeat.create(null, { scheduledAt }, now);
  await commit([], { events: [event], now });
  return event;
}

export * as Events from "./events";
export * as Routes from "./routes";
export * from "./schemas";
