import { db } from "@kith/core/storage";
import { eventItem, type InteractionEvent } from "@kith/core/sync/event";

/** Builders for interaction events written straight into the table, for the rollup's tests and bench. */

export const DAY = 86_400_000;

let sequence = 0;

export interface EventSpec {
  at: Date | string;
  direction?: InteractionEvent["direction"];
  kind?: InteractionEvent["kind"];
  thread?: string;
  newsletter?: boolean;
  bulk?: boolean;
  recipients?: number;
  attendees?: number;
  response?: InteractionEvent["response"];
  cancelled?: boolean;
  remoteId?: string;
}

export function interaction(
  owner: { orgId: string; userId: string; accountId?: string },
  correspondent: string,
  spec: EventSpec,
): InteractionEvent {
  sequence += 1;
  const kind = spec.kind ?? (spec.direction === "attended" ? "meeting" : "email");
  const meeting = kind === "meeting";
  const remoteId = spec.remoteId ?? `r${sequence.toString(36).padStart(6, "0")}`;
  return {
    orgId: owner.orgId,
    userId: owner.userId,
    accountId: owner.accountId ?? `acct-${owner.userId}`,
    provider: meeting ? "gcal" : "gmail",
    kind,
    direction: meeting ? "attended" : (spec.direction ?? "inbound"),
    occurredAt: new Date(spec.at).toISOString(),
    threadId: spec.thread ?? remoteId,
    remoteId,
    correspondent,
    newsletter: spec.newsletter ?? false,
    bulk: spec.bulk ?? (spec.recipients ?? 1) > 20,
    ...(meeting
      ? {
          attendeeCount: spec.attendees ?? 2,
          response: spec.response ?? "accepted",
          cancelled: spec.cancelled ?? false,
        }
      : { recipientCount: spec.recipients ?? 1 }),
  };
}

export async function storeEvents(events: readonly InteractionEvent[]): Promise<void> {
  await db.batchPut(events.map(eventItem), { inFlight: 4 });
}

export async function deleteEvents(events: readonly InteractionEvent[]): Promise<void> {
  await db.batchDelete(
    events.map((event) => {
      const item = eventItem(event);
      return { pk: item.pk, sk: item.sk };
    }),
  );
}
