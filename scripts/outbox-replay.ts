/**
 * `npm run outbox:replay -- --since <ISO time> [--until <ISO time>] [--dry-run]`: re-publishes the
 * domain events still held in outboxes whose time is in the window (docs/operations.md, "Outbox
 * relay"). Reads KITH_TABLE_NAME and KITH_EVENT_BUS_NAME (the stack outputs TableName and
 * EventBusName) and the usual AWS credentials.
 */
import { parseArgs } from "node:util";
import * as Events from "@kith/core/events";

const { values } = parseArgs({
  options: { since: { type: "string" }, until: { type: "string" }, "dry-run": { type: "boolean" } },
});
const since = new Date(values.since ?? "");
const until = values.until ? new Date(values.until) : undefined;
if (Number.isNaN(since.getTime()) || (until && Number.isNaN(until.getTime()))) {
  process.stderr.write(
    "usage: npm run outbox:replay -- --since <ISO time> [--until <ISO time>] [--dry-run]\n",
  );
  process.exit(2);
}
const summary = await Events.replayOutbox({ since, until }, { dryRun: values["dry-run"] === true });
process.stdout.write(`${JSON.stringify(summary)}\n`);
