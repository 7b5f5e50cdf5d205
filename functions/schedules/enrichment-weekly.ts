import * as Enrichment from "@kith/core/enrichment";
import { scheduledJob } from "@kith/core/lambda";

export const handler = scheduledJob(async () => {
  await Enrichment.startWeeklyUserEnrichment();
});
