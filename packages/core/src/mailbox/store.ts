import { db, type GuardedItem } from "../storage";
import type {
  AccountStatus,
  MailboxAccount,
  MailboxProvider,
  Scope,
  ScopeToggles,
  SyncState,
} from "./schemas";

/**
 * Mailbox items. One account per (user, provider), under the user's mailbox partition; its
 * interaction events (written by the syncers) live in the account's own partition, so a wipe is a
 * Query and batched deletes on one key, and a scope's events share a sort-key prefix.
 */

export const keys = {
  account: (orgId: string, userId: string, provider: MailboxProvider) => ({
    pk: `ORG#${orgId}#USER#${userId}#MAILBOX`,
    sk: `MAILBOX#${provider}`,
  }),
  userAccounts: (orgId: string, userId: string) => `ORG#${orgId}#USER#${userId}#MAILBOX`,
  /** The partition of an account's interaction events; their sort keys start with the scope. */
  accountEvents: (accountId: string) => `MAILBOX#${accountId}#EVENTS`,
  scopeEventsPrefix: (scope: Scope) => `${scope}#`,
  /** gsi2: every account of a provider, for the daily fan-out. */
  providerAccounts: (provider: MailboxProvider) => `MAILBOXES#${provider}`,
};

/** An account as the fan-outs read it from gsi2. */
export interface ProviderAccountRow {
  orgId: string;
  userId: string;
  accountId: string;
  status: AccountStatus;
  scopes: Partial<ScopeToggles>;
}

/** Statuses whose accounts the scheduled fan-outs visit (a grant that still works, or may again). */
export const LIVE_STATUSES: readonly AccountStatus[] = ["connected", "syncing", "error"];

/** Every account of a provider, a gsi2 page at a time (the daily sync and weekly enrichment fan-outs). */
export async function* providerAccountPages(provider: MailboxProvider): AsyncGenerator<ProviderAccountRow[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.query({
      IndexName: "gsi2",
      KeyConditionExpression: "gsi2pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.providerAccounts(provider) },
      ProjectionExpression: "orgId, userId, accountId, #status, scopes",
      ExpressionAttributeNames: { "#status": "status" },
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    yield (page.Items ?? []).map((item) => ({
      orgId: item.orgId as string,
      userId: item.userId as string,
      accountId: item.accountId as string,
      status: item.status as AccountStatus,
      scopes: (item.scopes ?? {}) as Partial<ScopeToggles>,
    }));
    start = page.LastEvaluatedKey;
  } while (start);
}

export interface StoredAccount {
  accountId: string;
  orgId: string;
  userId: string;
  provider: MailboxProvider;
  email: string;
  scopes: ScopeToggles;
  grantedScopes: string[];
  status: AccountStatus;
  sync: Record<Scope, SyncState>;
  /** Sealed by the vault, bound to the account; absent once disconnected. */
  sealedRefreshToken?: string;
  sealedAccessToken?: string;
  accessTokenExpiresAt?: string;
  /** Bumped by every token write, so two refreshes cannot overwrite each other's tokens. */
  tokenVersion: number;
  connectedAt: string;
  updatedAt: string;
  /**
   * The syncers' per-scope attributes (lease, cursor, milestones, pending request), carried as
   * they are through a whole-item write, so a scope change or a reconnect keeps the other scope's.
   */
  syncer?: Record<string, unknown>;
}

/**
 * The id of the wipe a scope turned off started, until that wipe completes: the scope's syncs wait
 * for it, so a scope turned off and on again never has its new events deleted by the old wipe.
 */
export function wipePendingAttribute(scope: Scope): string {
  return `${scope}WipePending`;
}

/** The names of the attributes the syncers keep on the account item per scope (packages/core/src/sync/state.ts). */
export const syncerAttribute = {
  lease: (scope: Scope) => `${scope}Lease`,
  cursor: (scope: Scope) => `${scope}Cursor`,
  milestones: (scope: Scope) => `${scope}Milestones`,
  pending: (scope: Scope) => (scope === "mail" ? "pendingMailSync" : "pendingCalendarSync"),
  wipePending: wipePendingAttribute,
};

export function syncerAttributes(scope: Scope): string[] {
  return Object.values(syncerAttribute).map((name) => name(scope));
}

/** The syncer attributes without a scope's: that scope starts over (turned off or on); a wipe it awaits stays. */
export function withoutScopeSyncer(syncer: Record<string, unknown> | undefined, scopes: readonly Scope[]) {
  const dropped = new Set(
    scopes
      .flatMap(syncerAttributes)
      .filter((name) => !scopes.some((scope) => name === wipePendingAttribute(scope))),
  );
  return Object.fromEntries(Object.entries(syncer ?? {}).filter(([name]) => !dropped.has(name)));
}

export function freshSyncState(enabled: boolean): SyncState {
  return {
    phase: enabled ? "backfill" : "off",
    progress: 0,
    backfilledThrough: null,
    lastSyncAt: null,
    lastError: null,
    eventsIngested: 0,
  };
}

export function fromItem(item: Record<string, unknown>): StoredAccount {
  return {
    accountId: item.accountId as string,
    orgId: item.orgId as string,
    userId: item.userId as string,
    provider: item.provider as MailboxProvider,
    email: item.email as string,
    scopes: item.scopes as ScopeToggles,
    grantedScopes: (item.grantedScopes as string[] | undefined) ?? [],
    status: item.status as AccountStatus,
    sync: item.sync as Record<Scope, SyncState>,
    sealedRefreshToken: item.sealedRefreshToken as string | undefined,
    sealedAccessToken: item.sealedAccessToken as string | undefined,
    accessTokenExpiresAt: item.accessTokenExpiresAt as string | undefined,
    tokenVersion: (item.tokenVersion as number | undefined) ?? 0,
    connectedAt: item.connectedAt as string,
    updatedAt: item.updatedAt as string,
    syncer: Object.fromEntries(
      [...syncerAttributes("mail"), ...syncerAttributes("calendar")].flatMap((name) =>
        item[name] === undefined ? [] : [[name, item[name]]],
      ),
    ),
  };
}

/** The whole account item, as a Put. */
export function accountPut(
  account: StoredAccount,
  condition?: Pick<GuardedItem, "onConditionFailed"> & {
    ConditionExpression?: string;
    ExpressionAttributeValues?: Record<string, unknown>;
    ExpressionAttributeNames?: Record<string, string>;
  },
): GuardedItem {
  const { onConditionFailed, ...conditionFields } = condition ?? {};
  const { syncer, ...fields } = account;
  return {
    Put: {
      Item: {
        ...keys.account(account.orgId, account.userId, account.provider),
        entity: "mailboxAccount",
        ...withoutUndefined(fields),
        ...(syncer ?? {}),
        gsi2pk: keys.providerAccounts(account.provider),
        gsi2sk: `${account.orgId}#${account.userId}`,
      },
      ...conditionFields,
    },
    ...(onConditionFailed ? { onConditionFailed } : {}),
  };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** What the API shows: never a token. */
export function toAccount(stored: StoredAccount): MailboxAccount {
  return {
    provider: stored.provider,
    email: stored.email,
    scopes: stored.scopes,
    status: stored.status,
    mail: stored.sync.mail,
    calendar: stored.sync.calendar,
    accountId: stored.accountId,
    connectedAt: stored.connectedAt,
  };
}

/** The vault context that binds a token to its account (and to its kind, so the two cannot be swapped). */
export function tokenContext(
  account: Pick<StoredAccount, "orgId" | "accountId">,
  kind: "refresh" | "access",
) {
  return { purpose: `mailbox-${kind}-token`, orgId: account.orgId, accountId: account.accountId };
}
