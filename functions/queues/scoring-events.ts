import { sqsConsumer } from "@kith/core/lambda";
import * as Scoring from "@kith/core/scoring";

export const handler = sqsConsumer({ body: Scoring.ScoringEventMessageSchema }, async (message) => {
  await Scoring.handleScoringEvent(message);
});
