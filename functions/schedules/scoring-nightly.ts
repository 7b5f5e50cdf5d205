import { scheduledJob } from "@kith/core/lambda";
import * as Scoring from "@kith/core/scoring";

export const handler = scheduledJob(async (event) => {
  await Scoring.startNightly(new Date(event.time));
});
