import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { logger } from "../util/logger";
import { type ItemChange, toItemChange } from "./stream";

/**
 * A DynamoDB Streams consumer that takes the whole batch at once, for work that gains from seeing
 * it together (grouping per key, one publication per batch). It answers the index of the first
 * change it could not handle; Lambda (and the local poller) retries from that record on, so
 * `handleChanges` must be idempotent for the records after it that it did handle.
 */
export function streamBatchConsumer(
  handleChanges: (changes: ItemChange[]) => Promise<{ failedAt?: number }>,
) {
  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const records = event.Records ?? [];
      const { failedAt } = await handleChanges(records.map(toItemChange));
      if (failedAt === undefined) return { batchItemFailures: [] };
      const record = records[failedAt];
      return { batchItemFailures: [{ itemIdentifier: record?.dynamodb?.SequenceNumber ?? "" }] };
    });
}
