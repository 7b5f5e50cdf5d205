import { sqsConsumer } from "@kith/core/lambda";
import * as Rollup from "@kith/core/rollup";

export const handler = sqsConsumer({ body: Rollup.ContactChangeMessageSchema }, async (message) => {
  await Rollup.handleContactChange(message);
});
