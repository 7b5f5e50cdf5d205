import * as Directory from "@kith/core/directory";
import { sqsConsumer } from "@kith/core/lambda";

export const handler = sqsConsumer({ body: Directory.NudgeSchema, fifo: true }, async (nudge) => {
  await Directory.handleNudge(nudge, await Directory.directoryClient());
});
