import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { freePort } from "../../packages/local/src/ports";
import { poll, processesInGroup } from "../support/processes";

it("SIGTERM while DynamoDB Local is still booting stops the JVM too", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "kith-early-"));
  const child = spawn("npm", ["start"], {
    env: { ...process.env, PORT: String(await freePort()), DATA_DIR: dataDir, KITH_SCHEDULES: "0" },
    detached: true,
    stdio: "ignore",
  });
  const groupId = child.pid as number;
  try {
    await poll(
      async () =>
        processesInGroup(groupId).some((args) => args.includes("DynamoDBLocal.jar")) ? true : undefined,
      30_000,
      "the JVM to appear",
    );

    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    const leftovers = await poll(
      async () => (processesInGroup(groupId).length === 0 ? [] : undefined),
      15_000,
      "the group to empty",
    ).catch(() => processesInGroup(groupId));

    expect(leftovers).toEqual([]);
  } finally {
    try {
      process.kill(-groupId, "SIGKILL");
    } catch {
      // already gone, as it should be
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});
