import { ConditionFailed, db } from "../storage";
import { carryEvents } from "../storage/outbox";
import { logger } from "../util/logger";
import { open, seal } from "../vault";
import { ProviderRefused, ReauthRequired } from "./errors";
import { MailboxReauthRequired } from "./events";
import type { OAuthProvider } from "./provider";
import type { MailboxProvider } from "./schemas";
import { fromItem, keys, type StoredAccount, tokenContext } from "./store";

/**
 * The one place a mailbox's access token is obtained. A cached token (sealed on the account) is
 * used until two minutes before it expires; then the refresh token is redeemed, once per call: a
 * transient failure is thrown for the caller's queue to retry later, and `invalid_grant` (revoked
 * consent, an expired grant) marks the account `reauth_required`, publishes
 * `mailbox.reauth_required` and stops: nothing refreshes it again until its user connects again.
 */

const EARLY_REFRESH_MS = 2 * 60_000;

export interface AccountRef {
  orgId: string;
  userId: string;
  provider: MailboxProvider;
}

async function readAccount(ref: AccountRef): Promise<StoredAccount | undefined> {
  const item = (
    await db.get({ Key: keys.account(ref.orgId, ref.userId, ref.provider), ConsistentRead: true })
  ).Item;
  return item ? fromItem(item) : undefined;
}

export async function accessToken(
  provider: OAuthProvider,
  ref: AccountRef,
  now = new Date(),
): Promise<string> {
  const account = await readAccount(ref);
  if (!account || account.status === "disconnected" || !account.sealedRefreshToken)
    throw new ReauthRequired();
  if (account.status === "reauth_required") throw new ReauthRequired();
  const cached = cachedToken(account, now);
  if (cached) return cached;

  const refreshToken = await open(account.sealedRefreshToken, tokenContext(account, "refresh"));
  let tokens: Awaited<ReturnType<OAuthProvider["refresh"]>>;
  try {
    tokens = await provider.refresh(refreshToken, provider.scopesFor(account.scopes));
  } catch (error) {
    if (error instanceof ProviderRefused && error.grantRevoked) {
      await markReauthRequired(account, error.oauthError, now);
      throw new ReauthRequired();
    }
    throw error;
  }

  const sealedAccessToken = await seal(tokens.accessToken, tokenContext(account, "access"));
  const sealedRefreshToken =
    tokens.refreshToken && tokens.refreshToken !== refreshToken
      ? await seal(tokens.refreshToken, tokenContext(account, "refresh"))
      : account.sealedRefreshToken;
  try {
    await db.update({
      Key: keys.account(account.orgId, account.userId, account.provider),
      UpdateExpression:
        "SET sealedAccessToken = :access, sealedRefreshToken = :refresh, accessTokenExpiresAt = :expires, tokenVersion = :next, updatedAt = :at",
      ConditionExpression: "tokenVersion = :seen AND accountId = :accountId",
      ExpressionAttributeValues: {
        ":access": sealedAccessToken,
        ":refresh": sealedRefreshToken,
        ":expires": tokens.expiresAt.toISOString(),
        ":next": account.tokenVersion + 1,
        ":seen": account.tokenVersion,
        ":accountId": account.accountId,
        ":at": now.toISOString(),
      },
    });
  } catch (error) {
    // A concurrent refresh (or a reconnect) wrote first: its tokens stand, and ours is still valid
    // for this call. A rotated refresh token is then dropped, which Microsoft allows: the one the
    // winner stored stays valid.
    if (!(error instanceof ConditionFailed)) throw error;
    logger.info("mailbox token refreshed concurrently", { accountId: account.accountId });
  }
  return tokens.accessToken;
}

function cachedToken(account: StoredAccount, now: Date): Promise<string> | undefined {
  if (!account.sealedAccessToken || !account.accessTokenExpiresAt) return undefined;
  if (Date.parse(account.accessTokenExpiresAt) - EARLY_REFRESH_MS <= now.getTime()) return undefined;
  return open(account.sealedAccessToken, tokenContext(account, "access"));
}

async function markReauthRequired(account: StoredAccount, reason: string, now: Date): Promise<void> {
  const event = MailboxReauthRequired.create(
    account.orgId,
    { accountId: account.accountId, userId: account.userId, provider: account.provider, reason },
    now,
  );
  try {
    await db.update({
      Key: keys.account(account.orgId, account.userId, account.provider),
      UpdateExpression:
        "SET #status = :reauth, sync.mail.lastError = :error, sync.calendar.lastError = :error, updatedAt = :at, #outbox = :outbox REMOVE sealedAccessToken, accessTokenExpiresAt",
      // Only the grant that failed: a reconnect in the meantime brought a new one.
      ConditionExpression: "tokenVersion = :seen AND #status <> :reauth",
      ExpressionAttributeNames: { "#status": "status", "#outbox": "outbox" },
      ExpressionAttributeValues: {
        ":reauth": "reauth_required",
        ":error": "reauth_required",
        ":at": now.toISOString(),
        ":seen": account.tokenVersion,
        ":outbox": carryEvents([event]).outbox,
      },
    });
    logger.warn("mailbox needs reauthorization", { accountId: account.accountId, reason });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
}
