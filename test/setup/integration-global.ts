import { startDynamoLocal } from "@kith/local/dynamo";
import { startSqsEmulator } from "@kith/local/sqs";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sqsEndpoint: string;
  }
}

/**
 * One DynamoDB Local (in memory) and one SQS emulator for the whole integration run. Tests stay
 * isolated by creating their own uniquely named table and queues (see test/support/integration.ts).
 */
export default async function setup(project: TestProject) {
  const [dynamo, sqs] = await Promise.all([startDynamoLocal(), startSqsEmulator()]);
  project.provide("dynamoEndpoint", dynamo.endpoint);
  project.provide("sqsEndpoint", sqs.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), sqs.stop()]);
  };
}
