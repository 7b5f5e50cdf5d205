import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { SOURCE } from "@kith/core/events";
import { compileRoute } from "@kith/local/apigw";
import { toLocalCron } from "@kith/local/cron";
import { Cron } from "croner";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  deadLetterQueuePhysicalName,
  EVENT_SOURCE,
  type Manifest,
  manifest,
  parseHandlerRef,
  queuePhysicalName,
  queueUrlEnvName,
} from "../../manifest";

const REPO_ROOT = resolve(import.meta.dirname, "../..");

/** Imports the module a handler reference names, exactly as the local runtime and SST resolve it. */
async function exported(ref: string): Promise<unknown> {
  const { file, exportName } = parseHandlerRef(ref);
  const module = (await import(resolve(REPO_ROOT, `${file}.ts`))) as Record<string, unknown>;
  return module[exportName];
}

function handlerFileExists(ref: string): boolean {
  return existsSync(resolve(REPO_ROOT, `${parseHandlerRef(ref).file}.ts`));
}

function duplicates(values: readonly string[]): string[] {
  return values.filter((value, index) => values.indexOf(value) !== index);
}

/** The manifest seen through its declared type, so optional fields and both target kinds are visible. */
const declared: Manifest = manifest;
const routes = declared.routes.map((route) => [`${route.method} ${route.path}`, route] as const);
const queues = declared.queues.map((queue) => [queue.name, queue] as const);
const schedules = declared.schedules.map((schedule) => [schedule.name, schedule] as const);
const subscriptions = declared.subscriptions.map(
  (subscription) => [subscription.name, subscription] as const,
);
const handlerTargets = declared.subscriptions.flatMap((subscription) =>
  "handler" in subscription.target ? [[subscription.name, subscription.target.handler] as const] : [],
);

beforeAll(() => {
  // Importing a handler module must not need runtime configuration: only invoking it may.
  for (const name of ["KITH_TABLE_NAME", "KITH_EVENT_BUS_NAME", "OPERATOR_API_KEY"])
    vi.stubEnv(name, undefined);
  return () => vi.unstubAllEnvs();
});

describe("manifest routes", () => {
  it("declares at least one route, queue and schedule", () => {
    expect([declared.routes.length, declared.queues.length, declared.schedules.length]).not.toContain(0);
  });

  it.each(routes)("%s names an existing handler file", (_, route) => {
    expect(handlerFileExists(route.handler)).toBe(true);
  });

  it.each(routes)(
    "%s's handler validates with the very route declaration the manifest wires (and the document describes)",
    async (_, route) => {
      // act
      const handler = await exported(route.handler);

      // assess: one object, so method, path, auth, access and schemas cannot disagree
      expect(handler).toBeTypeOf("function");
      expect((handler as { route?: unknown }).route).toBe(route);
    },
  );

  it("route keys are unique", () => {
    expect(duplicates(routes.map(([key]) => key))).toEqual([]);
  });

  it.each(routes)("%s is a valid API Gateway path", (_, route) => {
    // act
    const compiled = compileRoute(route);

    // assess
    expect(route.path).toMatch(
      /^\/([A-Za-z0-9._~-]+|\{\w+\}|\{\w+\+\})(\/([A-Za-z0-9._~-]+|\{\w+\}|\{\w+\+\}))*$/,
    );
    expect(compiled.routeKey).toBe(`${route.method} ${route.path}`);
  });

  it.each(routes)("%s stays within API Gateway's 30 s integration timeout", (_, route) => {
    expect(route.timeoutSeconds ?? 30).toBeLessThanOrEqual(30);
  });
});

describe("manifest queues", () => {
  it("queue names are unique", () => {
    expect(duplicates(queues.map(([name]) => name))).toEqual([]);
  });

  it.each(queues)("%s's consumer is an exported function in an existing file", async (_, queue) => {
    // act
    const consumer = await exported(queue.consumer);

    // assess
    expect(handlerFileExists(queue.consumer)).toBe(true);
    expect(consumer).toBeTypeOf("function");
  });

  it.each(queues)("%s's consumer processes in order exactly when the queue is FIFO", async (_, queue) => {
    // act
    const consumer = await exported(queue.consumer);

    // assess: a FIFO queue whose consumer is not FIFO-aware would let a group's later messages overtake a failed one
    expect(Boolean((consumer as { fifo?: boolean }).fifo)).toBe(queue.fifo);
  });

  it.each(queues)("%s's visibility timeout is at least its consumer's timeout", (_, queue) => {
    expect(queue.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(queue.consumerTimeoutSeconds);
  });

  it.each(queues)("%s has a usable batch size and receive count", (_, queue) => {
    expect(queue.batchSize).toBeGreaterThanOrEqual(1);
    expect(queue.batchSize).toBeLessThanOrEqual(queue.fifo ? 10 : 10_000);
    expect(queue.maxReceiveCount).toBeGreaterThanOrEqual(1);
  });

  it.each(queues)("%s sets a batching window only if it is a standard queue", (_, queue) => {
    const window = queue.maxBatchingWindowSeconds;
    expect(queue.fifo && window !== undefined).toBe(false);
  });
});

describe("manifest schedules", () => {
  it("schedule names are unique", () => {
    expect(duplicates(schedules.map(([name]) => name))).toEqual([]);
  });

  it.each(schedules)("%s's cron converts to an expression the local scheduler accepts", (_, schedule) => {
    // act
    const job = new Cron(toLocalCron(schedule.cron), { timezone: "UTC", paused: true });

    // assess
    expect(job.nextRun()).toBeInstanceOf(Date);
    job.stop();
  });

  it.each(schedules)("%s's handler is an exported function in an existing file", async (_, schedule) => {
    // act
    const handler = await exported(schedule.handler);

    // assess
    expect(handlerFileExists(schedule.handler)).toBe(true);
    expect(handler).toBeTypeOf("function");
  });
});

describe("manifest subscriptions", () => {
  it("subscription names are unique", () => {
    expect(duplicates(subscriptions.map(([name]) => name))).toEqual([]);
  });

  it.each(subscriptions)(
    "%s's pattern lists are never empty (EventBridge rejects empty arrays)",
    (_, subscription) => {
      const lists = [subscription.pattern.source, subscription.pattern.detailType].filter(
        (list) => list !== undefined,
      );

      expect(lists.every((list) => list.length > 0)).toBe(true);
    },
  );

  it.each(subscriptions)("%s targets a manifest queue or an existing handler", (_, subscription) => {
    // prepare
    const target = subscription.target;

    // assess
    if ("queue" in target) expect(declared.queues.map((queue) => queue.name)).toContain(target.queue);
    else expect(handlerFileExists(target.handler)).toBe(true);
  });

  it("every handler target of a subscription exports a function", async () => {
    // act
    const kinds = await Promise.all(handlerTargets.map(async ([, ref]) => typeof (await exported(ref))));

    // assess
    expect(kinds).toEqual(handlerTargets.map(() => "function"));
  });

  it("the manifest's event source is the one core publishes with", () => {
    expect(EVENT_SOURCE).toBe(SOURCE);
  });
});

describe("manifest helpers", () => {
  it("parseHandlerRef splits at the last dot", () => {
    // act
    const plain = parseHandlerRef("functions/http/health.handler");
    const dotted = parseHandlerRef("functions/http/v1.2/thing.main");

    // assess
    expect(plain).toEqual({ file: "functions/http/health", exportName: "handler" });
    expect(dotted).toEqual({ file: "functions/http/v1.2/thing", exportName: "main" });
  });

  it.each(["nodot", ".handler", ""])("parseHandlerRef refuses %j", (ref) => {
    expect(() => parseHandlerRef(ref)).toThrow(/must look like "path\/to\/file.export"/);
  });

  it("a standard queue's physical names have no .fifo suffix", () => {
    // prepare
    const queue = { name: "domain-events", fifo: false };

    // act & assess
    expect(queuePhysicalName(queue)).toBe("domain-events");
    expect(deadLetterQueuePhysicalName(queue)).toBe("domain-events-dlq");
    expect(queuePhysicalName(queue, "kith-dev-")).toBe("kith-dev-domain-events");
  });

  it("a FIFO queue and its DLQ both get the .fifo suffix, after the prefix and name", () => {
    // prepare
    const queue = { name: "directory-sync", fifo: true };

    // act & assess
    expect(queuePhysicalName(queue)).toBe("directory-sync.fifo");
    expect(deadLetterQueuePhysicalName(queue)).toBe("directory-sync-dlq.fifo");
    expect(queuePhysicalName(queue, "kith-dev-")).toBe("kith-dev-directory-sync.fifo");
    expect(deadLetterQueuePhysicalName(queue, "kith-dev-")).toBe("kith-dev-directory-sync-dlq.fifo");
  });

  it("queueUrlEnvName is an upper-case environment variable name", () => {
    expect(queueUrlEnvName("domain-events")).toBe("KITH_QUEUE_URL_DOMAIN_EVENTS");
    expect(queueUrlEnvName("a.b-c")).toBe("KITH_QUEUE_URL_A_B_C");
  });
});
