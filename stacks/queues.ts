import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Function as SstFunction, type StackContext, use } from "sst/constructs";
import {
  deadLetterQueuePhysicalName,
  manifest,
  type QueueDefinition,
  queuePhysicalName,
  queueUrlEnvName,
} from "../manifest";
import { addSubscriptions, Events } from "./events";
import { SEALED_SECRETS_ACTIONS } from "./sealed-secrets";
import { Secrets } from "./secrets";
import {
  applyNagSuppressions,
  applyWiring,
  constructId,
  type FunctionWiring,
  mergeWiring,
  namePrefix,
} from "./shared";
import { Storage } from "./storage";

export interface ManifestQueue {
  definition: QueueDefinition;
  queue: sqs.Queue;
  deadLetterQueue: sqs.Queue;
  consumer: SstFunction;
}

/**
 * Every `manifest.queues` entry as a queue, its DLQ and its consumer, plus the bus rules of
 * `manifest.subscriptions` (they live here because a rule must sit in its target queue's stack).
 *
 * Its `wiring` is the complete set every Lambda gets: table, secrets, bus, and the URL of and send
 * permission on every queue, because any handler may enqueue work.
 */
export function Queues({ stack, app }: StackContext) {
  const prefix = namePrefix(app);
  const created = new Map<
    string,
    { definition: QueueDefinition; queue: sqs.Queue; deadLetterQueue: sqs.Queue }
  >();

  for (const definition of manifest.queues as readonly QueueDefinition[]) {
    if (created.has(definition.name)) throw new Error(`duplicate queue "${definition.name}"`);
    if (definition.visibilityTimeoutSeconds < definition.consumerTimeoutSeconds) {
      throw new Error(
        `queue "${definition.name}": visibilityTimeoutSeconds (${definition.visibilityTimeoutSeconds}) must be ` +
          `at least consumerTimeoutSeconds (${definition.consumerTimeoutSeconds})`,
      );
    }
    const id = constructId(definition.name);
    const fifo = definition.fifo ? { fifo: true, contentBasedDeduplication: false } : {};
    const deadLetterQueue = new sqs.Queue(stack, `${id}-dlq`, {
      queueName: deadLetterQueuePhysicalName(definition, prefix),
      ...fifo,
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const queue = new sqs.Queue(stack, id, {
      queueName: queuePhysicalName(definition, prefix),
      ...fifo,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    // Any message in a DLQ means work was given up on; operators route this alarm to their pager.
    new cloudwatch.Alarm(stack, `${id}-dlq-not-empty`, {
      alarmName: `${deadLetterQueuePhysicalName(definition, prefix)}-not-empty`,
      alarmDescription: `Messages of ${definition.name} failed ${definition.maxReceiveCount} times; see docs/operations.md`,
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    created.set(definition.name, { definition, queue, deadLetterQueue });
  }

  const queueList = [...created.values()];
  const ownWiring: FunctionWiring = {
    environment: Object.fromEntries(
      queueList.map((q) => [queueUrlEnvName(q.definition.name), q.queue.queueUrl]),
    ),
    permissions: queueList.length
      ? [
          new PolicyStatement({
            actions: ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
            resources: queueList.map((q) => q.queue.queueArn),
          }),
        ]
      : [],
  };
  const wiring = mergeWiring(use(Storage).wiring, use(Secrets).wiring, use(Events).wiring, ownWiring);
  applyWiring(stack, wiring);

  const queues = new Map<string, ManifestQueue>();
  for (const { definition, queue, deadLetterQueue } of queueList) {
    const consumer = new SstFunction(stack, `Consumer-${constructId(definition.name)}`, {
      handler: definition.consumer,
      timeout: definition.consumerTimeoutSeconds,
      ...(definition.memoryMB !== undefined ? { memorySize: definition.memoryMB } : {}),
      ...(definition.sealedSecrets
        ? {
            permissions: [
              new PolicyStatement({
                actions: [...SEALED_SECRETS_ACTIONS[definition.sealedSecrets]],
                resources: [use(Storage).secretsKey.keyArn],
              }),
            ],
          }
        : {}),
    });
    consumer.addEventSource(
      new SqsEventSource(queue, {
        batchSize: definition.batchSize,
        reportBatchItemFailures: true,
        ...(definition.maxConcurrency !== undefined ? { maxConcurrency: definition.maxConcurrency } : {}),
        // Lambda rejects a batching window on FIFO queues.
        ...(!definition.fifo && definition.maxBatchingWindowSeconds !== undefined
          ? { maxBatchingWindow: Duration.seconds(definition.maxBatchingWindowSeconds) }
          : {}),
      }),
    );
    queues.set(definition.name, { definition, queue, deadLetterQueue, consumer });
  }

  const rules = addSubscriptions(stack, {
    bus: use(Events).bus,
    queues: new Map([...queues].map(([name, q]) => [name, q.queue])),
  });

  applyNagSuppressions(stack);
  return { queues, rules, wiring };
}
