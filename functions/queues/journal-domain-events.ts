import { domainEvents } from "@kith/core/catalog";
import * as Journal from "@kith/core/journal";
import { eventConsumer } from "@kith/core/lambda";

export const handler = eventConsumer(domainEvents, async (event) => {
  await Journal.record(event);
});
