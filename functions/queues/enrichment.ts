import * as Enrichment from "@kith/core/enrichment";
import { sqsConsumer } from "@kith/core/lambda";

export const handler = sqsConsumer({ body: Enrichment.EnrichmentMessageSchema }, async (message) => {
  await Enrichment.handleEnrichmentMessage(message);
});
