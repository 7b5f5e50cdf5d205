import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { signWorkOSWebhook, WorkOSSandbox } from "@kith/sandbox";
import {
  manifest as defaultManifest,
  type Manifest,
  parseHandlerRef,
  queueUrlEnvName,
  streamDeadLetterQueuePhysicalName,
} from "../../../manifest";
import { LocalEventBus } from "./bus";
import { seedDemoData } from "./demo";
import { type DynamoLocal, ensureTable, localClient, startDynamoLocal } from "./dynamo";
import { LocalGateway } from "./gateway";
import { assertJava } from "./java";
import { loadHandler } from "./lambda";
import { Lifecycle } from "./lifecycle";
import { log } from "./log";
import { QueuePoller } from "./pollers";
import { LocalScheduler } from "./scheduler";
import { startSlackSandboxUnlessConfigured } from "./slack";
import {
  type ProvisionedQueue,
  provisionDeadLetterQueue,
  provisionQueue,
  type SqsEmulator,
  sqsClient,
  startSqsEmulator,
} from "./sqs";
import { StreamPoller } from "./streams";

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
  health(): Promise<HealthReport>;
  stop(): Promise<void>;
}

export interface HealthReport {
  status: "ok" | "degraded";
  components: Record<string, { status: "ok" | "down" } & Record<string, unknown>>;
}

export const LOCAL_TABLE_NAME = "kith-local";
export const LOCAL_BUS_NAME = "kith-local";
const QUEUE_PREFIX = "kith-local-";
/** Local only, like the operator key: what a developer signs test webhooks with. */
export const DEFAULT_WORKOS_WEBHOOK_SECRET = "local-workos-webhook-secret";
const DEFAULT_OPERATOR_KEY = "local-operator-key";
/** Local only: what a developer signs test deliveries with (docs/local-runtime.md). */
export const DEFAULT_WEBHOOK_SECRETS = {
  SLACK_SIGNING_SECRET: "local-slack-signing-secret",
  GITHUB_WEBHOOK_SECRET: "local-github-webhook-secret",
  LINEAR_WEBHOOK_SECRET: "local-linear-webhook-secret",
} as const;

/**
 * The key that seals secrets at rest when there is no KMS. With a data directory it is generated
 * once and kept there (mode 0600), so sealed values survive a restart; in memory it lives as long
 * as the process, like the data.
 */
async function localEncryptionKey(dataDir: string | undefined): Promise<string> {
  if (!dataDir) return randomBytes(32).toString("base64url");
  const path = resolve(dataDir, "token-encryption-key");
  try {
    return (await readFile(path, "utf8")).trim();
  } catch {
    await mkdir(dataDir, { recursive: true });
    const key = randomBytes(32).toString("base64url");
    await writeFile(path, key, { mode: 0o600, flag: "wx" }).catch(async () => undefined);
    return (await readFile(path, "utf8")).trim();
  }
}

/**
 * Starts Kith on one machine: DynamoDB Local, the SQS emulator with every manifest queue and DLQ,
 * the local bus, queue pollers, the scheduler and the HTTP gateway, all driving the same handler
 * modules Lambda runs. Internal components use free ports; the gateway and bus bind to loopback,
 * but DynamoDB Local and fauxqs listen on every interface (neither has a bind option): see
 * docs/local-runtime.md.
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
    const [dynamo, sqsEmulator] = await Promise.all([
      startDynamoLocal({
        dataDir: dataDir && resolve(dataDir, "dynamodb"),
        onSpawn: (stop) => lifecycle.add(stop),
      }),
      startSqsEmulator({ dataDir: dataDir && resolve(dataDir, "sqs") }).then((emulator) => {
        lifecycle.add(emulator.stop);
        return emulator;
      }),
    ]);
    lifecycle.assertRunning();

    const region = process.env.AWS_REGION ?? "us-east-1";
    configureHandlerEnvironment(dynamo, sqsEmulator, region);

    const dynamoClient = localClient(dynamo.endpoint);
    lifecycle.add(async () => dynamoClient.destroy());
    await ensureTable(dynamoClient, LOCAL_TABLE_NAME);
    lifecycle.assertRunning();

    const sqs = sqsClient(sqsEmulator.endpoint);
    lifecycle.add(async () => sqs.destroy());
    const queues = new Map<string, ProvisionedQueue>();
    for (const definition of manifest.queues) {
      const queue = await provisionQueue(sqs, definition, QUEUE_PREFIX);
      queues.set(definition.name, queue);
      process.env[queueUrlEnvName(definition.name)] = queue.url;
    }

    // A provider with no credentials configured runs against its loopback sandbox, so directory
    // sync (webhook → queue → Events API) works offline with the real SDK.
    let workos: WorkOSSandbox | undefined;
    if (!process.env.WORKOS_API_KEY) {
      workos = await WorkOSSandbox.start();
      const started = workos;
      lifecycle.add(() => started.close());
      process.env.WORKOS_API_URL = workos.url;
      process.env.WORKOS_API_KEY = workos.apiKey;
    }
    // Likewise Slack's Web API (users.info for webhook senders) when SLACK_API_URL is unset.
    const slack = await startSlackSandboxUnlessConfigured();
    if (slack) lifecycle.add(() => slack.stop());
    process.env.WORKOS_WEBHOOK_SECRET ||= DEFAULT_WORKOS_WEBHOOK_SECRET;
    for (const [name, value] of Object.entries(DEFAULT_WEBHOOK_SECRETS)) process.env[name] ||= value;
    process.env.TOKEN_ENCRYPTION_KEY ||= await localEncryptionKey(dataDir);
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

    // The table's stream, delivered to its consumers (the outbox relay) as Lambda's mapping does.
    const streamsClient = new DynamoDBStreamsClient({
      endpoint: dynamo.endpoint,
      region,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    lifecycle.add(async () => streamsClient.destroy());
    const streamPollers: StreamPoller[] = [];
    for (const definition of manifest.streams) {
      const deadLetterQueue = await provisionDeadLetterQueue(
        sqs,
        streamDeadLetterQueuePhysicalName(definition, QUEUE_PREFIX),
      );
      streamPollers.push(
        new StreamPoller(dynamoClient, streamsClient, LOCAL_TABLE_NAME, definition, {
          checkpointFile: dataDir && resolve(dataDir, "streams", `${definition.name}.json`),
          deadLetterQueue: { sqs, url: deadLetterQueue.url },
          region,
          retryDelayMs:
            options.retryDelaySeconds === undefined ? undefined : options.retryDelaySeconds * 1000,
        }),
      );
    }
    if (options.streams !== false) for (const poller of streamPollers) poller.start();
    lifecycle.add(() => Promise.all(streamPollers.map((poller) => poller.stop())).then(() => undefined));

    const scheduler = new LocalScheduler(manifest.schedules, { enabled: options.schedules });
    lifecycle.add(async () => scheduler.stop());

    // Demo data goes in once the bus and pollers run (its domain events reach the journal) and
    // before the gateway reports ready; seedDemoData leaves any database with an org alone.
    if (process.env.KITH_DEMO !== "0") {
      await seedDemoData().catch((error) => {
        lifecycle.assertRunning();
        throw error;
      });
      lifecycle.assertRunning();
    }

    const health = async (): Promise<HealthReport> => {
      const components: HealthReport["components"] = {
        dynamodb: await probe(async () => {
          // Read-only: a health check never creates or alters the table.
          const described = await dynamoClient.send(
            new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }),
          );
          if (described.Table?.TableStatus !== "ACTIVE")
            throw new Error(`table is ${described.Table?.TableStatus}`);
          return { endpoint: dynamo.endpoint, table: LOCAL_TABLE_NAME };
        }),
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
      };
      const status = Object.values(components).every((component) => component.status === "ok")
        ? "ok"
        : "degraded";
      return { status, components };
    };

    let gatewayPort = 0;
    const gateway = new LocalGateway(manifest.routes, [
      {
        method: "GET",
        path: "/_local/health",
        handle: async () => {
          const report = await health();
          return { status: report.status === "ok" ? 200 : 503, body: report };
        },
      },
      {
        // Plays WorkOS: creates an organization in the sandbox directory and delivers its signed
        // webhook to this gateway, so the whole directory sync path can be watched locally.
        method: "POST",
        path: "/_local/workos/organizations",
        handle: async (_request, body) => {
          if (!workos) {
            return {
              status: 409,
              body: { error: { code: "sandbox_off", message: "WORKOS_API_KEY is set: real WorkOS is used" } },
            };
          }
          let input: { name?: unknown; externalId?: unknown } = {};
          try {
            input = JSON.parse(body.toString("utf8") || "{}");
          } catch {
            // Reported as a missing name below.
          }
          if (typeof input.name !== "string" || input.name.trim() === "") {
            return {
              status: 400,
              body: {
                error: { code: "invalid_input", message: "name is required", details: { name: "required" } },
              },
            };
          }
          const organization = workos.createOrganization({
            name: input.name,
            externalId: typeof input.externalId === "string" ? input.externalId : null,
          });
          const event = workos.events().at(-1);
          const signed = signWorkOSWebhook(event ?? {}, process.env.WORKOS_WEBHOOK_SECRET ?? "");
          const delivered = await fetch(`http://127.0.0.1:${gatewayPort}/webhooks/workos`, {
            method: "POST",
            headers: signed.headers,
            body: signed.body,
          });
          return { status: 201, body: { organization, webhookStatus: delivered.status } };
        },
      },
      {
        method: "POST",
        path: "/_local/schedules/{name}",
        handle: async (_request, _body, parameters) => {
          const name = parameters.name ?? "";
          if (!scheduler.has(name))
            return { status: 404, body: { error: { code: "not_found", message: `no schedule ${name}` } } };
          try {
            await scheduler.fire(name);
            return { status: 200, body: { name, fired: true } };
          } catch (error) {
            return {
              status: 502,
              body: { error: { code: "schedule_failed", message: (error as Error).message } },
            };
          }
        },
      },
    ]);
    const port = await gateway.listen(options.port);
    gatewayPort = port;
    lifecycle.add(() => gateway.close());

    return {
      url: `http://127.0.0.1:${port}`,
      port,
      dynamoEndpoint: dynamo.endpoint,
      sqsEndpoint: sqsEmulator.endpoint,
      busEndpoint: process.env.AWS_ENDPOINT_URL_EVENTBRIDGE,
      tableName: LOCAL_TABLE_NAME,
      queues,
      streamPollers,
      startedInMs: Date.now() - started,
      health,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** A loopback port nothing listens on (discard), so an SDK client with no local stand-in fails at once. */
const UNROUTABLE_ENDPOINT = "http://127.0.0.1:9";

/**
 * Handlers read the same variables in Lambda; here they point at the local components. The
 * developer's own AWS credentials and profile are removed and every other service's endpoint goes
 * nowhere, so the local runtime cannot touch a real AWS account even by mistake.
 */
function configureHandlerEnvironment(dynamo: DynamoLocal, sqs: SqsEmulator, region: string): void {
  process.env.AWS_REGION = region;
  for (const name of [
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  ]) {
    delete process.env[name];
  }
  process.env.AWS_ACCESS_KEY_ID = "local";
  process.env.AWS_SECRET_ACCESS_KEY = "local";
  process.env.AWS_ENDPOINT_URL = UNROUTABLE_ENDPOINT;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
  process.env.KITH_TABLE_NAME = LOCAL_TABLE_NAME;
  process.env.KITH_EVENT_BUS_NAME = LOCAL_BUS_NAME;
  process.env.KITH_STAGE = "local";
  process.env.OPERATOR_API_KEY ||= DEFAULT_OPERATOR_KEY;
  process.env.POWERTOOLS_SERVICE_NAME ||= "kith";
}

function allHandlerRefs(manifest: Manifest): string[] {
  const refs = [
    ...manifest.routes.map((route) => route.handler),
    ...manifest.queues.map((queue) => queue.consumer),
    ...manifest.schedules.map((schedule) => schedule.handler),
    ...manifest.subscriptions.flatMap((subscription) =>
      "handler" in subscription.target ? [subscription.target.handler] : [],
    ),
  ];
  for (const ref of refs) parseHandlerRef(ref);
  return [...new Set(refs)];
}

async function probe(
  check: () => Promise<Record<string, unknown>>,
): Promise<{ status: "ok" | "down" } & Record<string, unknown>> {
  try {
    return { status: "ok", ...(await check()) };
  } catch (error) {
    return { status: "down", error: (error as Error).message };
  }
}

async function queueDepths(sqs: SQSClient, queues: Map<string, ProvisionedQueue>) {
  const depth = async (url: string) => {
    const result = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return {
      visible: Number(result.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(result.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  };
  const report: Record<string, unknown> = {};
  for (const [name, queue] of queues) {
    report[name] = {
      url: queue.url,
      dlqUrl: queue.dlqUrl,
      ...(await depth(queue.url)),
      dlq: await depth(queue.dlqUrl),
    };
  }
  return report;
}
