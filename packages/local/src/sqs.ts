import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import { createRequire } from "node:module";
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

/** Starts the fauxqs SQS emulator in-process on a free loopback port, persisting under `dataDir` when given. */
export async function startSqsEmulator(options: { dataDir?: string } = {}): Promise<SqsEmulator> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const server = await startFauxqsOnLoopback({
    port: 0,
    // fauxqs's `host` is the host named in queue URLs (`sqs.<region>.<host>:<port>`), not where it listens.
    host: LOOPBACK,
    logger: false,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  return { endpoint: server.address, server, stop: () => server.stop() };
}

const LOOPBACK = "127.0.0.1";

/** The object Fastify's `require("node:http")` returns, whose `createServer` it calls when it builds an app. */
const nodeHttp = createRequire(import.meta.url)("node:http") as {
  createServer: (...args: unknown[]) => Server;
};

/**
 * fauxqs 2.4.1 has no bind option: `startFauxqs` calls `app.listen({ port, host: "0.0.0.0" })`
 * (dist/app.js). Fastify creates its `http.Server` synchronously while `startFauxqs` builds the app,
 * before its first `await`, so `http.createServer` is wrapped for exactly that synchronous call and
 * the one server it makes is told to listen on 127.0.0.1 instead. Fails closed: if no server was
 * captured, or the one fauxqs ends up with does not listen on 127.0.0.1, it is stopped and this throws.
 */
async function startFauxqsOnLoopback(options: Parameters<typeof startFauxqs>[0]): Promise<FauxqsServer> {
  const createServer = nodeHttp.createServer;
  const created: Server[] = [];
  nodeHttp.createServer = function (this: unknown, ...args: unknown[]): Server {
    const server = createServer.apply(this, args);
    const listen = server.listen;
    server.listen = function (this: Server, ...listenArgs: unknown[]) {
      const [first] = listenArgs;
      if (first !== null && typeof first === "object") listenArgs[0] = { ...first, host: LOOPBACK };
      return listen.apply(this, listenArgs as Parameters<typeof listen>);
    } as typeof server.listen;
    created.push(server);
    return server;
  };
  let starting: Promise<FauxqsServer>;
  try {
    starting = startFauxqs(options);
  } finally {
    nodeHttp.createServer = createServer;
  }
  const server = await starting;
  const bound = created.length === 1 ? created[0]?.address() : undefined;
  if (typeof bound !== "object" || bound?.address !== LOOPBACK) {
    await server.stop();
    throw new Error(
      `fauxqs did not listen on ${LOOPBACK} (servers created: ${created.length}, bound: ${JSON.stringify(bound)}); ` +
        "its startFauxqs may have changed: see docs/local-runtime.md, Network exposure",
    );
  }
  return server;
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
