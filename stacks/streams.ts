import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { FilterCriteria, FilterRule, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { NagSuppressions } from "cdk-nag";
import { Function as SstFunction, type StackContext, use } from "sst/constructs";
import { manifest, type StreamDefinition, streamDeadLetterQueuePhysicalName } from "../manifest";
import { Queues } from "./queues";
import { applyNagSuppressions, applyWiring, constructId, namePrefix } from "./shared";
import { Storage } from "./storage";

export interface ManifestStream {
  definition: StreamDefinition;
  consumer: SstFunction;
  deadLetterQueue: sqs.Queue;
}

/**
 * One consumer per `manifest.streams` entry on the table's stream: an event-source mapping that
 * starts at the oldest record, passes only the records the entry's filter accepts (`streamFilters`),
 * reports failed records by sequence number and splits a failing batch to find the record at
 * fault; a batch still failing when its records are `maxRecordAgeSeconds` old is reported to the
 * entry's DLQ, whose alarm pages an operator (docs/operations.md: "Outbox relay").
 */
export function Streams({ stack, app }: StackContext) {
  applyWiring(stack, use(Queues).wiring);
  const { table } = use(Storage);
  const prefix = namePrefix(app);

  const streams = new Map<string, ManifestStream>();
  for (const definition of manifest.streams as readonly StreamDefinition[]) {
    if (streams.has(definition.name)) throw new Error(`duplicate stream consumer "${definition.name}"`);
    const id = constructId(definition.name);
    const deadLetterQueue = new sqs.Queue(stack, `${id}-dlq`, {
      queueName: streamDeadLetterQueuePhysicalName(definition, prefix),
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    NagSuppressions.addResourceSuppressions(deadLetterQueue, [
      {
        id: "AwsSolutions-SQS3",
        reason:
          "This queue is the DLQ: the on-failure destination of the stream consumer's event-source mapping, " +
          "which CloudFormation does not express as a redrive policy, so cdk-nag cannot see it is one.",
      },
    ]);
    new cloudwatch.Alarm(stack, `${id}-dlq-not-empty`, {
      alarmName: `${streamDeadLetterQueuePhysicalName(definition, prefix)}-not-empty`,
      alarmDescription: `Stream records of ${definition.name} were given up on; see docs/operations.md`,
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const consumer = new SstFunction(stack, `StreamConsumer-${id}`, {
      handler: definition.consumer,
      timeout: definition.consumerTimeoutSeconds,
    });
    consumer.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: definition.batchSize,
        ...(definition.maxBatchingWindowSeconds !== undefined
          ? { maxBatchingWindow: Duration.seconds(definition.maxBatchingWindowSeconds) }
          : {}),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        // No retry cap: a record is retried until it is this old (a bus outage only delays it).
        maxRecordAge: Duration.seconds(definition.maxRecordAgeSeconds),
        onFailure: new SqsDlq(deadLetterQueue),
        filters: streamFilters(definition),
      }),
    );
    streams.set(definition.name, { definition, consumer, deadLetterQueue });
  }

  applyNagSuppressions(stack);
  return { streams };
}

/**
 * The mapping's event filters for the entry's declared filter (Lambda passes a record matching any
 * of them). An entity filter matches either image: a REMOVE record has only the old one, an INSERT
 * only the new one. `eventNames` adds the record's `eventName` to both patterns.
 */
function streamFilters(definition: StreamDefinition): Record<string, unknown>[] {
  if (definition.entity === undefined) {
    return [
      FilterCriteria.filter({
        dynamodb: { NewImage: { [definition.newImageAttribute]: { S: FilterRule.exists() } } },
      }),
    ];
  }
  const entity = { entity: { S: [...definition.entity] } };
  const eventName = definition.eventNames ? { eventName: [...definition.eventNames] } : {};
  return [
    FilterCriteria.filter({ ...eventName, dynamodb: { NewImage: entity } }),
    FilterCriteria.filter({ ...eventName, dynamodb: { OldImage: entity } }),
  ];
}
