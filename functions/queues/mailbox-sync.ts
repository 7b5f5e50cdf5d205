import { sqsConsumer } from "@kith/core/lambda";
import * as Mailbox from "@kith/core/mailbox";

export const handler = sqsConsumer({ body: Mailbox.SyncMessageSchema }, async (message) => {
  await Mailbox.handleSyncMessage(message);
});
