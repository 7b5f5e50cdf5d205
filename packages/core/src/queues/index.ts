import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

/**
 * Sending work to the manifest's queues. A queue's URL reaches every function as
 * `KITH_QUEUE_URL_<NAME>` (set by the queues stack in AWS and by the local runtime), so core code
 * names queues by their manifest name only.
 */

let client: SQSClient | undefined;
function sqs(): SQSClient {
  client ??= new SQSClient({});
  return client;
}

/** Mirrors `queueUrlEnvName` in manifest.ts (core must not import the manifest). */
export function queueUrl(queueName: string): string {
  const name = `KITH_QUEUE_URL_${queueName.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
  const url = process.env[name];
  if (!url) throw new Error(`environment variable ${name} is not set`);
  return url;
}

export interface SendOptions {
  /** FIFO queues: messages of one group are delivered in order, one batch at a time. */
  groupId?: string;
  /** FIFO queues: a second message with the same id within 5 minutes is dropped by SQS. */
  deduplicationId?: string;
}

/** Sends one JSON message. */
export async function send(queueName: string, body: unknown, options: SendOptions = {}): Promise<void> {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: queueUrl(queueName),
      MessageBody: JSON.stringify(body),
      MessageGroupId: options.groupId,
      MessageDeduplicationId: options.deduplicationId,
    }),
  );
}
