import { MailboxBackfillProgress } from "../mailbox/events";
import type { Scope, SyncState } from "../mailbox/schemas";
import { fromItem, keys as mailboxKeys, type StoredAccount, syncerAttribute } from "../mailbox/store";
import { ConditionFailed, db } from "../storage";
import { carryEvents } from "../storage/outbox";
import { eventItem, eventKeys, type InteractionEvent } from "./event";

/**
 * A scope's sync state lives on its mailbox account item, beside the public `sync.<scope>`:
 * - `<scope>Lease` `{owner, seq, holder, heartbeat, until}`: the one job chain that may sync the
 *   scope now (`owner`), which of its messages runs it (`seq`, moved on at each hand-off) and the
 *   invocation running it (`holder`, with its last `heartbeat`);
 * - `<scope>Cursor`: the provider's checkpoint (page token, history id, sync token, delta links);
 * - `<scope>Milestones`: the backfill milestones already published.
 * Every commit is one UpdateItem conditioned on the lease, so a job that lost its lease (it ran
 * past it, or the scope was turned off, or the account was disconnected) cannot move the cursor.
 */

/** A syncer's own checkpoint shape, stored as a map. */
export type Cursor = object;

export interface ScopeState {
  account: StoredAccount;
  cursor: Cursor | undefined;
  lease: { owner: string; seq?: number; holder?: string; heartbeat?: number; until: number } | undefined;
  milestones: string[];
  pendingRequest: boolean;
}

const leaseAttribute = syncerAttribute.lease;

/** Who holds a scope: the chain, the message of it being run, and this invocation. */
export interface LeaseHold {
  owner: string;
  seq: number;
  holder: string;
}

/**
 * An invocation whose last heartbeat is older than this is dead (the consumer's timeout is 120 s),
 * so a redelivery of its message may take over its chain.
 */
export const HOLDER_STALE_MS = 150_000;

function leaseValue(hold: LeaseHold, until: number, now: number) {
  return { owner: hold.owner, seq: hold.seq, holder: hold.holder, heartbeat: now, until };
}

const HOLD_NAMES = { "#owner": "owner", "#holder": "holder" };
const cursorAttribute = syncerAttribute.cursor;
const milestonesAttribute = syncerAttribute.milestones;
export const pendingAttribute = syncerAttribute.pending;

const SYNCABLE = { ":connected": "connected", ":syncing": "syncing", ":error": "error" };
const SYNCABLE_CONDITION = "#status IN (:connected, :syncing, :error)";

export async function readScopeState(
  ref: { orgId: string; userId: string; provider: StoredAccount["provider"] },
  scope: Scope,
): Promise<ScopeState | undefined> {
  const item = (
    await db.get({ Key: mailboxKeys.account(ref.orgId, ref.userId, ref.provider), ConsistentRead: true })
  ).Item;
  if (!item) return undefined;
  return {
    account: fromItem(item),
    cursor: item[cursorAttribute(scope)] as Cursor | undefined,
    lease: item[leaseAttribute(scope)] as ScopeState["lease"],
    milestones: (item[milestonesAttribute(scope)] as string[] | undefined) ?? [],
    pendingRequest: item[pendingAttribute(scope)] !== undefined,
  };
}

/**
 * Takes the scope's lease for this invocation: when it is free or expired; or when it is its own
 * chain's, at the message the chain handed off to (`seq`), and no live invocation holds it (a
 * redelivery after a crash takes over; a duplicate delivery of a message that is running, or that
 * already handed off, does not). A chain that starts also clears a pending request, since it
 * serves it; a continuation leaves one that arrived while the chain ran, for the chain's end.
 */
export async function acquireLease(
  account: StoredAccount,
  scope: Scope,
  hold: LeaseHold,
  until: number,
  now: number,
  starting: boolean,
): Promise<boolean> {
  try {
    await db.update({
      Key: mailboxKeys.account(account.orgId, account.userId, account.provider),
      UpdateExpression: `SET #lease = :lease, #status = :syncing${starting ? " REMOVE #pending" : ""}`,
      ConditionExpression: `accountId = :accountId AND scopes.#scope = :on AND ${SYNCABLE_CONDITION} AND (attribute_not_exists(#lease) OR #lease.#until < :now OR (#lease.#owner = :owner AND #lease.#seq = :seq AND (attribute_not_exists(#lease.#holder) OR #lease.#heartbeat < :stale)))`,
      ExpressionAttributeNames: {
        "#lease": leaseAttribute(scope),
        ...(starting ? { "#pending": pendingAttribute(scope) } : {}),
        "#status": "status",
        "#scope": scope,
        "#until": "until",
        "#seq": "seq",
        "#heartbeat": "heartbeat",
        ...HOLD_NAMES,
      },
      ExpressionAttributeValues: {
        ":lease": leaseValue(hold, until, now),
        ":accountId": account.accountId,
        ":on": true,
        ":now": now,
        ":stale": now - HOLDER_STALE_MS,
        ":owner": hold.owner,
        ":seq": hold.seq,
        ...SYNCABLE,
      },
    });
    return true;
  } catch (error) {
    if (error instanceof ConditionFailed) return false;
    throw error;
  }
}

/**
 * Passes the chain on to its next message: the lease stays the chain's, at `seq + 1`, held by no
 * invocation until that message runs. False when this invocation no longer holds it.
 */
export async function handOffLease(
  account: StoredAccount,
  scope: Scope,
  hold: LeaseHold,
  until: number,
): Promise<boolean> {
  try {
    await db.update({
      Key: mailboxKeys.account(account.orgId, account.userId, account.provider),
      UpdateExpression: "SET #lease.#seq = :next, #lease.#until = :until REMOVE #lease.#holder",
      ConditionExpression: "accountId = :accountId AND #lease.#owner = :owner AND #lease.#holder = :holder",
      ExpressionAttributeNames: {
        "#lease": leaseAttribute(scope),
        "#seq": "seq",
        "#until": "until",
        ...HOLD_NAMES,
      },
      ExpressionAttributeValues: {
        ":next": hold.seq + 1,
        ":until": until,
        ":accountId": account.accountId,
        ":owner": hold.owner,
        ":holder": hold.holder,
      },
    });
    return true;
  } catch (error) {
    if (error instanceof ConditionFailed) return false;
    throw error;
  }
}

/** Records that a sync was asked for while another chain held the lease; that chain runs it when it is done. */
export async function recordPendingRequest(
  account: StoredAccount,
  scope: Scope,
  requestedAt: string,
): Promise<void> {
  try {
    await db.update({
      Key: mailboxKeys.account(account.orgId, account.userId, account.provider),
      UpdateExpression: "SET #pending = :request",
      ConditionExpression: "accountId = :accountId",
      ExpressionAttributeNames: { "#pending": pendingAttribute(scope) },
      ExpressionAttributeValues: { ":request": { requestedAt }, ":accountId": account.accountId },
    });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
}

export interface StepWrite {
  upserts: readonly InteractionEvent[];
  /** Remote ids (messages, meetings) whose events are all deleted. */
  removals: readonly string[];
  /** Remote ids whose events are exactly `upserts`' for that id: any other correspondent's event goes. */
  replacements: readonly string[];
  /** A re-sync's mark on every event it writes, so what it did not write again can be found after. */
  mark?: string;
}

/**
 * Writes a step's events, before its checkpoint: puts are unconditional and keyed by (account,
 * remote id, correspondent), so a step that crashed before its commit writes the same items again
 * when it is retried. Returns the change in the scope's event count.
 */
export async function writeEvents(accountId: string, scope: Scope, write: StepWrite): Promise<number> {
  const partition = eventKeys.partition(accountId);
  // One item per key: a batch may not name a key twice.
  const byKey = new Map<unknown, Record<string, unknown>>();
  for (const event of write.upserts) {
    const item: Record<string, unknown> = {
      ...eventItem(event),
      ...(write.mark ? { mark: write.mark } : {}),
    };
    byKey.set(item.sk, item);
  }
  const items = [...byKey.values()];
  const keep = new Set(items.map((item) => item.sk as string));
  const stale: Record<string, unknown>[] = [];
  let replacedExisting = 0;
  for (const remoteId of [...new Set([...write.removals, ...write.replacements])]) {
    for (const sk of await eventSortKeys(accountId, eventKeys.remotePrefix(scope, remoteId))) {
      if (keep.has(sk)) replacedExisting += 1;
      else stale.push({ pk: partition, sk });
    }
  }
  if (stale.length > 0) await db.batchDelete(stale);
  // Four requests at once: a step's ~6 batches land in the time of two; keys are distinct, so the
  // order between batches does not matter.
  if (items.length > 0) await db.batchPut(items, { inFlight: 4 });
  return items.length - replacedExisting - stale.length;
}

async function eventSortKeys(accountId: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  await queryEvents(accountId, { prefix, projection: "sk", consistent: true }, (items) => {
    for (const item of items) out.push(item.sk as string);
  });
  return out;
}

export interface Commit {
  cursor: Cursor;
  phase: SyncState["phase"];
  progress: number;
  backfilledThrough: string | null;
  eventsDelta: number;
  /** Replaces the count (after a recount), instead of adding `eventsDelta`. */
  eventsIngested?: number;
  leaseUntil: number;
  /** A milestone reached by this step, published once with the commit. */
  milestone?: "recent_90d" | "complete";
  now: Date;
}

/**
 * The step's commit point: the cursor, the public sync state and the lease renewal in one
 * conditional UpdateItem (and a milestone's event in the same write, through the outbox).
 * False when the lease is lost: the caller stops, and the cursor stays where the lease holder left it.
 */
export async function commitStep(
  state: ScopeState,
  scope: Scope,
  hold: LeaseHold,
  commit: Commit,
): Promise<boolean> {
  const { account } = state;
  const milestone =
    commit.milestone && !state.milestones.includes(commit.milestone) ? commit.milestone : undefined;
  const names: Record<string, string> = {
    "#cursor": cursorAttribute(scope),
    "#lease": leaseAttribute(scope),
    "#scope": scope,
    "#status": "status",
    ...HOLD_NAMES,
  };
  const values: Record<string, unknown> = {
    ":cursor": commit.cursor,
    ":phase": commit.phase,
    ":progress": commit.progress,
    ":through": commit.backfilledThrough,
    ":at": commit.now.toISOString(),
    ":lease": leaseValue(hold, commit.leaseUntil, commit.now.getTime()),
    ":owner": hold.owner,
    ":holder": hold.holder,
    ":accountId": account.accountId,
    ":on": true,
    ...SYNCABLE,
  };
  const sets = [
    "#cursor = :cursor",
    "#lease = :lease",
    "sync.#scope.phase = :phase",
    "sync.#scope.progress = :progress",
    "sync.#scope.backfilledThrough = :through",
    "sync.#scope.lastSyncAt = :at",
    "sync.#scope.lastError = :none",
  ];
  values[":none"] = null;
  let add = "";
  if (commit.eventsIngested !== undefined) {
    sets.push("sync.#scope.eventsIngested = :count");
    values[":count"] = commit.eventsIngested;
  } else if (commit.eventsDelta !== 0) {
    add = " ADD sync.#scope.eventsIngested :delta";
    values[":delta"] = commit.eventsDelta;
  }
  if (milestone) {
    const event = MailboxBackfillProgress.create(
      account.orgId,
      {
        accountId: account.accountId,
        userId: account.userId,
        provider: account.provider,
        scope,
        milestone,
        backfilledThrough: commit.backfilledThrough,
        progress: commit.progress,
        eventsIngested: Math.max(
          0,
          commit.eventsIngested ?? (account.sync[scope]?.eventsIngested ?? 0) + commit.eventsDelta,
        ),
      },
      commit.now,
    );
    names["#milestones"] = milestonesAttribute(scope);
    names["#outbox"] = "outbox";
    values[":milestones"] = [...state.milestones, milestone];
    values[":outbox"] = carryEvents([event]).outbox;
    sets.push("#milestones = :milestones", "#outbox = :outbox");
  }
  try {
    await db.update({
      Key: mailboxKeys.account(account.orgId, account.userId, account.provider),
      UpdateExpression: `SET ${sets.join(", ")}${add}`,
      ConditionExpression: `accountId = :accountId AND scopes.#scope = :on AND ${SYNCABLE_CONDITION} AND #lease.#owner = :owner AND #lease.#holder = :holder`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  } catch (error) {
    if (error instanceof ConditionFailed) return false;
    throw error;
  }
  if (milestone) state.milestones = [...state.milestones, milestone];
  return true;
}

/**
 * Ends a chain: frees the lease, and tells whether a request arrived while it ran (the caller then
 * runs one more pass instead). The account goes back to `connected` unless the other scope's chain
 * is still running.
 */
export async function releaseLease(
  state: ScopeState,
  scope: Scope,
  hold: LeaseHold,
  outcome: { error?: string; now: Date },
): Promise<void> {
  const { account } = state;
  const other: Scope = scope === "mail" ? "calendar" : "mail";
  const key = mailboxKeys.account(account.orgId, account.userId, account.provider);
  const names = { "#lease": leaseAttribute(scope), ...HOLD_NAMES, "#scope": scope, "#status": "status" };
  try {
    await db.update({
      Key: key,
      UpdateExpression: outcome.error
        ? "REMOVE #lease SET sync.#scope.lastError = :error, #status = :errorStatus"
        : "REMOVE #lease",
      ConditionExpression: "accountId = :accountId AND #lease.#owner = :owner AND #lease.#holder = :holder",
      ExpressionAttributeNames: outcome.error ? names : { "#lease": names["#lease"], ...HOLD_NAMES },
      ExpressionAttributeValues: {
        ":accountId": account.accountId,
        ":owner": hold.owner,
        ":holder": hold.holder,
        ...(outcome.error ? { ":error": outcome.error.slice(0, 300), ":errorStatus": "error" } : {}),
      },
    });
  } catch (error) {
    if (error instanceof ConditionFailed) return;
    throw error;
  }
  if (outcome.error) return;
  try {
    await db.update({
      Key: key,
      UpdateExpression: "SET #status = :connected",
      ConditionExpression:
        "accountId = :accountId AND #status = :syncing AND (attribute_not_exists(#other) OR #other.#until < :now)",
      ExpressionAttributeNames: { "#status": "status", "#other": leaseAttribute(other), "#until": "until" },
      ExpressionAttributeValues: {
        ":accountId": account.accountId,
        ":syncing": "syncing",
        ":connected": "connected",
        ":now": outcome.now.getTime(),
      },
    });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
}

/** One Query over the account's events under a sort-key prefix, every page, each handed to `visit`. */
async function queryEvents(
  accountId: string,
  query: {
    prefix: string;
    filter?: string;
    names?: Record<string, string>;
    values?: Record<string, unknown>;
    projection?: string;
    count?: boolean;
    consistent?: boolean;
  },
  visit: (items: Record<string, unknown>[], count: number) => void,
): Promise<void> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.query({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ...(query.filter ? { FilterExpression: query.filter } : {}),
      ...(query.names ? { ExpressionAttributeNames: query.names } : {}),
      ExpressionAttributeValues: {
        ":pk": eventKeys.partition(accountId),
        ":prefix": query.prefix,
        ...query.values,
      },
      ...(query.count ? { Select: "COUNT" as const } : { ProjectionExpression: query.projection }),
      ...(query.consistent ? { ConsistentRead: true } : {}),
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    visit((page.Items ?? []) as Record<string, unknown>[], page.Count ?? 0);
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Counts a scope's stored events (after a backfill or a re-sync): a Query of keys only. */
export async function countEvents(accountId: string, scope: Scope): Promise<number> {
  let total = 0;
  await queryEvents(accountId, { prefix: `${scope}#`, count: true }, (_items, count) => {
    total += count;
  });
  return total;
}

/**
 * Remote ids of a scope's stored events that a re-sync marked `mark` did not write again
 * (optionally one direction only, and dated at or after `since`): what the provider no longer has.
 */
export async function unmarkedRemoteIds(
  accountId: string,
  scope: Scope,
  mark: string,
  only: { direction?: InteractionEvent["direction"]; since?: string } = {},
): Promise<Set<string>> {
  return remoteIdsWhere(
    accountId,
    scope,
    `(attribute_not_exists(#mark) OR #mark <> :mark)${only.since ? " AND occurredAt >= :since" : ""}`,
    { ":mark": mark, ...(only.since ? { ":since": only.since } : {}) },
    { "#mark": "mark" },
    only.direction,
  );
}

async function remoteIdsWhere(
  accountId: string,
  scope: Scope,
  filter: string,
  values: Record<string, unknown>,
  names: Record<string, string>,
  direction?: InteractionEvent["direction"],
): Promise<Set<string>> {
  const out = new Set<string>();
  await queryEvents(
    accountId,
    {
      prefix: `${scope}#`,
      filter: direction ? `${filter} AND direction = :direction` : filter,
      names: Object.keys(names).length > 0 ? names : undefined,
      values: { ...values, ...(direction ? { ":direction": direction } : {}) },
      projection: "remoteId",
      // Strongly consistent: the step just before wrote (and marked) some of these.
      consistent: true,
    },
    (items) => {
      for (const item of items) out.add(item.remoteId as string);
    },
  );
  return out;
}
