import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Counts DynamoDB requests per command, scoped to an async call tree. Benchmarks and tests use it
 * to measure "requests per resolve" or "requests per page" as a figure, not an estimate.
 */
export interface RequestCounts {
  total: number;
  byCommand: Record<string, number>;
}

const scope = new AsyncLocalStorage<RequestCounts>();

/** Called by the client middleware for every command sent, retries of one command excluded. */
export function recordRequest(commandName: string): void {
  const counts = scope.getStore();
  if (!counts) return;
  counts.total += 1;
  counts.byCommand[commandName] = (counts.byCommand[commandName] ?? 0) + 1;
}

/** Runs `fn` and returns what it returned plus every DynamoDB request it (and only it) made. */
export async function countRequests<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; requests: RequestCounts }> {
  const requests: RequestCounts = { total: 0, byCommand: {} };
  const result = await scope.run(requests, fn);
  return { result, requests };
}
