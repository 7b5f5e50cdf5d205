import { db, outboxItem, type TransactItem, TransactionCancelled } from "../storage";
import { eventFromItem, eventKeys, type InteractionEvent } from "../sync/event";
import { statsChangedFor } from "./events";
import { rollupKeys } from "./keys";
import { type Contribution, contributionOf, writeContribution } from "./lookup";
import {
  type ApplyResult,
  applyInsert,
  applyRemove,
  type PairState,
  type PairStats,
  type RollupEvent,
  rebuildPair,
  type ThreadState,
  threadKey,
} from "./stats";

/**
 * The pair items (`STATS#<user>`) and thread items (`THREAD#<user>#<thread>`) of one
 * correspondent's partition: reading them, folding one event in (one BatchGetItem and one
 * TransactWriteItems), and rebuilding a pair from its events.
 *
 * Concurrency: every pair and thread item carries a `version`, and every write is conditioned on
 * the version it read, so two writers of one pair (two events, or an event and a rebuild) never
 * lose each other's change: the loser reads again and retries. A rebuild writes its threads and
 * the pair in one transaction too (in guarded chunks, pair last, when a pair has more than 90
 * threads to change).
 *
 * `stats.changed` is part of the same transaction (the outbox), whenever the public stats moved
 * and a contact carries the email: a write that commits has published, and a retry that finds
 * the event already folded in has nothing left to publish.
 */

export interface PairRef {
  orgId: string;
  userId: string;
  email: string;
}

export interface StoredPair extends PairState {
  version: number;
  asOf: string;
}

export interface StoredThread extends ThreadState {
  version: number;
}

/** What a write did to the pair's public stats: the caller publishes `stats.changed` for it. */
export interface PairOutcome {
  changed: boolean;
}

const MAX_ATTEMPTS = 8;
const HOUR_MS = 3_600_000;

export function pairKey(ref: PairRef) {
  return rollupKeys.pairStats(ref.orgId, ref.userId, ref.email);
}

export function pairFromItem(item: Record<string, unknown> | undefined): StoredPair | null {
  if (!item) return null;
  return {
    stats: item.stats as PairStats,
    applied: item.applied as number,
    rescuers: item.rescuers as number,
    flaggedInbound: item.flaggedInbound as number,
    quarters: (item.quarters as PairState["quarters"]) ?? {},
    nextAgingAt: (item.nextAgingAt as string | null) ?? null,
    version: item.version as number,
    asOf: item.asOf as string,
  };
}

function threadFromItem(item: Record<string, unknown> | undefined): StoredThread | null {
  if (!item) return null;
  return {
    applied: (item.applied as string[]) ?? [],
    in: item.in as number,
    out: item.out as number,
    lastIn: (item.lastIn as string | null) ?? null,
    lastOut: (item.lastOut as string | null) ?? null,
    version: item.version as number,
  };
}

/** `~` sorts after every ISO time: a pair that cannot age is never due. */
function agingSortKey(ref: PairRef, nextAgingAt: string | null): string {
  return `${nextAgingAt ?? "~"}#${ref.userId}#${ref.email}`;
}

function touchSortKey(ref: PairRef, now: Date): string {
  const hour = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS).toISOString();
  return `${hour}#${ref.userId}#${ref.email}`;
}

/** `touchedAt`: the time that puts the pair in the nightly job's "touched in the last 36 hours". */
function pairItem(
  ref: PairRef,
  pair: PairState,
  version: number,
  now: Date,
  touchedAt: Date | string,
): Record<string, unknown> {
  return {
    ...pairKey(ref),
    entity: "pairStats",
    orgId: ref.orgId,
    userId: ref.userId,
    email: ref.email,
    stats: pair.stats,
    applied: pair.applied,
    rescuers: pair.rescuers,
    flaggedInbound: pair.flaggedInbound,
    quarters: pair.quarters,
    nextAgingAt: pair.nextAgingAt,
    version,
    asOf: now.toISOString(),
    gsi1pk: rollupKeys.pairsByAging(ref.orgId),
    gsi1sk: agingSortKey(ref, pair.nextAgingAt),
    gsi2pk: rollupKeys.pairsByTouch(ref.orgId),
    gsi2sk: typeof touchedAt === "string" ? touchedAt : touchSortKey(ref, touchedAt),
  };
}

function threadItem(
  ref: PairRef,
  key: string,
  thread: ThreadState,
  version: number,
): Record<string, unknown> {
  return {
    ...rollupKeys.thread(ref.orgId, ref.userId, ref.email, key),
    entity: "pairThread",
    userId: ref.userId,
    threadKey: key,
    applied: thread.applied,
    in: thread.in,
    out: thread.out,
    lastIn: thread.lastIn,
    lastOut: thread.lastOut,
    version,
  };
}

/** Put conditioned on the version read (or on absence, when nothing was read). */
function guardedPut(item: Record<string, unknown>, readVersion: number | undefined): TransactItem {
  return readVersion === undefined
    ? { Put: { Item: item, ConditionExpression: "attribute_not_exists(pk)" } }
    : {
        Put: {
          Item: item,
          ConditionExpression: "version = :read",
          ExpressionAttributeValues: { ":read": readVersion },
        },
      };
}

function guardedDelete(key: Record<string, unknown>, readVersion: number): TransactItem {
  return {
    Delete: {
      Key: key,
      ConditionExpression: "version = :read",
      ExpressionAttributeValues: { ":read": readVersion },
    },
  };
}

/** Field by field: a map read back from DynamoDB does not keep its keys' order. */
function sameStats(a: PairStats | undefined, b: PairStats | undefined): boolean {
  if (!a || !b) return !a && !b;
  return (Object.keys(a) as (keyof PairStats)[]).every((field) => a[field] === b[field]);
}

/** A condition that failed (another writer got there first) or a conflict: read again and retry. */
function isLostRace(error: unknown): boolean {
  return error instanceof TransactionCancelled && (error.failedConditions().length > 0 || error.retryable);
}

/** The outbox item telling strength that this member's stats with these contacts moved. */
function statsChangedItem(
  ref: PairRef,
  lookup: Record<string, unknown> | undefined,
  now: Date,
): TransactItem[] {
  const refs = [
    ...((lookup?.contactRefs as Set<string> | undefined) ?? []),
    ...((lookup?.resolvedRefs as Set<string> | undefined) ?? []),
  ];
  if (refs.length === 0) return [];
  return [outboxItem([statsChangedFor(ref.orgId, ref.userId, refs, now)])];
}

export type EventChange = { op: "insert" | "remove"; event: InteractionEvent };

/**
 * Folds one inserted or deleted event into its pair: one consistent BatchGetItem (pair, thread,
 * lookup) and one TransactWriteItems (the pair, the thread, and the lookup when the pair's
 * signal moved). An event the state already reflects writes nothing.
 */
export async function applyChange(change: EventChange, now: Date): Promise<PairOutcome> {
  const ref: PairRef = {
    orgId: change.event.orgId,
    userId: change.event.userId,
    email: change.event.correspondent,
  };
  const key = threadKey(change.event);
  for (let attempt = 1; ; attempt++) {
    const items = await db.batchGet(
      [
        pairKey(ref),
        rollupKeys.thread(ref.orgId, ref.userId, ref.email, key),
        rollupKeys.lookup(ref.orgId, ref.email),
      ],
      true,
    );
    const bySk = new Map(items.map((item) => [item.sk as string, item]));
    const pair = pairFromItem(bySk.get(pairKey(ref).sk));
    const thread = threadFromItem(bySk.get(rollupKeys.thread(ref.orgId, ref.userId, ref.email, key).sk));
    const lookup = bySk.get("#LOOKUP");
    const result: ApplyResult =
      change.op === "insert"
        ? applyInsert(pair, thread, change.event, now)
        : applyRemove(pair, thread, change.event, now);
    if (result === "noop") return { changed: false };
    if (result === "rebuild") return rebuildStoredPair(ref, now, { trigger: change });
    try {
      const writes: TransactItem[] = [];
      const threadKeyAttrs = rollupKeys.thread(ref.orgId, ref.userId, ref.email, key);
      if (result.pair.applied === 0) {
        if (pair) writes.push(guardedDelete(pairKey(ref), pair.version));
      } else {
        writes.push(
          guardedPut(pairItem(ref, result.pair, (pair?.version ?? 0) + 1, now, now), pair?.version),
        );
      }
      if (result.thread.applied.length === 0) {
        if (thread) writes.push(guardedDelete(threadKeyAttrs, thread.version));
      } else {
        writes.push(
          guardedPut(threadItem(ref, key, result.thread, (thread?.version ?? 0) + 1), thread?.version),
        );
      }
      const after = contributionOf(result.pair.applied === 0 ? undefined : result.pair.stats);
      const lookupWrite = writeContribution(ref, lookup, after, now);
      if (lookupWrite) writes.push(lookupWrite);
      const changed = !sameStats(pair?.stats, result.pair.applied === 0 ? undefined : result.pair.stats);
      if (changed) writes.push(...statsChangedItem(ref, lookup, now));
      await db.transactWrite(writes);
      return { changed };
    } catch (error) {
      if (!isLostRace(error) || attempt >= MAX_ATTEMPTS) throw error;
      await jitter(attempt);
    }
  }
}

function jitter(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** Math.min(attempt, 6)));
}

/** Every event of the pair, from the correspondent index (gsi2), across the user's accounts. */
export async function pairEvents(ref: PairRef): Promise<InteractionEvent[]> {
  const events: InteractionEvent[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.query({
      IndexName: "gsi2",
      KeyConditionExpression: "gsi2pk = :pk AND begins_with(gsi2sk, :member)",
      ExpressionAttributeValues: {
        ":pk": eventKeys.correspondent(ref.orgId, ref.email),
        ":member": eventKeys.memberPrefix(ref.userId),
      },
      ExclusiveStartKey: start,
    });
    for (const item of page.Items ?? []) events.push(eventFromItem(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return events;
}

async function pairThreads(ref: PairRef): Promise<Map<string, StoredThread>> {
  const threads = new Map<string, StoredThread>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.query({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: {
        ":pk": rollupKeys.partition(ref.orgId, ref.email),
        ":prefix": rollupKeys.threadPrefix(ref.userId),
      },
      ConsistentRead: true,
      ExclusiveStartKey: start,
    });
    for (const item of page.Items ?? []) {
      const thread = threadFromItem(item);
      if (thread) threads.set(item.threadKey as string, thread);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return threads;
}

function sameThread(a: ThreadState, b: ThreadState): boolean {
  return (
    a.in === b.in &&
    a.out === b.out &&
    a.lastIn === b.lastIn &&
    a.lastOut === b.lastOut &&
    a.applied.join() === b.applied.join()
  );
}

/** The same event, whatever its content: one item per (account, message or meeting, correspondent). */
function sameStoredEvent(a: RollupEvent, b: RollupEvent): boolean {
  return a.accountId === b.accountId && a.remoteId === b.remoteId && a.kind === b.kind;
}

/**
 * The pair's events from the index, corrected by the change that asked for the rebuild: gsi2 is
 * eventually consistent, so an event just written may be missing from it and one just deleted
 * may still be there.
 */
function withTrigger(events: RollupEvent[], trigger: EventChange | undefined): RollupEvent[] {
  if (!trigger) return events;
  const others = events.filter((event) => !sameStoredEvent(event, trigger.event));
  return trigger.op === "insert" ? [...others, trigger.event] : others;
}

function samePairState(a: StoredPair, b: PairState): boolean {
  return (
    sameStats(a.stats, b.stats) &&
    a.applied === b.applied &&
    a.rescuers === b.rescuers &&
    a.flaggedInbound === b.flaggedInbound &&
    a.nextAgingAt === b.nextAgingAt &&
    JSON.stringify(Object.entries(a.quarters).sort()) === JSON.stringify(Object.entries(b.quarters).sort())
  );
}

function fingerprintsOf(threads: Iterable<ThreadState>): string {
  return [...threads]
    .flatMap((thread) => thread.applied)
    .sort()
    .join();
}

/** Writes recent enough that the index may not show their events yet. */
const INDEX_LAG_MS = 30_000;
const MAX_TRANSACTION_ITEMS = 100;

/**
 * Rebuilds one pair from its events, as of `now`: the nightly job, the full rebuild, and the
 * incremental path's fallback (`trigger`, the change that could not be folded in alone). `exclude`
 * drops every event (the correspondent is the user or a teammate). A pair whose state is already
 * what its events give is not written at all, so the nightly job does not keep "touching" the
 * pairs it checks. When the index disagrees with a pair written in the last 30 seconds (it may
 * not show that write's event yet), the rebuild waits and reads again, a few times.
 */
export async function rebuildStoredPair(
  ref: PairRef,
  now: Date,
  options: { exclude?: boolean; trigger?: EventChange } = {},
): Promise<PairOutcome> {
  for (let attempt = 1; ; attempt++) {
    const [pairItemRead, lookup] = await Promise.all([
      db.get({ Key: pairKey(ref), ConsistentRead: true }).then((result) => result.Item),
      db
        .get({ Key: rollupKeys.lookup(ref.orgId, ref.email), ConsistentRead: true })
        .then((result) => result.Item),
    ]);
    const stored = pairFromItem(pairItemRead);
    const [indexed, storedThreads] = await Promise.all([
      options.exclude ? Promise.resolve([] as RollupEvent[]) : pairEvents(ref),
      pairThreads(ref),
    ]);
    const rebuilt = rebuildPair(withTrigger(indexed, options.trigger), now);
    const recent = stored !== null && Date.now() - Date.parse(stored.asOf) < INDEX_LAG_MS;
    if (
      !options.trigger &&
      !options.exclude &&
      recent &&
      attempt < 5 &&
      fingerprintsOf(storedThreads.values()) !== fingerprintsOf(rebuilt.threads.values())
    ) {
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      continue;
    }
    const threadWrites: TransactItem[] = [];
    for (const [key, thread] of rebuilt.threads) {
      const existing = storedThreads.get(key);
      if (existing && sameThread(existing, thread)) continue;
      threadWrites.push(
        guardedPut(threadItem(ref, key, thread, (existing?.version ?? 0) + 1), existing?.version),
      );
    }
    for (const [key, existing] of storedThreads) {
      if (rebuilt.threads.has(key)) continue;
      threadWrites.push(
        guardedDelete(rollupKeys.thread(ref.orgId, ref.userId, ref.email, key), existing.version),
      );
    }
    const pairUnchanged =
      rebuilt.pair === null ? stored === null : stored !== null && samePairState(stored, rebuilt.pair);
    if (pairUnchanged && threadWrites.length === 0) return { changed: false };
    const finalWrites: TransactItem[] = [];
    if (rebuilt.pair) {
      // Only a change that came in (the fallback) is "touched"; the nightly job's own checks are not.
      const touched = options.trigger ? now : ((pairItemRead?.gsi2sk as string | undefined) ?? now);
      finalWrites.push(
        guardedPut(pairItem(ref, rebuilt.pair, (stored?.version ?? 0) + 1, now, touched), stored?.version),
      );
    } else if (stored) {
      finalWrites.push(guardedDelete(pairKey(ref), stored.version));
    }
    const lookupWrite = writeContribution(ref, lookup, contributionOf(rebuilt.pair?.stats), now);
    if (lookupWrite) finalWrites.push(lookupWrite);
    const changed = !sameStats(stored?.stats, rebuilt.pair?.stats);
    if (changed) finalWrites.push(...statsChangedItem(ref, lookup, now));
    try {
      // Usually one transaction; a pair with very many threads to change writes them in guarded
      // chunks first, and a lost race anywhere makes the whole rebuild run again on fresh state.
      let pending = [...threadWrites, ...finalWrites];
      while (pending.length > MAX_TRANSACTION_ITEMS) {
        await db.transactWrite(pending.slice(0, MAX_TRANSACTION_ITEMS - 10));
        pending = pending.slice(MAX_TRANSACTION_ITEMS - 10);
      }
      await db.transactWrite(pending);
      return { changed };
    } catch (error) {
      if (!isLostRace(error) || attempt >= MAX_ATTEMPTS) throw error;
      await jitter(attempt);
    }
  }
}

/** The stored stats of some pairs of one user (absent pairs are left out). */
export async function readPairs(orgId: string, userId: string, emails: readonly string[]) {
  const items = await db.batchGet(emails.map((email) => rollupKeys.pairStats(orgId, userId, email)));
  const byEmail = new Map<string, StoredPair>();
  for (const item of items) {
    const pair = pairFromItem(item);
    if (pair) byEmail.set(item.email as string, pair);
  }
  return byEmail;
}

export type { Contribution };
