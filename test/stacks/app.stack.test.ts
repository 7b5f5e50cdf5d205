/**
 * The real app synthesized offline for stage "test": every manifest entry is wired, nothing else is,
 * and cdk-nag's AwsSolutions pack has no unsuppressed findings.
 */

import { tableDefinition } from "@kith/core/storage";
import { Match } from "aws-cdk-lib/assertions";
import { StaticSite, type StaticSiteProps } from "sst/constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { manifest, type RouteDefinition } from "../../manifest";
import { SECRET_NAMES } from "../../stacks/secrets";
import { nagFindings, type SynthesizedApp, synthesize } from "./support/synth";
import {
  assertWired,
  checkFunctionWiring,
  checkQueues,
  checkRoutes,
  checkSchedules,
  checkStreams,
  checkSubscriptions,
  checkWildcardResources,
  type WiringContext,
  wiringContext,
} from "./support/wiring";

let synth: SynthesizedApp;
let ctx: WiringContext;

beforeAll(async () => {
  synth = await synthesize({ stage: "test", nag: true });
  ctx = wiringContext(synth);
});

describe("storage", () => {
  it("has the single table from tableDefinition: keys, every GSI, TTL, PITR, on-demand", () => {
    const template = synth.templates.Storage;
    template.resourceCountIs("AWS::DynamoDB::Table", 1);
    const keyAttributes = [
      tableDefinition.partitionKey,
      tableDefinition.sortKey,
      ...tableDefinition.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
    ];
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey, KeyType: "HASH" },
        { AttributeName: tableDefinition.sortKey, KeyType: "RANGE" },
      ],
      AttributeDefinitions: Match.arrayEquals(
        [...new Set(keyAttributes)].map((name) => ({ AttributeName: name, AttributeType: "S" })),
      ),
      GlobalSecondaryIndexes: Match.arrayEquals(
        tableDefinition.globalIndexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: "HASH" },
            { AttributeName: index.sortKey, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        })),
      ),
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      BillingMode: "PAY_PER_REQUEST",
    });
  });

  it("has one rotating KMS key for secrets at rest (functions' grants on it are checked with their wiring)", () => {
    const template = synth.templates.Storage;
    template.resourceCountIs("AWS::KMS::Key", 1);
    template.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
  });

  it("lets a throwaway stage delete the table", () => {
    synth.templates.Storage.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Delete",
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
  });
});

describe("manifest wiring", () => {
  it("gives every manifest route an API Gateway route to its handler, and no other route", () => {
    assertWired(checkRoutes(ctx, manifest.routes));
  });

  it("gives every manifest queue a queue, a DLQ and a consumer with partial batch failures", () => {
    assertWired(checkQueues(ctx, manifest.queues, manifest.streams));
  });

  it("gives every manifest stream consumer a filtered, retrying mapping on the table's stream and a DLQ", () => {
    assertWired(checkStreams(ctx, manifest.streams));
  });

  it("fails when a stream consumer's settings differ from the manifest", () => {
    const changed = manifest.streams.map((stream) =>
      "entity" in stream
        ? { ...stream, entity: ["otherEntity"] as const, batchSize: 7 }
        : { ...stream, newImageAttribute: "other", batchSize: 7 },
    );
    const problems = checkStreams(ctx, changed);
    expect(problems).toContainEqual(expect.stringMatching(/BatchSize/));
    expect(problems).toContainEqual(expect.stringMatching(/filter/));
  });

  it("gives every manifest schedule a cron rule targeting its handler", () => {
    assertWired(checkSchedules(ctx, manifest.schedules));
  });

  it("gives every manifest subscription a rule on the custom bus with its pattern and target", () => {
    assertWired(checkSubscriptions(ctx, manifest.subscriptions, manifest.queues));
  });

  it("creates exactly one Lambda per manifest handler", () => {
    const expected =
      manifest.routes.length +
      manifest.queues.length +
      manifest.streams.length +
      manifest.schedules.length +
      manifest.subscriptions.filter((s) => "handler" in s.target).length;
    expect(synth.handlers.size).toBe(expected);
  });

  it("gives every function the runtime defaults, table, bus, secrets key, every queue URL and the secrets, and KMS only as its route's sealedSecrets says", () => {
    assertWired(checkFunctionWiring(ctx, manifest.queues, SECRET_NAMES, manifest.routes));
  });

  it("fails when the manifest declares a route that is not wired", () => {
    const fake: RouteDefinition = {
      method: "POST",
      path: "/v1/fake",
      handler: "functions/http/fake.handler",
      auth: "bearer",
    };
    expect(() => assertWired(checkRoutes(ctx, [...manifest.routes, fake]))).toThrow(/POST \/v1\/fake/);
  });

  it("fails when a wired route is not in the manifest", () => {
    expect(() => assertWired(checkRoutes(ctx, manifest.routes.slice(1)))).toThrow(/not in the manifest/);
  });

  it("fails when a handler differs from the manifest", () => {
    const [first, ...rest] = manifest.routes;
    const changed = [{ ...first, handler: "functions/http/other.handler" }, ...rest];
    expect(() => assertWired(checkRoutes(ctx, changed))).toThrow(
      /manifest says functions\/http\/other\.handler/,
    );
  });

  it("fails when a function's KMS grant differs from its route's sealedSecrets", () => {
    const changed = manifest.routes.map((route) =>
      route.handler === "functions/http/create-integration.handler"
        ? { ...route, sealedSecrets: "open" as const }
        : route.handler === "functions/webhooks/gitlab.handler"
          ? { ...route, sealedSecrets: undefined }
          : route,
    );
    const problems = checkFunctionWiring(ctx, manifest.queues, SECRET_NAMES, changed);
    expect(problems).toContainEqual(
      expect.stringMatching(/create-integration.*no kms:Decrypt on the secrets key/),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/create-integration.*kms:Encrypt granted without sealedSecrets "seal"/),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/gitlab.*kms:Decrypt granted without sealedSecrets "open"/),
    );
  });

  it("fails when a queue setting differs from the manifest", () => {
    const changed = manifest.queues.map((q) => ({ ...q, maxReceiveCount: q.maxReceiveCount + 1 }));
    expect(() => assertWired(checkQueues(ctx, changed, manifest.streams))).toThrow(/maxReceiveCount/);
  });
});

describe("alarms", () => {
  it("alarms when any manifest queue's or stream consumer's DLQ holds a message", () => {
    const alarms = ctx.templates
      .all("AWS::CloudWatch::Alarm")
      .map((alarm) => alarm.resource.Properties ?? {});
    const dlqNames = [
      ...manifest.queues.map((queue) => `${synth.prefix}${queue.name}-dlq${queue.fifo ? ".fifo" : ""}`),
      ...manifest.streams.map((stream) => `${synth.prefix}${stream.name}-dlq`),
    ];
    for (const dlqName of dlqNames) {
      const alarm = alarms.find((properties) => properties.AlarmName === `${dlqName}-not-empty`);
      expect(alarm, `alarm for ${dlqName}`).toMatchObject({
        MetricName: "ApproximateNumberOfMessagesVisible",
        Namespace: "AWS/SQS",
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
      });
    }
  });
});

describe("api", () => {
  it("logs access and outputs its URL", () => {
    const template = synth.templates.Api;
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    template.hasOutput("ApiUrl", {});
  });
});

describe("console", () => {
  it("lets browsers on any origin call the API with a bearer token, and no cookies", () => {
    synth.templates.Api.hasResourceProperties("AWS::ApiGatewayV2::Api", {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ["*"],
        AllowHeaders: Match.arrayWith(["authorization"]),
        AllowCredentials: false,
      }),
    });
  });

  it("deploys the manifest's console as a StaticSite built with the API's URL, behind CloudFront", () => {
    // prepare
    const sites = synth.app.node.findAll().filter((construct) => construct instanceof StaticSite);
    const definition = manifest.console;

    // assess: one site, declared by the manifest, its build given the API's URL
    expect(sites).toHaveLength(1);
    // SST keeps the props the stack gave it (private in its types).
    const props = (sites[0] as unknown as { props: StaticSiteProps }).props;
    expect(props).toMatchObject({
      path: definition.path,
      buildCommand: definition.buildCommand,
      buildOutput: definition.buildOutput,
      errorPage: "redirect_to_index_page",
    });
    // The HTTP API's endpoint (a token of the Api stack, exported to this one on deploy).
    expect(synth.stacks.Api.resolve(props.environment?.[definition.apiUrlEnv])).toEqual({
      "Fn::GetAtt": [expect.stringMatching(/^Api/), "ApiEndpoint"],
    });
    const template = synth.templates.Console;
    template.resourceCountIs("AWS::CloudFront::Distribution", 1);
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    // The single-page app's own routes: a path S3 does not have answers index.html.
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: "index.html",
        CustomErrorResponses: Match.arrayWith([Match.objectLike({ ResponsePagePath: "/index.html" })]),
      }),
    });
    template.hasOutput("ConsoleUrl", {});
  });
});

describe("cdk-nag AwsSolutions", () => {
  it("has no unsuppressed findings", () => {
    const findings = nagFindings(synth);
    if (findings.length) console.error(findings.join("\n"));
    expect(findings).toEqual([]);
  });

  it("allows `*` resources only for X-Ray, ListStreams and log retention (guards the stack-wide IAM5 suppression)", () => {
    assertWired(checkWildcardResources(ctx));
  });
});
