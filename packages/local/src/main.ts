import { Lifecycle, StartupCancelled } from "./lifecycle";
import { startRuntime } from "./runtime";

/**
 * `npm start`: Kith on this machine. Environment: PORT (3000), DATA_DIR (.data),
 * KITH_SCHEDULES (1: run schedules on their crons; 0: only on demand),
 * KITH_LOCAL_RETRY_DELAY_SECONDS (unset: failed messages wait out the visibility timeout, as in AWS),
 * KITH_STREAMS (1: relay the table's stream to the bus; 0: leave committed events unrelayed).
 */

/**
 * A stop drains: requests in flight may take API Gateway's 30 s, then the stream is relayed (up to
 * 10 s); only a stop that hangs beyond that is cut short.
 */
const STOP_DEADLINE_MS = 60_000;
async function main(): Promise<void> {
  // Signal handlers come first: a Ctrl-C while DynamoDB Local is still booting must stop it too.
  const lifecycle = new Lifecycle();
  const shutdown = async (signal: string) => {
    if (lifecycle.stopped) return;
    process.stdout.write(`Stopping Kith (${signal})...\n`);
    setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref();
    await lifecycle.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  const retryDelay = process.env.KITH_LOCAL_RETRY_DELAY_SECONDS;
  try {
    const runtime = await startRuntime({
      port: Number(process.env.PORT ?? 3000),
      dataDir: process.env.DATA_DIR || ".data",
      schedules: process.env.KITH_SCHEDULES !== "0",
      streams: process.env.KITH_STREAMS !== "0",
      retryDelaySeconds: retryDelay === undefined || retryDelay === "" ? undefined : Number(retryDelay),
      lifecycle,
    });
    process.stdout.write(
      `Kith is running at ${runtime.url} (healthy in ${runtime.startedInMs} ms). Health: ${runtime.url}/_local/health. Ctrl-C stops it.\n`,
    );
  } catch (error) {
    if (error instanceof StartupCancelled) return;
    process.stderr.write(`Kith could not start: ${(error as Error).message}\n`);
    await lifecycle.stop();
    process.exit(1);
  }
}

void main();
