import { randomUUID } from "node:crypto";
import {
  ConditionFailed,
  carryEvents,
  db,
  OUTBOX_ATTRIBUTE,
  type OutboxEvent,
  outboxValue,
} from "../storage";

/**
 * Delivery records: each provider delivery id is processed once per org. A record is kept for 30
 * days (a TTL item), longer than any provider retries or lets an operator redeliver (GitHub keeps
 * deliveries for redelivery 3 days, Slack retries for about an hour). GitHub and GitLab sign no
 * timestamp, so a captured delivery replayed after its record expires is processed again: that is
 * the residual risk, and 30 days bounds how stale such a replay can be (docs/decisions.md).
 *
 * Two ways in:
 * - `recordDone`: the delivery writes nothing else (its sender is already known), so one
 *   conditional put both dedupes and finishes it.
 * A refused write says why: `done` (a replay: answered 200, nothing changes) or `in_flight` (another
 * attempt holds a live lease: answered 503 with Retry-After, so a provider that retried too early,
 * like Slack after 3 s, comes back rather than taking a 200 for work that may still fail).
 * - `lease` → `complete` | `release`: the delivery writes (a new user, a sighting), so it is first
 *   leased. A replay meanwhile or afterwards finds the record and changes nothing; a delivery whose
 *   processing failed is released so the provider's retry runs it, and one whose process died
 *   becomes leasable again once the lease runs out.
 */

export const RETENTION_SECONDS = 30 * 86_400;
/** Longer than a webhook function may run, shorter than the first provider retry (Slack: ~1 min). */
export const LEASE_MS = 30_000;

export interface DeliveryKey {
  orgId: string;
  provider: string;
  deliveryId: string;
}

const key = ({ orgId, provider, deliveryId }: DeliveryKey) => ({
  pk: `ORG#${orgId}#DELIVERY#${provider}#${deliveryId}`,
  sk: "#DELIVERY",
});

function baseValues(delivery: DeliveryKey & { eventType: string }, now: Date) {
  return {
    entity: "webhookDelivery",
    orgId: delivery.orgId,
    provider: delivery.provider,
    deliveryId: delivery.deliveryId,
    eventType: delivery.eventType,
    receivedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + RETENTION_SECONDS,
  };
}

/** Why a delivery could not be recorded or leased: it was processed, or another attempt holds it now. */
export type Refusal = "done" | "in_flight";

/** A record no attempt may take: processed, or leased by an attempt whose lease has not run out. */
const TAKEABLE =
  "attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#state = :processing AND leaseExpiresAt < :nowMs)";

function takeableValues(now: Date) {
  return {
    ":nowSeconds": Math.floor(now.getTime() / 1000),
    ":nowMs": now.getTime(),
    ":processing": "processing",
  };
}

/** After a refused write: was the delivery processed, or is it being processed right now? */
async function refusal(delivery: DeliveryKey, now: Date): Promise<Refusal> {
  const found = await db.get({ Key: key(delivery), ConsistentRead: true });
  const item = found.Item;
  return item?.state === "processing" && (item.leaseExpiresAt as number) >= now.getTime()
    ? "in_flight"
    : "done";
}

/**
 * Records a delivery that needs no other write (its sender is known). A record left `processing` by
 * an attempt that died is taken over once its lease has run out.
 */
export async function recordDone(
  delivery: DeliveryKey & { eventType: string },
  outcome: string,
  now = new Date(),
  events: readonly OutboxEvent[] = [],
): Promise<true | Refusal> {
  try {
    await db.put({
      Item: {
        ...key(delivery),
        ...baseValues(delivery, now),
        state: "done",
        outcome,
        ...carryEvents(events),
      },
      ConditionExpression: TAKEABLE,
      ExpressionAttributeNames: { "#state": "state" },
      ExpressionAttributeValues: takeableValues(now),
    });
    return true;
  } catch (error) {
    if (error instanceof ConditionFailed) return refusal(delivery, now);
    throw error;
  }
}

export interface Lease extends DeliveryKey {
  token: string;
}

/** Leases a delivery for processing; refused when it was processed, or is being processed now. */
export async function lease(
  delivery: DeliveryKey & { eventType: string },
  now = new Date(),
): Promise<Lease | Refusal> {
  const token = randomUUID();
  try {
    await db.put({
      Item: {
        ...key(delivery),
        ...baseValues(delivery, now),
        state: "processing",
        leaseToken: token,
        leaseExpiresAt: now.getTime() + LEASE_MS,
      },
      ConditionExpression: TAKEABLE,
      ExpressionAttributeNames: { "#state": "state" },
      ExpressionAttributeValues: takeableValues(now),
    });
    return { ...delivery, token };
  } catch (error) {
    if (error instanceof ConditionFailed) return refusal(delivery, now);
    throw error;
  }
}

/** Marks a leased delivery processed, with the events its processing causes. */
export async function complete(
  held: Lease,
  outcome: string,
  events: readonly OutboxEvent[] = [],
): Promise<void> {
  try {
    await db.update({
      Key: key(held),
      UpdateExpression: `SET #state = :done, outcome = :outcome${events.length > 0 ? ", #outbox = :outbox" : ""} REMOVE leaseToken, leaseExpiresAt`,
      ConditionExpression: "leaseToken = :token",
      ExpressionAttributeNames: {
        "#state": "state",
        ...(events.length > 0 ? { "#outbox": OUTBOX_ATTRIBUTE } : {}),
      },
      ExpressionAttributeValues: {
        ":done": "done",
        ":outcome": outcome,
        ":token": held.token,
        ...(events.length > 0 ? { ":outbox": outboxValue(events) } : {}),
      },
    });
  } catch (error) {
    // The lease ran out and another attempt took it over; its own completion records the outcome.
    if (!(error instanceof ConditionFailed)) throw error;
  }
}

/** Gives a delivery back after a failure, so the provider's retry processes it. */
export async function release(held: Lease): Promise<void> {
  try {
    await db.delete({
      Key: key(held),
      ConditionExpression: "leaseToken = :token",
      ExpressionAttributeValues: { ":token": held.token },
    });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
}
