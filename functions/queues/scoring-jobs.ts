import { sqsConsumer } from "@kith/core/lambda";
import * as Scoring from "@kith/core/scoring";

export const handler = sqsConsumer({ body: Scoring.ScoringJobSchema }, async (job) => {
  await Scoring.handleScoringJob(job);
});
