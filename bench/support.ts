import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestCounts } from "@kith/core/storage";
import { type DynamoLocal, ensureTable, localClient, startDynamoLocal } from "@kith/local/dynamo";

export interface BenchTable {
  dynamo: DynamoLocal;
  /** A scratch directory removed at the end (DynamoDB Local's data lives there unless in memory). */
  dataDir: string;
  /** Runs at the end (and on Ctrl-C), before DynamoDB Local stops: close what the bench started. */
  onCleanup(step: () => Promise<void> | void): void;
}

/**
 * Runs a benchmark against its own table on a fresh DynamoDB Local (on disk in a scratch
 * directory, as `npm start` keeps it, or in memory), with the AWS SDK pointed at it and no bus.
 * Every environment variable it or `env` sets is restored afterwards; Ctrl-C stops the JVM too.
 */
export async function withBenchTable<T>(
  options: { name: string; table: string; inMemory?: boolean; env?: Record<string, string> },
  run: (bench: BenchTable) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), `kith-bench-${options.name}-`));
  const overrides: Record<string, string | undefined> = {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    KITH_TABLE_NAME: options.table,
    KITH_EVENT_BUS_NAME: undefined,
    ...options.env,
  };
  const saved = Object.fromEntries(
    [...Object.keys(overrides), "AWS_ENDPOINT_URL_DYNAMODB"].map((name) => [name, process.env[name]]),
  );
  let dynamo: DynamoLocal | undefined;
  const steps: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const step of steps.splice(0).reverse()) await step();
    await dynamo?.stop();
    dynamo = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    dynamo = await startDynamoLocal(options.inMemory ? {} : { dataDir });
    for (const [name, value] of Object.entries(overrides)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    const admin = localClient(dynamo.endpoint);
    try {
      await ensureTable(admin, options.table);
    } finally {
      admin.destroy();
    }
    return await run({ dynamo, dataDir, onCleanup: (step) => steps.push(step) });
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await cleanup();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** One line of a benchmark's table: a figure, and the target it is checked against if any. */
export interface Row {
  measure: string;
  figure: string;
  target: string;
  /** undefined: a figure with no pass/fail target (latencies, throughput). */
  met?: boolean;
  /** Its part of the one-line summary, if any. */
  short?: string;
}

/** The p-th percentile (nearest rank) of samples. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Prints rows as aligned columns, marking each checked target ok or MISSED. */
export function printTable(rows: readonly Row[]): void {
  const widths = {
    measure: Math.max(...rows.map((row) => row.measure.length), "measure".length),
    figure: Math.max(...rows.map((row) => row.figure.length), "figure".length),
  };
  const line = (measure: string, figure: string, target: string) =>
    `${measure.padEnd(widths.measure)}  ${figure.padEnd(widths.figure)}  ${target}`;
  console.log(line("measure", "figure", "target"));
  for (const row of rows) {
    const mark = row.met === undefined ? "" : row.met ? "  ok" : "  MISSED";
    console.log(line(row.measure, row.figure, `${row.target}${mark}`));
  }
}

/** A per-call average: whole numbers as they are, others to two decimals. */
export const perCall = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));

/** "GetCommand" (lib-dynamodb) and "GetItemCommand" (the client) both read as the API name, "GetItem". */
export function apiName(command: string): string {
  const name = command.replace(/Command$/, "");
  return (
    {
      Get: "GetItem",
      Put: "PutItem",
      Update: "UpdateItem",
      Delete: "DeleteItem",
      TransactWrite: "TransactWriteItems",
      BatchGet: "BatchGetItem",
    }[name] ?? name
  );
}

/** No requests yet. */
export function emptyCounts(): RequestCounts {
  return { total: 0, byCommand: {}, readUnits: 0, writeUnits: 0 };
}

/** Adds `more` into `into`, commands by their API name. */
export function addCounts(into: RequestCounts, more: RequestCounts): RequestCounts {
  into.total += more.total;
  into.readUnits += more.readUnits;
  into.writeUnits += more.writeUnits;
  for (const [command, count] of Object.entries(more.byCommand)) {
    into.byCommand[apiName(command)] = (into.byCommand[apiName(command)] ?? 0) + count;
  }
  return into;
}

/** Figures as the benches print them. */
export const thousands = (value: number) => Math.round(value).toLocaleString("en-US");
export const ms = (value: number) => `${value.toFixed(1)} ms`;
export const secs = (value: number) => `${(value / 1000).toFixed(2)} s`;
export const units = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));

/** Requests per unit of work, in total and by command, busiest first. */
export function describeCounts(counts: RequestCounts, per: number): string {
  const parts = Object.entries(counts.byCommand)
    .sort((a, b) => b[1] - a[1])
    .map(([api, count]) => `${api} ${perCall(count / per)}`);
  return `${perCall(counts.total / per)} (${parts.join(", ") || "none"})`;
}

/** A weighted choice with a seeded generator. */
export function pick<T>(rng: () => number, choices: readonly (readonly [T, number])[]): T {
  let roll = rng() * choices.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [value, weight] of choices) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return (choices[choices.length - 1] as readonly [T, number])[0];
}
