import { google } from "../mailbox/google";
import { gcalSyncer } from "./gcal";
import { gmailSyncer } from "./gmail";
import { guardFor } from "./guard";
import type { SyncDeps } from "./job";

/** Google's syncers (Gmail, Calendar) and OAuth client: all `functions/queues/sync-google` bundles. */
export const googleSync: SyncDeps = {
  oauth: google,
  syncerFor: (job) => (job.scope === "mail" ? gmailSyncer : gcalSyncer),
  callsFor: guardFor,
};
