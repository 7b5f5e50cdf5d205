import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { QueueDefinition } from "../../../manifest";
import { deliveries } from "../../../test/support/handlers/recording-consumer";
import { testSqsClient, uniqueName } from "../../../test/support/integration";
import { QueuePoller } from "./pollers";
import { type ProvisionedQueue, provisionQueue } from "./sqs";

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("condition not met in time");
}

async function depth(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number }> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(result.Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(result.Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

describe("queue poller: Lambda's SQS event-source mapping, locally", () => {
  let sqs: SQSClient;
  let queue: ProvisionedQueue;
  let poller: QueuePoller;

  beforeAll(async () => {
    sqs = testSqsClient();
    const definition: QueueDefinition = {
      name: uniqueName("poll"),
      fifo: false,
      visibilityTimeoutSeconds: 30,
      batchSize: 5,
      maxReceiveCount: 3,
      consumer: "test/support/handlers/recording-consumer.handler",
      consumerTimeoutSeconds: 5,
    };
    queue = await provisionQueue(sqs, definition, "it-");
    poller = new QueuePoller(sqs, queue, { retryDelaySeconds: 0, waitTimeSeconds: 1 });
    poller.start();
  });
  afterAll(async () => {
    await poller.stop();
    sqs.destroy();
  });
  beforeEach(() => {
    deliveries.length = 0;
  });

  it("a message the consumer accepts is delivered once in SQSEvent shape and deleted", async () => {
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"ok":true}' }));

    const delivery = await waitFor(async () => deliveries.find((d) => d.messageId === sent.MessageId));
    await waitFor(async () => ((await depth(sqs, queue.url)).inFlight === 0 ? true : undefined));

    expect(delivery).toMatchObject({ body: '{"ok":true}', receiveCount: "1" });
    expect(await depth(sqs, queue.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(deliveries.filter((d) => d.messageId === sent.MessageId)).toHaveLength(1);
  });

  it("a message reported in batchItemFailures is retried and lands in the DLQ after maxReceiveCount receives, while its neighbour succeeds once", async () => {
    const poison = await sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"poison":true}' }),
    );
    const good = await sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"ok":"neighbour"}' }),
    );

    const inDlq = await waitFor(async () => {
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
      );
      return received.Messages?.[0];
    });

    expect(inDlq.MessageId).toBe(poison.MessageId);
    expect(deliveries.filter((d) => d.messageId === poison.MessageId).map((d) => d.receiveCount)).toEqual([
      "1",
      "2",
      "3",
    ]);
    expect(deliveries.filter((d) => d.messageId === good.MessageId)).toHaveLength(1);
  });

  it("a consumer that throws fails the whole batch, so every message in it is delivered again", async () => {
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: [
          { Id: "crash", MessageBody: '{"crash":true}' },
          { Id: "bystander", MessageBody: '{"ok":"bystander"}' },
        ],
      }),
    );
    const ids = (sent.Successful ?? []).map((entry) => entry.MessageId as string);

    await waitFor(async () =>
      ids.every((id) => deliveries.filter((d) => d.messageId === id).length >= 2) ? true : undefined,
    );

    for (const id of ids) {
      expect(deliveries.filter((d) => d.messageId === id)[1]?.receiveCount).toBe("2");
    }
  });

  it("a failure report naming no message of the batch fails the whole batch, as Lambda does", async () => {
    const bogus = await sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"bogus":true}' }),
    );

    await waitFor(async () =>
      deliveries.filter((d) => d.messageId === bogus.MessageId).length >= 2 ? true : undefined,
    );

    expect(
      deliveries
        .filter((d) => d.messageId === bogus.MessageId)
        .map((d) => d.receiveCount)
        .slice(0, 2),
    ).toEqual(["1", "2"]);
  });
});
