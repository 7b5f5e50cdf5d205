import { Events, Journal } from "@kith/core";
import { sqsConsumer } from "@kith/core/lambda";

export const handler = sqsConsumer({ body: Events.BusEnvelopeSchema }, async (envelope) => {
  await Journal.record(envelope);
});
