import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DeleteCommandInput,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { env } from "../config";
import { invalidCursor } from "./cursor";
import {
  ConditionFailed,
  isInvalidStartKey,
  isUnavailable,
  StorageThrottled,
  StorageUnavailable,
  TransactionCancelled,
} from "./errors";
import { recordCapacity, recordRequest, wantsCapacity } from "./metrics";

function createClient(): DynamoDBDocumentClient {
  // Bounded waits: a store that does not answer becomes a 503 within the function's time, not a hang.
  const base = new DynamoDBClient({ requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 } });
  base.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? "unknown";
      recordRequest(command);
      // Only inside a measuring scope (benchmarks): ask DynamoDB what the request consumed.
      if (!wantsCapacity(command)) return next(args);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = "TOTAL";
      const result = await next(args);
      recordCapacity(command, (result.output as { ConsumedCapacity?: never }).ConsumedCapacity);
      return result;
    },
    { step: "initialize", name: "kithRequestCounter" },
  );
  return DynamoDBDocumentClient.from(base, {
    // Optional fields are simply absent, never written as NULL or rejected by the marshaller.
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** One client per process; created lazily so importing a module never needs AWS configuration. */
let client: DynamoDBDocumentClient | undefined;
export function documentClient(): DynamoDBDocumentClient {
  client ??= createClient();
  return client;
}

export function tableName(): string {
  return env.tableName();
}

/** Turns SDK failures into typed errors; everything else passes through untouched. */
export function translateStorageError(error: unknown): unknown {
  const name = (error as { name?: string } | null)?.name;
  if (name === "ConditionalCheckFailedException") return new ConditionFailed(error);
  if (name === "TransactionCanceledException") {
    const raw =
      (error as { CancellationReasons?: { Code?: string; Message?: string }[] }).CancellationReasons ?? [];
    return new TransactionCancelled(
      raw.map((reason, index) => ({ index, code: reason.Code ?? "None", message: reason.Message })),
      error,
    );
  }
  // A single-item write that ran into an ongoing transaction on the same item: retryable, like a
  // cancelled transaction that lost to another.
  if (name === "TransactionConflictException") {
    return new TransactionCancelled([{ index: 0, code: "TransactionConflict" }], error);
  }
  if (isInvalidStartKey(error)) {
    return invalidCursor();
  }
  if (
    name === "ProvisionedThroughputExceededException" ||
    name === "ThrottlingException" ||
    name === "RequestLimitExceeded"
  ) {
    return new StorageThrottled(error);
  }
  if (isUnavailable(error)) return new StorageUnavailable(error);
  return error;
}

async function send<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateStorageError(error);
  }
}

type WithoutTable<T> = Omit<T, "TableName">;

/** Table-bound operations. Each call is exactly one DynamoDB request. */
export const db = {
  get: (input: WithoutTable<GetCommandInput>) =>
    send(() => documentClient().send(new GetCommand({ TableName: tableName(), ...input }))),
  put: (input: WithoutTable<PutCommandInput>) =>
    send(() => documentClient().send(new PutCommand({ TableName: tableName(), ...input }))),
  update: (input: WithoutTable<UpdateCommandInput>) =>
    send(() => documentClient().send(new UpdateCommand({ TableName: tableName(), ...input }))),
  delete: (input: WithoutTable<DeleteCommandInput>) =>
    send(() => documentClient().send(new DeleteCommand({ TableName: tableName(), ...input }))),
  query: (input: WithoutTable<QueryCommandInput>) =>
    send(() => documentClient().send(new QueryCommand({ TableName: tableName(), ...input }))),
  /** Up to 100 keys; unprocessed keys are retried until every item is read. */
  batchGet: async (keys: readonly Record<string, unknown>[], consistentRead = false) => {
    const items: Record<string, unknown>[] = [];
    for (let start = 0; start < keys.length; start += 100) {
      let pending: Record<string, unknown>[] = keys.slice(start, start + 100);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const result = await send(() =>
          documentClient().send(
            new BatchGetCommand({
              RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: consistentRead } },
            }),
          ),
        );
        items.push(...((result.Responses?.[tableName()] ?? []) as Record<string, unknown>[]));
        pending = (result.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return items;
  },
  /**
   * Deletes up to 25 keys per request; unprocessed keys are retried with backoff until every one
   * is gone. Deleting a key that does not exist is not an error, so a retried batch is harmless.
   */
  batchDelete: (keys: readonly Record<string, unknown>[]) =>
    batchWrite(keys.map((Key) => ({ DeleteRequest: { Key } }))),
  /**
   * Puts up to 25 items per request, retrying unprocessed ones with backoff. Unconditional: a put
   * of an item that exists replaces it, so a retried batch writes the same items again, nothing more.
   */
  batchPut: (items: readonly Record<string, unknown>[], options: { inFlight?: number } = {}) =>
    batchWrite(
      items.map((Item) => ({ PutRequest: { Item } })),
      options.inFlight,
    ),
  /** Items may omit `TableName`; it is filled in. */
  transactWrite: (items: readonly TransactItem[], token?: string) =>
    send(() =>
      documentClient().send(
        new TransactWriteCommand({
          ClientRequestToken: token,
          TransactItems: items.map((item) => withTable(item)),
        }),
      ),
    ),
};

type WriteRequest = {
  DeleteRequest?: { Key: Record<string, unknown> };
  PutRequest?: { Item: Record<string, unknown> };
};

/** BatchWriteItem in chunks of 25, until DynamoDB has processed every request. */
async function batchWrite(requests: readonly WriteRequest[], inFlight = 1): Promise<void> {
  const chunks: WriteRequest[][] = [];
  for (let start = 0; start < requests.length; start += 25) chunks.push(requests.slice(start, start + 25));
  const writeChunk = async (chunk: WriteRequest[]) => {
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const result = await send(() =>
        documentClient().send(new BatchWriteCommand({ RequestItems: { [tableName()]: pending as never } })),
      );
      pending = (result.UnprocessedItems?.[tableName()] ?? []) as WriteRequest[];
    }
  };
  // Up to `inFlight` requests at once, each taking the next chunk as it finishes.
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as WriteRequest[];
      await writeChunk(chunk);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(inFlight, chunks.length)) }, worker));
}

type RawTransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];
type TableOptional<T> = Omit<T, "TableName"> & { TableName?: string };

/** One element of a transaction against the single table; `TableName` may be left out. */
export interface TransactItem {
  Put?: TableOptional<NonNullable<RawTransactItem["Put"]>>;
  Update?: TableOptional<NonNullable<RawTransactItem["Update"]>>;
  Delete?: TableOptional<NonNullable<RawTransactItem["Delete"]>>;
  ConditionCheck?: TableOptional<NonNullable<RawTransactItem["ConditionCheck"]>>;
}

function withTable(item: TransactItem): RawTransactItem {
  const table = tableName();
  if (item.Put) return { Put: { ...item.Put, TableName: item.Put.TableName ?? table } };
  if (item.Update) return { Update: { ...item.Update, TableName: item.Update.TableName ?? table } };
  if (item.Delete) return { Delete: { ...item.Delete, TableName: item.Delete.TableName ?? table } };
  if (item.ConditionCheck) {
    return { ConditionCheck: { ...item.ConditionCheck, TableName: item.ConditionCheck.TableName ?? table } };
  }
  throw new Error("a transaction item needs one of Put, Update, Delete or ConditionCheck");
}

/**
 * One page of a Query with no filter, in exactly one request: it reads one item more than the page
 * holds, so a page that ends the list says so (`nextCursor: null`) instead of handing out a cursor
 * to an empty page. The cursor is the last returned item's key attributes.
 */
export async function queryPage(
  input: WithoutTable<QueryCommandInput>,
  limit: number,
  keyAttributes: readonly string[],
): Promise<{ items: Record<string, unknown>[]; nextKey: Record<string, unknown> | undefined }> {
  const result = await db.query({ ...input, Limit: limit + 1 });
  const items = (result.Items ?? []) as Record<string, unknown>[];
  if (items.length <= limit) return { items, nextKey: undefined };
  const page = items.slice(0, limit);
  const last = page[page.length - 1] as Record<string, unknown>;
  return { items: page, nextKey: Object.fromEntries(keyAttributes.map((name) => [name, last[name]])) };
}

/** Every item of a Query, page after page (for bounded sets: one partition's items of one kind). */
export async function queryAll(input: WithoutTable<QueryCommandInput>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.query({ ...input, ExclusiveStartKey: start });
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
