import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { WorkOSSandbox } from "@kith/sandbox";
import { signWorkOSWebhook } from "@kith/sandbox";
import type { LocalResponse, LocalRoute } from "./gateway";
import type { HealthReport } from "./health";
import type { LocalScheduler } from "./scheduler";
import type { ProvisionedQueue } from "./sqs";

/** What the `/_local` routes reach into: the runtime's own parts, never a handler. */
export interface LocalRouteContext {
  health: () => Promise<HealthReport>;
  scheduler: LocalScheduler;
  workos: WorkOSSandbox | undefined;
  /** The gateway's own URL, for a route that delivers a webhook to it. */
  gatewayUrl: () => string;
  sqs: SQSClient;
  queues: Map<string, ProvisionedQueue>;
}

const error = (
  status: number,
  code: string,
  message: string,
  details?: Record<string, string>,
): LocalResponse => ({
  status,
  body: { error: { code, message, ...(details ? { details } : {}) } },
});

/** The runtime's own routes under `/_local` (docs/api.md lists them). They are never deployed. */
export function localRoutes(context: LocalRouteContext): LocalRoute[] {
  return [
    {
      method: "GET",
      path: "/_local/health",
      handle: async () => {
        const report = await context.health();
        return { status: report.status === "ok" ? 200 : 503, body: report };
      },
    },
    {
      // Plays WorkOS: creates an organization in the sandbox directory and delivers its signed
      // webhook to this gateway, so the whole directory sync path can be watched locally.
      method: "POST",
      path: "/_local/workos/organizations",
      handle: async (_request, body) => {
        const workos = context.workos;
        if (!workos) return error(409, "sandbox_off", "WORKOS_API_KEY is set: real WorkOS is used");
        let input: { name?: unknown; externalId?: unknown } = {};
        try {
          input = JSON.parse(body.toString("utf8") || "{}");
        } catch {
          // Reported as a missing name below.
        }
        if (typeof input.name !== "string" || input.name.trim() === "") {
          return error(400, "invalid_input", "name is required", { name: "required" });
        }
        const organization = workos.createOrganization({
          name: input.name,
          externalId: typeof input.externalId === "string" ? input.externalId : null,
        });
        const signed = signWorkOSWebhook(
          workos.events().at(-1) ?? {},
          process.env.WORKOS_WEBHOOK_SECRET ?? "",
        );
        const delivered = await fetch(`${context.gatewayUrl()}/webhooks/workos`, {
          method: "POST",
          headers: signed.headers,
          body: signed.body,
        });
        return { status: 201, body: { organization, webhookStatus: delivered.status } };
      },
    },
    {
      // fauxqs lacks StartMessageMoveTask: this moves a DLQ's messages back to their queue, as
      // `aws sqs start-message-move-task --source-arn <dlq arn>` does in AWS (docs/operations.md).
      method: "POST",
      path: "/_local/queues/{name}/redrive",
      handle: async (_request, _body, parameters) => {
        const queue = context.queues.get(parameters.name ?? "");
        if (!queue) return error(404, "not_found", `no manifest queue ${parameters.name}`);
        return {
          status: 200,
          body: { queue: queue.definition.name, moved: await redrive(context.sqs, queue) },
        };
      },
    },
    {
      method: "POST",
      path: "/_local/schedules/{name}",
      handle: async (_request, _body, parameters) => {
        const name = parameters.name ?? "";
        if (!context.scheduler.has(name)) return error(404, "not_found", `no schedule ${name}`);
        try {
          await context.scheduler.fire(name);
          return { status: 200, body: { name, fired: true } };
        } catch (failure) {
          return error(502, "schedule_failed", (failure as Error).message);
        }
      },
    },
  ];
}

/**
 * Moves every message of a queue's DLQ back to the queue: each batch is sent before it is deleted
 * from the DLQ, so a crash in between duplicates a message rather than losing it (consumers are
 * idempotent). FIFO messages keep their group and get a fresh deduplication id.
 */
async function redrive(sqs: SQSClient, queue: ProvisionedQueue): Promise<number> {
  let moved = 0;
  for (;;) {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 30,
        MessageSystemAttributeNames: ["MessageGroupId"],
        MessageAttributeNames: ["All"],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return moved;
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: messages.map((message, index) => ({
          Id: String(index),
          MessageBody: message.Body ?? "",
          MessageAttributes: message.MessageAttributes,
          ...(queue.definition.fifo
            ? {
                MessageGroupId: message.Attributes?.MessageGroupId ?? "redrive",
                MessageDeduplicationId: `redrive-${message.MessageId}`,
              }
            : {}),
        })),
      }),
    );
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.dlqUrl,
        Entries: messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
    moved += messages.length;
  }
}
