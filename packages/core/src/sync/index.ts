/**
 * Mail and calendar syncers (docs/architecture.md, "Syncers"): Gmail, Google Calendar, Outlook mail
 * and Outlook calendar metadata into interaction events, in bounded resumable steps, within quota.
 * Each provider's wiring (`./google`, `./microsoft`) is imported by its own syncer function, so a
 * bundle carries one provider's clients.
 */
export * from "./classify";
export * from "./event";
export { type FanOutResult, fanOut } from "./fanout";
export {
  LEASE_MS,
  type RunOptions,
  type RunOutcome,
  runSyncJob,
  type SyncDeps,
} from "./job";
export { countEvents, readScopeState } from "./state";
export type { Step, StepContext, Syncer } from "./syncer";
