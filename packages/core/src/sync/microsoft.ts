import { microsoft } from "../mailbox/microsoft";
import { guardFor } from "./guard";
import type { SyncDeps } from "./job";
import { ocalSyncer } from "./ocal";
import { outlookSyncer } from "./outlook";

/** Microsoft's syncers (Outlook mail, Outlook calendar) and OAuth client: all `functions/queues/sync-microsoft` bundles. */
export const microsoftSync: SyncDeps = {
  oauth: microsoft,
  syncerFor: (job) => (job.scope === "mail" ? outlookSyncer : ocalSyncer),
  callsFor: guardFor,
};
