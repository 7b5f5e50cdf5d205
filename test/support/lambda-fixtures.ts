/**
 * Shared builders for unit tests of Lambda handlers: a fake Lambda context, API Gateway HTTP API
 * (payload format 2.0) events and SQS records. Every builder returns a fresh object, so a test
 * can mutate what it gets without affecting its neighbours.
 */
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEventV2, Context, SQSEvent, SQSRecord } from "aws-lambda";

/** A Lambda context with a generous remaining time, so middy's early-timeout never fires. */
export function fakeContext(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: "kith-test-function",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:kith-test-function",
    memoryLimitInMB: "256",
    awsRequestId: randomUUID(),
    logGroupName: "/aws/lambda/kith-test-function",
    logStreamName: "2026/01/01/[$LATEST]0123456789abcdef",
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}

export interface HttpEventOptions {
  method?: string;
  path?: string;
  /** Defaults to `${method} ${path}`. */
  routeKey?: string;
  /** Passed through as given (any case), like API Gateway does before the kit normalizes them. */
  headers?: Record<string, string>;
  /** A string is sent as-is; a Buffer is sent base64-encoded with `isBase64Encoded: true`. */
  body?: string | Buffer;
  /** Overrides the flag derived from `body`. */
  isBase64Encoded?: boolean;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
}

/** An API Gateway HTTP API (payload format 2.0) event, as Lambda receives it. */
export function httpEvent(options: HttpEventOptions = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? "GET";
  const path = options.path ?? "/test";
  const routeKey = options.routeKey ?? `${method} ${path}`;
  const rawQueryString = new URLSearchParams(options.query ?? {}).toString();
  const binary = Buffer.isBuffer(options.body);
  const body =
    options.body === undefined
      ? undefined
      : Buffer.isBuffer(options.body)
        ? options.body.toString("base64")
        : options.body;
  const now = new Date("2026-01-01T00:00:00Z");
  return {
    version: "2.0",
    routeKey,
    rawPath: path,
    rawQueryString,
    headers: { ...(options.headers ?? {}) },
    ...(options.query ? { queryStringParameters: { ...options.query } } : {}),
    ...(options.pathParameters ? { pathParameters: { ...options.pathParameters } } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "test",
      domainName: "test.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "test",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "vitest" },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: "01/Jan/2026:00:00:00 +0000",
      timeEpoch: now.getTime(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: options.isBase64Encoded ?? binary,
  };
}

/** A JSON POST: `content-type: application/json` and the value serialized as the body. */
export function jsonEvent(value: unknown, options: HttpEventOptions = {}): APIGatewayProxyEventV2 {
  return httpEvent({
    method: "POST",
    ...options,
    headers: { "content-type": "application/json", ...(options.headers ?? {}) },
    body: typeof value === "string" ? value : JSON.stringify(value),
  });
}

export interface SqsRecordOptions {
  messageId?: string;
  /** A string is used verbatim (so tests can send non-JSON); anything else is JSON-serialized. */
  body?: unknown;
  /** Makes the record look like it came from a FIFO queue. */
  messageGroupId?: string;
  queueName?: string;
}

let sequence = 0;

/** One SQS record as the Lambda event source mapping delivers it. */
export function sqsRecord(options: SqsRecordOptions = {}): SQSRecord {
  sequence++;
  const fifo = options.messageGroupId !== undefined;
  const queueName = options.queueName ?? (fifo ? "test-queue.fifo" : "test-queue");
  const body = typeof options.body === "string" ? options.body : JSON.stringify(options.body ?? {});
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: `receipt-${sequence}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1767225600000",
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: "1767225600001",
      ...(fifo
        ? {
            MessageGroupId: options.messageGroupId,
            MessageDeduplicationId: `dedup-${sequence}`,
            SequenceNumber: `1${String(sequence).padStart(19, "0")}`,
          }
        : {}),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
    awsRegion: "us-east-1",
  };
}

export function sqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}
