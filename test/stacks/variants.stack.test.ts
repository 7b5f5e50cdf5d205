/**
 * Manifest shapes the real manifest does not use (a second FIFO queue, a subscription with a Lambda target
 * and a detail-type pattern, a route with its own timeout and memory, a stream consumer filtered by
 * entity), wired through the same stacks by mocking the manifest module, and checked with the same checks.
 */

import { StaticSite } from "sst/constructs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Manifest, StreamDefinition } from "../../manifest";
import { type SynthesizedApp, synthesize } from "./support/synth";
import {
  assertWired,
  checkFunctionWiring,
  checkQueues,
  checkRoutes,
  checkSchedules,
  checkStreams,
  checkSubscriptions,
  type WiringContext,
  wiringContext,
} from "./support/wiring";

vi.mock("../../manifest", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../manifest")>();
  const base = original.manifest;
  const manifest: Manifest = {
    routes: [
      ...base.routes,
      {
        method: "POST",
        path: "/v1/orgs/{orgId}/sync",
        handler: "functions/http/whoami.handler",
        auth: "bearer",
        timeoutSeconds: 25,
        memoryMB: 512,
      },
    ],
    streams: [
      ...base.streams,
      {
        name: "variant-entity",
        entity: ["interactionEvent"],
        consumer: "functions/schedules/heartbeat.handler",
        consumerTimeoutSeconds: 60,
        batchSize: 50,
        maxBatchingWindowSeconds: 2,
        maxRecordAgeSeconds: 3600,
      },
    ],
    queues: [
      ...base.queues,
      {
        name: "variant-fifo",
        fifo: true,
        visibilityTimeoutSeconds: 120,
        batchSize: 5,
        maxReceiveCount: 5,
        consumer: "functions/queues/journal-domain-events.handler",
        consumerTimeoutSeconds: 60,
      },
    ],
    schedules: [
      ...base.schedules,
      {
        name: "nightly",
        cron: "0 0 * * ? *",
        handler: "functions/schedules/heartbeat.handler",
        timeoutSeconds: 300,
      },
    ],
    subscriptions: [
      ...base.subscriptions,
      {
        name: "on-user-resolved",
        pattern: { source: [original.EVENT_SOURCE], detailType: ["user.resolved"] },
        target: { handler: "functions/schedules/heartbeat.handler" },
      },
      { name: "everything", pattern: {}, target: { queue: "domain-events" } },
    ],
  };
  return { ...original, manifest };
});

const { manifest } = await import("../../manifest");

let synth: SynthesizedApp;
let ctx: WiringContext;

beforeAll(async () => {
  synth = await synthesize({ stage: "test" });
  ctx = wiringContext(synth);
});

describe("a manifest without a console", () => {
  it("deploys no StaticSite and no distribution", () => {
    expect(synth.app.node.findAll().filter((construct) => construct instanceof StaticSite)).toEqual([]);
    synth.templates.Console.resourceCountIs("AWS::CloudFront::Distribution", 0);
  });
});

describe("manifest variants", () => {
  it("uses the extended manifest", () => {
    expect(manifest.queues.some((q) => q.fifo)).toBe(true);
  });

  it("wires a route with its own timeout and memory", () => {
    assertWired(checkRoutes(ctx, manifest.routes));
  });

  it("wires a FIFO queue with a FIFO DLQ and no batching window", () => {
    assertWired(checkQueues(ctx, manifest.queues, manifest.streams));
    synth.templates.Queues.hasResourceProperties("AWS::SQS::Queue", {
      QueueName: "test-kith-variant-fifo-dlq.fifo",
      FifoQueue: true,
    });
  });

  it("wires an entity stream consumer with a filter on either image, so removes reach it too", () => {
    assertWired(checkStreams(ctx, manifest.streams));
    synth.templates.Streams.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ dynamodb: { NewImage: { entity: { S: ["interactionEvent"] } } } }) },
          { Pattern: JSON.stringify({ dynamodb: { OldImage: { entity: { S: ["interactionEvent"] } } } }) },
        ],
      },
    });
  });

  it("fails when an entity stream's entities differ from the manifest", () => {
    // The module is mocked, but its type is still the real manifest's, which has no entity stream.
    const streams: readonly StreamDefinition[] = manifest.streams;
    const changed = streams.map(
      (stream): StreamDefinition => (stream.entity ? { ...stream, entity: ["contact"] } : stream),
    );
    expect(checkStreams(ctx, changed)).toContainEqual(expect.stringMatching(/variant-entity.*filter/));
  });

  it("wires a schedule with its own timeout", () => {
    assertWired(checkSchedules(ctx, manifest.schedules));
  });

  it("wires Lambda targets, detail-type patterns and match-all patterns on the bus", () => {
    assertWired(checkSubscriptions(ctx, manifest.subscriptions, manifest.queues));
  });

  it("gives every function, subscribers included, the full wiring", () => {
    expect(synth.handlers.size).toBe(
      manifest.routes.length +
        manifest.queues.length +
        manifest.streams.length +
        manifest.schedules.length +
        1,
    );
    assertWired(checkFunctionWiring(ctx, manifest.queues, ["OPERATOR_API_KEY"], manifest.routes));
  });
});
