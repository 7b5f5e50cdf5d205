/**
 * Mailbox connections (docs/api.md, "Mailbox connections"): members connect Google Workspace or
 * Microsoft 365 with OAuth (PKCE), Kith keeps their tokens sealed, and each scope (mail, calendar)
 * syncs and is wiped on its own. Provider adapters (`./google`, `./microsoft`) are imported by the
 * functions that need them, so a callback bundles one provider's library only.
 */
export { authorizeUrl, type CallbackOutcome, completeConnection } from "./connect";
export * from "./errors";
export * as Events from "./events";
export {
  handleSyncMessage,
  handleWipeMessage,
  SyncMessageSchema,
  syncJobs,
  syncQueueFor,
  WIPE_QUEUE,
  WIPE_SLICE,
  WipeMessageSchema,
  type WipeOptions,
  wipeJob,
  wipeSlice,
} from "./jobs";
export { disconnect, list, requestSync, SYNC_QUEUE, updateScopes } from "./manage";
export type { OAuthProvider, ProviderTokens } from "./provider";
export * as Routes from "./routes";
export * from "./schemas";
export { STATE_LIFETIME_MS, verifyState } from "./state";
export { keys, type StoredAccount } from "./store";
export { type AccountRef, accessToken } from "./tokens";
