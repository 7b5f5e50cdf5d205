import { startRuntime } from "./runtime";

/**
 * `npm start`: Kith on this machine. Environment: PORT (3000), DATA_DIR (.data),
 * KITH_SCHEDULES (1: run schedules on their crons; 0: only on demand),
 * KITH_LOCAL_RETRY_DELAY_SECONDS (unset: failed messages wait out the visibility timeout, as in AWS).
 */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const retryDelay = process.env.KITH_LOCAL_RETRY_DELAY_SECONDS;
  let runtime: Awaited<ReturnType<typeof startRuntime>>;
  try {
    runtime = await startRuntime({
      port,
      dataDir: process.env.DATA_DIR || ".data",
      schedules: process.env.KITH_SCHEDULES !== "0",
      retryDelaySeconds: retryDelay === undefined || retryDelay === "" ? undefined : Number(retryDelay),
    });
  } catch (error) {
    process.stderr.write(`Kith could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }

  process.stdout.write(
    `Kith is running at ${runtime.url} (healthy in ${runtime.startedInMs} ms). Health: ${runtime.url}/_local/health. Ctrl-C stops it.\n`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Stopping Kith (${signal})...\n`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await runtime.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

void main();
