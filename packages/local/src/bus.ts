import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { DEFAULT_FUNCTION_TIMEOUT_SECONDS, type SubscriptionDefinition } from "../../../manifest";
import { invoke } from "./lambda";
import { log } from "./log";

export interface BusTargets {
  /** Logical manifest queue name → URL. */
  queueUrls: Map<string, string>;
  sqs: SQSClient;
}

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: number | string;
  Resources?: string[];
}

export interface BusStatus {
  endpoint: string;
  accepted: number;
  delivered: number;
  failedDeliveries: number;
  unmatched: number;
}

/**
 * A local stand-in for the custom EventBridge bus. It speaks the one call Kith's code makes,
 * `PutEvents` (AWS JSON 1.1), so `@aws-sdk/client-eventbridge` talks to it unchanged through
 * `AWS_ENDPOINT_URL_EVENTBRIDGE`. Each entry is wrapped in the envelope EventBridge delivers and
 * sent to every manifest subscription whose pattern matches.
 */
export class LocalEventBus {
  #server: Server | undefined;
  readonly #status: BusStatus = {
    endpoint: "",
    accepted: 0,
    delivered: 0,
    failedDeliveries: 0,
    unmatched: 0,
  };

  constructor(
    private readonly subscriptions: readonly SubscriptionDefinition[],
    private readonly targets: BusTargets,
    private readonly region: string,
    /** Entries naming another bus are refused, as AWS refuses a bus that does not exist. */
    private readonly busName: string,
  ) {}

  /** Listens on loopback; a given port lets a stopped bus come back where its clients expect it. */
  async start(port = 0): Promise<string> {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        this.#handle(request.headers["x-amz-target"], Buffer.concat(chunks).toString("utf8"))
          .then((body) => {
            response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
            response.end(JSON.stringify(body));
          })
          .catch((error: Error & { awsType?: string }) => {
            response.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
            response.end(
              JSON.stringify({ __type: error.awsType ?? "ValidationException", message: error.message }),
            );
          });
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(port, "127.0.0.1", resolve));
    const { port: listening } = this.#server.address() as AddressInfo;
    this.#status.endpoint = `http://127.0.0.1:${listening}`;
    return this.#status.endpoint;
  }

  status(): BusStatus {
    return { ...this.#status };
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(target: string | string[] | undefined, body: string): Promise<unknown> {
    if (target !== "AWSEvents.PutEvents") {
      throw Object.assign(new Error(`the local bus supports only PutEvents, not ${target}`), {
        awsType: "UnknownOperationException",
      });
    }
    const request = JSON.parse(body) as { Entries?: PutEventsEntry[] };
    const entries = request.Entries ?? [];
    if (entries.length === 0 || entries.length > 10) throw new Error("PutEvents takes 1 to 10 entries");
    const results = [];
    for (const entry of entries) {
      if (entry.EventBusName !== undefined && entry.EventBusName !== this.busName) {
        results.push({
          ErrorCode: "ResourceNotFoundException",
          ErrorMessage: `Event bus ${entry.EventBusName} does not exist.`,
        });
        continue;
      }
      if (!entry.Source || !entry.DetailType || !entry.Detail) {
        results.push({
          ErrorCode: "MalformedDetail",
          ErrorMessage: "Source, DetailType and Detail are required",
        });
        continue;
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        results.push({ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is not valid JSON" });
        continue;
      }
      const id = randomUUID();
      const time =
        entry.Time === undefined
          ? new Date()
          : new Date(typeof entry.Time === "number" ? entry.Time * 1000 : entry.Time);
      const envelope = {
        version: "0",
        id,
        "detail-type": entry.DetailType,
        source: entry.Source,
        account: "000000000000",
        time: time.toISOString().replace(/\.\d{3}Z$/, "Z"),
        region: this.region,
        resources: entry.Resources ?? [],
        detail,
      };
      try {
        await this.#deliver(envelope);
        this.#status.accepted++;
        results.push({ EventId: id });
      } catch (error) {
        // One entry's failure is reported on that entry, as EventBridge does, so the caller retries
        // only what failed instead of re-sending entries that were delivered.
        log("error", "bus delivery failed", {
          error: (error as Error).message,
          detailType: entry.DetailType,
        });
        results.push({ ErrorCode: "InternalFailure", ErrorMessage: "delivery to a target failed" });
      }
    }
    return { FailedEntryCount: results.filter((result) => "ErrorCode" in result).length, Entries: results };
  }

  /** Queue targets are written before PutEvents answers; handler targets run asynchronously, as in AWS. */
  async #deliver(envelope: { source: string; "detail-type": string }): Promise<void> {
    const matching = this.subscriptions.filter((subscription) => matches(subscription.pattern, envelope));
    if (matching.length === 0) this.#status.unmatched++;
    for (const subscription of matching) {
      const target = subscription.target;
      if ("queue" in target) {
        const url = this.targets.queueUrls.get(target.queue);
        if (!url) throw new Error(`subscription ${subscription.name} targets unknown queue ${target.queue}`);
        await this.targets.sqs.send(
          new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(envelope) }),
        );
        this.#status.delivered++;
      } else {
        invoke(target.handler, envelope, DEFAULT_FUNCTION_TIMEOUT_SECONDS)
          .then(() => {
            this.#status.delivered++;
          })
          .catch((error: Error) => {
            this.#status.failedDeliveries++;
            log("error", `bus target ${subscription.name} failed`, { error: error.message });
          });
      }
    }
  }
}

/** EventBridge pattern semantics for the fields the manifest uses: each listed field must match one value. */
export function matches(
  pattern: SubscriptionDefinition["pattern"],
  envelope: { source: string; "detail-type": string },
): boolean {
  if (pattern.source && !pattern.source.includes(envelope.source)) return false;
  if (pattern.detailType && !pattern.detailType.includes(envelope["detail-type"])) return false;
  return true;
}
