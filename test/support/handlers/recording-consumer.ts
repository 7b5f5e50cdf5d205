import type { SQSBatchResponse, SQSEvent } from "aws-lambda";

/**
 * A consumer for poller tests: records every delivery, reports `{"poison":true}` bodies as batch
 * item failures, and throws for the whole batch when a body is `{"crash":true}`.
 */
export const deliveries: { messageId: string; body: string; receiveCount: string }[] = [];

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    deliveries.push({
      messageId: record.messageId,
      body: record.body,
      receiveCount: record.attributes.ApproximateReceiveCount,
    });
    if (record.body.includes('"crash":true')) throw new Error("consumer crashed");
    if (record.body.includes('"poison":true')) failures.push({ itemIdentifier: record.messageId });
  }
  return { batchItemFailures: failures };
}
