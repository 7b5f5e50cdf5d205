import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { poll, processesInGroup, spawnLocalRuntime } from "../support/processes";

it("SIGTERM while DynamoDB Local is still booting stops the JVM too", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "kith-early-"));
  const runtime = await spawnLocalRuntime({ dataDir });
  const groupId = runtime.child.pid as number;
  try {
    await poll(
      async () =>
        processesInGroup(groupId).some((args) => args.includes("DynamoDBLocal.jar")) ? true : undefined,
      30_000,
      "the JVM to appear",
    );

    await runtime.stop();
    const leftovers = await poll(
      async () => (processesInGroup(groupId).length === 0 ? [] : undefined),
      15_000,
      "the group to empty",
    ).catch(() => processesInGroup(groupId));

    expect(leftovers).toEqual([]);
  } finally {
    runtime.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
