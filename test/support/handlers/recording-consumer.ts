import type { SQSBatchResponse, SQSEvent } from "aws-lambda";

/**
 * A consumer for poller tests: records every delivery, reports `{"poison":true}` bodies as batch
 * item failures, throws for the whole batch when a body is `{"crash":true}`, and reports an id that
 * is not in the batch when a body is `{"bogus":true}`.
 */
export const deliveries: { messageId: string; body: string; receiveCount: string }[] = [];

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  // Every record of the batch is recorded before any verdict, so a crash still shows what was delivered.
  for (const record of event.Records) {
    deliveries.push({
      messageId: record.messageId,
      body: record.body,
      receiveCount: record.attributes.ApproximateReceiveCount,
    });
  }
  if (event.Records.some((record) => record.body.includes('"crash":true')))
    throw new Error("consumer crashed");
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    if (record.body.includes('"poison":true')) failures.push({ itemIdentifier: record.messageId });
    if (record.body.includes('"bogus":true'))
      failures.push({ itemIdentifier: "not-a-message-of-this-batch" });
  }
  return { batchItemFailures: failures };
}
