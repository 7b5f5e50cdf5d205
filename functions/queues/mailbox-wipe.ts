import { sqsConsumer } from "@kith/core/lambda";
import * as Mailbox from "@kith/core/mailbox";

export const handler = sqsConsumer({ body: Mailbox.WipeMessageSchema }, async (message) => {
  await Mailbox.handleWipeMessage(message);
});
