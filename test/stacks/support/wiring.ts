/**
 * Checks that the synthesized templates wire exactly what the manifest declares, in both directions:
 * every manifest entry has its resources, and the templates hold no routes, queues, schedules or rules
 * that the manifest does not declare. Each check returns a list of problems (empty when wired);
 * `assertWired` turns a non-empty list into one readable error.
 */
import { isDeepStrictEqual } from "node:util";
import {
  deadLetterQueuePhysicalName,
  type QueueDefinition,
  queuePhysicalName,
  queueUrlEnvName,
  type RouteDefinition,
  type ScheduleDefinition,
  type StreamDefinition,
  type SubscriptionDefinition,
  streamDeadLetterQueuePhysicalName,
} from "../../../manifest";
import { SEALED_SECRETS_ACTIONS } from "../../../stacks/api";
import type { SynthesizedApp } from "./synth";
import { asArray, type CfnResource, type Located, type PolicyStatementJson, Templates } from "./template";

export interface WiringContext {
  templates: Templates;
  /** `stackName/logicalId` of a Lambda → the handler reference it runs. */
  handlers: ReadonlyMap<string, string>;
  /** Physical name prefix, `<stage>-kith-`. */
  prefix: string;
  /** The SST app's name (`kith`) and stage. */
  app: string;
  stage: string;
}

/** The context the checks read, for a synthesized app (handlers may be overridden, e.g. after bundling). */
export function wiringContext(
  synth: SynthesizedApp,
  handlers: ReadonlyMap<string, string> = synth.handlers,
): WiringContext {
  return {
    templates: new Templates(synth.byStackName),
    handlers,
    prefix: synth.prefix,
    app: synth.app.name,
    stage: synth.stage,
  };
}

export function assertWired(problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(`not wired as the manifest says:\n- ${problems.join("\n- ")}`);
}

const props = (resource: CfnResource | undefined): Record<string, unknown> => resource?.Properties ?? {};

function handlerOf(ctx: WiringContext, stack: string, logicalId: string): string | undefined {
  return ctx.handlers.get(`${stack}/${logicalId}`);
}

/** The Lambda a reference (e.g. an integration URI or a rule target ARN) points at. */
function lambdaAt(ctx: WiringContext, value: unknown, stack: string): Located | undefined {
  const target = ctx.templates.resolve(value, stack);
  if (!target) return undefined;
  const resource = ctx.templates.get(target.stack, target.logicalId);
  if (resource?.Type !== "AWS::Lambda::Function") return undefined;
  return { stack: target.stack, logicalId: target.logicalId, resource };
}

/** Whether a service principal may invoke `fn` (API Gateway for routes, EventBridge for rules). */
function invokableBy(ctx: WiringContext, fn: Located, principal: string): boolean {
  return ctx.templates
    .all("AWS::Lambda::Permission")
    .some(
      (p) =>
        props(p.resource).Action === "lambda:InvokeFunction" &&
        props(p.resource).Principal === principal &&
        (ctx.templates.refersTo(props(p.resource).FunctionName, p.stack, fn, "Arn") ||
          ctx.templates.refersTo(props(p.resource).FunctionName, p.stack, fn)),
    );
}

/** The first `{Ref}` inside a value such as `{"Fn::Join": ["", ["integrations/", {"Ref": "X"}]]}`. */
function firstRef(value: unknown): string | undefined {
  if (!value || typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const ref = firstRef(item);
      if (ref) return ref;
    }
    return undefined;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === "string") return record.Ref;
  for (const item of Object.values(record)) {
    const ref = firstRef(item);
    if (ref) return ref;
  }
  return undefined;
}

export function checkRoutes(ctx: WiringContext, routes: readonly RouteDefinition[]): string[] {
  const problems: string[] = [];
  const inTemplate = ctx.templates.all("AWS::ApiGatewayV2::Route");
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    const matches = inTemplate.filter((r) => props(r.resource).RouteKey === key);
    if (matches.length !== 1) {
      problems.push(`route "${key}" → ${route.handler}: ${matches.length} AWS::ApiGatewayV2::Route found`);
      continue;
    }
    const [match] = matches as [Located];
    const integrationId = firstRef(props(match.resource).Target);
    const integration = integrationId ? ctx.templates.get(match.stack, integrationId) : undefined;
    if (
      integration?.Type !== "AWS::ApiGatewayV2::Integration" ||
      props(integration).IntegrationType !== "AWS_PROXY"
    ) {
      problems.push(`route "${key}": its target is not a Lambda proxy integration`);
      continue;
    }
    const fn = lambdaAt(ctx, props(integration).IntegrationUri, match.stack);
    const handler = fn && handlerOf(ctx, fn.stack, fn.logicalId);
    if (!fn || handler !== route.handler) {
      problems.push(
        `route "${key}": integration runs ${handler ?? "no known handler"}, manifest says ${route.handler}`,
      );
      continue;
    }
    if (route.timeoutSeconds !== undefined && props(fn.resource).Timeout !== route.timeoutSeconds) {
      problems.push(
        `route "${key}": Timeout ${props(fn.resource).Timeout}, manifest says ${route.timeoutSeconds}`,
      );
    }
    if (route.memoryMB !== undefined && props(fn.resource).MemorySize !== route.memoryMB) {
      problems.push(
        `route "${key}": MemorySize ${props(fn.resource).MemorySize}, manifest says ${route.memoryMB}`,
      );
    }
    if (!invokableBy(ctx, fn, "apigateway.amazonaws.com")) {
      problems.push(`route "${key}": API Gateway has no permission to invoke ${fn.logicalId}`);
    }
  }
  const declared = new Set(routes.map((r) => `${r.method} ${r.path}`));
  for (const r of inTemplate) {
    const key = String(props(r.resource).RouteKey);
    if (!declared.has(key)) problems.push(`route "${key}" is in ${r.stack} but not in the manifest`);
  }
  if (inTemplate.length !== routes.length) {
    problems.push(`${inTemplate.length} routes in the templates, ${routes.length} in the manifest`);
  }
  return problems;
}

/** The queue (not DLQ) of a manifest entry, found by its physical name. */
export function findQueue(ctx: WiringContext, physicalName: string): Located | undefined {
  return ctx.templates.all("AWS::SQS::Queue").find((q) => props(q.resource).QueueName === physicalName);
}

/** The statements of every queue policy that applies to `queue`. */
function queuePolicyStatements(ctx: WiringContext, queue: Located): PolicyStatementJson[] {
  return ctx.templates
    .all("AWS::SQS::QueuePolicy")
    .filter((p) =>
      asArray(props(p.resource).Queues as unknown[]).some((q) => ctx.templates.refersTo(q, p.stack, queue)),
    )
    .flatMap((p) => (props(p.resource).PolicyDocument as { Statement: PolicyStatementJson[] }).Statement);
}

function deniesInsecureTransport(statements: PolicyStatementJson[]): boolean {
  return statements.some(
    (s) =>
      s.Effect === "Deny" &&
      isDeepStrictEqual(s.Condition, { Bool: { "aws:SecureTransport": "false" } }) &&
      asArray(s.Action).includes("sqs:*"),
  );
}

export function checkQueues(
  ctx: WiringContext,
  queues: readonly QueueDefinition[],
  streams: readonly StreamDefinition[] = [],
): string[] {
  const problems: string[] = [];
  const mappings = ctx.templates
    .all("AWS::Lambda::EventSourceMapping")
    .filter((m) => !isStreamMapping(ctx, m));
  for (const definition of queues) {
    const name = definition.name;
    const queue = findQueue(ctx, queuePhysicalName(definition, ctx.prefix));
    const dlq = findQueue(ctx, deadLetterQueuePhysicalName(definition, ctx.prefix));
    if (!queue || !dlq) {
      problems.push(`queue "${name}": ${queue ? "" : "queue "}${dlq ? "" : "DLQ "}missing`);
      continue;
    }
    const q = props(queue.resource);
    const d = props(dlq.resource);
    const fifo = definition.fifo ? true : undefined;
    if (q.FifoQueue !== fifo || d.FifoQueue !== fifo)
      problems.push(`queue "${name}": FifoQueue should be ${fifo}`);
    if (definition.fifo && q.ContentBasedDeduplication !== false) {
      problems.push(`queue "${name}": ContentBasedDeduplication should be false`);
    }
    if (q.VisibilityTimeout !== definition.visibilityTimeoutSeconds) {
      problems.push(
        `queue "${name}": VisibilityTimeout ${q.VisibilityTimeout}, manifest says ${definition.visibilityTimeoutSeconds}`,
      );
    }
    const redrive = (q.RedrivePolicy ?? {}) as { maxReceiveCount?: number; deadLetterTargetArn?: unknown };
    if (redrive.maxReceiveCount !== definition.maxReceiveCount) {
      problems.push(
        `queue "${name}": maxReceiveCount ${redrive.maxReceiveCount}, manifest says ${definition.maxReceiveCount}`,
      );
    }
    if (!ctx.templates.refersTo(redrive.deadLetterTargetArn, queue.stack, dlq, "Arn")) {
      problems.push(`queue "${name}": redrive does not point at its DLQ`);
    }
    if (d.MessageRetentionPeriod !== 14 * 24 * 3600)
      problems.push(`queue "${name}": DLQ retention is not 14 days`);
    for (const [label, resource] of [
      ["queue", queue],
      ["DLQ", dlq],
    ] as const) {
      if (props(resource.resource).SqsManagedSseEnabled !== true)
        problems.push(`queue "${name}": ${label} not encrypted`);
      if (!deniesInsecureTransport(queuePolicyStatements(ctx, resource))) {
        problems.push(`queue "${name}": ${label} does not enforce SSL`);
      }
    }

    const own = mappings.filter((m) =>
      ctx.templates.refersTo(props(m.resource).EventSourceArn, m.stack, queue, "Arn"),
    );
    if (own.length !== 1) {
      problems.push(`queue "${name}": ${own.length} event source mappings`);
      continue;
    }
    const [mapping] = own as [Located];
    const m = props(mapping.resource);
    if (m.BatchSize !== definition.batchSize) problems.push(`queue "${name}": BatchSize ${m.BatchSize}`);
    if (!isDeepStrictEqual(m.FunctionResponseTypes, ["ReportBatchItemFailures"])) {
      problems.push(`queue "${name}": consumer does not report batch item failures`);
    }
    const window = definition.fifo ? undefined : definition.maxBatchingWindowSeconds;
    if (m.MaximumBatchingWindowInSeconds !== window) {
      problems.push(
        `queue "${name}": MaximumBatchingWindowInSeconds ${m.MaximumBatchingWindowInSeconds}, expected ${window}`,
      );
    }
    const concurrency = (m.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency;
    if (concurrency !== definition.maxConcurrency) {
      problems.push(
        `queue "${name}": MaximumConcurrency ${concurrency}, expected ${definition.maxConcurrency}`,
      );
    }
    const fn = lambdaAt(ctx, m.FunctionName, mapping.stack);
    const handler = fn && handlerOf(ctx, fn.stack, fn.logicalId);
    if (!fn || handler !== definition.consumer) {
      problems.push(
        `queue "${name}": consumer runs ${handler ?? "no known handler"}, manifest says ${definition.consumer}`,
      );
    } else if (props(fn.resource).Timeout !== definition.consumerTimeoutSeconds) {
      problems.push(`queue "${name}": consumer Timeout ${props(fn.resource).Timeout}`);
    }
  }
  const allQueues = ctx.templates.all("AWS::SQS::Queue");
  if (allQueues.length !== 2 * queues.length + streams.length) {
    problems.push(
      `${allQueues.length} SQS queues in the templates, ${queues.length} manifest queues (+ DLQs) and ${streams.length} stream DLQs`,
    );
  }
  if (mappings.length !== queues.length) {
    problems.push(
      `${mappings.length} event source mappings in the templates, ${queues.length} manifest queues`,
    );
  }
  return problems;
}

/** Whether an event-source mapping reads the table's stream (not a queue). */
function isStreamMapping(ctx: WiringContext, mapping: Located): boolean {
  const table = ctx.templates.all("AWS::DynamoDB::Table")[0];
  return (
    !!table &&
    ctx.templates.refersTo(props(mapping.resource).EventSourceArn, mapping.stack, table, "StreamArn")
  );
}

/**
 * The filter patterns a stream consumer's mapping must carry, in DynamoDB Streams filter syntax
 * (Lambda passes a record that matches any of them).
 */
function expectedStreamFilters(definition: StreamDefinition): unknown[] {
  if (definition.entity === undefined)
    return [{ dynamodb: { NewImage: { [definition.newImageAttribute]: { S: [{ exists: true }] } } } }];
  const entity = { entity: { S: [...definition.entity] } };
  const eventName = definition.eventNames ? { eventName: [...definition.eventNames] } : {};
  return [
    { ...eventName, dynamodb: { NewImage: entity } },
    { ...eventName, dynamodb: { OldImage: entity } },
  ];
}

export function checkStreams(ctx: WiringContext, streams: readonly StreamDefinition[]): string[] {
  const problems: string[] = [];
  const table = ctx.templates.all("AWS::DynamoDB::Table")[0];
  if (!table) return ["no table"];
  const view = (props(table.resource).StreamSpecification as { StreamViewType?: string } | undefined)
    ?.StreamViewType;
  if (view !== "NEW_AND_OLD_IMAGES")
    problems.push(`the table's stream is ${view ?? "off"}, not NEW_AND_OLD_IMAGES`);
  const mappings = ctx.templates
    .all("AWS::Lambda::EventSourceMapping")
    .filter((m) => isStreamMapping(ctx, m));
  for (const definition of streams) {
    const label = `stream consumer "${definition.name}"`;
    const own = mappings.filter((m) => {
      const fn = lambdaAt(ctx, props(m.resource).FunctionName, m.stack);
      return fn && handlerOf(ctx, fn.stack, fn.logicalId) === definition.consumer;
    });
    if (own.length !== 1) {
      problems.push(`${label}: ${own.length} mappings on the table's stream → ${definition.consumer}`);
      continue;
    }
    const [mapping] = own as [Located];
    const m = props(mapping.resource);
    const fn = lambdaAt(ctx, m.FunctionName, mapping.stack) as Located;
    if (m.StartingPosition !== "TRIM_HORIZON")
      problems.push(`${label}: StartingPosition ${m.StartingPosition}`);
    if (m.BatchSize !== definition.batchSize) problems.push(`${label}: BatchSize ${m.BatchSize}`);
    if (m.MaximumRecordAgeInSeconds !== definition.maxRecordAgeSeconds)
      problems.push(`${label}: MaximumRecordAgeInSeconds ${m.MaximumRecordAgeInSeconds}`);
    if (m.MaximumRetryAttempts !== undefined)
      problems.push(
        `${label}: MaximumRetryAttempts ${m.MaximumRetryAttempts} caps retries below the record age`,
      );
    if (m.BisectBatchOnFunctionError !== true) problems.push(`${label}: does not bisect a failing batch`);
    if (!isDeepStrictEqual(m.FunctionResponseTypes, ["ReportBatchItemFailures"]))
      problems.push(`${label}: consumer does not report batch item failures`);
    const expectedFilters = expectedStreamFilters(definition);
    const filters = (
      (m.FilterCriteria as { Filters?: { Pattern: string }[] } | undefined)?.Filters ?? []
    ).map((filter) => JSON.parse(filter.Pattern));
    if (!isDeepStrictEqual(filters, expectedFilters))
      problems.push(
        `${label}: filter ${JSON.stringify(filters)}, expected ${JSON.stringify(expectedFilters)}`,
      );
    const dlq = findQueue(ctx, streamDeadLetterQueuePhysicalName(definition, ctx.prefix));
    const destination = (m.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)
      ?.OnFailure?.Destination;
    if (!dlq || !ctx.templates.refersTo(destination, mapping.stack, dlq, "Arn"))
      problems.push(`${label}: failures are not sent to its DLQ`);
    if (props(fn.resource).Timeout !== definition.consumerTimeoutSeconds)
      problems.push(`${label}: consumer Timeout ${props(fn.resource).Timeout}`);
  }
  if (mappings.length !== streams.length)
    problems.push(
      `${mappings.length} mappings on the table's stream, ${streams.length} manifest stream consumers`,
    );
  return problems;
}

export function checkSchedules(ctx: WiringContext, schedules: readonly ScheduleDefinition[]): string[] {
  const problems: string[] = [];
  const rules = ctx.templates.all("AWS::Events::Rule").filter((r) => props(r.resource).ScheduleExpression);
  for (const schedule of schedules) {
    const expression = `cron(${schedule.cron})`;
    const matches = rules.flatMap((rule) => {
      if (props(rule.resource).ScheduleExpression !== expression || props(rule.resource).State !== "ENABLED")
        return [];
      const targets = (props(rule.resource).Targets ?? []) as { Arn: unknown }[];
      return targets
        .map((t) => lambdaAt(ctx, t.Arn, rule.stack))
        .filter((fn): fn is Located => !!fn && handlerOf(ctx, fn.stack, fn.logicalId) === schedule.handler);
    });
    if (matches.length !== 1) {
      problems.push(
        `schedule "${schedule.name}": ${matches.length} enabled rules "${expression}" → ${schedule.handler}`,
      );
      continue;
    }
    const [fn] = matches as [Located];
    if (schedule.timeoutSeconds !== undefined && props(fn.resource).Timeout !== schedule.timeoutSeconds) {
      problems.push(`schedule "${schedule.name}": Timeout ${props(fn.resource).Timeout}`);
    }
    if (!invokableBy(ctx, fn, "events.amazonaws.com")) {
      problems.push(`schedule "${schedule.name}": EventBridge has no permission to invoke ${fn.logicalId}`);
    }
  }
  if (rules.length !== schedules.length) {
    problems.push(`${rules.length} schedule rules in the templates, ${schedules.length} manifest schedules`);
  }
  return problems;
}

/** The custom bus: exactly one, named for the app and stage. */
export function findBus(ctx: WiringContext): Located | undefined {
  const buses = ctx.templates.all("AWS::Events::EventBus");
  return buses.length === 1 && String(props(buses[0]?.resource).Name).startsWith(ctx.prefix)
    ? buses[0]
    : undefined;
}

/** The EventBridge pattern a manifest pattern must produce (an empty one matches every event). */
export function expectedPattern(pattern: SubscriptionDefinition["pattern"]): Record<string, unknown> {
  if (!pattern.source && !pattern.detailType) return { source: [{ prefix: "" }] };
  return {
    ...(pattern.source ? { source: [...pattern.source] } : {}),
    ...(pattern.detailType ? { "detail-type": [...pattern.detailType] } : {}),
  };
}

export function checkSubscriptions(
  ctx: WiringContext,
  subscriptions: readonly SubscriptionDefinition[],
  queues: readonly QueueDefinition[],
): string[] {
  const problems: string[] = [];
  const bus = findBus(ctx);
  if (!bus) return ["no single custom event bus named for the app and stage"];
  const busRules = ctx.templates
    .all("AWS::Events::Rule")
    .filter((r) => props(r.resource).EventBusName !== undefined);
  for (const subscription of subscriptions) {
    const label = `subscription "${subscription.name}"`;
    const pattern = expectedPattern(subscription.pattern);
    const candidates = busRules.filter(
      (r) =>
        ctx.templates.refersTo(props(r.resource).EventBusName, r.stack, bus) &&
        isDeepStrictEqual(props(r.resource).EventPattern, pattern) &&
        props(r.resource).State === "ENABLED",
    );
    const target = subscription.target;
    if ("queue" in target) {
      const definition = queues.find((q) => q.name === target.queue);
      const queue = definition && findQueue(ctx, queuePhysicalName(definition, ctx.prefix));
      if (!queue) {
        problems.push(`${label}: target queue "${target.queue}" not found`);
        continue;
      }
      const matches = candidates.filter((r) =>
        ((props(r.resource).Targets ?? []) as { Arn: unknown }[]).some((t) =>
          ctx.templates.refersTo(t.Arn, r.stack, queue, "Arn"),
        ),
      );
      if (matches.length !== 1) {
        problems.push(
          `${label}: ${matches.length} rules on the bus with pattern ${JSON.stringify(pattern)} → queue "${target.queue}"`,
        );
        continue;
      }
      const [rule] = matches as [Located];
      const allowed = queuePolicyStatements(ctx, queue).some(
        (s) =>
          s.Effect === "Allow" &&
          isDeepStrictEqual(s.Principal, { Service: "events.amazonaws.com" }) &&
          asArray(s.Action).includes("sqs:SendMessage") &&
          ctx.templates.refersTo(
            (s.Condition as { ArnEquals?: Record<string, unknown> } | undefined)?.ArnEquals?.[
              "aws:SourceArn"
            ],
            queue.stack,
            rule,
            "Arn",
          ),
      );
      if (!allowed)
        problems.push(`${label}: queue "${target.queue}" policy does not let the rule send to it`);
    } else {
      const matches = candidates.flatMap((r) =>
        ((props(r.resource).Targets ?? []) as { Arn: unknown }[])
          .map((t) => lambdaAt(ctx, t.Arn, r.stack))
          .filter((fn): fn is Located => !!fn && handlerOf(ctx, fn.stack, fn.logicalId) === target.handler),
      );
      if (matches.length !== 1) {
        problems.push(
          `${label}: ${matches.length} rules on the bus with pattern ${JSON.stringify(pattern)} → ${target.handler}`,
        );
        continue;
      }
      if (!invokableBy(ctx, matches[0] as Located, "events.amazonaws.com")) {
        problems.push(`${label}: EventBridge has no permission to invoke ${target.handler}`);
      }
    }
  }
  if (busRules.length !== subscriptions.length) {
    problems.push(
      `${busRules.length} rules on the bus in the templates, ${subscriptions.length} manifest subscriptions`,
    );
  }
  return problems;
}

/** Every Lambda that runs a manifest handler: runtime defaults, environment and permissions. */
export function checkFunctionWiring(
  ctx: WiringContext,
  queues: readonly QueueDefinition[],
  secretNames: readonly string[],
  routes: readonly RouteDefinition[] = [],
): string[] {
  const sealedSecrets = new Map([
    ...routes.flatMap((route) =>
      route.sealedSecrets ? [[route.handler, route.sealedSecrets] as const] : [],
    ),
    ...queues.flatMap((queue) =>
      queue.sealedSecrets ? [[queue.consumer, queue.sealedSecrets] as const] : [],
    ),
  ]);
  const problems: string[] = [];
  const tables = ctx.templates.all("AWS::DynamoDB::Table");
  const bus = findBus(ctx);
  if (tables.length !== 1 || !bus) return ["expected exactly one table and one custom bus"];
  const table = tables[0] as Located;
  const secretsKey = ctx.templates.all("AWS::KMS::Key")[0];
  const queueResources = queues.map((q) => ({
    definition: q,
    queue: findQueue(ctx, queuePhysicalName(q, ctx.prefix)),
  }));

  for (const fn of ctx.templates.all("AWS::Lambda::Function")) {
    const handler = handlerOf(ctx, fn.stack, fn.logicalId);
    if (!handler) continue;
    const label = `function ${handler} (${fn.stack})`;
    const p = props(fn.resource);
    if (p.Runtime !== "nodejs22.x") problems.push(`${label}: Runtime ${p.Runtime}`);
    if (!isDeepStrictEqual(p.Architectures, ["arm64"])) problems.push(`${label}: not arm64`);
    if (!isDeepStrictEqual(p.TracingConfig, { Mode: "Active" }))
      problems.push(`${label}: tracing not active`);

    const env = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {}) as Record<string, unknown>;
    if (env.KITH_STAGE !== ctx.stage) problems.push(`${label}: KITH_STAGE is ${String(env.KITH_STAGE)}`);
    if (!ctx.templates.refersTo(env.KITH_TABLE_NAME, fn.stack, table))
      problems.push(`${label}: KITH_TABLE_NAME`);
    if (!ctx.templates.refersTo(env.KITH_EVENT_BUS_NAME, fn.stack, bus))
      problems.push(`${label}: KITH_EVENT_BUS_NAME`);
    if (!secretsKey || !ctx.templates.refersTo(env.KITH_KMS_KEY_ID, fn.stack, secretsKey, "Arn"))
      problems.push(`${label}: KITH_KMS_KEY_ID`);
    for (const { definition, queue } of queueResources) {
      const name = queueUrlEnvName(definition.name);
      if (!queue || !ctx.templates.refersTo(env[name], fn.stack, queue)) problems.push(`${label}: ${name}`);
    }
    for (const secret of secretNames) {
      // Left for the function to fetch (config/ssm.ts), never a value in the function's configuration.
      if (env[`SST_Secret_value_${secret}`] !== "__FETCH_FROM_SSM__")
        problems.push(`${label}: secret ${secret} not bound to be fetched from SSM`);
    }
    // What config/ssm.ts builds the parameter paths from.
    if (env.SST_SSM_PREFIX !== `/sst/${ctx.app}/${ctx.stage}/`) problems.push(`${label}: SST_SSM_PREFIX`);
    if (env.SST_APP !== ctx.app) problems.push(`${label}: SST_APP`);

    const roleId = ctx.templates.resolve(p.Role, fn.stack)?.logicalId;
    const statements = roleId
      ? ctx.templates.roleStatements(fn.stack, roleId).filter((s) => s.Effect === "Allow")
      : [];
    const allows = (action: string, resource: (value: unknown) => boolean) =>
      statements.some((s) => asArray(s.Action).includes(action) && asArray(s.Resource).some(resource));
    // Least privilege on the secrets key: exactly the action the route's `sealedSecrets` names.
    const expected = sealedSecrets.get(handler);
    const expectedActions: readonly string[] = expected ? SEALED_SECRETS_ACTIONS[expected] : [];
    for (const action of new Set(Object.values(SEALED_SECRETS_ACTIONS).flat())) {
      const granted = statements.some((st) => asArray(st.Action).includes(action));
      const onKey =
        !!secretsKey && allows(action, (r) => ctx.templates.refersTo(r, fn.stack, secretsKey, "Arn"));
      if (expectedActions.includes(action) && !onKey)
        problems.push(`${label}: no ${action} on the secrets key`);
      if (!expectedActions.includes(action) && granted)
        problems.push(
          `${label}: ${action} granted without sealedSecrets "${action === "kms:Encrypt" ? "seal" : "open"}"`,
        );
    }
    for (const action of [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:ConditionCheckItem",
    ]) {
      if (!allows(action, (r) => ctx.templates.refersTo(r, fn.stack, table, "Arn"))) {
        problems.push(`${label}: no ${action} on the table`);
      }
    }
    const onIndexes = (r: unknown) => {
      const joined = ctx.templates.resolveJoin(r, fn.stack);
      return (
        joined?.suffix === "/index/*" &&
        joined.target.stack === table.stack &&
        joined.target.logicalId === table.logicalId &&
        joined.target.attribute === "Arn"
      );
    };
    if (!allows("dynamodb:Query", onIndexes))
      problems.push(`${label}: no dynamodb:Query on the table's indexes`);
    if (!allows("events:PutEvents", (r) => ctx.templates.refersTo(r, fn.stack, bus, "Arn"))) {
      problems.push(`${label}: no events:PutEvents on the bus`);
    }
    for (const { definition, queue } of queueResources) {
      if (!queue || !allows("sqs:SendMessage", (r) => ctx.templates.refersTo(r, fn.stack, queue, "Arn"))) {
        problems.push(`${label}: no sqs:SendMessage on queue "${definition.name}"`);
      }
    }
    for (const secret of secretNames) {
      for (const path of [`/${ctx.stage}/Secret/${secret}/value`, `/.fallback/Secret/${secret}/value`]) {
        if (!allows("ssm:GetParameters", (r) => JSON.stringify(r).includes(path))) {
          problems.push(`${label}: cannot read ${path}`);
        }
      }
    }
  }
  return problems;
}

/**
 * The IAM5 suppression for `Resource::*` is stack-wide, so this guards it: the only statements allowed
 * on every resource are X-Ray's trace upload, DynamoDB's ListStreams and CDK's log-retention helper.
 */
export const WILDCARD_RESOURCE_ACTIONS = new Set([
  // ListStreams takes no resource; CDK grants it with the stream read actions of a DynamoEventSource.
  "dynamodb:ListStreams",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "logs:PutRetentionPolicy",
  "logs:DeleteRetentionPolicy",
]);

export function checkWildcardResources(ctx: WiringContext): string[] {
  const problems: string[] = [];
  for (const policy of ctx.templates.all("AWS::IAM::Policy")) {
    const document = props(policy.resource).PolicyDocument as { Statement: PolicyStatementJson[] };
    for (const statement of document.Statement) {
      if (statement.Effect !== "Allow" || !asArray(statement.Resource).includes("*")) continue;
      const extra = asArray(statement.Action).filter((a) => !WILDCARD_RESOURCE_ACTIONS.has(a));
      if (extra.length) problems.push(`${policy.stack}/${policy.logicalId}: ${extra.join(", ")} on "*"`);
    }
  }
  return problems;
}
