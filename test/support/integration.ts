import { randomBytes } from "node:crypto";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import * as Orgs from "@kith/core/orgs";
import { documentClient, tableName } from "@kith/core/storage";
import { ensureTable, localClient } from "@kith/local/dynamo";
import { sqsClient } from "@kith/local/sqs";
import { inject } from "vitest";

/** A short random suffix, so every test gets resources nobody else touches. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/**
 * Points the process's AWS SDK clients at the shared emulators. Core code reads the same
 * variables in Lambda, so nothing under test knows it runs locally.
 */
export function useEmulators(): { dynamoEndpoint: string; sqsEndpoint: string } {
  const dynamoEndpoint = inject("dynamoEndpoint");
  const sqsEndpoint = inject("sqsEndpoint");
  process.env.AWS_REGION = "us-east-1";
  process.env.AWS_ACCESS_KEY_ID = "local";
  process.env.AWS_SECRET_ACCESS_KEY = "local";
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoEndpoint;
  process.env.AWS_ENDPOINT_URL_SQS = sqsEndpoint;
  return { dynamoEndpoint, sqsEndpoint };
}

/**
 * Creates a fresh table from the shared definition and makes it the one core code uses; call it per
 * test for isolation. The table has no stream unless `stream: true`: a test that reads the stream
 * asks for it. The suite's one DynamoDB Local keeps every stream record of every table for 24 hours,
 * and each write to a stream-enabled table slows with that total: with every table streaming, files
 * late in a full run ran 4 to 6 times slower than alone (docs/decisions.md).
 */
export async function useFreshTable(
  options: { stream?: boolean } = {},
): Promise<{ tableName: string; drop: () => Promise<void> }> {
  const { dynamoEndpoint } = useEmulators();
  const tableName = uniqueName("kith-test");
  const client = localClient(dynamoEndpoint);
  await ensureTable(client, tableName, undefined, { stream: options.stream ?? false });
  process.env.KITH_TABLE_NAME = tableName;
  return {
    tableName,
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}

/** `useFreshTable`, plus one org created in it for the tests to share. */
export async function useFreshTableWithOrg(
  orgName: string,
): Promise<{ tableName: string; drop: () => Promise<void>; orgId: string }> {
  const table = await useFreshTable();
  const { org } = await Orgs.create({ name: orgName });
  return { ...table, orgId: org.id };
}

export function testSqsClient() {
  return sqsClient(useEmulators().sqsEndpoint);
}

export type TableItem = Record<string, unknown>;

/**
 * Every item of the test's own table (the one `useFreshTable` made current), in key order, so two
 * scans compare equal exactly when the table holds the same items. A Scan is fine here: tests only.
 */
export async function scanTable(): Promise<TableItem[]> {
  const items: TableItem[] = [];
  let startKey: TableItem | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({ TableName: tableName(), ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...((page.Items ?? []) as TableItem[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const key = (item: TableItem) => `${item.pk as string}\u0000${item.sk as string}`;
  // Items past their TTL are logically gone (every read filters them), and DynamoDB Local may
  // delete them between two scans, so "nothing changed" comparisons leave them out.
  const nowSeconds = Math.floor(Date.now() / 1000);
  return items
    .filter((item) => typeof item.expiresAt !== "number" || item.expiresAt > nowSeconds)
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Creates a fresh FIFO queue (explicit deduplication ids) on the SQS emulator and returns its URL. */
export async function createFifoQueue(sqs: SQSClient, prefix: string): Promise<string> {
  const queueName = `${uniqueName(prefix)}.fifo`;
  await sqs.send(
    new CreateQueueCommand({
      QueueName: queueName,
      Attributes: { FifoQueue: "true", ContentBasedDeduplication: "false" },
    }),
  );
  // On the emulator's own origin, so the SDK sends to it without a "QueueUrl differs" warning.
  return `${useEmulators().sqsEndpoint}/000000000000/${queueName}`;
}

/**
 * Every message on a queue now (with all system attributes), each deleted as it is read. Stops
 * after `emptyReceives` receives came back empty (more than one rides out messages still in flight).
 */
export async function drainQueue(sqs: SQSClient, queueUrl: string, emptyReceives = 1): Promise<Message[]> {
  const messages: Message[] = [];
  for (let empty = 0; empty < emptyReceives; ) {
    const batch = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["All"],
      }),
    );
    const received = batch.Messages ?? [];
    if (received.length === 0) empty += 1;
    messages.push(...received);
    for (const message of received) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return messages;
}
