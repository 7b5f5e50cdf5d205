import { db, type TransactItem } from "./client";
import { TransactionCancelled } from "./errors";
import { type OutboxEvent, outboxItem, outboxRecord } from "./outbox";

/**
 * One element of a unit of work, with the domain error its condition stands for. When the
 * transaction is cancelled, the first item (in request order) whose condition failed decides the
 * error, so a lost email claim becomes `EmailTaken` rather than a generic conflict.
 */
export interface GuardedItem extends TransactItem {
  onConditionFailed?: () => Error;
}

/** DynamoDB's limit on items per `TransactWriteItems`. */
export const MAX_TRANSACTION_ITEMS = 100;

export interface CommitOptions {
  /**
   * The domain events this unit of work causes. They are written in the same transaction, in an
   * outbox item the table's stream relays to the bus (`outbox.ts`): they exist exactly when the
   * change does.
   */
  events?: readonly OutboxEvent[];
  now?: Date;
}

/**
 * Writes every item in one `TransactWriteItems`: all of them or none, together with the unit's
 * events. Condition failures are translated through each item's `onConditionFailed`; other
 * cancellations (a conflicting concurrent transaction, throttling) surface as the retryable
 * `TransactionCancelled`. Events alone (no state to change, e.g. a heartbeat) are one PutItem.
 */
export async function commit(items: readonly GuardedItem[], options: CommitOptions = {}): Promise<void> {
  const events = options.events ?? [];
  if (items.length === 0) {
    if (events.length > 0) await db.put({ Item: outboxRecord(events, options.now) });
    return;
  }
  const all: GuardedItem[] = events.length > 0 ? [...items, outboxItem(events, options.now)] : [...items];
  if (all.length > MAX_TRANSACTION_ITEMS) {
    throw new Error(`a transaction holds at most ${MAX_TRANSACTION_ITEMS} items, got ${all.length}`);
  }
  try {
    await db.transactWrite(all.map(({ onConditionFailed: _, ...item }) => item));
  } catch (error) {
    if (error instanceof TransactionCancelled) {
      for (const index of error.failedConditions()) {
        const translate = all[index]?.onConditionFailed;
        if (translate) throw translate();
      }
    }
    throw error;
  }
}

/**
 * Runs an optimistic read-modify-write until it commits: `attempt` reads, decides and commits;
 * a lost race (`isRetryable`) runs it again on fresh state, with jittered backoff.
 */
export async function retryOnConflict<T>(
  attempt: () => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  maxAttempts = 6,
): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const retryable =
        isRetryable(error) ||
        (error instanceof TransactionCancelled && error.retryable && !error.failedConditions().length);
      if (!retryable || tries >= maxAttempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** tries));
    }
  }
}
