import type { AttributeValue, DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";

/**
 * A stream consumer for stream-poller tests: records every record it is handed (key, sequence
 * number, event name and images), reports records whose new image has `verdict = "poison"` as batch item failures, and
 * throws for the whole batch when one has `verdict = "crash"`. `heal()` makes every record pass.
 */
export const received: {
  pk: string;
  sequenceNumber: string;
  eventName: string;
  newImage?: Record<string, AttributeValue>;
  oldImage?: Record<string, AttributeValue>;
}[] = [];
let healed = false;

export function heal(value = true): void {
  healed = value;
}

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    received.push({
      pk: record.dynamodb?.Keys?.pk?.S ?? "",
      sequenceNumber: record.dynamodb?.SequenceNumber ?? "",
      eventName: record.eventName ?? "",
      newImage: record.dynamodb?.NewImage,
      oldImage: record.dynamodb?.OldImage,
    });
  }
  const verdict = (record: (typeof event.Records)[number]) =>
    healed ? undefined : record.dynamodb?.NewImage?.verdict?.S;
  if (event.Records.some((record) => verdict(record) === "crash")) throw new Error("stream consumer crashed");
  return {
    batchItemFailures: event.Records.filter((record) => verdict(record) === "poison").map((record) => ({
      itemIdentifier: record.dynamodb?.SequenceNumber ?? "",
    })),
  };
}
