import { syncQueueFor } from "../mailbox/jobs";
import { type MailboxProvider, SCOPES, type SyncJob } from "../mailbox/schemas";
import { LIVE_STATUSES, providerAccountPages } from "../mailbox/store";
import * as Queues from "../queues";
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
  for await (const page of providerAccountPages(provider)) {
    const messages: Queues.BatchEntry[] = [];
    for (const item of page) {
      if (!LIVE_STATUSES.includes(item.status)) continue;
      accounts += 1;
      for (const scope of SCOPES) {
        if (!item.scopes[scope]) continue;
        const job: SyncJob = {
          kind: "sync",
          orgId: item.orgId,
          userId: item.userId,
          provider,
          accountId: item.accountId,
          scope,
          reason: "schedule",
          requestedAt: now.toISOString(),
        };
        messages.push({ body: job, delaySeconds: spreadOf(job.accountId) });
      }
    }
    await Queues.sendBatch(syncQueueFor(provider), messages);
    jobs += messages.length;
  }
  logger.info("mailbox sync fan-out", { provider, accounts, jobs });
  return { accounts, jobs };
}

/** A stable delay per account, so its jobs start at the same offset every day. */
function spreadOf(accountId: string): number {
  let hash = 0;
  for (const char of accountId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % SPREAD_SECONDS;
}
