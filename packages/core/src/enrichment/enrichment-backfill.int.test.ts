import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import { googleSandboxEnv } from "@kith/local/mailbox-providers";
import { FindemSandbox, GoogleSandbox, type MailWorld } from "@kith/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drainQueue, testSqsClient, uniqueName, useEmulators } from "../../../../test/support/integration";
import {
  addTeammates,
  type ConnectedMailbox,
  runChain,
  storedEvents,
  syncJob,
  useSyncHarness,
  worldSeries,
} from "../../../../test/support/sync";
import * as Identity from "../identity";
import { authorizeUrl, completeConnection } from "../mailbox/connect";
import { google } from "../mailbox/google";
import * as Orgs from "../orgs";
import { rollupKeys } from "../rollup/keys";
import { applyEventChanges } from "../rollup/rollup";
import { db } from "../storage";
import { eventFromItem } from "../sync/event";
import { googleSync } from "../sync/google";
import { lookupCounters, resetLookupCounters } from "./cache";
import { useProviderForTests } from "./configured";
import { FindemClient, resetFindemForTests } from "./findem";
import { type EnrichmentMessage, handleEnrichmentMessage, requestResolutions } from "./jobs";

/**
 * A realistic backfill through resolution: a sandbox Gmail mailbox synced by the real syncer, its
 * events folded by the rollup, the correspondents it flags sent to the enrichment queue by the
 * stream's code, and the queue's messages run as its consumer runs them, with the real Findem
 * client against the Findem sandbox. Findem is asked exactly once per unique correspondent with
 * signal, and a second backfill of the same mailbox (another org connecting it) asks nothing.
 */

const harness = useSyncHarness({
  name: "Enrichment Backfill Org",
  oauth: google,
  start: () => GoogleSandbox.start({ gmail: { unitsPerMinute: 1_000_000 } }),
  env: (sandbox) => ({ ...googleSandboxEnv(sandbox), GMAIL_UNITS_PER_MINUTE: "1000000" }),
});
const newWorld = worldSeries(7100, "enriched");

let findem: FindemSandbox;
let queueUrl: string;

beforeAll(async () => {
  findem = await FindemSandbox.start({
    requestsPerSecond: Number.POSITIVE_INFINITY,
    synthesize: { seed: 11, matchRate: 0.6, ambiguousRate: 0.05, lowConfidenceRate: 0.05 },
  });
  useProviderForTests(
    new FindemClient({ baseUrl: findem.url, apiKey: findem.apiKey, requestsPerSecond: 10_000 }),
  );
  resetFindemForTests();
  const name = uniqueName("enrichment");
  await testSqsClient().send(new CreateQueueCommand({ QueueName: name }));
  queueUrl = `${useEmulators().sqsEndpoint}/000000000000/${name}`;
  process.env.KITH_QUEUE_URL_ENRICHMENT = queueUrl;
});
afterAll(async () => {
  useProviderForTests(undefined);
  await findem?.close();
});

/** The backfill of both scopes, folded by the rollup as its stream consumer would. */
async function backfillAndFold(mailbox: ConnectedMailbox): Promise<void> {
  await runChain(syncJob(mailbox, "mail"), googleSync, harness.queueUrl);
  await runChain(syncJob(mailbox, "calendar"), googleSync, harness.queueUrl);
  const events = (await storedEvents(mailbox.accountId)).map(eventFromItem);
  for (let start = 0; start < events.length; start += 100) {
    const result = await applyEventChanges(
      events.slice(start, start + 100).map((event) => ({ op: "insert" as const, event })),
    );
    expect(result.failedAt).toBeUndefined();
  }
}

/**
 * What the table's stream would hand the enrichment-requests consumer: every lookup item of the
 * org as a new image. Then the enrichment queue's messages, run until it is empty.
 */
async function resolveFlagged(orgId: string, correspondents: readonly string[]): Promise<number> {
  const items = await db.batchGet(correspondents.map((email) => rollupKeys.lookup(orgId, email)));
  const sent = await requestResolutions(items.map((newImage) => ({ newImage })));
  for (;;) {
    const messages = await drainQueue(testSqsClient(), queueUrl);
    if (messages.length === 0) return sent;
    for (const message of messages) {
      await handleEnrichmentMessage(JSON.parse(message.Body ?? "{}") as EnrichmentMessage);
    }
  }
}

/** Correspondents with signal, from the world itself (independently of the syncer and rollup). */
function withSignal(world: MailWorld): string[] {
  return world
    .correspondents()
    .filter((person) => person.inbound + person.outbound + person.meetings > 0)
    .map((person) => person.email)
    .sort();
}

async function connectAgain(orgId: string, world: MailWorld): Promise<ConnectedMailbox> {
  await addTeammates(orgId, world);
  const user = await Identity.create(orgId, { name: "Twin", email: world.owner.email }, { actor: "op:test" });
  harness.sandbox.signIn(world.owner.email);
  const url = await authorizeUrl(google, { orgId, userId: user.id, scopes: { mail: true, calendar: true } });
  const location = await harness.sandbox.consent(url);
  const { connected } = await completeConnection(google, Object.fromEntries(location.searchParams));
  return {
    orgId,
    userId: user.id,
    accountId: connected.accountId,
    email: world.owner.email,
    provider: "google",
  };
}

describe("enrichment of a realistic backfill", () => {
  it("asks Findem once per unique correspondent with signal, and a second backfill of the mailbox asks nothing", async () => {
    const world = newWorld({ people: 50, messages: 150, meetings: 20 });
    const expected = withSignal(world);
    const everyone = world.correspondents().map((person) => person.email);
    expect(expected.length).toBeGreaterThan(30);
    expect(everyone.length).toBeGreaterThan(expected.length);

    const mailbox = await harness.connect(world);
    await backfillAndFold(mailbox);
    findem.resetUsage();
    resetLookupCounters();
    const sent = await resolveFlagged(harness.orgId, everyone);

    const usage = findem.usage();
    expect(sent).toBe(expected.length);
    expect(usage.lookup).toBe(expected.length);
    expect([...usage.lookupsByEmail.keys()].sort()).toEqual(expected);
    expect([...usage.lookupsByEmail.values()].every((count) => count === 1)).toBe(true);
    expect(lookupCounters).toMatchObject({ cacheMisses: expected.length, cacheHits: 0 });

    // The same mailbox again, connected in another org: its correspondents are that org's to resolve.
    const { org: second } = await Orgs.create({ name: "Enrichment Backfill Twin" });
    const again = await connectAgain(second.id, world);
    await backfillAndFold(again);
    findem.resetUsage();
    resetLookupCounters();
    const sentAgain = await resolveFlagged(second.id, everyone);

    expect(sentAgain).toBe(expected.length);
    expect(findem.usage().lookup).toBe(0);
    expect(lookupCounters).toMatchObject({ cacheHits: expected.length, cacheMisses: 0 });
    // Two backfills, each synced, folded and resolved: a hang guard, not a speed check (15 s alone,
    // over 120 s once beside the rest of the suite on 2 cores).
  }, 300_000);
});
