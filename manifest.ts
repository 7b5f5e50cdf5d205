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

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * - `none`: public (health, OAuth callbacks).
 * - `webhook`: not bearer-authenticated; the handler verifies a provider signature on the raw body.
 * - `bearer`: `Authorization: Bearer <operator key | kith_ token>`, checked by the handler kit.
 */
export type AuthKind = "none" | "webhook" | "bearer";

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway path syntax: `/v1/orgs/{orgId}`. */
  path: string;
  handler: string;
  auth: AuthKind;
  /** Seconds; API Gateway HTTP APIs cap integrations at 30 s. */
  timeoutSeconds?: number;
  memoryMB?: number;
  /**
   * Access to the KMS key that seals secrets at rest (packages/core/src/vault): `seal` grants
   * Encrypt, `open` grants Decrypt. Functions without it get neither.
   */
  sealedSecrets?: "seal" | "open";
}

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

/** Where a bus rule sends matching events. */
export type SubscriptionTarget = { queue: string } | { handler: string };

export interface SubscriptionDefinition {
  name: string;
  /** EventBridge pattern fields; omitted fields match everything. */
  pattern: { source?: string[]; detailType?: string[] };
  target: SubscriptionTarget;
}

export interface Manifest {
  routes: readonly RouteDefinition[];
  queues: readonly QueueDefinition[];
  schedules: readonly ScheduleDefinition[];
  subscriptions: readonly SubscriptionDefinition[];
}

/**
 * Every function's timeout unless its entry says otherwise: `sst.config.ts` sets it as the default
 * function prop, and the local runtime enforces the same limit.
 */
export const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 10;

/** The `source` every Kith domain event is published with. */
export const EVENT_SOURCE = "kith";

export const manifest = {
  routes: [
    { method: "GET", path: "/health", handler: "functions/http/health.handler", auth: "none" },
    { method: "GET", path: "/v1/whoami", handler: "functions/http/whoami.handler", auth: "bearer" },
    { method: "GET", path: "/v1/openapi.json", handler: "functions/http/openapi.handler", auth: "none" },
    {
      method: "POST",
      path: "/webhooks/workos",
      handler: "functions/webhooks/workos.handler",
      auth: "webhook",
    },
    {
      method: "GET",
      path: "/v1/journal",
      handler: "functions/http/list-journal.handler",
      auth: "bearer",
    },
    { method: "POST", path: "/v1/orgs", handler: "functions/http/create-org.handler", auth: "bearer" },
    { method: "GET", path: "/v1/orgs", handler: "functions/http/list-orgs.handler", auth: "bearer" },
    { method: "GET", path: "/v1/orgs/{orgId}", handler: "functions/http/get-org.handler", auth: "bearer" },
    {
      method: "POST",
      path: "/v1/orgs/{orgId}/users",
      handler: "functions/http/create-user.handler",
      auth: "bearer",
    },
    {
      method: "GET",
      path: "/v1/orgs/{orgId}/users",
      handler: "functions/http/list-users.handler",
      auth: "bearer",
    },
    {
      method: "GET",
      path: "/v1/orgs/{orgId}/users/{userId}",
      handler: "functions/http/get-user.handler",
      auth: "bearer",
    },
    {
      method: "PATCH",
      path: "/v1/orgs/{orgId}/users/{userId}",
      handler: "functions/http/update-user.handler",
      auth: "bearer",
    },
    {
      method: "DELETE",
      path: "/v1/orgs/{orgId}/users/{userId}",
      handler: "functions/http/delete-user.handler",
      auth: "bearer",
    },
    {
      method: "POST",
      path: "/v1/orgs/{orgId}/users/{userId}/identities",
      handler: "functions/http/link-identity.handler",
      auth: "bearer",
    },
    {
      method: "DELETE",
      path: "/v1/orgs/{orgId}/users/{userId}/identities/{kind}/{externalId}",
      handler: "functions/http/unlink-identity.handler",
      auth: "bearer",
    },
    {
      method: "POST",
      path: "/v1/orgs/{orgId}/users/{userId}/merge",
      handler: "functions/http/merge-users.handler",
      auth: "bearer",
    },
    {
      method: "POST",
      path: "/v1/orgs/{orgId}/users/{userId}/tokens",
      handler: "functions/http/mint-token.handler",
      auth: "bearer",
    },
    {
      method: "DELETE",
      path: "/v1/orgs/{orgId}/users/{userId}/tokens/{tokenId}",
      handler: "functions/http/revoke-token.handler",
      auth: "bearer",
    },
    {
      method: "GET",
      path: "/v1/orgs/{orgId}/users/{userId}/events",
      handler: "functions/http/list-user-events.handler",
      auth: "bearer",
    },
    {
      method: "GET",
      path: "/v1/orgs/{orgId}/resolve",
      handler: "functions/http/resolve-user.handler",
      auth: "bearer",
    },
    {
      method: "GET",
      path: "/v1/orgs/{orgId}/unmapped",
      handler: "functions/http/list-unmapped.handler",
      auth: "bearer",
    },
    {
      method: "POST",
      path: "/v1/orgs/{orgId}/unmapped/{kind}/{externalId}/resolve",
      handler: "functions/http/resolve-unmapped.handler",
      auth: "bearer",
    },
    {
      method: "POST",
      path: "/v1/orgs/{orgId}/integrations",
      handler: "functions/http/create-integration.handler",
      auth: "bearer",
      sealedSecrets: "seal",
    },
    {
      method: "GET",
      path: "/v1/orgs/{orgId}/integrations",
      handler: "functions/http/list-integrations.handler",
      auth: "bearer",
    },
    {
      method: "DELETE",
      path: "/v1/orgs/{orgId}/integrations/{integrationId}",
      handler: "functions/http/delete-integration.handler",
      auth: "bearer",
    },
    // One function per provider: each verifies its own signature scheme on the raw body.
    // Slack opens the bot token; GitLab and AgentMail open their integration's own secret.
    {
      method: "POST",
      path: "/webhooks/slack",
      handler: "functions/webhooks/slack.handler",
      auth: "webhook",
      sealedSecrets: "open",
    },
    {
      method: "POST",
      path: "/webhooks/github",
      handler: "functions/webhooks/github.handler",
      auth: "webhook",
    },
    {
      method: "POST",
      path: "/webhooks/gitlab/{integrationId}",
      handler: "functions/webhooks/gitlab.handler",
      auth: "webhook",
      sealedSecrets: "open",
    },
    {
      method: "POST",
      path: "/webhooks/linear",
      handler: "functions/webhooks/linear.handler",
      auth: "webhook",
    },
    {
      method: "POST",
      path: "/webhooks/agentmail/{integrationId}",
      handler: "functions/webhooks/agentmail.handler",
      auth: "webhook",
      sealedSecrets: "open",
    },
  ],
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
  ],
  subscriptions: [
    {
      name: "journal-all-domain-events",
      pattern: { source: [EVENT_SOURCE] },
      target: { queue: "domain-events" },
    },
  ],
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

/** Environment variable through which a queue's URL reaches code that sends to it. */
export function queueUrlEnvName(queueName: string): string {
  return `KITH_QUEUE_URL_${queueName.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}
