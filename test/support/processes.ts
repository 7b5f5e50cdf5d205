import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { freePort } from "@kith/local/ports";

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

export interface LocalRuntimeOptions {
  /** DATA_DIR: where DynamoDB Local keeps its data (the caller creates and removes it). */
  dataDir: string;
  /** Added to (and winning over) the test process's environment, PORT, DATA_DIR and KITH_SCHEDULES=0. */
  env?: Record<string, string>;
}

/** One `npm start` child, in its own process group so a test can see every process it started. */
export interface LocalRuntime {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  /** Everything it has written to stdout and stderr so far. */
  output(): string;
  /** Polls `/_local/health` until it answers 200 and returns that report; fails early if the child exits. */
  waitHealthy<H = unknown>(timeoutMs?: number): Promise<H>;
  /** SIGTERM and wait for the exit, so DynamoDB Local has written its data (no-op once it has exited). */
  stop(): Promise<void>;
  /** SIGKILL to the whole process group, for cleanup whatever state the test left it in. */
  kill(): void;
}

/** Spawns `npm start` on a free port without waiting for it to become healthy. */
export async function spawnLocalRuntime({ dataDir, env = {} }: LocalRuntimeOptions): Promise<LocalRuntime> {
  // Below the ephemeral range (ports.ts): the gateway listens last, after the runtime has opened
  // many connections whose OS-chosen source ports could otherwise take it first.
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn("npm", ["start"], {
    // Enrichment is off unless a test turns it on (the demo's does): it is background work the
    // other end-to-end tests do not check, and on 2 cores it slows what they do check.
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      KITH_SCHEDULES: "0",
      KITH_ENRICHMENT: "off",
      ...env,
    },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const append = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    baseUrl,
    output: () => output,
    waitHealthy: <H>(timeoutMs = 60_000) =>
      poll(
        async () => {
          if (exited())
            throw new Error(`npm start exited with ${child.exitCode ?? child.signalCode}: ${output}`);
          const response = await fetch(`${baseUrl}/_local/health`);
          return response.status === 200 ? ((await response.json()) as H) : undefined;
        },
        timeoutMs,
        "the local runtime to become healthy",
      ),
    async stop() {
      if (exited()) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await gone;
    },
    kill() {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    },
  };
}

/** `npm start` (see `spawnLocalRuntime`) once `/_local/health` answers 200; killed again if it never does. */
export async function startLocalRuntime<H = unknown>(
  options: LocalRuntimeOptions & { timeoutMs?: number },
): Promise<LocalRuntime & { health: H }> {
  const runtime = await spawnLocalRuntime(options);
  try {
    return Object.assign(runtime, { health: await runtime.waitHealthy<H>(options.timeoutMs) });
  } catch (error) {
    runtime.kill();
    throw error;
  }
}
