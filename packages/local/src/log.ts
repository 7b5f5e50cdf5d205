import { Util } from "@kith/core";

/**
 * The local runtime's own lines (startup, polling, delivery), as JSON like the handlers' logs, and
 * scrubbed with the same rules.
 */
export function log(
  level: "info" | "warn" | "error",
  message: string,
  fields: Record<string, unknown> = {},
): void {
  if (process.env.KITH_LOCAL_QUIET === "1" && level === "info") return;
  const line = JSON.stringify({
    level: level.toUpperCase(),
    service: "kith-local",
    message,
    timestamp: new Date().toISOString(),
    ...Util.scrub(fields),
  });
  (level === "error" ? process.stderr : process.stdout).write(`${line}\n`);
}
