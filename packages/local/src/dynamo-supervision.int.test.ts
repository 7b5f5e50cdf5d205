import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CreateTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { poll } from "../../../test/support/processes";
import { isLoopback, listeningAddresses } from "../../../test/support/sockets";
import { type DynamoExit, localClient, startDynamoLocal } from "./dynamo";
import { DynamoSupervisor } from "./supervisor";

// These start their own DynamoDB Local JVMs (not the shared one), so they get generous timeouts.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CHILD = join(ROOT, "test/support/dynamo-local-child.ts");

/** A pid that has exited counts as gone even while it waits, as a zombie, for a parent to reap it. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  // Field 3, after "pid (comm)", is the state; Z is a zombie.
  const state = readFileSync(stat, "utf8").split(")").pop()?.trim().split(" ")[0];
  return state !== "Z";
}

describe("DynamoDB Local supervision", () => {
  it("the JVM exits by itself within seconds when its Node parent is killed with SIGKILL", async () => {
    // prepare: a Node process that starts DynamoDB Local through startDynamoLocal
    const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const started = new Promise<{ jvmPid: number; port: number }>((resolve, reject) => {
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = stdout.split("\n").find((candidate) => candidate.startsWith("{"));
        if (line) resolve(JSON.parse(line));
      });
      child.once("exit", (code) => reject(new Error(`child exited with ${code}: ${output}`)));
    });
    let jvmPid: number | undefined;
    try {
      const reported = await started;
      jvmPid = reported.jvmPid;
      expect(isRunning(jvmPid)).toBe(true);
      expect(listeningAddresses(reported.port).every(isLoopback)).toBe(true);

      // act
      const killedAt = Date.now();
      child.kill("SIGKILL");
      const pid = jvmPid;
      await poll(async () => (isRunning(pid) ? undefined : true), 10_000, `JVM ${pid} to exit`);
      const exitedAfterMs = Date.now() - killedAt;

      // assess
      expect(exitedAfterMs).toBeLessThan(10_000);
      expect(listeningAddresses(reported.port)).toEqual([]);
    } finally {
      child.kill("SIGKILL");
      if (jvmPid !== undefined && isRunning(jvmPid)) process.kill(jvmPid, "SIGKILL");
    }
  }, 120_000);

  it("restart() comes back on the same port with the same data, after a stop and after the JVM dies", async () => {
    // prepare
    const dataDir = mkdtempSync(join(tmpdir(), "kith-dynamo-restart-"));
    const dynamo = await startDynamoLocal({ dataDir });
    const client = localClient(dynamo.endpoint);
    const exits: DynamoExit[] = [];
    dynamo.onExit((exit) => exits.push(exit));
    const key = { pk: { S: "restart" } };
    const read = async () =>
      (await client.send(new GetItemCommand({ TableName: "supervision", Key: key, ConsistentRead: true })))
        .Item;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: "supervision",
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        }),
      );
      await client.send(
        new PutItemCommand({ TableName: "supervision", Item: { ...key, value: { S: "kept" } } }),
      );
      const { endpoint, port } = dynamo;
      const firstPid = dynamo.process.pid;

      // act 1: a restart asked for
      await dynamo.restart();

      // assess 1
      expect([dynamo.endpoint, dynamo.port]).toEqual([endpoint, port]);
      expect(dynamo.process.pid).not.toBe(firstPid);
      expect(exits).toEqual([expect.objectContaining({ expected: true })]);
      expect(await read()).toEqual({ ...key, value: { S: "kept" } });
      expect(listeningAddresses(port).every(isLoopback)).toBe(true);

      // act 2: the JVM dies on its own; what a supervisor would do
      const died = new Promise<DynamoExit>((resolve) => {
        const remove = dynamo.onExit((exit) => {
          remove();
          resolve(exit);
        });
      });
      const secondPid = dynamo.process.pid as number;
      process.kill(secondPid, "SIGKILL");
      const exit = await died;
      await expect(read()).rejects.toThrow();
      await dynamo.restart();

      // assess 2
      expect(exit).toMatchObject({ expected: false, signal: "SIGKILL" });
      const currentExited = await Promise.race([
        dynamo.exited.then(() => true),
        new Promise((resolve) => setTimeout(() => resolve(false), 50)),
      ]);
      expect(currentExited).toBe(false);
      expect(dynamo.process.pid).not.toBe(secondPid);
      expect(await read()).toEqual({ ...key, value: { S: "kept" } });
      expect(listeningAddresses(port).every(isLoopback)).toBe(true);

      // act 3 & assess 3: after stop, the exit is expected and no restart is allowed
      await dynamo.stop();
      expect(exits.map((each) => each.expected)).toEqual([true, false, true]);
      await expect(dynamo.restart()).rejects.toThrow(/stopped/);
      expect(listeningAddresses(port)).toEqual([]);
    } finally {
      client.destroy();
      await dynamo.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);

  it("the supervisor keeps restarting a JVM whose port is held, and brings the table back once the port is free", async () => {
    // prepare: an in-memory DynamoDB Local under a supervisor; whoever takes the port right after the JVM dies
    const dynamo = await startDynamoLocal();
    const client = localClient(dynamo.endpoint);
    const squatter = createServer();
    dynamo.onExit(() => {
      // Registered before the supervisor's listener, so the port is held before any restart binds.
      squatter.listen(dynamo.port, "127.0.0.1");
    });
    const supervisor = new DynamoSupervisor(dynamo, client, "supervised");
    try {
      const firstPid = dynamo.process.pid as number;

      // act 1: the JVM dies while something else takes its port
      process.kill(firstPid, "SIGKILL");

      // assess 1: a restart failed, and the supervisor is still at it
      const failing = await poll(
        async () => {
          const status = supervisor.status();
          return status.lastRestartError ? status : undefined;
        },
        120_000,
        "a failed restart to be reported",
      );
      expect(failing).toMatchObject({ restarting: true, restarts: 0 });

      // act 2: the port is free again
      await new Promise<void>((resolve) => squatter.close(() => resolve()));

      // assess 2: back on the same port, with the table made again (the database was in memory)
      const recovered = await poll(
        async () => {
          const status = supervisor.status();
          return status.restarts === 1 && !status.restarting ? status : undefined;
        },
        120_000,
        "the supervisor to bring DynamoDB Local back",
      );
      expect(recovered.lastRestartError).toBeUndefined();
      expect(recovered.pid).not.toBe(firstPid);
      const described = await client.send(new DescribeTableCommand({ TableName: "supervised" }));
      expect(described.Table?.TableStatus).toBe("ACTIVE");
    } finally {
      supervisor.stop();
      squatter.close();
      client.destroy();
      await dynamo.stop();
    }
  }, 300_000);
});
