import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../packages/local/src/ports";

interface Instance {
  child: ChildProcess;
  url: string;
  dataDir: string;
}

async function startInstance(): Promise<Instance> {
  const dataDir = mkdtempSync(join(tmpdir(), "kith-side-"));
  const port = await freePort();
  const child = spawn("npm", ["start"], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, KITH_SCHEDULES: "0" },
    detached: true,
    stdio: "ignore",
  });
  return { child, url: `http://127.0.0.1:${port}`, dataDir };
}

async function waitHealthy(
  url: string,
): Promise<{ components: { dynamodb: { endpoint: string }; sqs: { endpoint: string } } }> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/_local/health`);
      if (response.status === 200) return (await response.json()) as never;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} never became healthy`);
}

describe("two local instances side by side", () => {
  const instances: Instance[] = [];

  afterAll(async () => {
    for (const instance of instances) {
      if (instance.child.exitCode === null && instance.child.pid) {
        const exited = new Promise((resolve) => instance.child.once("exit", resolve));
        instance.child.kill("SIGTERM");
        await exited;
      }
      rmSync(instance.dataDir, { recursive: true, force: true });
    }
  });

  it("with different PORT and DATA_DIR both become healthy on their own internal ports", async () => {
    instances.push(await startInstance(), await startInstance());

    const [first, second] = await Promise.all(instances.map((instance) => waitHealthy(instance.url)));

    expect(first?.components.dynamodb.endpoint).not.toBe(second?.components.dynamodb.endpoint);
    expect(first?.components.sqs.endpoint).not.toBe(second?.components.sqs.endpoint);
  });
});
