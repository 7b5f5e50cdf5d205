import type { SQSClient } from "@aws-sdk/client-sqs";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import type { ProvisionedQueue } from "./sqs";

export type ComponentHealth = { status: "ok" | "down" } & Record<string, unknown>;

export interface HealthReport {
  status: "ok" | "degraded";
  components: Record<string, ComponentHealth>;
}

/** The report `GET /_local/health` answers: degraded when any component is down. */
export function report(components: Record<string, ComponentHealth>): HealthReport {
  const status = Object.values(components).every((component) => component.status === "ok")
    ? "ok"
    : "degraded";
  return { status, components };
}

/** Runs a check; what it returns is the component's detail, what it throws makes it down. */
export async function probe(check: () => Promise<Record<string, unknown>>): Promise<ComponentHealth> {
  try {
    return { status: "ok", ...(await check()) };
  } catch (error) {
    return { status: "down", error: (error as Error).message };
  }
}

/** Visible and in-flight messages of every queue and its DLQ. */
export async function queueDepths(sqs: SQSClient, queues: Map<string, ProvisionedQueue>) {
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
  const depths: Record<string, unknown> = {};
  for (const [name, queue] of queues) {
    depths[name] = {
      url: queue.url,
      dlqUrl: queue.dlqUrl,
      ...(await depth(queue.url)),
      dlq: await depth(queue.dlqUrl),
    };
  }
  return depths;
}
