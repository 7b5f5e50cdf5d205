import * as z from "zod/mini";
import { envelopeFields } from "../events/detail";
import * as Queues from "../queues";
import { ConditionFailed, db } from "../storage";
import { carryEvents } from "../storage/outbox";
import { logger } from "../util/logger";
import { MailboxConnected, MailboxDisconnected, MailboxScopesChanged, MailboxWipeRequested } from "./events";
import {
  type MailboxProvider,
  SCOPES,
  type SyncJob,
  SyncJobSchema,
  type WipeJob,
  WipeJobSchema,
} from "./schemas";
import { keys, wipePendingAttribute } from "./store";

/**
 * The mailbox queues' work. Both queues take either their own job or the domain event that asks
 * for it (a bus rule forwards it from the outbox), so a job is never lost between a commit and a
 * send: the event is in the commit.
 */

export const WIPE_QUEUE = "mailbox-wipe";

/** Keys deleted per wipe message: 40 BatchWriteItem requests, well inside the consumer's timeout. */
export const WIPE_SLICE = 1_000;

const envelopeOf = <S extends z.ZodMiniType>(detail: S) => z.object({ ...envelopeFields, detail });

export const SyncMessageSchema = z.union([
  SyncJobSchema,
  envelopeOf(MailboxConnected.schema),
  envelopeOf(MailboxScopesChanged.schema),
]);
export type SyncMessage = z.infer<typeof SyncMessageSchema>;

export const WipeMessageSchema = z.union([WipeJobSchema, envelopeOf(MailboxWipeRequested.schema)]);
export type WipeMessage = z.infer<typeof WipeMessageSchema>;

/** The sync jobs a message stands for. */
export function syncJobs(message: SyncMessage): SyncJob[] {
  if (!("detail" in message)) return [message];
  const event = message.detail;
  const base = {
    kind: "sync" as const,
    orgId: event.orgId as string,
    userId: event.data.userId,
    provider: event.data.provider,
    accountId: event.data.accountId,
    requestedAt: event.occurredAt,
  };
  if (event.type === "mailbox.connected") {
    return SCOPES.filter((scope) => event.data.scopes[scope]).map((scope) => ({
      ...base,
      scope,
      reason: "connect",
    }));
  }
  return event.data.enabled.map((scope) => ({ ...base, scope, reason: "scope_enabled" as const }));
}

/** Each provider's syncer consumes its own queue, so its function carries only that provider's clients. */
export function syncQueueFor(provider: MailboxProvider): string {
  return `sync-${provider}`;
}

/**
 * Routes the sync jobs a message stands for to their provider's syncer queue. The syncer decides
 * what to do with each (run it, or record it behind a running chain, or drop it for an account that
 * is gone); a job sent twice is harmless, since one chain per scope holds the lease.
 */
export async function handleSyncMessage(message: SyncMessage): Promise<void> {
  for (const job of syncJobs(message)) await Queues.send(syncQueueFor(job.provider), job);
}

/** The wipe a message stands for: a continuation carries its progress; an event starts at zero. */
export function wipeJob(message: WipeMessage): WipeJob {
  if (!("detail" in message)) return message;
  const event = message.detail;
  return {
    kind: "wipe",
    orgId: event.orgId as string,
    userId: event.data.userId,
    provider: event.data.provider,
    accountId: event.data.accountId,
    ...(event.data.scope ? { scope: event.data.scope } : {}),
    reason: event.data.reason,
    requestId: event.id,
    deleted: 0,
  };
}

export interface WipeOptions {
  slice?: number;
  /** Called after each batch of deletes (tests interrupt a wipe here). */
  afterBatch?: (deletedSoFar: number) => Promise<void> | void;
  now?: Date;
}

/**
 * One bounded slice of a wipe: deletes up to `slice` of the account's (or scope's) events, then
 * either enqueues the continuation or, when none remain, records the wipe's completion with
 * `mailbox.disconnected` in the same conditional write, so it is published once however often the
 * last slice runs. A crash anywhere leaves the message to be redelivered, and the next run queries
 * what is left: no event survives and none is deleted twice.
 */
export async function wipeSlice(job: WipeJob, options: WipeOptions = {}): Promise<"continued" | "completed"> {
  const slice = options.slice ?? WIPE_SLICE;
  const partition = keys.accountEvents(job.accountId);
  let deleted = 0;
  let more = false;
  while (deleted < slice) {
    const page = await db.query({
      KeyConditionExpression: job.scope ? "pk = :pk AND begins_with(sk, :prefix)" : "pk = :pk",
      ExpressionAttributeValues: {
        ":pk": partition,
        ...(job.scope ? { ":prefix": keys.scopeEventsPrefix(job.scope) } : {}),
      },
      ProjectionExpression: "pk, sk",
      Limit: Math.min(100, slice - deleted),
      ConsistentRead: true,
    });
    const found = (page.Items ?? []) as Record<string, unknown>[];
    if (found.length === 0) break;
    await db.batchDelete(found.map((item) => ({ pk: item.pk, sk: item.sk })));
    deleted += found.length;
    await options.afterBatch?.(job.deleted + deleted);
    more = page.LastEvaluatedKey !== undefined;
    if (!more) break;
  }
  if (more || deleted >= slice) {
    await Queues.send(WIPE_QUEUE, { ...job, deleted: job.deleted + deleted } satisfies WipeJob);
    return "continued";
  }
  await completeWipe(job, job.deleted + deleted, options.now ?? new Date());
  return "completed";
}

async function completeWipe(job: WipeJob, total: number, now: Date): Promise<void> {
  const event = MailboxDisconnected.create(
    job.orgId,
    {
      accountId: job.accountId,
      userId: job.userId,
      provider: job.provider,
      ...(job.scope ? { scope: job.scope } : {}),
      reason: job.reason,
      eventsDeleted: total,
    },
    now,
  );
  try {
    await db.put({
      Item: {
        pk: `MAILBOX#${job.accountId}#WIPE#${job.requestId}`,
        sk: "#WIPE",
        entity: "mailboxWipe",
        orgId: job.orgId,
        accountId: job.accountId,
        scope: job.scope ?? null,
        reason: job.reason,
        eventsDeleted: total,
        completedAt: now.toISOString(),
        // Kept a month, long after any redelivery of the wipe's last message.
        expiresAt: Math.floor(now.getTime() / 1000) + 30 * 86_400,
        ...carryEvents([event]),
      },
      ConditionExpression: "attribute_not_exists(pk)",
    });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    return;
  }
  if (job.scope) {
    await resetScopeCount(job, job.scope);
    await clearWipePending(job, job.scope);
  }
  logger.info("mailbox wipe completed", { accountId: job.accountId, scope: job.scope, eventsDeleted: total });
}

/** A wiped scope's `eventsIngested` goes back to 0, if the account still has that scope off. */
async function resetScopeCount(job: WipeJob, scope: "mail" | "calendar"): Promise<void> {
  try {
    await db.update({
      Key: keys.account(job.orgId, job.userId, job.provider),
      UpdateExpression: "SET sync.#scope.eventsIngested = :zero",
      ConditionExpression: "accountId = :accountId AND scopes.#scope = :off",
      ExpressionAttributeNames: { "#scope": scope },
      ExpressionAttributeValues: { ":zero": 0, ":accountId": job.accountId, ":off": false },
    });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
}

/** The scope's syncs wait while its wipe runs (`<scope>WipePending`); this one is done. */
async function clearWipePending(job: WipeJob, scope: "mail" | "calendar"): Promise<void> {
  try {
    await db.update({
      Key: keys.account(job.orgId, job.userId, job.provider),
      UpdateExpression: "REMOVE #pending",
      ConditionExpression: "accountId = :accountId AND #pending = :requestId",
      ExpressionAttributeNames: { "#pending": wipePendingAttribute(scope) },
      ExpressionAttributeValues: { ":accountId": job.accountId, ":requestId": job.requestId },
    });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
}

export async function handleWipeMessage(message: WipeMessage, options?: WipeOptions): Promise<void> {
  await wipeSlice(wipeJob(message), options);
}
