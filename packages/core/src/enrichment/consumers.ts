/**
 * How many containers the enrichment consumer may run at once (its queue's `maxConcurrency`).
 * Findem's rate limit is per key and each container paces on its own, so each takes this share.
 * Kept alone in this file so the manifest can read it without loading any runtime code.
 */
export const ENRICHMENT_CONSUMERS = 2;
