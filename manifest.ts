/**
 * The one place where Kith's runtime wiring is declared.
 *
 * `stacks/` turns this into API Gateway routes, SQS queues with DLQs and event-source mappings,
 * EventBridge schedules and rules; `packages/local` turns the same declarations into the embedded
 * gateway, queue pollers, scheduler and bus. Nothing is wired a second time anywhere else, and the
 * stack tests fail when a declaration here is not wired there.
 *
 * Handler references are `<file without extension>.<export>` relative to the repository root,
 * which is the form SST's `Function` `handler` prop takes.
 */

import { ENRICHMENT_CONSUMERS } from "@kith/core/enrichment/consumers";
import type { Route } from "@kith/core/http/route";
import { routes } from "@kith/core/routes";

/**
 * What the stacks and the local runtime need of a route. Each route is declared once, next to its
 * module, with `defineRoute` (packages/core/src/http/route.ts): that declaration also carries the
 * route's access rule and schemas, which the handler validates with and the OpenAPI document shows.
 */
export type RouteDefinition = Pick<
  Route,
  "method" | "path" | "handler" | "auth" | "timeoutSeconds" | "memoryMB" | "sealedSecrets"
>;
export type { AuthKind, HttpMethod } from "@kith/core/http/route";

export interface QueueDefinition {
  /** Logical name; FIFO queues get the `.fifo` suffix added by the stack and the local runtime. */
  name: string;
  fifo: boolean;
  /** Must be at least the consumer's timeout, or messages are redelivered while still in flight. */
  visibilityTimeoutSeconds: number;
  batchSize: number;
  /** Receives before a message is moved to the queue's DLQ. */
  maxReceiveCount: number;
  consumer: string;
  consumerTimeoutSeconds: number;
  /** Seconds Lambda may wait to fill a batch (standard queues only). */
  maxBatchingWindowSeconds?: number;
  /** The consumer's memory; SST's default (1,024 MB) when absent. */
  memoryMB?: number;
  /**
   * At most this many consumer invocations at once (the event source's maximum concurrency, at
   * least 2), for consumers that share a provider's rate limit.
   */
  maxConcurrency?: number;
  /** What the consumer may do with the secrets key (KMS), as a route's `sealedSecrets`. */
  sealedSecrets?: "seal" | "open" | "seal+open";
}

export interface ScheduleDefinition {
  name: string;
  /**
   * EventBridge cron fields: `minutes hours day-of-month month day-of-week year`, always UTC.
   * The local scheduler converts the same expression, so both runtimes fire at the same times.
   */
  cron: string;
  handler: string;
  timeoutSeconds?: number;
}

/**
 * A consumer of the table's stream (DynamoDB Streams, new and old images), polled from the oldest
 * record on. Failed records are retried, in order, until they are older than `maxRecordAgeSeconds`;
 * then the batch is reported to the stream's DLQ (`<name>-dlq`), which has an alarm.
 *
 * It declares exactly one filter, which both runtimes apply before a batch is made (an event-source
 * filter in AWS): a record it rejects never reaches the consumer and is never retried.
 * - `newImageAttribute`: records whose new image has that attribute (the outbox relay).
 * - `entity`: records whose new or old image has an `entity` equal to one of the values, for
 *   INSERT, MODIFY and REMOVE alike: a REMOVE (a delete, a wipe, a TTL expiry) has only the old image.
 *   `eventNames` narrows it to those kinds of change (`["REMOVE"]`: deletions only).
 */
export type StreamDefinition = StreamConsumerSettings &
  (
    | { newImageAttribute: string; entity?: never; eventNames?: never }
    | {
        entity: readonly [string, ...string[]];
        eventNames?: readonly [StreamEventName, ...StreamEventName[]];
        newImageAttribute?: never;
      }
  );

export type StreamEventName = "INSERT" | "MODIFY" | "REMOVE";

interface StreamConsumerSettings {
  name: string;
  consumer: string;
  consumerTimeoutSeconds: number;
  batchSize: number;
  /** Seconds to wait to fill a batch. */
  maxBatchingWindowSeconds?: number;
  maxRecordAgeSeconds: number;
}

/** Where a bus rule sends matching events. */
export type SubscriptionTarget = { queue: string } | { handler: string };

export interface SubscriptionDefinition {
  name: string;
  /** EventBridge pattern fields; omitted fields match everything. */
  pattern: { source?: string[]; detailType?: string[] };
  target: SubscriptionTarget;
}

/**
 * The admin console (packages/console), a static site over the public HTTP API: the console stack
 * deploys it as an SST `StaticSite` built with the API's URL in `apiUrlEnv`; `npm start` builds it
 * into its own `dist/` and serves that at `/` on the gateway (same origin, relative URLs).
 */
export interface ConsoleDefinition {
  /** The site's folder, relative to the repository root. */
  path: string;
  /** Run in `path` by `sst deploy`; it must write `buildOutput`. */
  buildCommand: string;
  /** Relative to `path`; not `dist/`, which the local runtime builds and serves without an API URL. */
  buildOutput: string;
  /** The build-time variable carrying the API's URL (Vite exposes `VITE_*` to the browser code). */
  apiUrlEnv: string;
}

export interface Manifest {
  routes: readonly RouteDefinition[];
  queues: readonly QueueDefinition[];
  streams: readonly StreamDefinition[];
  schedules: readonly ScheduleDefinition[];
  subscriptions: readonly SubscriptionDefinition[];
  /** Optional so that a test's own manifest needs none. */
  console?: ConsoleDefinition;
}

/**
 * Every function's timeout unless its entry says otherwise: `sst.config.ts` sets it as the default
 * function prop, and the local runtime enforces the same limit.
 */
export const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 10;

/** The `source` every Kith domain event is published with. */
export const EVENT_SOURCE = "kith";

export const manifest = {
  // Every HTTP route: webhooks, OAuth callbacks and the admin API, declared next to their modules.
  routes,
  queues: [
    {
      name: "domain-events",
      fifo: false,
      visibilityTimeoutSeconds: 60,
      batchSize: 10,
      maxReceiveCount: 3,
      consumer: "functions/queues/journal-domain-events.handler",
      consumerTimeoutSeconds: 30,
      maxBatchingWindowSeconds: 1,
    },
    {
      // One message group per directory organization: its events are applied in order, one sync at a time.
      name: "directory-events",
      fifo: true,
      visibilityTimeoutSeconds: 180,
      batchSize: 10,
      maxReceiveCount: 5,
      consumer: "functions/queues/directory-sync.handler",
      consumerTimeoutSeconds: 120,
    },
    {
      // The router: mailbox.connected / scopes_changed (a bus rule) become one job per enabled scope,
      // sent on to the provider's syncer queue (sync-google, sync-microsoft).
      name: "mailbox-sync",
      fifo: false,
      visibilityTimeoutSeconds: 180,
      batchSize: 5,
      maxReceiveCount: 5,
      consumer: "functions/queues/mailbox-sync.handler",
      consumerTimeoutSeconds: 120,
    },
    {
      // One chain of bounded steps per (account, scope): each message is one invocation of the
      // Gmail or Google Calendar syncer, which enqueues its own continuation. Batch size 1: a step
      // budget is per invocation.
      name: "sync-google",
      fifo: false,
      visibilityTimeoutSeconds: 180,
      batchSize: 1,
      maxReceiveCount: 5,
      consumer: "functions/queues/sync-google.handler",
      consumerTimeoutSeconds: 120,
      memoryMB: 512,
      sealedSecrets: "seal+open",
    },
    {
      // The same for Outlook mail and Outlook calendar (Graph).
      name: "sync-microsoft",
      fifo: false,
      visibilityTimeoutSeconds: 180,
      batchSize: 1,
      maxReceiveCount: 5,
      consumer: "functions/queues/sync-microsoft.handler",
      consumerTimeoutSeconds: 120,
      memoryMB: 512,
      sealedSecrets: "seal+open",
    },
    {
      // Disconnect and scope-off wipes, 1,000 events per message, each message enqueuing the next.
      name: "mailbox-wipe",
      fifo: false,
      visibilityTimeoutSeconds: 180,
      batchSize: 1,
      maxReceiveCount: 10,
      consumer: "functions/queues/mailbox-wipe.handler",
      consumerTimeoutSeconds: 120,
    },
    {
      // The rollup's rebuilds: the nightly job's and the full rebuild's pairs, 500 per message,
      // and the per-org planning messages that produce them.
      name: "rollup-rebuild",
      fifo: false,
      visibilityTimeoutSeconds: 360,
      batchSize: 1,
      maxReceiveCount: 5,
      consumer: "functions/queues/rollup-rebuild.handler",
      consumerTimeoutSeconds: 300,
    },
    {
      // A contact gained or lost emails: its members' stats with it changed (lazy resolution).
      name: "rollup-contacts",
      fifo: false,
      visibilityTimeoutSeconds: 120,
      batchSize: 10,
      maxReceiveCount: 5,
      consumer: "functions/queues/rollup-contacts.handler",
      consumerTimeoutSeconds: 60,
      maxBatchingWindowSeconds: 1,
    },
    {
      // Strength follows the events that move its inputs: stats, collection membership, deleted
      // contacts, rule changes and key-connection opt-outs. Bounded work is done here; the rest is
      // planned onto scoring-jobs.
      name: "scoring-events",
      fifo: false,
      visibilityTimeoutSeconds: 120,
      batchSize: 10,
      maxReceiveCount: 5,
      consumer: "functions/queues/scoring-events.handler",
      consumerTimeoutSeconds: 60,
      maxBatchingWindowSeconds: 1,
    },
    {
      // Strength's plans and their batches of up to 500 (member, contact) pairs: a rule change, a
      // member joining or leaving a collection, an opt-out, the nightly decay.
      name: "scoring-jobs",
      fifo: false,
      visibilityTimeoutSeconds: 360,
      batchSize: 1,
      maxReceiveCount: 5,
      consumer: "functions/queues/scoring-jobs.handler",
      consumerTimeoutSeconds: 300,
    },
    {
      // Enrichment: correspondents to resolve, members and contacts to enrich, F7 refreshes. Every
      // Findem call is made here, at most ENRICHMENT_CONSUMERS containers at once, each pacing at
      // its share of Findem's limit.
      name: "enrichment",
      fifo: false,
      visibilityTimeoutSeconds: 120,
      batchSize: 10,
      maxReceiveCount: 5,
      consumer: "functions/queues/enrichment.handler",
      consumerTimeoutSeconds: 60,
      maxBatchingWindowSeconds: 1,
      maxConcurrency: ENRICHMENT_CONSUMERS,
    },
  ],
  streams: [
    {
      // The transactional outbox: events written with a state change reach the bus from here.
      name: "outbox-relay",
      newImageAttribute: "outbox",
      consumer: "functions/streams/outbox-relay.handler",
      consumerTimeoutSeconds: 30,
      batchSize: 100,
      // Retried until 6 hours old, then reported: the stream keeps records 24 hours, which leaves
      // an operator 18 hours to replay the batch from the stream (docs/operations.md).
      maxRecordAgeSeconds: 6 * 3600,
    },
    {
      // The rollup: every change of an interaction event, deletions included (a wipe, a sweep, TTL),
      // folded into the stats per (member, correspondent).
      name: "rollup-events",
      entity: ["interactionEvent"],
      consumer: "functions/streams/rollup-events.handler",
      consumerTimeoutSeconds: 60,
      batchSize: 100,
      maxBatchingWindowSeconds: 1,
      maxRecordAgeSeconds: 6 * 3600,
    },
    {
      // Correspondents the rollup flagged for enrichment (a first signal, or an expired answer)
      // become resolve jobs on the enrichment queue: the email stays off the bus.
      name: "enrichment-requests",
      entity: ["correspondent"],
      consumer: "functions/streams/enrichment-requests.handler",
      consumerTimeoutSeconds: 30,
      batchSize: 100,
      maxBatchingWindowSeconds: 1,
      maxRecordAgeSeconds: 6 * 3600,
    },
    {
      // A deleted contact's reachability item names the emails enrichment resolved to it
      // (`resolvedEmails`): each is resolved again, from the cache, so the lookup item drops the
      // gone contact and an email nobody else carries goes back to the unresolved queue.
      name: "enrichment-unresolve",
      entity: ["reachability"],
      eventNames: ["REMOVE"],
      consumer: "functions/streams/enrichment-unresolve.handler",
      consumerTimeoutSeconds: 30,
      batchSize: 100,
      maxBatchingWindowSeconds: 1,
      maxRecordAgeSeconds: 6 * 3600,
    },
  ],
  schedules: [
    { name: "heartbeat", cron: "*/5 * * * ? *", handler: "functions/schedules/heartbeat.handler" },
    // Before the 06:00 UTC mailbox fan-out, so members synced from the directory are in place.
    {
      name: "directory-reconcile",
      cron: "0 5 * * ? *",
      handler: "functions/schedules/directory-reconcile.handler",
      timeoutSeconds: 120,
    },
    // The daily mailbox syncs: Google at 06:00 UTC, Microsoft an hour later, each fan-out spreading
    // its jobs over 15 minutes.
    {
      name: "mailbox-sync-google",
      cron: "0 6 * * ? *",
      handler: "functions/schedules/mailbox-sync-google.handler",
      timeoutSeconds: 120,
    },
    {
      name: "mailbox-sync-microsoft",
      cron: "0 7 * * ? *",
      handler: "functions/schedules/mailbox-sync-microsoft.handler",
      timeoutSeconds: 120,
    },
    // The rollup's nightly rebuild: touched pairs and aged windows, planned per org.
    {
      name: "rollup-nightly",
      cron: "0 0 * * ? *",
      handler: "functions/schedules/rollup-nightly.handler",
      timeoutSeconds: 120,
    },
    // Strength's nightly decay, after the rollup's nightly has aged the stats (its stats.changed
    // recompute those pairs on their own): the links whose recency term steps down by now.
    {
      name: "scoring-nightly",
      cron: "0 1 * * ? *",
      handler: "functions/schedules/scoring-nightly.handler",
      timeoutSeconds: 120,
    },
    // Members' work and education histories, refreshed weekly (Monday 02:00 UTC).
    {
      name: "enrichment-users-weekly",
      cron: "0 2 ? * MON *",
      handler: "functions/schedules/enrichment-weekly.handler",
      timeoutSeconds: 120,
    },
  ],
  subscriptions: [
    {
      name: "journal-all-domain-events",
      pattern: { source: [EVENT_SOURCE] },
      target: { queue: "domain-events" },
    },
    {
      // In the connect's own write (the outbox), so a backfill cannot be lost between commit and send.
      name: "mailbox-sync-on-connect",
      pattern: { source: [EVENT_SOURCE], detailType: ["mailbox.connected", "mailbox.scopes_changed"] },
      target: { queue: "mailbox-sync" },
    },
    {
      name: "mailbox-wipe-on-request",
      pattern: { source: [EVENT_SOURCE], detailType: ["mailbox.wipe_requested"] },
      target: { queue: "mailbox-wipe" },
    },
    {
      name: "rollup-on-contact-change",
      pattern: {
        source: [EVENT_SOURCE],
        detailType: ["contact.created", "contact.updated", "contact.deleted"],
      },
      target: { queue: "rollup-contacts" },
    },
    {
      name: "scoring-on-domain-events",
      pattern: {
        source: [EVENT_SOURCE],
        detailType: [
          "stats.changed",
          "collection.member_added",
          "collection.member_removed",
          "contact.deleted",
          "rules.changed",
          "user.key_connection_changed",
          "user.enriched",
          "contact.enriched",
        ],
      },
      target: { queue: "scoring-events" },
    },
    {
      // A member who connects a mailbox is enriched; a contact when it first has a connection.
      name: "enrichment-on-domain-events",
      pattern: { source: [EVENT_SOURCE], detailType: ["mailbox.connected", "strength.changed"] },
      target: { queue: "enrichment" },
    },
  ],
  console: {
    path: "packages/console",
    buildCommand: "npm run build:site",
    buildOutput: "dist-site",
    apiUrlEnv: "VITE_KITH_API_URL",
  },
} as const satisfies Manifest;

/** The physical queue name for a manifest queue (FIFO queues need the `.fifo` suffix). */
export function queuePhysicalName(queue: Pick<QueueDefinition, "name" | "fifo">, prefix = ""): string {
  return `${prefix}${queue.name}${queue.fifo ? ".fifo" : ""}`;
}

/** The DLQ's physical name; a FIFO queue's DLQ must itself be FIFO. */
export function deadLetterQueuePhysicalName(
  queue: Pick<QueueDefinition, "name" | "fifo">,
  prefix = "",
): string {
  return `${prefix}${queue.name}-dlq${queue.fifo ? ".fifo" : ""}`;
}

/** `functions/http/health.handler` → `{ file: "functions/http/health", exportName: "handler" }`. */
export function parseHandlerRef(ref: string): { file: string; exportName: string } {
  const dot = ref.lastIndexOf(".");
  if (dot <= 0) throw new Error(`handler reference "${ref}" must look like "path/to/file.export"`);
  return { file: ref.slice(0, dot), exportName: ref.slice(dot + 1) };
}

/** The physical name of a stream consumer's DLQ (SQS), where batches it gave up on are reported. */
export function streamDeadLetterQueuePhysicalName(
  stream: Pick<StreamDefinition, "name">,
  prefix = "",
): string {
  return `${prefix}${stream.name}-dlq`;
}

/** Environment variable through which a queue's URL reaches code that sends to it. */
export function queueUrlEnvName(queueName: string): string {
  return `KITH_QUEUE_URL_${queueName.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}
