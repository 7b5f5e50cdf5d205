import { requireUser } from "../identity/store";
import * as Queues from "../queues";
import { commit, db, retryOnConflict } from "../storage";
import { logger } from "../util/logger";
import { open } from "../vault";
import { ConflictOnAccount } from "./conflict";
import { authorizeUrl } from "./connect";
import { MailboxNotFound, ReauthRequired } from "./errors";
import { MailboxScopesChanged, MailboxWipeRequested } from "./events";
import { syncQueueFor } from "./jobs";
import type { OAuthProvider } from "./provider";
import {
  type MailboxAccount,
  type MailboxProvider,
  SCOPES,
  type Scope,
  type ScopeToggles,
  type SyncJob,
} from "./schemas";
import {
  accountPut,
  freshSyncState,
  fromItem,
  keys,
  type StoredAccount,
  toAccount,
  tokenContext,
  wipePendingAttribute,
  withoutScopeSyncer,
} from "./store";

/** The queue each scope's sync job goes to (manifest `queues`). */
/** The router queue: bus events that ask for syncs arrive here and go on to their provider's syncer queue. */
export const SYNC_QUEUE = "mailbox-sync";

export async function list(orgId: string, userId: string): Promise<{ accounts: MailboxAccount[] }> {
  await requireUser(orgId, userId);
  const result = await db.query({
    KeyConditionExpression: "pk = :pk",
    ExpressionAttributeValues: { ":pk": keys.userAccounts(orgId, userId) },
  });
  return { accounts: (result.Items ?? []).map((item) => toAccount(fromItem(item))) };
}

async function requireAccount(
  orgId: string,
  userId: string,
  provider: MailboxProvider,
): Promise<StoredAccount> {
  const item = (await db.get({ Key: keys.account(orgId, userId, provider), ConsistentRead: true })).Item;
  if (!item) throw new MailboxNotFound();
  return fromItem(item);
}

function versionGuard(account: StoredAccount) {
  return {
    ConditionExpression: "tokenVersion = :seen AND updatedAt = :updated",
    ExpressionAttributeValues: { ":seen": account.tokenVersion, ":updated": account.updatedAt },
    onConditionFailed: () => new ConflictOnAccount(),
  };
}

/**
 * Changes which scopes sync. A scope turned off stops at once (phase `off`) and its events are
 * wiped through the wipe queue; a scope turned on that the grant covers starts its backfill; one
 * the grant lacks stays off and the answer carries the `authorizeUrl` that asks for it.
 */
export async function updateScopes(
  provider: OAuthProvider,
  ref: { orgId: string; userId: string; origin?: string },
  scopes: ScopeToggles,
  now = new Date(),
): Promise<MailboxAccount> {
  const result = await retryOnConflict(
    async () => {
      const account = await requireAccount(ref.orgId, ref.userId, provider.name);
      if (account.status === "disconnected") throw new MailboxNotFound();
      const needsConsent = SCOPES.filter(
        (scope) => scopes[scope] && !account.scopes[scope] && !provider.covers(account.grantedScopes, scope),
      );
      const next: ScopeToggles = {
        mail: scopes.mail && !needsConsent.includes("mail"),
        calendar: scopes.calendar && !needsConsent.includes("calendar"),
      };
      const enabled = SCOPES.filter((scope) => next[scope] && !account.scopes[scope]);
      const disabled = SCOPES.filter((scope) => !next[scope] && account.scopes[scope]);
      if (enabled.length === 0 && disabled.length === 0) return { account, needsConsent };
      const at = now.toISOString();
      const updated: StoredAccount = {
        ...account,
        scopes: next,
        sync: {
          mail:
            enabled.includes("mail") || disabled.includes("mail")
              ? freshSyncState(next.mail)
              : account.sync.mail,
          calendar:
            enabled.includes("calendar") || disabled.includes("calendar")
              ? freshSyncState(next.calendar)
              : account.sync.calendar,
        },
        updatedAt: at,
      };
      const base = { accountId: account.accountId, userId: account.userId, provider: account.provider };
      const wipes = disabled.map((scope) =>
        MailboxWipeRequested.create(account.orgId, { ...base, scope, reason: "scope_disabled" }, now),
      );
      // A scope turned off or on starts over (and waits for its wipe); the other carries on.
      updated.syncer = {
        ...withoutScopeSyncer(account.syncer, [...enabled, ...disabled]),
        ...Object.fromEntries(wipes.map((wipe) => [wipePendingAttribute(wipe.data.scope as Scope), wipe.id])),
      };
      await commit([accountPut(updated, versionGuard(account))], {
        events: [
          MailboxScopesChanged.create(account.orgId, { ...base, scopes: next, enabled, disabled }, now),
          ...wipes,
        ],
        now,
      });
      return { account: updated, needsConsent };
    },
    (error) => error instanceof ConflictOnAccount,
  );
  const shown = toAccount(result.account);
  if (result.needsConsent.length === 0) return shown;
  const union: ScopeToggles = { mail: scopes.mail, calendar: scopes.calendar };
  return { ...shown, authorizeUrl: await authorizeUrl(provider, { ...ref, scopes: union }, now) };
}

/**
 * Disconnects: revokes at the provider (best effort), drops the sealed tokens and marks the account
 * `disconnected` with `mailbox.wipe_requested` in the same write; the wipe queue then deletes every
 * interaction event of the account and ends with `mailbox.disconnected`. Disconnecting again is a
 * no-op.
 */
export async function disconnect(
  provider: OAuthProvider,
  ref: { orgId: string; userId: string },
  now = new Date(),
): Promise<void> {
  const account = await requireAccount(ref.orgId, ref.userId, provider.name);
  if (account.status === "disconnected") return;
  if (account.sealedRefreshToken) {
    try {
      await provider.revoke(await open(account.sealedRefreshToken, tokenContext(account, "refresh")));
    } catch (error) {
      // The tokens are deleted either way; a provider that cannot be told now keeps a grant we no
      // longer hold, which the member can remove from their account settings.
      logger.warn("mailbox token revoke failed", {
        accountId: account.accountId,
        error: error instanceof Error ? error.name : "unknown",
      });
    }
  }
  await retryOnConflict(
    async () => {
      const current = await requireAccount(ref.orgId, ref.userId, provider.name);
      if (current.status === "disconnected") return;
      const at = now.toISOString();
      const {
        sealedAccessToken: _access,
        sealedRefreshToken: _refresh,
        accessTokenExpiresAt: _expires,
        ...rest
      } = current;
      const disconnected: StoredAccount = {
        ...rest,
        status: "disconnected",
        sync: { mail: freshSyncState(false), calendar: freshSyncState(false) },
        tokenVersion: current.tokenVersion + 1,
        updatedAt: at,
        syncer: {},
      };
      await commit([accountPut(disconnected, versionGuard(current))], {
        events: [
          MailboxWipeRequested.create(
            current.orgId,
            {
              accountId: current.accountId,
              userId: current.userId,
              provider: current.provider,
              reason: "disconnect",
            },
            now,
          ),
        ],
        now,
      });
    },
    (error) => error instanceof ConflictOnAccount,
  );
}

/** `POST …/sync`: one job per enabled scope, now (202 once SQS has them). */
export async function requestSync(
  ref: { orgId: string; userId: string; provider: MailboxProvider },
  now = new Date(),
): Promise<{ accepted: true; scopes: Scope[] }> {
  const account = await requireAccount(ref.orgId, ref.userId, ref.provider);
  if (account.status === "disconnected") throw new MailboxNotFound();
  if (account.status === "reauth_required") throw new ReauthRequired();
  const scopes = SCOPES.filter((scope) => account.scopes[scope]);
  for (const scope of scopes) {
    const job: SyncJob = {
      kind: "sync",
      orgId: account.orgId,
      userId: account.userId,
      provider: account.provider,
      accountId: account.accountId,
      scope,
      reason: "manual",
      requestedAt: now.toISOString(),
    };
    await Queues.send(syncQueueFor(account.provider), job);
  }
  return { accepted: true, scopes };
}
