import { mkdirSync } from "node:fs";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { type FauxqsServer, startFauxqs } from "fauxqs";
import { deadLetterQueuePhysicalName, type QueueDefinition, queuePhysicalName } from "../../../manifest";

export interface SqsEmulator {
  endpoint: string;
  server: FauxqsServer;
  stop(): Promise<void>;
}

/** Starts the fauxqs SQS emulator in-process on a free port, persisting under `dataDir` when given. */
export async function startSqsEmulator(options: { dataDir?: string } = {}): Promise<SqsEmulator> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const server = await startFauxqs({
    port: 0,
    host: "127.0.0.1",
    logger: false,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  return { endpoint: server.address, server, stop: () => server.stop() };
}

export function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: process.env.AWS_REGION ?? "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}

export interface ProvisionedQueue {
  definition: QueueDefinition;
  url: string;
  arn: string;
  dlqUrl: string;
  dlqArn: string;
}

/** A plain standard queue that only collects what gave up (a stream consumer's on-failure destination). */
export async function provisionDeadLetterQueue(
  client: SQSClient,
  name: string,
): Promise<{ url: string; arn: string }> {
  const created = await client.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { MessageRetentionPeriod: String(14 * 86_400) } }),
  );
  const url = created.QueueUrl as string;
  return { url, arn: await queueArn(client, url) };
}

/**
 * Creates a manifest queue and its DLQ with the same attributes the stack gives them, including
 * the redrive policy, so the emulator moves a message to the DLQ after `maxReceiveCount` receives
 * exactly as SQS does. Safe to call on every start: attributes are re-applied to existing queues.
 */
export async function provisionQueue(
  client: SQSClient,
  definition: QueueDefinition,
  prefix: string,
): Promise<ProvisionedQueue> {
  const fifoAttributes: Record<string, string> = definition.fifo
    ? { FifoQueue: "true", ContentBasedDeduplication: "false" }
    : {};
  const dlq = await client.send(
    new CreateQueueCommand({
      QueueName: deadLetterQueuePhysicalName(definition, prefix),
      Attributes: { ...fifoAttributes, MessageRetentionPeriod: String(14 * 86_400) },
    }),
  );
  const dlqUrl = dlq.QueueUrl as string;
  const dlqArn = await queueArn(client, dlqUrl);
  const attributes = {
    VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: definition.maxReceiveCount,
    }),
  };
  const queue = await client.send(
    new CreateQueueCommand({ QueueName: queuePhysicalName(definition, prefix), Attributes: fifoAttributes }),
  );
  const url = queue.QueueUrl as string;
  await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  return { definition, url, arn: await queueArn(client, url), dlqUrl, dlqArn };
}

async function queueArn(client: SQSClient, url: string): Promise<string> {
  const result = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
  );
  return result.Attributes?.QueueArn as string;
}
