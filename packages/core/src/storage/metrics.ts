import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Counts DynamoDB requests per command, scoped to an async call tree, and optionally the capacity
 * they consume. Benchmarks and tests use it to measure "requests per resolve" or "write units per
 * delivery" as a figure, not an estimate.
 */
export interface RequestCounts {
  total: number;
  byCommand: Record<string, number>;
  /** Capacity units DynamoDB reported (`ReturnConsumedCapacity: TOTAL`), when the scope asked for them. */
  readUnits: number;
  writeUnits: number;
}

interface Scope {
  counts: RequestCounts;
  capacity: boolean;
}

const scope = new AsyncLocalStorage<Scope>();

/** Commands whose input takes `ReturnConsumedCapacity`. */
const CAPACITY_COMMANDS = new Set([
  "GetItemCommand",
  "PutItemCommand",
  "UpdateItemCommand",
  "DeleteItemCommand",
  "QueryCommand",
  "ScanCommand",
  "BatchGetItemCommand",
  "BatchWriteItemCommand",
  "TransactWriteItemsCommand",
  "TransactGetItemsCommand",
]);

/** Called by the client middleware for every command sent, retries of one command excluded. */
export function recordRequest(commandName: string): void {
  const current = scope.getStore();
  if (!current) return;
  current.counts.total += 1;
  current.counts.byCommand[commandName] = (current.counts.byCommand[commandName] ?? 0) + 1;
}

/** Whether the current scope wants capacity reported for this command (the middleware then asks for it). */
export function wantsCapacity(commandName: string): boolean {
  return scope.getStore()?.capacity === true && CAPACITY_COMMANDS.has(commandName);
}

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const READ_COMMANDS = new Set([
  "GetItemCommand",
  "QueryCommand",
  "ScanCommand",
  "BatchGetItemCommand",
  "TransactGetItemsCommand",
]);

/**
 * Adds what DynamoDB reported consuming (`TOTAL`: the aggregate of the table and its indexes; one
 * entry, or one per table for batches and transactions), as read or write units by the command.
 */
export function recordCapacity(commandName: string, consumed: Capacity | Capacity[] | undefined): void {
  const current = scope.getStore();
  if (!current || !consumed) return;
  for (const entry of Array.isArray(consumed) ? consumed : [consumed]) {
    const units = entry.CapacityUnits ?? (entry.ReadCapacityUnits ?? 0) + (entry.WriteCapacityUnits ?? 0);
    if (READ_COMMANDS.has(commandName)) current.counts.readUnits += units;
    else current.counts.writeUnits += units;
  }
}

/**
 * Runs `fn` and returns what it returned plus every DynamoDB request it (and only it) made. With
 * `capacity`, every request asks DynamoDB for its consumed capacity, and the units are added up.
 */
export async function countRequests<T>(
  fn: () => Promise<T>,
  options: { capacity?: boolean } = {},
): Promise<{ result: T; requests: RequestCounts }> {
  const requests: RequestCounts = { total: 0, byCommand: {}, readUnits: 0, writeUnits: 0 };
  const result = await scope.run({ counts: requests, capacity: options.capacity === true }, fn);
  return { result, requests };
}
