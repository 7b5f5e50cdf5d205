import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@kith/local/ports";

/**
 * Startup to healthy: wall time from spawning `npm start` until `GET /_local/health` answers 200.
 * "cold" starts on an empty DATA_DIR (table and queues created); "warm" restarts on the same one.
 */
async function timeStart(dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn("npm", ["start"], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, KITH_SCHEDULES: "0" },
    stdio: "ignore",
  });
  try {
    for (;;) {
      if (performance.now() - started > 60_000) throw new Error("not healthy within 60 s");
      try {
        const response = await fetch(`http://127.0.0.1:${port}/_local/health`);
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}

function summarize(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `${label.padEnd(6)} n=${samples.length}  median ${fmt(median)}  min ${fmt(sorted[0] ?? 0)}  max ${fmt(sorted.at(-1) ?? 0)}`,
  );
}

export async function run(runs = Number(process.env.BENCH_RUNS ?? 3)): Promise<void> {
  console.log(`startup to healthy (npm start → GET /_local/health 200), ${runs} runs each; target < 15 s`);
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), "kith-bench-"));
    try {
      cold.push(await timeStart(dataDir));
      warm.push(await timeStart(dataDir));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  summarize("cold", cold);
  summarize("warm", warm);
}
