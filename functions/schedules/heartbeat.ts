import * as Events from "@kith/core/events";
import { scheduledJob } from "@kith/core/lambda";

/** Proves the schedule → bus → queue → consumer path end to end; the journal shows each beat. */
export const handler = scheduledJob(async (event) => {
  await Events.publish([Events.create("system.heartbeat", null, { scheduledAt: event.time })]);
});
