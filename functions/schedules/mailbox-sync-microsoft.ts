import { scheduledJob } from "@kith/core/lambda";
import { fanOut } from "@kith/core/sync/fanout";

export const handler = scheduledJob(async (event) => {
  await fanOut("microsoft", new Date(event.time));
});
