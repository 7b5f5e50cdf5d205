import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type LocalRuntime, spawnLocalRuntime } from "../support/processes";

interface Health {
  components: { dynamodb: { endpoint: string }; sqs: { endpoint: string } };
}

describe("two local instances side by side", () => {
  const instances: LocalRuntime[] = [];
  const dataDirs: string[] = [];

  async function startInstance(): Promise<LocalRuntime> {
    const dataDir = mkdtempSync(join(tmpdir(), "kith-side-"));
    dataDirs.push(dataDir);
    // Ports and data directories are the point here: no demo, so neither instance backfills mail.
    const instance = await spawnLocalRuntime({ dataDir, env: { KITH_DEMO: "0" } });
    instances.push(instance);
    return instance;
  }

  afterAll(async () => {
    for (const instance of instances) await instance.stop();
    for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
  });

  it("with different PORT and DATA_DIR both become healthy on their own internal ports", async () => {
    await startInstance();
    await startInstance();

    // Two JVMs and two emulators booting at once beside the rest of the suite: a generous hang guard.
    const [first, second] = await Promise.all(
      instances.map((instance) => instance.waitHealthy<Health>(110_000)),
    );

    expect(first?.components.dynamodb.endpoint).not.toBe(second?.components.dynamodb.endpoint);
    expect(first?.components.sqs.endpoint).not.toBe(second?.components.sqs.endpoint);
  });
});
