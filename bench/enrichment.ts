import * as Contacts from "@kith/core/contacts";
import * as Identity from "@kith/core/identity";
import * as Orgs from "@kith/core/orgs";
import * as Storage from "@kith/core/storage";
import { logger } from "@kith/core/util";
import { type FindemPerson, FindemSandbox, prng } from "@kith/sandbox";
import { lookupCounters, resetLookupCounters } from "../packages/core/src/enrichment/cache";
import { useProviderForTests } from "../packages/core/src/enrichment/configured";
import { FindemClient, resetFindemForTests } from "../packages/core/src/enrichment/findem";
import { type EnrichmentJob, handleEnrichmentMessage } from "../packages/core/src/enrichment/jobs";
import { enrichUser } from "../packages/core/src/enrichment/profiles";
import { applyEventChanges } from "../packages/core/src/rollup/rollup";
import { eventItem, type InteractionEvent } from "../packages/core/src/sync/event";
import {
  addCounts,
  describeCounts,
  emptyCounts,
  perCall,
  printTable,
  type Row,
  secs,
  thousands,
  units,
  withBenchTable,
} from "./support";

/**
 * Enrichment (`packages/core/src/enrichment`) for one team: how many times Findem is called, how
 * much the cache absorbs, and what resolution costs, on DynamoDB Local against the Findem sandbox
 * through the real client (breaker, pacing, Retry-After).
 *
 * The team (seeded, the same every run): 3 members, each with 800 correspondents (seed 002's
 * "~800 per user on backfill"), a quarter of them shared with a teammate, so the org has fewer
 * unique correspondents than members × 800; 6 interaction events per correspondent on average
 * (heavy-tailed), a tenth of the correspondents newsletter-only (never sent to Findem). A
 * collection holds 1,500 contacts; 200 correspondents are a contact's second address that only
 * Findem knows (the person's LinkedIn handle is the contact's), the rest of the sandbox's answers
 * are synthesized: 60% found, 5% ambiguous, 5% below the confidence threshold.
 *
 * Steps:
 * 1. Day 1: every member's backfill is folded by the rollup (`applyEventChanges`), and every
 *    correspondent it flags becomes a `resolve` job, run as the enrichment consumer runs them (a
 *    batch of 10 at a time, `handleEnrichmentMessage`), plus each member's own enrichment.
 * 2. Redelivery of every day-1 job: nothing is asked again.
 * 3. 29 more days: each member gets 40 events a day, 92% with known correspondents, the rest new.
 * 4. A second org whose member has the same mailbox: its correspondents are all flagged again (the
 *    org's own lookup items), and the cache answers all of them.
 * 5. An outage: the sandbox fails half its requests while a batch of new correspondents is
 *    resolved: the breaker opens, jobs are deferred (sent again, delayed), and after it closes all
 *    complete.
 * Rate: Findem's limit is 10 requests per second per key; the sandbox enforces `10 × K` and the
 * client paces at its share (80% of the limit ÷ 2 containers), so K = 1 is real time.
 *
 * Environment: BENCH_ENRICHMENT_SCALE (K, 10), BENCH_ENRICHMENT_SEED (16), BENCH_DYNAMO (unset:
 * DynamoDB Local on disk; "memory").
 */

const TABLE = "kith-bench-enrichment";
const SCALE = Math.max(1, Number(process.env.BENCH_ENRICHMENT_SCALE ?? 10));
const SEED = Number(process.env.BENCH_ENRICHMENT_SEED ?? 16);
const MEMBERS = 3;
const CORRESPONDENTS_PER_MEMBER = 800;
const SHARED_SHARE = 0.25;
const NEWSLETTER_SHARE = 0.1;
const CONTACTS = 1_500;
const SECOND_ADDRESSES = 200;
const STEADY_DAYS = 29;
const EVENTS_PER_DAY = 40;
const NEW_CORRESPONDENT_SHARE = 0.08;
const BATCH = 10;
const NOW = new Date("2026-10-01T08:00:00.000Z");
const DAY = 86_400_000;
const ACTOR = { actor: "system:bench" };

const failures: string[] = [];
function check(ok: boolean, what: string): boolean {
  if (!ok) failures.push(what);
  return ok;
}

interface Member {
  userId: string;
  email: string;
  accountId: string;
  correspondents: string[];
  newsletters: Set<string>;
}

/** How many events a correspondent gets: most a few, some dozens. */
function eventCount(rng: () => number): number {
  const roll = rng();
  if (roll < 0.5) return 1 + Math.floor(rng() * 3);
  if (roll < 0.85) return 4 + Math.floor(rng() * 8);
  return 12 + Math.floor(rng() * 20);
}

function eventsFor(
  orgId: string,
  member: Member,
  email: string,
  count: number,
  rng: () => number,
  day: Date,
  spreadDays: number,
): InteractionEvent[] {
  const newsletter = member.newsletters.has(email);
  return Array.from({ length: count }, (_, index) => {
    const occurredAt = new Date(day.getTime() - Math.floor(rng() * spreadDays * DAY));
    const remoteId = `${email}-${day.getTime()}-${index}-${Math.floor(rng() * 1e9).toString(36)}`;
    const inbound = newsletter || rng() < 0.55;
    return {
      orgId,
      userId: member.userId,
      accountId: member.accountId,
      provider: "gmail",
      kind: "email",
      direction: inbound ? "inbound" : "outbound",
      occurredAt: occurredAt.toISOString(),
      threadId: `t-${remoteId}`,
      remoteId,
      correspondent: email,
      newsletter,
      bulk: false,
      recipientCount: 1,
    } satisfies InteractionEvent;
  });
}

/** Writes events and folds them as the rollup's stream consumer would. */
async function ingest(events: InteractionEvent[], now: Date): Promise<void> {
  for (let start = 0; start < events.length; start += 100) {
    const batch = events.slice(start, start + 100);
    await Storage.db.batchPut(batch.map(eventItem), { inFlight: 4 });
    await applyEventChanges(
      batch.map((event) => ({ op: "insert" as const, event })),
      { now },
    );
  }
}

/**
 * The correspondents among `emails` the rollup flagged (`enrichmentRequestedAt` at or after
 * `since`), as resolve jobs: what the table's stream hands the enrichment-requests consumer.
 */
async function flagged(orgId: string, emails: Iterable<string>, since: string): Promise<EnrichmentJob[]> {
  const keys = [...new Set(emails)].map((email) => ({ pk: `CORR#${orgId}#${email}`, sk: "#LOOKUP" }));
  const items = keys.length > 0 ? await Storage.db.batchGet(keys) : [];
  return items
    .filter((item) => typeof item.enrichmentRequestedAt === "string" && item.enrichmentRequestedAt >= since)
    .map((item) => ({ kind: "resolve" as const, orgId, email: item.email as string }))
    .sort((a, b) => (a.email < b.email ? -1 : 1));
}

interface RunResult {
  jobs: number;
  deferred: number;
  ms: number;
  requests: Storage.RequestCounts;
}

/** Runs jobs as the consumer does: a batch of 10 at a time, in parallel; deferred jobs come back. */
async function runJobs(jobs: readonly EnrichmentJob[], now: Date, options: { waitDeferred?: boolean } = {}) {
  const started = performance.now();
  const requests = emptyCounts();
  let pending = [...jobs];
  let deferred = 0;
  while (pending.length > 0) {
    const again: EnrichmentJob[] = [];
    for (let start = 0; start < pending.length; start += BATCH) {
      const batch = pending.slice(start, start + BATCH);
      const { requests: counted } = await Storage.countRequests(
        () =>
          Promise.all(
            batch.map((job) =>
              handleEnrichmentMessage(job, now, {
                defer: async (back) => {
                  deferred++;
                  again.push(back);
                },
              }),
            ),
          ),
        { capacity: true },
      );
      addCounts(requests, counted);
    }
    if (again.length === 0 || !options.waitDeferred) break;
    // The breaker's half-open wait, shortened: the bench resets it instead of sleeping 60 s.
    resetFindemForTests();
    pending = again;
  }
  return { jobs: jobs.length, deferred, ms: performance.now() - started, requests } satisfies RunResult;
}

function person(findemId: string, handle: string, emails: string[]): FindemPerson {
  return { findemId, linkedinHandle: handle, emails, work: [], education: [] };
}

export async function run(): Promise<void> {
  logger.setLogLevel("ERROR");
  const rng = prng(SEED);
  const findem = await FindemSandbox.start({
    requestsPerSecond: 10 * SCALE,
    synthesize: { seed: SEED, matchRate: 0.6, ambiguousRate: 0.05, lowConfidenceRate: 0.05 },
  });
  try {
    await withBenchTable(
      {
        name: "enrichment",
        table: TABLE,
        inMemory: process.env.BENCH_DYNAMO === "memory",
        env: { KITH_EVENT_BUS_NAME: "unused" },
      },
      async () => {
        const client = new FindemClient({
          baseUrl: findem.url,
          apiKey: findem.apiKey,
          requestsPerSecond: 10 * SCALE,
        });
        useProviderForTests(client);
        resetFindemForTests();
        const rows: Row[] = [];

        // ---- the team, its collection, its mailboxes ----
        const { org } = await Orgs.create({ name: "Enrichment Bench" });
        const members: Member[] = [];
        for (let index = 0; index < MEMBERS; index++) {
          const email = `member${index}@team-bench.example`;
          const user = await Identity.create(org.id, { name: `Member ${index}`, email }, ACTOR);
          findem.addPerson(person(`fdm_member${index}`, `bench-member-${index}`, [email]));
          members.push({
            userId: user.id,
            email,
            accountId: `acct-${index}`,
            correspondents: [],
            newsletters: new Set(),
          });
        }
        const pool = Array.from(
          { length: Math.round(MEMBERS * CORRESPONDENTS_PER_MEMBER) },
          (_, k) => `p${k}@ext${k % 97}.example`,
        );
        let next = 0;
        for (const member of members) {
          const shared = members
            .flatMap((other) => other.correspondents)
            .slice(0, Math.round(CORRESPONDENTS_PER_MEMBER * SHARED_SHARE));
          member.correspondents = [
            ...new Set([...shared, ...pool.slice(next, next + CORRESPONDENTS_PER_MEMBER - shared.length)]),
          ];
          next += CORRESPONDENTS_PER_MEMBER - shared.length;
          for (const email of member.correspondents)
            if (rng() < NEWSLETTER_SHARE) member.newsletters.add(email);
        }
        const unique = [...new Set(members.flatMap((member) => member.correspondents))];
        const newsletterOnly = unique.filter((email) =>
          members.every((m) => !m.correspondents.includes(email) || m.newsletters.has(email)),
        );
        // Contacts: the first 1,300 unique correspondents carry their own address; 200 more are people whose
        // correspondent address is a second one Findem knows, matched by the contact's handle.
        const collection = await Contacts.createCollection(org.id, { name: "Bench contacts" });
        for (const member of members) await Contacts.addMember(org.id, collection.id, member.userId);
        const direct = unique.slice(0, CONTACTS - SECOND_ADDRESSES);
        const viaHandle = unique.slice(CONTACTS - SECOND_ADDRESSES, CONTACTS);
        const contacts = [
          ...direct.map((email, k) => ({ name: `Direct ${k}`, emails: [email] })),
          ...viaHandle.map((email, k) => {
            findem.addPerson(
              person(`fdm_alias${k}`, `bench-alias-${k}`, [`work${k}@corp-bench.example`, email]),
            );
            return {
              name: `Alias ${k}`,
              emails: [`work${k}@corp-bench.example`],
              linkedinHandle: `bench-alias-${k}`,
            };
          }),
        ];
        for (let start = 0; start < contacts.length; start += 1_000) {
          await Contacts.importContacts(org.id, collection.id, contacts.slice(start, start + 1_000));
        }

        // ---- 1. day 1: the backfills, then resolution ----
        const day1 = NOW;
        const backfill: InteractionEvent[] = [];
        for (const member of members) {
          for (const email of member.correspondents) {
            backfill.push(...eventsFor(org.id, member, email, eventCount(rng), rng, day1, 700));
          }
        }
        const ingestStarted = performance.now();
        await ingest(backfill, day1);
        const ingestMs = performance.now() - ingestStarted;
        const day1Jobs = await flagged(org.id, unique, "");
        findem.resetUsage();
        resetLookupCounters();
        const day1Run = await runJobs(day1Jobs, day1);
        const day1Calls = findem.usage();
        let memberCalls = 0;
        for (const member of members)
          memberCalls += (await enrichUser(client, org.id, member.userId, day1)).calls;
        check(day1Calls.rateLimited === 0, `day 1: ${day1Calls.rateLimited} requests were rate limited`);
        check(
          day1Calls.lookup === day1Jobs.length,
          `day 1: ${day1Calls.lookup} lookups for ${day1Jobs.length} correspondents`,
        );
        check(
          [...day1Calls.lookupsByEmail.values()].every((count) => count === 1),
          "day 1: some email was looked up twice",
        );
        // Newsletter-only senders are never sent to Findem: only second addresses with signal resolve.
        const newsletterOnlySet = new Set(newsletterOnly);
        const viaHandleWithSignal = viaHandle.filter((email) => !newsletterOnlySet.has(email));
        const resolvedByHandle = await resolvedCount(org.id, viaHandle);
        check(
          resolvedByHandle === viaHandleWithSignal.length,
          `day 1: ${resolvedByHandle} of ${viaHandleWithSignal.length} second addresses with signal resolved`,
        );
        rows.push(
          {
            measure: "day 1: events, unique correspondents (members × 800, 25% shared)",
            figure: `${thousands(backfill.length)} events, ${thousands(unique.length)} correspondents (${thousands(newsletterOnly.length)} newsletter-only)`,
            target: "",
          },
          {
            measure: "day 1: correspondents sent to Findem (signal only)",
            figure: thousands(day1Jobs.length),
            target: "",
          },
          {
            measure: "day 1: Findem lookups (F1) per unique correspondent with signal",
            figure: `${thousands(day1Calls.lookup)} = ${perCall(day1Calls.lookup / day1Jobs.length)}`,
            target: "1",
            met: day1Calls.lookup === day1Jobs.length,
          },
          {
            measure: "day 1: Findem lookups per member",
            figure: units(day1Calls.lookup / MEMBERS),
            target: "~800 (seed 002)",
          },
          {
            measure: "day 1: Findem calls per event",
            figure: units(day1Calls.lookup / backfill.length),
            target: "",
          },
          {
            measure: "day 1: member enrichment calls (F4)",
            figure: String(memberCalls),
            target: `${MEMBERS}`,
          },
          {
            measure: "day 1: 429s received",
            figure: String(day1Calls.rateLimited),
            target: "0",
            met: day1Calls.rateLimited === 0,
          },
          {
            measure: `day 1: resolution wall time (K = ${SCALE})`,
            figure: `${secs(day1Run.ms)}, ${units(day1Jobs.length / (day1Run.ms / 1000))} correspondents/s`,
            target: `paced at ${units(10 * SCALE * 0.4)}/s`,
          },
          {
            measure: "day 1: at Findem's real limit (2 containers × 4 requests/s)",
            figure: `${secs((day1Calls.lookup / 8) * 1000)} for this team's backfills`,
            target: "",
          },
          {
            measure: "day 1: second addresses (with signal) resolved by LinkedIn handle",
            figure: `${resolvedByHandle} of ${viaHandleWithSignal.length} (${viaHandle.length - viaHandleWithSignal.length} newsletter-only, never asked)`,
            target: "all",
            met: resolvedByHandle === viaHandleWithSignal.length,
          },
          {
            measure: "day 1: DynamoDB per resolve job",
            figure: describeCounts(day1Run.requests, day1Jobs.length),
            target: "",
          },
          {
            measure: "day 1: DynamoDB units per resolve job",
            figure: `${units(day1Run.requests.readUnits / day1Jobs.length)} RCU, ${units(day1Run.requests.writeUnits / day1Jobs.length)} WCU`,
            target: "",
          },
          { measure: "rollup ingest of the backfill (for scale)", figure: secs(ingestMs), target: "" },
        );

        // ---- 2. redelivery ----
        findem.resetUsage();
        const redelivery = await runJobs(day1Jobs, day1);
        check(findem.usage().lookup === 0, `redelivery asked Findem ${findem.usage().lookup} times`);
        rows.push({
          measure: "redelivery of every day-1 job: Findem calls, DynamoDB writes",
          figure: `${findem.usage().lookup}, ${redelivery.requests.byCommand.TransactWriteItems ?? 0} transactions`,
          target: "0, 0",
          met: findem.usage().lookup === 0 && !redelivery.requests.byCommand.TransactWriteItems,
        });

        // ---- 3. 29 days of steady state ----
        findem.resetUsage();
        resetLookupCounters();
        let steadyEvents = 0;
        let steadyJobs = 0;
        let fresh = next;
        for (let day = 1; day <= STEADY_DAYS; day++) {
          const today = new Date(day1.getTime() + day * DAY);
          const events: InteractionEvent[] = [];
          for (const member of members) {
            for (let k = 0; k < EVENTS_PER_DAY; k++) {
              const known = rng() >= NEW_CORRESPONDENT_SHARE;
              const email = known
                ? (member.correspondents[Math.floor(rng() * member.correspondents.length)] as string)
                : `new${fresh++}@ext${fresh % 89}.example`;
              if (!known) member.correspondents.push(email);
              events.push(...eventsFor(org.id, member, email, 1, rng, today, 1));
            }
          }
          const since = new Date(today.getTime() - 1).toISOString();
          await ingest(events, today);
          const jobs = await flagged(
            org.id,
            events.map((event) => event.correspondent),
            since,
          );
          await runJobs(jobs, today);
          steadyEvents += events.length;
          steadyJobs += jobs.length;
        }
        const steady = findem.usage();
        const allEvents = backfill.length + steadyEvents;
        const allCalls = day1Calls.lookup + steady.lookup;
        rows.push(
          {
            measure: "days 2–30: events, correspondents flagged (new, or an expired answer)",
            figure: `${thousands(steadyEvents)}, ${thousands(steadyJobs)}`,
            target: "",
          },
          {
            measure: "days 2–30: Findem calls per member per day",
            figure: units(steady.lookup / MEMBERS / STEADY_DAYS),
            target: "< 10 (seed 002)",
            met: steady.lookup / MEMBERS / STEADY_DAYS < 10,
          },
          {
            measure: "30 days: events whose correspondent needed no Findem call",
            figure: `${units(100 * (1 - allCalls / allEvents))}% (${thousands(allCalls)} calls for ${thousands(allEvents)} events)`,
            target: "one call per unique email, never per event",
          },
        );

        // ---- 4. a second org, the same mailbox ----
        const { org: second } = await Orgs.create({ name: "Enrichment Bench Two" });
        const twin = members[0] as Member;
        const other = await Identity.create(
          second.id,
          { name: "Twin", email: "twin@other-bench.example" },
          ACTOR,
        );
        const twinMember: Member = { ...twin, userId: other.id, accountId: "acct-twin" };
        const twinEvents = twin.correspondents.flatMap((email) =>
          eventsFor(second.id, twinMember, email, 2, rng, NOW, 300),
        );
        await ingest(twinEvents, NOW);
        const twinJobs = await flagged(second.id, twin.correspondents, "");
        findem.resetUsage();
        resetLookupCounters();
        await runJobs(twinJobs, NOW);
        const twinCalls = findem.usage().lookup;
        check(twinCalls === 0, `the second org asked Findem ${twinCalls} times`);
        rows.push({
          measure: "second org, same mailbox: correspondents flagged, Findem calls",
          figure: `${thousands(twinJobs.length)}, ${twinCalls} (cache hit rate ${units((100 * lookupCounters.cacheHits) / Math.max(1, lookupCounters.cacheHits + lookupCounters.cacheMisses))}%)`,
          target: "0 calls",
          met: twinCalls === 0,
        });

        // ---- 5. an outage ----
        const outageEmails = Array.from({ length: 60 }, (_, k) => `outage${k}@ext-outage.example`);
        const outageEvents = outageEmails.flatMap((email) =>
          eventsFor(org.id, members[1] as Member, email, 2, rng, NOW, 30),
        );
        const outageDay = new Date(NOW.getTime() + (STEADY_DAYS + 1) * DAY);
        const outageSince = new Date(outageDay.getTime() - 1).toISOString();
        await ingest(outageEvents, outageDay);
        const outageJobs = await flagged(org.id, outageEmails, outageSince);
        findem.resetUsage();
        findem.setFailureRate(0.5);
        resetFindemForTests();
        const firstPass = await runJobs(outageJobs, outageDay);
        findem.setFailureRate(0);
        const faulted = findem.usage().faulted;
        // The breaker's reset period passes.
        resetFindemForTests();
        const secondPass = await runJobs(outageJobs, outageDay, { waitDeferred: true });
        const done = await flaggedResolved(org.id, outageEmails);
        check(done === outageEmails.length, `outage: ${done} of ${outageEmails.length} resolved in the end`);
        rows.push({
          measure: "outage (50% of requests fail): deferred, answered 503, then all resolved",
          figure: `${firstPass.deferred} of ${outageJobs.length} deferred, ${faulted} faulted, ${done} of ${outageEmails.length} resolved after (${secondPass.deferred} deferred again)`,
          target: "none lost",
          met: done === outageEmails.length,
        });

        console.log(
          `\nbench enrichment: ${MEMBERS} members × ${CORRESPONDENTS_PER_MEMBER} correspondents, K = ${SCALE}, DynamoDB Local ${process.env.BENCH_DYNAMO === "memory" ? "in memory" : "on disk"}`,
        );
        printTable(rows);
      },
    );
  } finally {
    useProviderForTests(undefined);
    await findem.close();
  }
  if (failures.length > 0) {
    console.error(`\n${failures.length} check(s) failed:\n- ${failures.join("\n- ")}`);
    process.exitCode = 1;
  }
}

async function resolvedCount(orgId: string, emails: readonly string[]): Promise<number> {
  const items = await Storage.db.batchGet(
    emails.map((email) => ({ pk: `CORR#${orgId}#${email}`, sk: "#LOOKUP" })),
  );
  return items.filter((item) => (item.resolvedRefs as Set<string> | undefined)?.size).length;
}

/** How many of these correspondents have an answer recorded (resolved or not). */
async function flaggedResolved(orgId: string, emails: readonly string[]): Promise<number> {
  const items = await Storage.db.batchGet(
    emails.map((email) => ({ pk: `CORR#${orgId}#${email}`, sk: "#LOOKUP" })),
  );
  return items.filter((item) => item.enrichmentOutcome !== undefined).length;
}
