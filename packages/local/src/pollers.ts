import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { invoke } from "./lambda";
import { log } from "./log";
import type { ProvisionedQueue } from "./sqs";

export interface PollerStatus {
  queue: string;
  running: boolean;
  batches: number;
  succeeded: number;
  failed: number;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface PollerOptions {
  /**
   * Local-only: when set, a failed message becomes visible again after this many seconds instead
   * of the queue's visibility timeout. Defaults to unset, which behaves exactly like Lambda.
   */
  retryDelaySeconds?: number;
  /** Long-poll wait; short so that shutdown is prompt. */
  waitTimeSeconds?: number;
}

/**
 * Delivers a queue's messages to its consumer the way Lambda's SQS event-source mapping does:
 * batches of up to `batchSize` in the `SQSEvent` shape; on success the batch is deleted except
 * the ids listed in `batchItemFailures`; a thrown error or timeout fails the whole batch. Failed
 * messages stay on the queue and reappear after the visibility timeout; the emulator's redrive
 * policy moves them to the DLQ after `maxReceiveCount` receives, as SQS does.
 */
export class QueuePoller {
  #running = false;
  #loop: Promise<void> | undefined;
  #abort = new AbortController();
  readonly #status: PollerStatus;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queue: ProvisionedQueue,
    private readonly options: PollerOptions = {},
  ) {
    this.#status = {
      queue: queue.definition.name,
      running: false,
      batches: 0,
      succeeded: 0,
      failed: 0,
      lastError: null,
      lastErrorAt: null,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#status.running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    await this.#loop;
    this.#status.running = false;
  }

  status(): PollerStatus {
    return { ...this.#status };
  }

  #fail(message: string): void {
    this.#status.lastError = message;
    this.#status.lastErrorAt = new Date().toISOString();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        const received = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queue.url,
            MaxNumberOfMessages: Math.min(this.queue.definition.batchSize, 10),
            WaitTimeSeconds: this.options.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
          { abortSignal: this.#abort.signal },
        );
        const messages = received.Messages ?? [];
        if (messages.length > 0) await this.#deliver(messages);
      } catch (error) {
        if (!this.#running) break;
        this.#fail(`receive failed: ${(error as Error).message}`);
        log("warn", `poller for ${this.queue.definition.name} failed to receive`, {
          error: (error as Error).message,
        });
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  async #deliver(messages: Message[]): Promise<void> {
    const definition = this.queue.definition;
    const event: SQSEvent = { Records: messages.map((message) => toRecord(message, this.queue)) };
    this.#status.batches++;
    const allIds = messages.map((message) => message.MessageId as string);
    let failedIds: Set<string>;
    try {
      const response = (await invoke(definition.consumer, event, definition.consumerTimeoutSeconds, {
        memoryMB: definition.memoryMB,
      })) as SQSBatchResponse | undefined;
      const reported = (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
      // Lambda treats a failure report naming no message of the batch as a failure of the whole batch.
      const valid = reported.every((id) => typeof id === "string" && allIds.includes(id));
      failedIds = new Set(valid ? reported : allIds);
      if (reported.length > 0) this.#fail(`consumer reported ${reported.length} failed message(s)`);
      if (!valid)
        log(
          "error",
          `consumer for ${definition.name} reported an unknown itemIdentifier; the whole batch will be retried`,
        );
    } catch (error) {
      log("error", `consumer for ${definition.name} failed; the whole batch will be retried`, {
        error: (error as Error).message,
      });
      this.#fail(`consumer failed: ${(error as Error).message}`);
      failedIds = new Set(allIds);
    }

    const succeeded = messages.filter((message) => !failedIds.has(message.MessageId as string));
    const failed = messages.filter((message) => failedIds.has(message.MessageId as string));
    this.#status.succeeded += succeeded.length;
    this.#status.failed += failed.length;
    if (succeeded.length > 0) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queue.url,
          Entries: succeeded.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
    if (failed.length > 0 && this.options.retryDelaySeconds !== undefined) {
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queue.url,
          Entries: failed.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: this.options.retryDelaySeconds,
          })),
        }),
      );
    }
  }
}

function toRecord(message: Message, queue: ProvisionedQueue): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId as string,
    receiptHandle: message.ReceiptHandle as string,
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? "000000000000",
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
      ...(attributes.MessageDeduplicationId
        ? { MessageDeduplicationId: attributes.MessageDeduplicationId }
        : {}),
      ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? "String",
          ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
          ...(value.BinaryValue !== undefined
            ? { binaryValue: Buffer.from(value.BinaryValue).toString("base64") }
            : {}),
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queue.arn,
    awsRegion: process.env.AWS_REGION ?? "us-east-1",
  };
}
