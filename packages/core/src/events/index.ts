import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { monotonicFactory } from "ulid";
import { z } from "zod";
import { env } from "../config";
import { logger } from "../util/logger";

/** The `source` of every Kith domain event on the bus (mirrors `EVENT_SOURCE` in the manifest). */
export const SOURCE = "kith";

/** The `detail` of every domain event. `type` is also the EventBridge `detail-type`. */
export const DomainEventSchema = z.object({
  id: z.string().min(1),
  type: z.string().regex(/^[a-z]+(\.[a-z_]+)+$/, "type looks like noun.verb"),
  occurredAt: z.iso.datetime(),
  orgId: z.string().min(1).nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type DomainEvent = z.infer<typeof DomainEventSchema>;

/**
 * The envelope EventBridge delivers to SQS and Lambda targets. The local bus builds the same
 * shape, so consumers parse one format in both runtimes.
 */
export const BusEnvelopeSchema = z.object({
  version: z.string(),
  id: z.string(),
  "detail-type": z.string(),
  source: z.string(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: DomainEventSchema,
});
export type BusEnvelope = z.infer<typeof BusEnvelopeSchema>;

const nextId = monotonicFactory();

/** Builds a domain event; ids are ULIDs, so they sort by time. */
export function create(
  type: string,
  orgId: string | null,
  data: Record<string, unknown>,
  at = new Date(),
): DomainEvent {
  return DomainEventSchema.parse({
    id: nextId(at.getTime()),
    type,
    occurredAt: at.toISOString(),
    orgId,
    data,
  });
}

let client: EventBridgeClient | undefined;
function bus(): EventBridgeClient {
  client ??= new EventBridgeClient({});
  return client;
}

/** PutEvents takes at most 10 entries per call. */
const MAX_ENTRIES_PER_CALL = 10;
const MAX_ATTEMPTS = 3;

/**
 * Publishes events to the domain bus. Call it only after the write the events describe has
 * committed: a consumer must never see an event for state it cannot read. Entries that
 * EventBridge rejects are retried; what still fails is thrown, so the caller's retry (an SQS
 * redelivery, a webhook retry) publishes again. Consumers dedupe by event id.
 */
export async function publish(events: readonly DomainEvent[]): Promise<void> {
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

export { publishAfterCommit } from "./after-commit";
