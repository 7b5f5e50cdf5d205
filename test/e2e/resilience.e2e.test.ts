import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type LocalRuntime, poll, startLocalRuntime } from "../support/processes";

const OPERATOR_KEY = "e2e-resilience-operator-key";
const operator = { authorization: `Bearer ${OPERATOR_KEY}`, "content-type": "application/json" };

interface Health {
  components: {
    dynamodb: { status: string; pid: number; restarts: number; lastExit?: { signal: string | null } };
  };
}

async function createOrg(baseUrl: string, name: string): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/orgs`, {
    method: "POST",
    headers: operator,
    body: JSON.stringify({ name }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** Every user of an org, through the API (all pages). */
async function userIds(baseUrl: string, orgId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=200&cursor=${encodeURIComponent(cursor)}` : "?limit=200";
    const response = await fetch(`${baseUrl}/v1/orgs/${orgId}/users${query}`, { headers: operator });
    const page = (await response.json()) as { items: { id: string }[]; nextCursor: string | null };
    ids.push(...page.items.map((user) => user.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

/** The ids of the users whose `user.created` the journal holds for an org (all pages). */
async function journalledUserIds(baseUrl: string, orgId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const response = await fetch(`${baseUrl}/v1/journal?orgId=${orgId}&limit=200${query}`, {
      headers: operator,
    });
    const page = (await response.json()) as {
      items: { type: string; data: { userId?: string } }[];
      nextCursor: string | null;
    };
    for (const entry of page.items)
      if (entry.type === "user.created" && entry.data.userId) ids.add(entry.data.userId);
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

describe("npm start under faults", () => {
  const dataDirs: string[] = [];
  const runtimes: LocalRuntime[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "kith-e2e-resilience-"));
    dataDirs.push(dir);
    return dir;
  };
  const start = async (dir: string, env: Record<string, string> = {}) => {
    const runtime = await startLocalRuntime<Health>({
      dataDir: dir,
      env: { OPERATOR_API_KEY: OPERATOR_KEY, KITH_DEMO: "0", ...env },
    });
    runtimes.push(runtime);
    return runtime;
  };

  afterEach(() => {
    for (const runtime of runtimes.splice(0)) runtime.kill();
  });
  afterAll(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it("SIGTERM during a write burst: every acknowledged write is stored with its event published, and nothing unacknowledged is stored", async () => {
    // prepare
    const dir = dataDir();
    const first = await start(dir);
    const orgId = await createOrg(first.baseUrl, "Drain Co");
    const acknowledged = new Set<string>();
    let refused = 0;
    let stopping = false;
    const writer = async (loop: number) => {
      for (let i = 0; ; i++) {
        try {
          const response = await fetch(`${first.baseUrl}/v1/orgs/${orgId}/users`, {
            method: "POST",
            headers: operator,
            body: JSON.stringify({ name: `Writer ${loop}-${i}` }),
          });
          if (response.status === 201) acknowledged.add(((await response.json()) as { id: string }).id);
          else {
            expect(response.status).toBe(503);
            refused += 1;
          }
        } catch {
          // The gateway stopped listening: every later request is refused the same way.
          if (stopping) return;
          throw new Error("a request failed before the runtime was told to stop");
        }
      }
    };

    // act: writes in flight from 8 clients, then SIGTERM in the middle of them
    const writers = Promise.all(Array.from({ length: 8 }, (_, loop) => writer(loop)));
    await poll(async () => (acknowledged.size >= 40 ? true : undefined), 30_000, "40 acknowledged writes");
    stopping = true;
    await first.stop();
    await writers;
    // Restarted without relaying the stream: the journal can only hold what the drain published.
    const second = await start(dir, { KITH_STREAMS: "0" });

    // assess
    const stored = await userIds(second.baseUrl, orgId);
    expect(new Set(stored)).toEqual(acknowledged);
    const journalled = await poll(
      async () => {
        const ids = await journalledUserIds(second.baseUrl, orgId);
        return [...acknowledged].every((id) => ids.has(id)) ? ids : undefined;
      },
      30_000,
      "user.created of every acknowledged write in the journal",
    );
    expect(journalled).toEqual(acknowledged);
    expect(first.output()).toMatch(/Stopping Kith \(SIGTERM\)/);
    expect(refused).toBeGreaterThanOrEqual(0);
  });

  it("killing DynamoDB Local's JVM gives retryable 503s, then the runtime restarts it and serves the same data", async () => {
    // prepare
    const runtime = await start(dataDir());
    const orgId = await createOrg(runtime.baseUrl, "Outage Co");
    // The org's creation has settled: its event went through the stream and the bus to the journal.
    await poll(
      async () => {
        const response = await fetch(`${runtime.baseUrl}/v1/journal?orgId=${orgId}&limit=50`, {
          headers: operator,
        });
        const page = (await response.json()) as { items?: { type: string }[] };
        return page.items?.some((entry) => entry.type === "org.created") ? true : undefined;
      },
      30_000,
      "org.created in the journal",
    );
    const { pid } = runtime.health.components.dynamodb;

    // act
    process.kill(pid, "SIGKILL");
    const during = await poll(
      async () => {
        const response = await fetch(`${runtime.baseUrl}/v1/orgs/${orgId}`, { headers: operator });
        return response.status === 503 ? response : undefined;
      },
      10_000,
      "a 503 while DynamoDB Local is down",
    );
    const after = await poll(
      async () => {
        const response = await fetch(`${runtime.baseUrl}/v1/orgs/${orgId}`, { headers: operator });
        return response.status === 200 ? response : undefined;
      },
      // A hang guard: a JVM restart beside the full suite on 2 cores once took over 60 s.
      120_000,
      "the org again once DynamoDB Local is back",
    ).catch(async (error: Error) => {
      // What the runtime said about DynamoDB Local, and its health now, are the clues to why the org never came back.
      const health = await fetch(`${runtime.baseUrl}/_local/health`)
        .then((response) => response.text())
        .catch((cause: Error) => cause.message);
      const lines = runtime
        .output()
        .split("\n")
        .filter((line) => /DynamoDB Local/.test(line) && !/request rejected/.test(line))
        .slice(-40)
        .join("\n");
      throw new Error(
        `${error.message}\nhealth: ${health}\nDynamoDB Local in the runtime's output:\n${lines}`,
      );
    });
    const health = await poll(
      async () => {
        const report = (await (await fetch(`${runtime.baseUrl}/_local/health`)).json()) as Health;
        return report.components.dynamodb.restarts > 0 ? report : undefined;
      },
      10_000,
      "the restart to be reported",
    );

    // assess
    expect(during.headers.get("retry-after")).toBe("2");
    expect(((await during.json()) as { error: { code: string } }).error.code).toBe("storage_unavailable");
    expect(((await after.json()) as { id: string }).id).toBe(orgId);
    expect(health.components.dynamodb).toMatchObject({
      status: "ok",
      restarts: 1,
      lastExit: { signal: "SIGKILL" },
    });
    expect(health.components.dynamodb.pid).not.toBe(pid);
  }, 240_000);
});
