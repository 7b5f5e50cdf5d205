import * as Enrichment from "@kith/core/enrichment";
import { streamBatchConsumer } from "@kith/core/lambda";

export const handler = streamBatchConsumer(async (changes) => {
  await Enrichment.requestReresolutionsOfDeletedContacts(changes);
  return {};
});
