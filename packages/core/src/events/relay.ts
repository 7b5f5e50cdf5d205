import { committedEvents, OUTBOX_ATTRIBUTE } from "../storage/outbox";
import { type DomainEvent, DomainEventSchema } from "./detail";
import { putOnBus } from "./publish";

/** One item change from the table's stream: the item's images after and before the write. */
export interface OutboxChange {
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

/**
 * The outbox relay: puts on the bus the events that one committed write carried (see
 * `storage/outbox.ts`). It runs off the table's stream, so it sees every write exactly as it
 * committed, in order per item; a failure throws, and the stream retries the record until the bus
 * takes it. A record relayed twice publishes the same event ids again, which every consumer
 * dedupes.
 *
 * @returns the events it published.
 */
export async function relay(change: OutboxChange): Promise<DomainEvent[]> {
  const carried = committedEvents(change.newImage?.[OUTBOX_ATTRIBUTE], change.oldImage?.[OUTBOX_ATTRIBUTE]);
  const events = carried.map((event) => DomainEventSchema.parse(event) as DomainEvent);
  if (events.length > 0) await putOnBus(events);
  return events;
}
