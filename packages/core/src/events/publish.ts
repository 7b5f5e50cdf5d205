import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { env } from "../config";
import { logger } from "../util/logger";
import { type DomainEvent, SOURCE } from "./detail";

let client: EventBridgeClient | undefined;
function bus(): EventBridgeClient {
  client ??= new EventBridgeClient({});
  return client;
}

/** PutEvents takes at most 10 entries per call. */
const MAX_ENTRIES_PER_CALL = 10;
const MAX_ATTEMPTS = 3;

/**
 * Puts committed events on the domain bus. Only the outbox relay calls it (`relay.ts`): an event
 * reaches the bus after the write that carried it has committed, never from a request path.
 * Entries EventBridge rejects are retried; what still fails is thrown, so the stream redelivers
 * the record and publishes again. Every consumer dedupes by event id, so a re-publish is harmless.
 */
export async function putOnBus(events: readonly DomainEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += MAX_ENTRIES_PER_CALL) {
    let pending: PutEventsRequestEntry[] = events.slice(start, start + MAX_ENTRIES_PER_CALL).map((event) => ({
      EventBusName: env.eventBusName(),
      Source: SOURCE,
      DetailType: event.type,
      Time: new Date(event.occurredAt),
      Detail: JSON.stringify(event),
    }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const result = await bus().send(new PutEventsCommand({ Entries: pending }));
      if (!result.FailedEntryCount) break;
      const failed = pending.filter((_, index) => result.Entries?.[index]?.ErrorCode);
      if (attempt >= MAX_ATTEMPTS) {
        const codes = result.Entries?.map((entry) => entry.ErrorCode).filter(Boolean);
        throw new Error(`EventBridge rejected ${failed.length} event(s): ${codes?.join(", ")}`);
      }
      logger.warn("retrying rejected domain events", { failed: failed.length, attempt });
      pending = failed;
    }
  }
}
