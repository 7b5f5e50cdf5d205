import * as Events from "@kith/core/events";
import * as Journal from "@kith/core/journal";
import { sqsConsumer } from "@kith/core/lambda";

export const handler = sqsConsumer({ body: Events.BusEnvelopeSchema }, async (envelope) => {
  await Journal.record(envelope.detail);
});
