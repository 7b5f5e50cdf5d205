import * as Journal from "@kith/core/journal";
import { scheduledJob } from "@kith/core/lambda";

export const handler = scheduledJob(async (event) => {
  await Journal.heartbeat(event.time);
});
