import { syncQueueFor } from "../mailbox/jobs";
import { type MailboxProvider, SCOPES, type SyncJob } from "../mailbox/schemas";
import { keys as mailboxKeys } from "../mailbox/store";
import * as Queues from "../queues";
import { db } from "../storage";
import { logger } from "../util/logger";

/**
 * The daily fan-out: one sync job per (account, enabled scope) of a provider, sent to that
 * provider's syncer queue. Accounts come from gsi2 (`MAILBOXES#<provider>`), a page at a time.
 * Jobs are spread over the next 15 minutes (SQS's longest delay) so a large tenant does not start
 * every mailbox in the same second. A job for a scope already syncing is recorded behind the
 * running chain by the syncer, so the fan-out needs no check of its own.
 */

const SPREAD_SECONDS = 900;

export interface FanOutResult {
  accounts: number;
  jobs: number;
}

export async function fanOut(provider: MailboxProvider, now = new Date()): Promise<FanOutResult> {
  let accounts = 0;
  let jobs = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.query({
      IndexName: "gsi2",
      KeyConditionExpression: "gsi2pk = :pk",
      ExpressionAttributeValues: { ":pk": mailboxKeys.providerAccounts(provider) },
      ProjectionExpression: "orgId, userId, accountId, #status, scopes",
      ExpressionAttributeNames: { "#status": "status" },
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    const messages: Queues.BatchEntry[] = [];
    for (const item of page.Items ?? []) {
      if (!["connected", "syncing", "error"].includes(item.status as string)) continue;
      accounts += 1;
      const scopes = (item.scopes ?? {}) as Record<string, boolean>;
      for (const scope of SCOPES) {
        if (!scopes[scope]) continue;
        const job: SyncJob = {
          kind: "sync",
          orgId: item.orgId as string,
          userId: item.userId as string,
          provider,
          accountId: item.accountId as string,
          scope,
          reason: "schedule",
          requestedAt: now.toISOString(),
        };
        messages.push({ body: job, delaySeconds: spreadOf(job.accountId) });
      }
    }
    await Queues.sendBatch(syncQueueFor(provider), messages);
    jobs += messages.length;
    start = page.LastEvaluatedKey;
  } while (start);
  logger.info("mailbox sync fan-out", { provider, accounts, jobs });
  return { accounts, jobs };
}

/** A stable delay per account, so its jobs start at the same offset every day. */
function spreadOf(accountId: string): number {
  let hash = 0;
  for (const char of accountId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % SPREAD_SECONDS;
}
