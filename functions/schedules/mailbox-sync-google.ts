import { scheduledJob } from "@kith/core/lambda";
import { fanOut } from "@kith/core/sync/fanout";

export const handler = scheduledJob(async (event) => {
  await fanOut("google", new Date(event.time));
});
