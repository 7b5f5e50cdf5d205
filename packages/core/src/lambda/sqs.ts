import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import * as z from "zod/mini";
import type * as core from "zod/v4/core";
import { envelopeFields } from "../events/detail";
import { logger } from "../util/logger";
import { issuesToDetails } from "./validation";

export interface SqsConsumerOptions<TSchema extends core.$ZodType> {
  /** The message body's schema; the body is JSON-decoded first. A record that fails it is a batch item failure. */
  body: TSchema;
  /**
   * FIFO queues stop at the first failure in a message group, so later messages of the same group
   * are retried after it instead of overtaking it.
   */
  fifo?: boolean;
}

/**
 * Wraps an SQS consumer with Powertools batch processing: each record is parsed and handled on
 * its own, and only the failed ones are reported back (`batchItemFailures`), so one bad message
 * never makes its neighbours run twice. The record handler must be idempotent: SQS delivers at
 * least once.
 */
export function sqsConsumer<TSchema extends core.$ZodType>(
  options: SqsConsumerOptions<TSchema>,
  handleRecord: (message: z.infer<TSchema>, record: SQSRecord) => Promise<void>,
) {
  const processor = options.fifo ? new SqsFifoPartialProcessorAsync() : new BatchProcessor(EventType.SQS);

  const recordHandler = async (record: SQSRecord) => {
    const message = parseBody(options.body, record);
    await handleRecord(message, record);
  };

  const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) =>
      processor instanceof SqsFifoPartialProcessorAsync
        ? processPartialResponse(event, recordHandler, processor, {
            context,
            throwOnFullBatchFailure: false,
            skipGroupOnError: true,
          })
        : processPartialResponse(event, recordHandler, processor, {
            context,
            throwOnFullBatchFailure: false,
          }),
    );
  // Exposed so a unit test can check it against the manifest queue's `fifo`.
  return Object.assign(handler, { fifo: options.fifo === true });
}

/** A body that is not JSON or not the expected shape can never succeed; it fails and heads for the DLQ. */
export class UnprocessableMessage extends Error {
  override readonly name = "UnprocessableMessage";
}

function parseBody<TSchema extends core.$ZodType>(schema: TSchema, record: SQSRecord): z.infer<TSchema> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(record.body);
  } catch {
    throw new UnprocessableMessage(`message ${record.messageId} is not JSON`);
  }
  const result = z.safeParse(schema, decoded);
  if (!result.success) {
    throw new UnprocessableMessage(
      `message ${record.messageId} does not match its schema: ${JSON.stringify(issuesToDetails(result.error.issues))}`,
    );
  }
  return result.data;
}

/** What parses a domain event's `detail`: one definition, or a union of them (`eventUnion`). */
export interface EventParser<TEvent> {
  parse(detail: unknown): TEvent;
}

/**
 * An SQS consumer of domain events delivered by a bus rule: each message is the EventBridge
 * envelope, and its `detail` is parsed with the event definitions the consumer names, so it
 * receives typed events. A detail no definition accepts can never succeed and heads for the DLQ.
 */
export function eventConsumer<TEvent>(
  events: EventParser<TEvent>,
  handleEvent: (event: TEvent) => Promise<void>,
) {
  const envelope = z.object({ ...envelopeFields, detail: z.unknown() });
  return sqsConsumer({ body: envelope }, async (message) => {
    let event: TEvent;
    try {
      event = events.parse(message.detail);
    } catch (error) {
      throw new UnprocessableMessage(
        `domain event does not match its definition: ${(error as Error).message}`,
      );
    }
    await handleEvent(event);
  });
}
