import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

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
  /** Standard queues: hide the message this many seconds (0–900), e.g. a job deferred by a provider. */
  delaySeconds?: number;
}

/** Sends one JSON message. */
export async function send(queueName: string, body: unknown, options: SendOptions = {}): Promise<void> {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: queueUrl(queueName),
      MessageBody: JSON.stringify(body),
      MessageGroupId: options.groupId,
      MessageDeduplicationId: options.deduplicationId,
      DelaySeconds: options.delaySeconds,
    }),
  );
}

export interface BatchEntry {
  body: unknown;
  /** Standard queues: hide this message for 0–900 seconds. */
  delaySeconds?: number;
}

/**
 * Sends JSON messages ten per request (SQS's batch limit), resending the entries SQS reports as
 * failed, a few times, before giving up with an error.
 */
export async function sendBatch(queueName: string, messages: readonly BatchEntry[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 10) {
    let entries = messages.slice(start, start + 10).map((message, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify(message.body),
      ...(message.delaySeconds ? { DelaySeconds: message.delaySeconds } : {}),
    }));
    for (let attempt = 0; entries.length > 0; attempt++) {
      if (attempt > 5) throw new Error(`SQS refused ${entries.length} messages to ${queueName}`);
      if (attempt > 0)
        await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** attempt)));
      const result = await sqs().send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl(queueName), Entries: entries }),
      );
      const failed = new Set((result.Failed ?? []).map((entry) => entry.Id));
      entries = entries.filter((entry) => failed.has(entry.Id));
    }
  }
}
