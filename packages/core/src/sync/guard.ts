import type { SyncJob } from "../mailbox/schemas";
import { createPacer, type Pacer } from "./pacing";
import type { Syncer } from "./syncer";

/**
 * Extra time a started step may take past the job's step budget: the pacer's hard deadline. The
 * runner starts no step after its budget, and a step that cannot finish by this deadline defers.
 */
export const STEP_GRACE_MS = 40_000;

/** The guard (quota units, 4 in flight, honest retries, the API's breaker) for one job's requests. */
export function guardFor(syncer: Syncer, job: SyncJob, deadline: number): Pacer {
  return createPacer({ api: syncer.api, mailbox: job.accountId, deadline: deadline + STEP_GRACE_MS });
}
