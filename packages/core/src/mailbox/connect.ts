import { randomUUID } from "node:crypto";
import { keys as identityKeys, requireUser } from "../identity/store";
import { commit, db, retryOnConflict } from "../storage";
import { logger } from "../util/logger";
import { seal } from "../vault";
import { ConflictOnAccount } from "./conflict";
import { InvalidOAuthState, OAuthDenied, ProviderRefused } from "./errors";
import { MailboxConnected, MailboxWipeRequested } from "./events";
import { type OAuthProvider, redirectUri } from "./provider";
import {
  type CallbackQuery,
  type MailboxAccount,
  type MailboxProvider,
  SCOPES,
  type ScopeToggles,
} from "./schemas";
import { consumeStateItem, issueState, readVerifier, type StatePayload, verifyState } from "./state";
import {
  accountPut,
  freshSyncState,
  fromItem,
  keys,
  type StoredAccount,
  toAccount,
  tokenContext,
  withoutScopeSyncer,
} from "./store";

/**
 * Connecting a mailbox: an authorize URL whose scopes follow the toggles, then the provider's
 * redirect to the callback, which redeems the code (PKCE), reads the account's email from the
 * provider, seals the tokens and writes the account, with `mailbox.connected` in the same write
 * (the outbox), which starts each enabled scope's backfill.
 */

export interface ConnectInput {
  orgId: string;
  userId: string;
  scopes: ScopeToggles;
  /** The API's origin as the caller reached it: the redirect URI's base unless configured. */
  origin?: string;
}

export async function authorizeUrl(
  provider: OAuthProvider,
  input: ConnectInput,
  now = new Date(),
): Promise<string> {
  const user = await requireUser(input.orgId, input.userId);
  const { verifier, challenge } = await provider.pkce();
  const state = await issueState(
    {
      orgId: input.orgId,
      userId: input.userId,
      provider: provider.name,
      scopes: SCOPES.filter((scope) => input.scopes[scope]),
    },
    verifier,
    now,
  );
  return provider.authorizeUrl({
    scopes: provider.scopesFor(input.scopes),
    state,
    codeChallenge: challenge,
    redirectUri: redirectUri(provider.name, input.origin),
    ...(user.email ? { loginHint: user.email } : {}),
  });
}

export type CallbackOutcome = { connected: MailboxAccount };

/**
 * The provider's redirect. A denial (`?error=`), a bad state or a provider's refusal writes
 * nothing; a good state is used once: its verifier item is deleted in the transaction that writes
 * the account, so a replay (or a racing second callback) cannot write a second time.
 */
export async function completeConnection(
  provider: OAuthProvider,
  query: CallbackQuery,
  options: { origin?: string; now?: Date } = {},
): Promise<CallbackOutcome> {
  const now = options.now ?? new Date();
  const state = await verifyState(query.state, provider.name, now);
  if (query.error) throw new OAuthDenied(query.error);
  if (!query.code) throw new InvalidOAuthState("malformed");
  const codeVerifier = await readVerifier(state, now);
  const wanted: ScopeToggles = {
    mail: state.scopes.includes("mail"),
    calendar: state.scopes.includes("calendar"),
  };

  let tokens: Awaited<ReturnType<OAuthProvider["exchange"]>>;
  try {
    tokens = await provider.exchange({
      code: query.code,
      codeVerifier,
      scopes: provider.scopesFor(wanted),
      redirectUri: redirectUri(provider.name, options.origin),
    });
  } catch (error) {
    if (error instanceof ProviderRefused) throw new OAuthDenied(error.oauthError);
    throw error;
  }
  // A member may untick a scope on the consent screen: keep only what was both asked and granted.
  const granted: ScopeToggles = {
    mail: wanted.mail && provider.covers(tokens.grantedScopes, "mail"),
    calendar: wanted.calendar && provider.covers(tokens.grantedScopes, "calendar"),
  };
  if (!granted.mail && !granted.calendar) throw new OAuthDenied("scope_not_granted");

  const account = await retryOnConflict(
    () => writeAccount(provider.name, state, tokens, granted, now),
    (error) => error instanceof ConflictOnAccount,
  );
  logger.info("mailbox connected", {
    orgId: account.orgId,
    userId: account.userId,
    provider: account.provider,
    accountId: account.accountId,
  });
  return { connected: toAccount(account) };
}

async function writeAccount(
  provider: MailboxProvider,
  state: StatePayload,
  tokens: Awaited<ReturnType<OAuthProvider["exchange"]>>,
  granted: ScopeToggles,
  now: Date,
): Promise<StoredAccount> {
  const key = keys.account(state.orgId, state.userId, provider);
  const existingItem = (await db.get({ Key: key, ConsistentRead: true })).Item;
  const existing = existingItem ? fromItem(existingItem) : undefined;
  // The same mailbox again keeps its id, events and cursors; another mailbox replaces it, and the
  // replaced one's events are wiped.
  const reconnected =
    existing !== undefined && existing.email === tokens.email && existing.status !== "disconnected";
  const replaced = existing !== undefined && !reconnected;
  const accountId = reconnected ? existing.accountId : randomUUID();
  const at = now.toISOString();

  const refreshPlain = tokens.refreshToken;
  const context = { orgId: state.orgId, accountId };
  const sealedRefreshToken = refreshPlain
    ? await seal(refreshPlain, tokenContext(context, "refresh"))
    : reconnected
      ? existing.sealedRefreshToken
      : undefined;
  if (!sealedRefreshToken) throw new OAuthDenied("no_refresh_token");

  const account: StoredAccount = {
    accountId,
    orgId: state.orgId,
    userId: state.userId,
    provider,
    email: tokens.email,
    scopes: granted,
    grantedScopes: tokens.grantedScopes,
    status: "connected",
    sync: {
      mail:
        reconnected && existing.scopes.mail && granted.mail
          ? existing.sync.mail
          : freshSyncState(granted.mail),
      calendar:
        reconnected && existing.scopes.calendar && granted.calendar
          ? existing.sync.calendar
          : freshSyncState(granted.calendar),
    },
    sealedRefreshToken,
    sealedAccessToken: await seal(tokens.accessToken, tokenContext(context, "access")),
    accessTokenExpiresAt: tokens.expiresAt.toISOString(),
    tokenVersion: (existing?.tokenVersion ?? 0) + 1,
    connectedAt: at,
    updatedAt: at,
    // A reconnect keeps each kept scope's cursor and lease; a scope that starts afresh starts over.
    ...(reconnected
      ? {
          syncer: withoutScopeSyncer(
            existing.syncer,
            SCOPES.filter((scope) => !(existing.scopes[scope] && granted[scope])),
          ),
        }
      : {}),
  };
  const events = [
    MailboxConnected.create(
      state.orgId,
      { accountId, userId: state.userId, provider, scopes: granted, reconnected },
      now,
    ),
    ...(replaced && existing.status !== "disconnected"
      ? [
          MailboxWipeRequested.create(
            state.orgId,
            { accountId: existing.accountId, userId: state.userId, provider, reason: "account_replaced" },
            now,
          ),
        ]
      : []),
  ];
  await commit(
    [
      accountPut(
        account,
        existing
          ? {
              ConditionExpression: "tokenVersion = :seen",
              ExpressionAttributeValues: { ":seen": existing.tokenVersion },
              onConditionFailed: () => new ConflictOnAccount(),
            }
          : {
              ConditionExpression: "attribute_not_exists(pk)",
              onConditionFailed: () => new ConflictOnAccount(),
            },
      ),
      consumeStateItem(state, now),
      // The member must still exist when the account is written.
      {
        ConditionCheck: {
          Key: identityKeys.user(state.orgId, state.userId),
          ConditionExpression: "attribute_exists(pk)",
        },
        onConditionFailed: () => new InvalidOAuthState("used"),
      },
    ],
    { events, now },
  );
  return account;
}
