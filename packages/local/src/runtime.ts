import { resolve } from "node:path";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { SQSClient } from "@aws-sdk/client-sqs";
import {
  manifest as defaultManifest,
  type Manifest,
  parseHandlerRef,
  queueUrlEnvName,
  streamDeadLetterQueuePhysicalName,
} from "../../../manifest";
import { LocalEventBus } from "./bus";
import { DEMO_ORG, type DemoSummary, seedDemoData } from "./demo";
import { type DemoSpotlight, findDemoSpotlight } from "./demo-contacts";
import { connectDemoMailboxes, demoMailboxTargets } from "./demo-mailboxes";
import { type DynamoLocal, ensureTable, localClient, startDynamoLocal } from "./dynamo";
import {
  applySecretDefaults,
  configureHandlerEnvironment,
  LOCAL_BUS_NAME,
  LOCAL_TABLE_NAME,
  QUEUE_PREFIX,
} from "./environment";
import { LocalGateway } from "./gateway";
import { type HealthReport, probe, queueDepths, report } from "./health";
import { assertJava } from "./java";
import { loadHandler } from "./lambda";
import { Lifecycle } from "./lifecycle";
import { localRoutes } from "./local-routes";
import { log } from "./log";
import { QueuePoller } from "./pollers";
import { startProviderSandboxes } from "./providers";
import { LocalScheduler } from "./scheduler";
import {
  type ProvisionedQueue,
  provisionDeadLetterQueue,
  provisionQueue,
  type SqsEmulator,
  sqsClient,
  startSqsEmulator,
} from "./sqs";
import { StreamPoller } from "./streams";
import { DynamoSupervisor } from "./supervisor";

export {
  DEFAULT_WEBHOOK_SECRETS,
  DEFAULT_WORKOS_WEBHOOK_SECRET,
  LOCAL_BUS_NAME,
  LOCAL_TABLE_NAME,
} from "./environment";
export type { HealthReport } from "./health";

export interface RuntimeOptions {
  /** Gateway port; 0 picks a free one. */
  port: number;
  /** Where DynamoDB Local and the SQS emulator keep their data; null keeps everything in memory. */
  dataDir: string | null;
  /** Run schedules on their crons (they can always be fired through `/_local/schedules/{name}`). */
  schedules: boolean;
  /** Local-only retry delay for failed messages; undefined honours each queue's visibility timeout. */
  retryDelaySeconds?: number;
  /** Deliver the table's stream to its consumers (default true; false leaves committed events unrelayed). */
  streams?: boolean;
  manifest?: Manifest;
  /** Lets the caller stop the runtime at any moment, including mid-startup. */
  lifecycle?: Lifecycle;
  /**
   * The built admin console's folder (console.ts), awaited before the gateway listens and served at
   * `/`; absent or resolving to undefined, the gateway serves the API only.
   */
  console?: Promise<string | undefined>;
}

export interface Runtime {
  url: string;
  port: number;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  busEndpoint: string;
  tableName: string;
  queues: Map<string, ProvisionedQueue>;
  streamPollers: StreamPoller[];
  startedInMs: number;
  /** Where the admin console is served, when it is. */
  consoleUrl?: string;
  /**
   * The demo org and the contact the start banner points to, when the demo org exists (seeded now
   * or on an earlier start); the contact is missing if someone removed it.
   */
  demo?: {
    orgId: string;
    spotlight?: Omit<DemoSpotlight, "orgId">;
    /** A contact warm through a past job (enrichment), not through mail. */
    pastColleague?: Omit<DemoSpotlight, "orgId">;
  };
  health(): Promise<HealthReport>;
  stop(): Promise<void>;
}

/**
 * Starts Kith on one machine: DynamoDB Local (its stream relayed to the bus), the SQS emulator
 * with every manifest queue and DLQ, the local bus, queue pollers, the scheduler and the HTTP
 * gateway, all driving the same handler modules Lambda runs. Internal components listen on free
 * loopback ports (docs/local-runtime.md).
 */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const started = Date.now();
  const manifest = options.manifest ?? defaultManifest;
  assertJava();
  const lifecycle = options.lifecycle ?? new Lifecycle();
  const stopAll = () =>
    lifecycle.stop((error) => log("warn", "component did not stop cleanly", { error: error.message }));

  try {
    const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
    const region = process.env.AWS_REGION ?? "us-east-1";
    const { dynamo, dynamoClient, sqsEmulator, sqs } = await startStores(lifecycle, dataDir, region);
    const supervisor = new DynamoSupervisor(dynamo, dynamoClient, LOCAL_TABLE_NAME);
    lifecycle.add(async () => supervisor.stop());
    const queues = await provisionQueues(sqs, manifest, sqsEmulator.endpoint);
    const sandboxes = await startProviderSandboxes(lifecycle);
    await applySecretDefaults(dataDir);
    lifecycle.assertRunning();

    // Import every handler now, so a broken module fails the start instead of the first request.
    await Promise.all(allHandlerRefs(manifest).map((ref) => loadHandler(ref)));
    lifecycle.assertRunning();

    const bus = new LocalEventBus(
      manifest.subscriptions,
      { sqs, queueUrls: new Map([...queues].map(([name, queue]) => [name, queue.url])) },
      region,
      LOCAL_BUS_NAME,
    );
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = await bus.start();
    lifecycle.add(() => bus.stop());

    const pollers = [...queues.values()].map(
      (queue) => new QueuePoller(sqs, queue, { retryDelaySeconds: options.retryDelaySeconds }),
    );
    for (const poller of pollers) poller.start();
    lifecycle.add(() => Promise.all(pollers.map((poller) => poller.stop())).then(() => undefined));

    const streamPollers = await startStreamPollers(lifecycle, {
      dynamo,
      dynamoClient,
      sqs,
      manifest,
      dataDir,
      region,
      options,
    });

    const scheduler = new LocalScheduler(manifest.schedules, { enabled: options.schedules });
    lifecycle.add(async () => scheduler.stop());

    // Demo data goes in once the bus and pollers run (its domain events reach the journal) and
    // before the gateway reports ready; seedDemoData leaves any database with an org alone.
    let seeded: DemoSummary | undefined;
    if (process.env.KITH_DEMO !== "0") {
      seeded = await seedDemoData().catch((error) => {
        lifecycle.assertRunning();
        throw error;
      });
      lifecycle.assertRunning();
    }
    // What the banner shows: the demo org, seeded now or on an earlier start (never fatal).
    const demo = await findDemoSpotlight(DEMO_ORG.slug, seeded?.plan).catch((error) => {
      log("warn", "could not look up the demo org", { error: (error as Error).message });
      return undefined;
    });
    lifecycle.assertRunning();

    const health = async (): Promise<HealthReport> =>
      report({
        dynamodb: {
          ...(await probe(async () => {
            // Read-only: a health check never creates or alters the table.
            const described = await dynamoClient.send(
              new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }),
            );
            if (described.Table?.TableStatus !== "ACTIVE")
              throw new Error(`table is ${described.Table?.TableStatus}`);
            return { endpoint: dynamo.endpoint, table: LOCAL_TABLE_NAME };
          })),
          ...supervisor.status(),
        },
        sqs: await probe(async () => ({
          endpoint: sqsEmulator.endpoint,
          queues: await queueDepths(sqs, queues),
        })),
        bus: { status: "ok", ...bus.status() },
        pollers: {
          status: pollers.every((poller) => poller.status().running) ? "ok" : "down",
          queues: pollers.map((poller) => poller.status()),
        },
        streams: {
          status:
            options.streams === false || streamPollers.every((poller) => poller.status().running)
              ? "ok"
              : "down",
          enabled: options.streams !== false,
          consumers: streamPollers.map((poller) => poller.status()),
        },
        scheduler: { status: "ok", enabled: options.schedules, schedules: scheduler.status() },
        gateway: { status: "ok", routes: manifest.routes.length },
      });

    let url = "";
    const staticRoot = await options.console;
    lifecycle.assertRunning();
    const gateway = new LocalGateway(
      manifest.routes,
      localRoutes({ health, scheduler, workos: sandboxes.workos, gatewayUrl: () => url, sqs, queues }),
      { staticRoot },
    );
    const port = await gateway.listen(options.port);
    url = `http://127.0.0.1:${port}`;
    // Where the providers send a member back after consent: this gateway, unless configured.
    process.env.OAUTH_REDIRECT_BASE_URL ||= url;
    lifecycle.add(() => gateway.close());
    if (seeded && process.env.KITH_DEMO_MAILBOXES !== "0")
      connectDemoMailboxesInBackground(lifecycle, seeded, url);

    return {
      url,
      port,
      dynamoEndpoint: dynamo.endpoint,
      sqsEndpoint: sqsEmulator.endpoint,
      busEndpoint: process.env.AWS_ENDPOINT_URL_EVENTBRIDGE,
      tableName: LOCAL_TABLE_NAME,
      queues,
      streamPollers,
      startedInMs: Date.now() - started,
      ...(staticRoot ? { consoleUrl: `${url}/` } : {}),
      ...(demo ? { demo } : {}),
      health,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * A fresh demo's mailboxes, connected through the gateway that now listens (demo-mailboxes.ts):
 * in the background, so the start does not wait for it; a stop aborts it and waits for it, before
 * the gateway closes. Its failures are logged, never thrown.
 */
function connectDemoMailboxesInBackground(
  lifecycle: Lifecycle,
  seeded: DemoSummary,
  gatewayUrl: string,
): void {
  const abort = new AbortController();
  const targets = demoMailboxTargets(seeded.userIds, seeded.activeEmails);
  log("info", `demo mailboxes: connecting ${targets.length} sandbox mailboxes`);
  const running = connectDemoMailboxes(seeded.orgId, targets, { gatewayUrl, signal: abort.signal }).catch(
    (error) => {
      log("warn", "demo mailboxes: connecting failed", { error: (error as Error).message });
    },
  );
  lifecycle.add(async () => {
    abort.abort();
    await running;
  });
}

/** DynamoDB Local (with the table, created or brought up to date) and the SQS emulator, in parallel. */
async function startStores(lifecycle: Lifecycle, dataDir: string | undefined, region: string) {
  const [dynamo, sqsEmulator] = await Promise.all([
    startDynamoLocal({
      dataDir: dataDir && resolve(dataDir, "dynamodb"),
      onSpawn: (stop) => lifecycle.add(stop),
    }),
    startSqsEmulator({ dataDir: dataDir && resolve(dataDir, "sqs") }).then((emulator: SqsEmulator) => {
      lifecycle.add(emulator.stop);
      return emulator;
    }),
  ]);
  lifecycle.assertRunning();
  configureHandlerEnvironment({ dynamo: dynamo.endpoint, sqs: sqsEmulator.endpoint }, region);

  const dynamoClient = localClient(dynamo.endpoint);
  lifecycle.add(async () => dynamoClient.destroy());
  await ensureTable(dynamoClient, LOCAL_TABLE_NAME);
  lifecycle.assertRunning();

  const sqs = sqsClient(sqsEmulator.endpoint);
  lifecycle.add(async () => sqs.destroy());
  return { dynamo, dynamoClient, sqsEmulator, sqs };
}

/** Every manifest queue and its DLQ, with its URL where handlers read it. */
async function provisionQueues(
  sqs: SQSClient,
  manifest: Manifest,
  endpoint: string,
): Promise<Map<string, ProvisionedQueue>> {
  const queues = new Map<string, ProvisionedQueue>();
  for (const definition of manifest.queues) {
    const queue = await provisionQueue(sqs, definition, QUEUE_PREFIX);
    queues.set(definition.name, queue);
    process.env[queueUrlEnvName(definition.name)] = handlerQueueUrl(queue.url, endpoint);
  }
  return queues;
}

/**
 * The queue's URL as handlers get it: on the emulator's own origin. fauxqs names its queues
 * `http://sqs.<region>.127.0.0.1:<port>/…`, which WHATWG URL parsing rejects (a host ending in a
 * number must be an IPv4 address), so the SDK's queue-URL middleware logged a TypeError with its
 * stack on every send from a handler (the SQS client in core has no explicit endpoint). fauxqs
 * finds a queue by the URL's path alone, so the emulator's origin reaches the same queue.
 */
export function handlerQueueUrl(queueUrl: string, endpoint: string): string {
  return queueUrl.replace(/^https?:\/\/[^/]+/, new URL(endpoint).origin);
}

/** The table's stream, delivered to its consumers (the outbox relay) as Lambda's mapping does. */
async function startStreamPollers(
  lifecycle: Lifecycle,
  parts: {
    dynamo: DynamoLocal;
    dynamoClient: DynamoDBClient;
    sqs: SQSClient;
    manifest: Manifest;
    dataDir: string | undefined;
    region: string;
    options: RuntimeOptions;
  },
): Promise<StreamPoller[]> {
  const { dynamo, dynamoClient, sqs, manifest, dataDir, region, options } = parts;
  const streamsClient = new DynamoDBStreamsClient({
    endpoint: dynamo.endpoint,
    region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  lifecycle.add(async () => streamsClient.destroy());
  const pollers: StreamPoller[] = [];
  for (const definition of manifest.streams) {
    const deadLetterQueue = await provisionDeadLetterQueue(
      sqs,
      streamDeadLetterQueuePhysicalName(definition, QUEUE_PREFIX),
    );
    pollers.push(
      new StreamPoller(dynamoClient, streamsClient, LOCAL_TABLE_NAME, definition, {
        checkpointFile: dataDir && resolve(dataDir, "streams", `${definition.name}.json`),
        deadLetterQueue: { sqs, url: deadLetterQueue.url },
        region,
        retryDelayMs: options.retryDelaySeconds === undefined ? undefined : options.retryDelaySeconds * 1000,
      }),
    );
  }
  if (options.streams !== false) for (const poller of pollers) poller.start();
  // On a stop, what the last requests committed is relayed first: their events reach the bus.
  lifecycle.add(() =>
    Promise.all(
      pollers.map(async (poller) => {
        if (poller.status().running && !(await poller.drain(10_000))) {
          log("warn", "stopped before the table's stream was fully relayed; the next start resumes it");
        }
        await poller.stop();
      }),
    ).then(() => undefined),
  );
  return pollers;
}

function allHandlerRefs(manifest: Manifest): string[] {
  const refs = [
    ...manifest.routes.map((route) => route.handler),
    ...manifest.queues.map((queue) => queue.consumer),
    ...manifest.streams.map((stream) => stream.consumer),
    ...manifest.schedules.map((schedule) => schedule.handler),
    ...manifest.subscriptions.flatMap((subscription) =>
      "handler" in subscription.target ? [subscription.target.handler] : [],
    ),
  ];
  for (const ref of refs) parseHandlerRef(ref);
  return [...new Set(refs)];
}
