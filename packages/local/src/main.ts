import { prepareConsole } from "./console";
import { Lifecycle, StartupCancelled } from "./lifecycle";
import { type Runtime, startRuntime } from "./runtime";

/**
 * `npm start`: Kith on this machine. Environment: PORT (3000), DATA_DIR (.data),
 * KITH_SCHEDULES (1: run schedules on their crons; 0: only on demand),
 * KITH_LOCAL_RETRY_DELAY_SECONDS (unset: failed messages wait out the visibility timeout, as in AWS),
 * KITH_STREAMS (1: relay the table's stream to the bus; 0: leave committed events unrelayed),
 * KITH_DEMO (1: seed the demo into an empty database; 0: never), KITH_DEMO_MAILBOXES (1: connect
 * the fresh demo's sandbox mailboxes after the start; 0: leave them unconnected).
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
  // Set by the developer (then the banner names the variable, never its value), or the local default.
  const ownOperatorKey = Boolean(process.env.OPERATOR_API_KEY);
  try {
    const runtime = await startRuntime({
      port: Number(process.env.PORT ?? 3000),
      dataDir: process.env.DATA_DIR || ".data",
      schedules: process.env.KITH_SCHEDULES !== "0",
      streams: process.env.KITH_STREAMS !== "0",
      retryDelaySeconds: retryDelay === undefined || retryDelay === "" ? undefined : Number(retryDelay),
      lifecycle,
      // Built (when stale) while the stores start; the gateway waits for it.
      console: prepareConsole(),
    });
    process.stdout.write(
      `Kith is running at ${runtime.url} (healthy in ${runtime.startedInMs} ms). Health: ${runtime.url}/_local/health. Ctrl-C stops it.\n`,
    );
    if (runtime.consoleUrl) {
      process.stdout.write(`The admin console: ${runtime.consoleUrl} (sign in with the operator token).\n`);
    }
    process.stdout.write(demoBanner(runtime, ownOperatorKey));
  } catch (error) {
    if (error instanceof StartupCancelled) return;
    process.stderr.write(`Kith could not start: ${(error as Error).message}\n`);
    await lifecycle.stop();
    process.exit(1);
  }
}

/**
 * The demo lines of the banner, when the demo org exists (seeded now or on an earlier start): the
 * operator token as shell variables (README, "Try the demo"), one contact with a warm connection
 * once the mailboxes are backfilled, and its collection's contacts by reachability.
 */
function demoBanner(runtime: Pick<Runtime, "url" | "demo">, ownOperatorKey: boolean): string {
  const demo = runtime.demo;
  if (!demo) return "";
  const token = ownOperatorKey ? '"$OPERATOR_API_KEY"' : process.env.OPERATOR_API_KEY;
  const lines = [
    `Demo org "acme": ${runtime.url}/v1/orgs/${demo.orgId} (the operator token is ${ownOperatorKey ? "your OPERATOR_API_KEY" : token}). Try it (README.md, "Try the demo"):`,
  ];
  const spotlight = demo.spotlight;
  const collection =
    spotlight && `${runtime.url}/v1/orgs/${demo.orgId}/collections/${spotlight.collectionId}`;
  lines.push(
    `  export KITH_URL=${runtime.url} KITH_TOKEN=${token} KITH_ORG=${demo.orgId}` +
      (spotlight ? ` KITH_COLLECTION=${spotlight.collectionId} KITH_CONTACT=${spotlight.contactId}` : ""),
  );
  if (spotlight && collection) {
    lines.push(`  A contact with a warm connection: ${collection}/contacts/${spotlight.contactId}`);
    lines.push(`  Its collection's contacts by reachability: ${collection}/contacts?sort=reachability`);
  }
  if (collection && demo.pastColleague) {
    lines.push(
      `  A contact warm through a past job (enrichment, long_work_overlap): ${collection}/contacts/${demo.pastColleague.contactId}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

void main();
