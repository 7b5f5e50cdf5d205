import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import middy from "@middy/core";
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { logger } from "../util/logger";

/** One item change from the table's stream, in plain JavaScript values (no Lambda shapes). */
export interface ItemChange {
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  keys: Record<string, unknown>;
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
  sequenceNumber: string;
}

/** A stream record as plain values. */
export function toItemChange(record: DynamoDBRecord): ItemChange {
  const stream = record.dynamodb ?? {};
  const image = (value: unknown) => (value ? unmarshall(value as Record<string, AttributeValue>) : undefined);
  return {
    eventName: record.eventName ?? "MODIFY",
    keys: image(stream.Keys) ?? {},
    newImage: image(stream.NewImage),
    oldImage: image(stream.OldImage),
    sequenceNumber: stream.SequenceNumber ?? "",
  };
}

/**
 * Wraps a DynamoDB Streams consumer with Powertools batch processing. Records are handled one at a
 * time, in stream order; a failed record is reported by its sequence number (`batchItemFailures`),
 * so Lambda (and the local stream poller) retries from it and nothing after it is skipped. The
 * record handler must be idempotent: a retried batch hands it records it already handled.
 */
export function streamConsumer(handleChange: (change: ItemChange) => Promise<unknown>) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const recordHandler = async (record: DynamoDBRecord) => {
    await handleChange(toItemChange(record));
  };
  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) =>
      processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false }),
    );
}
