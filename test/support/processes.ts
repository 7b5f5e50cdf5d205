import { execFileSync } from "node:child_process";

/** Every process in a process group, as its command line (empty once all have exited). */
export function processesInGroup(groupId: number): string[] {
  const output = execFileSync("ps", ["-eo", "pid=,pgid=,args="], { encoding: "utf8" });
  return output
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => Number(fields[1]) === groupId)
    .map((fields) => fields.slice(2).join(" "));
}

/** Polls until `probe` returns a value, or throws after `timeoutMs` naming what it waited for. */
export async function poll<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}: ${String(lastError ?? "")}`);
}
