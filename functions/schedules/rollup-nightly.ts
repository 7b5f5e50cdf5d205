import { scheduledJob } from "@kith/core/lambda";
import * as Rollup from "@kith/core/rollup";

export const handler = scheduledJob(async (event) => {
  await Rollup.startNightly(new Date(event.time));
});
