import { availableParallelism } from "node:os";
import { Storage, Util } from "@kith/core";
import * as Identity from "@kith/core/identity";
import * as Orgs from "@kith/core/orgs";
import { apiName, perCall, percentile, printTable, type Row, withBenchTable } from "./support";

/**
 * The identity core against DynamoDB Local (its own JVM, on a temp data dir): DynamoDB requests per
 * operation, counted with `Storage.countRequests`, and latency. Request counts are the contract
 * (one read per known identity, one transaction per new person, one Query per page, one read per
 * token check); latencies are figures for this machine. Domain events are not published (no bus),
 * so the figures are DynamoDB only.
 */

const TABLE = "kith-bench-identity";
const RESOLVE_CALLS = Number(process.env.BENCH_RESOLVE_CALLS ?? 2_000);
const WARM_UP_CALLS = 2_000;
const CONCURRENT_CALLERS = 10;
const CONCURRENT_CALLS = 3_000;
const NEW_PEOPLE = Number(process.env.BENCH_NEW_PEOPLE ?? 300);
const LIST_USERS = 1_000;
const SEED_BATCH = 25;

type Counts = Storage.RequestCounts;

const mean = (samples: readonly number[]) => samples.reduce((sum, value) => sum + value, 0) / samples.length;
const ms = (value: number) => `${value.toFixed(2)} ms`;

function byApi(counts: Counts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [command, count] of Object.entries(counts.byCommand)) {
    out[apiName(command)] = (out[apiName(command)] ?? 0) + count;
  }
  return out;
}
function describeCounts(counts: Counts, calls: number): string {
  const parts = Object.entries(byApi(counts)).map(([api, count]) => `${api} ${perCall(count / calls)}`);
  return `${perCall(counts.total / calls)} (${parts.join(", ")})`;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - started };
}

/** Runs `count` tasks with at most `width` in flight. */
async function inBatches(count: number, width: number, task: (index: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

const FIRST = ["Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Ivo", "Jun"];
const LAST = ["Abara", "Berg", "Costa", "Duval", "Eklund", "Fujita", "Garza", "Haddad", "Ito", "Jansen"];
const personName = (index: number) =>
  `${FIRST[index % FIRST.length]} ${LAST[Math.floor(index / FIRST.length) % LAST.length]} ${index}`;

async function resolveExisting(orgId: string, rows: Row[]): Promise<void> {
  const identity = { kind: "github" as const, externalId: "1000001" };
  await Identity.create(
    orgId,
    { name: "Known Person", email: "known@bench.example", identities: [identity] },
    { actor: "system:bench" },
  );
  const options = { emailVerified: false, source: "bench", allowCreate: false };
  // DynamoDB Local's JVM needs a few thousand requests before its latency settles.
  for (let i = 0; i < WARM_UP_CALLS; i++) await Identity.resolve(orgId, identity, options);

  const latencies: number[] = [];
  const { requests } = await Storage.countRequests(async () => {
    for (let i = 0; i < RESOLVE_CALLS; i++) {
      const { result, ms: elapsed } = await timed(() => Identity.resolve(orgId, identity, options));
      if (result.outcome !== "resolved") throw new Error("a known identity did not resolve");
      latencies.push(elapsed);
    }
  });
  const perResolve = requests.total / RESOLVE_CALLS;
  rows.push({
    measure: "resolve known identity: requests/call",
    figure: describeCounts(requests, RESOLVE_CALLS),
    target: "1",
    met: perResolve === 1,
    short: `known identity ${perCall(perResolve)} request/resolve`,
  });
  rows.push({
    measure: `  latency, ${RESOLVE_CALLS} sequential`,
    figure: `p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, mean ${ms(mean(latencies))}`,
    target: "figure",
  });

  let done = 0;
  const { ms: wall } = await timed(() =>
    inBatches(CONCURRENT_CALLS, CONCURRENT_CALLERS, async () => {
      await Identity.resolve(orgId, identity, options);
      done++;
    }),
  );
  rows.push({
    measure: `  throughput, ${CONCURRENT_CALLERS} concurrent callers`,
    figure: `${Math.round(done / (wall / 1000))} resolves/s (${done} in ${(wall / 1000).toFixed(2)} s)`,
    target: "figure",
  });
}

async function resolveNewPeople(orgId: string, rows: Row[]): Promise<void> {
  const latencies: number[] = [];
  const total: Counts = { total: 0, byCommand: {}, readUnits: 0, writeUnits: 0 };
  const transactionsPerCall = new Set<number>();
  for (let i = -20; i < NEW_PEOPLE; i++) {
    const index = i + 20;
    const call = () =>
      Identity.resolve(
        orgId,
        { kind: "github", externalId: String(2_000_000 + index) },
        {
          email: `new.person.${index}@bench.example`,
          emailVerified: true,
          nameHint: personName(index),
          source: "bench",
          allowCreate: true,
        },
      );
    if (i < 0) {
      await call(); // warm-up
      continue;
    }
    const started = performance.now();
    const { result, requests } = await Storage.countRequests(call);
    latencies.push(performance.now() - started);
    if (result.outcome !== "resolved" || result.via !== "created")
      throw new Error("a new person was not created");
    total.total += requests.total;
    for (const [command, count] of Object.entries(requests.byCommand))
      total.byCommand[command] = (total.byCommand[command] ?? 0) + count;
    transactionsPerCall.add(byApi(requests).TransactWriteItems ?? 0);
  }
  const transactions = [...transactionsPerCall];
  rows.push({
    measure: "resolve new person (verified email): requests/call",
    figure: describeCounts(total, NEW_PEOPLE),
    target: "TransactWriteItems 1",
    met: transactions.length === 1 && transactions[0] === 1,
    short: `new person ${transactions.sort().join("-")} transaction(s) + ${perCall((total.total - NEW_PEOPLE * (transactions[0] ?? 0)) / NEW_PEOPLE)} reads`,
  });
  rows.push({
    measure: `  latency, ${NEW_PEOPLE} new people`,
    figure: `p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, mean ${ms(mean(latencies))}`,
    target: "figure",
  });
}

/** Seeds the listing org first: its 1,000 transactions also warm DynamoDB Local's JVM for the rest. */
async function seedListOrg(rows: Row[]): Promise<string> {
  const { org } = await Orgs.create({ name: "List Co", slug: "list-co" });
  const { ms: seedMs } = await timed(() =>
    inBatches(LIST_USERS, SEED_BATCH, (index) =>
      Identity.create(
        org.id,
        {
          name: personName(index),
          email: `person.${index}@list.example`,
          identities: [{ kind: "github", externalId: String(3_000_000 + index) }],
        },
        { actor: "system:bench" },
      ),
    ),
  );
  rows.push({
    measure: `list users: seed ${LIST_USERS} (${SEED_BATCH} in flight)`,
    figure: `${(seedMs / 1000).toFixed(2)} s (${Math.round(LIST_USERS / (seedMs / 1000))} users/s)`,
    target: "figure",
  });
  return org.id;
}

async function listUsers(orgId: string, rows: Row[]): Promise<void> {
  for (const limit of [50, 200]) {
    let cursor: string | undefined;
    let pages = 0;
    let emptyPages = 0;
    let users = 0;
    let maxPerPage = 0;
    let previous = "";
    let ordered = true;
    const { ms: wall, result: requests } = await timed(async () => {
      let all = 0;
      do {
        const { result: page, requests: counts } = await Storage.countRequests(() =>
          Identity.list(orgId, { limit, cursor }),
        );
        pages++;
        if (page.items.length === 0) emptyPages++;
        all += counts.total;
        maxPerPage = Math.max(maxPerPage, counts.total);
        users += page.items.length;
        for (const user of page.items) {
          const key = user.name.toLocaleLowerCase("en-US");
          if (key < previous) ordered = false;
          previous = key;
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return all;
    });
    rows.push({
      measure: `  limit ${limit}: requests/page`,
      figure:
        `${perCall(requests / pages)} (max ${maxPerPage}); ${pages} pages${emptyPages ? ` (${emptyPages} empty)` : ""}, ` +
        `${users} users${ordered ? " by name" : ", NOT ordered"}, ${ms(wall)}`,
      target: "1 (no N+1)",
      met: maxPerPage === 1 && users === LIST_USERS && ordered,
      short: `limit ${limit}: ${perCall(requests / pages)} Query/page`,
    });
  }
}

async function authenticateToken(orgId: string, rows: Row[]): Promise<void> {
  const user = await Identity.create(
    orgId,
    { name: "Token Holder", email: "token.holder@bench.example" },
    { actor: "system:bench" },
  );
  // The plaintext stays in this function; it is never printed.
  const { token } = await Identity.Tokens.mint(orgId, user.id, { label: "bench" }, { actor: "system:bench" });
  const now = new Date();
  const first = await Storage.countRequests(() => Identity.Tokens.authenticate(token, now));
  const second = await Storage.countRequests(() =>
    Identity.Tokens.authenticate(token, new Date(now.getTime() + 1_000)),
  );
  const latencies: number[] = [];
  const { requests: warm } = await Storage.countRequests(async () => {
    for (let i = 0; i < 500; i++) {
      const { result, ms: elapsed } = await timed(() => Identity.Tokens.authenticate(token, now));
      if (!result) throw new Error("a valid token did not authenticate");
      latencies.push(elapsed);
    }
  });
  const later = await Storage.countRequests(() =>
    Identity.Tokens.authenticate(token, new Date(now.getTime() + 61_000)),
  );
  if (!first.result || !second.result || !later.result) throw new Error("a valid token did not authenticate");
  rows.push({
    measure: "authenticate token: first call",
    figure: describeCounts(first.requests, 1),
    target: "2 (read + lastUsedAt)",
    met: first.requests.total === 2,
  });
  rows.push({
    measure: "  same minute (501 calls)",
    figure: `${describeCounts({ total: second.requests.total + warm.total, byCommand: sum(second.requests, warm), readUnits: 0, writeUnits: 0 }, 501)}; p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}`,
    target: "1",
    met: second.requests.total === 1 && warm.total === 500,
    short: `token ${perCall((second.requests.total + warm.total) / 501)} read/auth within the minute`,
  });
  rows.push({
    measure: "  a minute later",
    figure: describeCounts(later.requests, 1),
    target: "2",
    met: later.requests.total === 2,
  });
}

function sum(a: Counts, b: Counts): Record<string, number> {
  const out = { ...a.byCommand };
  for (const [command, count] of Object.entries(b.byCommand)) out[command] = (out[command] ?? 0) + count;
  return out;
}

export async function run(): Promise<void> {
  const started = performance.now();
  console.log(
    `identity core on DynamoDB Local (${availableParallelism()} cores, node ${process.versions.node}); request counts via Storage.countRequests`,
  );
  // "domain events are not published" is expected here (no bus), not worth a warning per run.
  Util.logger.setLogLevel("ERROR");
  await withBenchTable({ name: "identity", table: TABLE }, async () => {
    const { org } = await Orgs.create({ name: "Bench Co", slug: "bench-co" });
    const known: Row[] = [];
    const created: Row[] = [];
    const listing: Row[] = [];
    const tokens: Row[] = [];
    const listOrgId = await seedListOrg(listing);
    await resolveExisting(org.id, known);
    await resolveNewPeople(org.id, created);
    await listUsers(listOrgId, listing);
    await authenticateToken(org.id, tokens);

    const rows = [...known, ...created, ...listing, ...tokens];
    printTable(rows);
    const checked = rows.filter((row) => row.met !== undefined);
    const missed = checked.filter((row) => !row.met);
    console.log(
      `summary: ${rows.flatMap((row) => (row.short ? [row.short] : [])).join(", ")}; ` +
        `${checked.length - missed.length}/${checked.length} request targets met` +
        `${missed.length > 0 ? ` (missed: ${missed.map((row) => row.measure.trim()).join("; ")})` : ""}; ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  });
}
