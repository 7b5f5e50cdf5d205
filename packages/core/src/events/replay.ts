import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../storage/client";
import { OUTBOX_ATTRIBUTE } from "../storage/outbox";
import { type DomainEvent, DomainEventSchema } from "./detail";
import { putOnBus } from "./publish";

export interface ReplaySummary {
  /** Items read that carry an outbox. */
  carriers: number;
  /** Distinct events in the window. */
  events: number;
  published: number;
}

/**
 * An operator's tool, never a request path: re-publishes every event still held in an outbox
 * (outbox items keep theirs 7 days, delivery records 30, unmapped entries while they live) whose
 * `occurredAt` is in the window. It scans the table, so it is for recovering from a relay that gave
 * up (the `outbox-relay-dlq` alarm), not for routine use. Consumers dedupe by event id, so events
 * that were published already change nothing.
 */
export async function replayOutbox(
  window: { since: Date; until?: Date },
  options: { dryRun?: boolean } = {},
): Promise<ReplaySummary> {
  const since = window.since.toISOString();
  const until = (window.until ?? new Date()).toISOString();
  const byId = new Map<string, DomainEvent>();
  let carriers = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: tableName(),
        FilterExpression: "attribute_exists(#outbox)",
        ProjectionExpression: "#outbox",
        ExpressionAttributeNames: { "#outbox": OUTBOX_ATTRIBUTE },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      carriers += 1;
      for (const raw of JSON.parse(item[OUTBOX_ATTRIBUTE] as string) as unknown[]) {
        const event = DomainEventSchema.parse(raw) as DomainEvent;
        if (event.occurredAt >= since && event.occurredAt <= until) byId.set(event.id, event);
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const events = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  if (!options.dryRun) await putOnBus(events);
  return { carriers, events: events.length, published: options.dryRun ? 0 : events.length };
}
