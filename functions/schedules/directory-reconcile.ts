import * as Directory from "@kith/core/directory";
import { scheduledJob } from "@kith/core/lambda";

export const handler = scheduledJob(async (event) => {
  await Directory.reconcileAll(await Directory.directoryClient(), new Date(event.time));
});
