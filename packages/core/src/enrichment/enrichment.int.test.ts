import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import { type FindemPerson, FindemSandbox, signFindemWebhook } from "@kith/sandbox";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  drainQueue,
  testSqsClient,
  uniqueName,
  useEmulators,
  useFreshTableWithOrg,
} from "../../../../test/support/integration";
import { DAY, interaction, storeEvents } from "../../../../test/support/rollup";
import * as Contacts from "../contacts";
import * as Users from "../identity/users";
import { keys as mailboxKeys } from "../mailbox/store";
import { rollupKeys } from "../rollup/keys";
import { listUnresolved } from "../rollup/lookup";
import { lookupResolver } from "../rollup/resolver";
import { applyEventChanges } from "../rollup/rollup";
import { scoringKeys } from "../scoring/keys";
import { getContactDetail } from "../scoring/read";
import { recomputeTargets } from "../scoring/recompute";
import { getRules } from "../scoring/rulesets";
import { db } from "../storage";
import {
  HIT_TTL_DAYS,
  lookupCounters,
  lookupEmail,
  MISS_TTL_DAYS,
  readCachedLookup,
  resetLookupCounters,
} from "./cache";
import { useProviderForTests } from "./configured";
import { FindemClient, findemBreakerState, resetFindemForTests } from "./findem";
import {
  type EnrichmentJob,
  handleEnrichmentMessage,
  requestReresolutionsOfDeletedContacts,
  requestResolutions,
  runJob,
  startWeeklyUserEnrichment,
} from "./jobs";
import { enrichmentKeys } from "./keys";
import { enrichContact, enrichUser } from "./profiles";
import { EnrichmentDeferred } from "./provider";
import { resolveCorrespondent } from "./resolve";
import { acceptProfileUpdate, verifyFindemWebhook } from "./webhook";

/**
 * Enrichment against DynamoDB Local, the SQS emulator and the Findem sandbox, through the real
 * client: the cache, resolution, the breaker, F7, profiles and the clauses they turn on.
 */

const NOW = new Date("2026-11-15T12:00:00.000Z");
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const ADMIN = { kind: "operator" as const, actor: "op:test" };
const WEBHOOK_SECRET = `whsec_${Buffer.from("findem-test-webhook-secret-32byte").toString("base64")}`;

let table: Awaited<ReturnType<typeof useFreshTableWithOrg>>;
let findem: FindemSandbox;
let client: FindemClient;
let queueUrl: string;

beforeAll(async () => {
  table = await useFreshTableWithOrg("Enrichment Org");
  findem = await FindemSandbox.start({ requestsPerSecond: Number.POSITIVE_INFINITY });
  client = new FindemClient({ baseUrl: findem.url, apiKey: findem.apiKey, requestsPerSecond: 10_000 });
  const name = uniqueName("enrichment");
  await testSqsClient().send(new CreateQueueCommand({ QueueName: name }));
  queueUrl = `${useEmulators().sqsEndpoint}/000000000000/${name}`;
  process.env.KITH_QUEUE_URL_ENRICHMENT = queueUrl;
  process.env.FINDEM_WEBHOOK_SECRET = WEBHOOK_SECRET;
});
afterAll(async () => {
  useProviderForTests(undefined);
  await Promise.all([findem?.close(), table?.drop()]);
});
beforeEach(() => {
  resetFindemForTests();
  resetLookupCounters();
  useProviderForTests(client);
});
afterEach(() => findem.resetUsage());

let sequence = 0;
const unique = (label: string) => `${label}-${++sequence}`;

function person(label: string, emails: string[], overrides: Partial<FindemPerson> = {}): FindemPerson {
  return {
    findemId: `fdm_${label}`,
    linkedinHandle: `${label}-handle`,
    emails,
    work: [],
    education: [],
    ...overrides,
  };
}

async function member(name: string) {
  return Users.create(
    table.orgId,
    { name, email: `${unique(name.toLowerCase())}@team.example` },
    { actor: "system:test" },
  );
}

async function collection(members: readonly { id: string }[]) {
  const created = await Contacts.createCollection(table.orgId, { name: unique("Collection") });
  for (const one of members) await Contacts.addMember(table.orgId, created.id, one.id);
  return created;
}

/** `inbound` received and `outbound` sent messages with `email`, on separate threads, in recent weeks. */
async function mail(userId: string, email: string, inbound: number, outbound = 0) {
  const owner = { orgId: table.orgId, userId };
  const events = [
    ...Array.from({ length: inbound }, (_, index) =>
      interaction(owner, email, { at: ago(3 + index * 7), direction: "inbound" }),
    ),
    ...Array.from({ length: outbound }, (_, index) =>
      interaction(owner, email, { at: ago(4 + index * 7), direction: "outbound" }),
    ),
  ];
  await storeEvents(events);
  await applyEventChanges(
    events.map((event) => ({ op: "insert" as const, event })),
    { now: NOW },
  );
}

async function lookupItem(email: string) {
  return (await db.get({ Key: rollupKeys.lookup(table.orgId, email), ConsistentRead: true })).Item;
}

/** Ann, a collection of hers, and a contact in it with one corporate email and (unless not) a LinkedIn handle. */
async function annWithContact(prefix: string, options: { handle?: boolean } = {}) {
  const ann = await member("Ann");
  const team = await collection([ann]);
  const label = unique(prefix);
  const work = `${label}@corp.example`;
  const contact = await Contacts.createContact(table.orgId, team.id, {
    name: label,
    emails: [work],
    ...(options.handle === false ? {} : { linkedinHandle: `${label}-handle` }),
  });
  return { ann, team, label, work, contact, ref: `${team.id}/${contact.id}` };
}

/** A domain event as EventBridge delivers it to the enrichment queue. */
function busEvent<Type extends "mailbox.connected" | "strength.changed", Data>(type: Type, data: Data) {
  return {
    version: "0",
    id: unique("evt"),
    "detail-type": type,
    source: "kith",
    account: "000000000000",
    time: NOW.toISOString(),
    region: "us-east-1",
    resources: [],
    detail: { id: unique("evt"), type, occurredAt: NOW.toISOString(), orgId: table.orgId, data },
  };
}

describe("the EnrichedEmailLookup cache", () => {
  it("asks Findem once per email however many callers, and keeps a hit 90 to 180 days", async () => {
    const email = `${unique("hit")}@ext.example`;
    findem.addPerson(person(unique("hit"), [email]));

    const answers = await Promise.all(Array.from({ length: 6 }, () => lookupEmail(client, email, NOW)));
    const again = await lookupEmail(client, email.toUpperCase(), NOW);

    expect(findem.usage().lookupsByEmail.get(email)).toBe(1);
    expect(answers.filter((answer) => !answer.cached)).toHaveLength(1);
    expect(again.cached).toBe(true);
    expect(again.lookup.outcome).toBe("match");
    const ttlDays = (again.lookup.expiresAt - NOW.getTime() / 1000) / 86_400;
    expect(ttlDays).toBeGreaterThanOrEqual(HIT_TTL_DAYS.min);
    expect(ttlDays).toBeLessThanOrEqual(HIT_TTL_DAYS.max);
  });

  it("caches ambiguous, low-confidence and unknown answers 7 to 30 days, never keeping a guess", async () => {
    const ambiguous = `${unique("amb")}@ext.example`;
    const low = `${unique("low")}@ext.example`;
    const unknown = `${unique("none")}@ext.example`;
    findem.addPerson(person(unique("amb"), [ambiguous]));
    findem.setAmbiguous(ambiguous);
    findem.addPerson(person(unique("low"), [low]));
    findem.setConfidence(low, 0.6);

    for (const email of [ambiguous, low, unknown]) await lookupEmail(client, email, NOW);
    for (const email of [ambiguous, low, unknown]) await lookupEmail(client, email, NOW);

    expect(findem.usage().lookup).toBe(3);
    const outcomes = await Promise.all(
      [ambiguous, low, unknown].map((email) => readCachedLookup(email, NOW)),
    );
    expect(outcomes.map((cached) => cached?.outcome)).toEqual(["ambiguous", "low_confidence", "none"]);
    for (const cached of outcomes) {
      expect(cached?.match).toBeNull();
      const ttlDays = ((cached?.expiresAt ?? 0) - NOW.getTime() / 1000) / 86_400;
      expect(ttlDays).toBeGreaterThanOrEqual(MISS_TTL_DAYS.min);
      expect(ttlDays).toBeLessThanOrEqual(MISS_TTL_DAYS.max);
    }
  });

  it("ignores an expired entry DynamoDB has not deleted yet, and asks again", async () => {
    const email = `${unique("expired")}@ext.example`;
    findem.addPerson(person(unique("expired"), [email]));
    await lookupEmail(client, email, NOW);
    await db.update({
      Key: enrichmentKeys.lookup(email),
      UpdateExpression: "SET expiresAt = :past",
      ExpressionAttributeValues: { ":past": Math.floor(NOW.getTime() / 1000) - 1 },
    });

    expect(await readCachedLookup(email, NOW)).toBeUndefined();
    const answer = await lookupEmail(client, email, NOW);

    expect(answer.cached).toBe(false);
    expect(findem.usage().lookupsByEmail.get(email)).toBe(2);
  });

  it("defers a miss while another container holds the email's flight, and proceeds once its lease lapses", async () => {
    const email = `${unique("flight")}@ext.example`;
    findem.addPerson(person(unique("flight"), [email]));
    await db.put({
      Item: { ...enrichmentKeys.flight(email), holder: "other", leaseUntil: Date.now() + 60_000 },
    });

    await expect(lookupEmail(client, email, NOW)).rejects.toBeInstanceOf(EnrichmentDeferred);
    expect(findem.usage().lookup).toBe(0);

    await db.update({
      Key: enrichmentKeys.flight(email),
      UpdateExpression: "SET leaseUntil = :past",
      ExpressionAttributeValues: { ":past": Date.now() - 1 },
    });
    const answer = await lookupEmail(client, email, NOW);
    expect(answer.lookup.outcome).toBe("match");
    expect(findem.usage().lookup).toBe(1);
  });
});

describe("resolution through enrichment", () => {
  it("matches a correspondent to a contact by LinkedIn handle and counts its mail as the contact's", async () => {
    const { ann, team, label, work, contact: rita } = await annWithContact("rita");
    const personal = `${label}@home.example`;
    findem.addPerson(person(label, [work, personal]));
    await mail(ann.id, personal, 6, 6);
    expect((await lookupItem(personal))?.enrichmentRequestedAt).toBeDefined();

    const outcome = await resolveCorrespondent(client, table.orgId, personal, NOW);
    const redelivered = await resolveCorrespondent(client, table.orgId, personal, NOW);

    expect(outcome).toMatchObject({ called: true, outcome: "match", added: [`${team.id}/${rita.id}`] });
    expect(redelivered).toMatchObject({ called: false, added: [], removed: [] });
    expect([...(((await lookupItem(personal))?.resolvedRefs as Set<string> | undefined) ?? [])]).toEqual([
      `${team.id}/${rita.id}`,
    ]);
    const reach = await db.get({
      Key: scoringKeys.reach(table.orgId, team.id, rita.id),
      ConsistentRead: true,
    });
    expect([...((reach.Item?.resolvedEmails as Set<string> | undefined) ?? [])]).toEqual([personal]);
    const unresolved = await listUnresolved(table.orgId, { limit: 100 });
    expect(unresolved.items.map((item) => item.email)).not.toContain(personal);
    const resolved = await lookupResolver.resolve(table.orgId, [personal]);
    expect(resolved.get(personal)).toEqual([{ collectionId: team.id, contactId: rita.id }]);

    await recomputeTargets(table.orgId, [{ userId: ann.id, collectionId: team.id, contactId: rita.id }], {
      source: "pairs",
      now: NOW,
    });
    const detail = await getContactDetail(ADMIN, table.orgId, team.id, rita.id);
    expect(detail.connections[0]).toMatchObject({ userId: ann.id, tier: "warm" });
    expect(detail.connections[0]?.stats).toMatchObject({ emailIn12mo: 6, emailOut12mo: 6 });
  });

  it("falls back to the person's known emails when no contact has the handle", async () => {
    const { ann, label, work, ref } = await annWithContact("sam", { handle: false });
    findem.addPerson(person(label, [work, `${label}@home.example`]));
    await mail(ann.id, `${label}@home.example`, 2);

    const outcome = await resolveCorrespondent(client, table.orgId, `${label}@home.example`, NOW);

    expect(outcome.added).toEqual([ref]);
  });

  it("leaves ambiguous and low-confidence answers unresolved, in the unresolved queue", async () => {
    const { ann, label, work } = await annWithContact("twin");
    const ambiguous = `${label}@a.example`;
    const low = `${label}@b.example`;
    findem.addPerson(person(label, [work, ambiguous, low]));
    findem.setAmbiguous(ambiguous, `fdm_${label}`);
    findem.setConfidence(low, 0.79);
    await mail(ann.id, ambiguous, 2);
    await mail(ann.id, low, 2);

    const outcomes = [
      await resolveCorrespondent(client, table.orgId, ambiguous, NOW),
      await resolveCorrespondent(client, table.orgId, low, NOW),
    ];

    expect(outcomes.map((outcome) => [outcome.outcome, outcome.added])).toEqual([
      ["ambiguous", []],
      ["low_confidence", []],
    ]);
    const unresolved = (await listUnresolved(table.orgId, { limit: 100 })).items.map((item) => item.email);
    expect(unresolved).toEqual(expect.arrayContaining([ambiguous, low]));
  });

  it("the rollup's flag becomes one resolve job per new correspondent on the enrichment queue", async () => {
    await drainQueue(testSqsClient(), queueUrl);
    const flagged = {
      orgId: table.orgId,
      email: "new@ext.example",
      enrichmentRequestedAt: NOW.toISOString(),
    };

    const sent = await requestResolutions([
      { newImage: flagged },
      { newImage: flagged, oldImage: flagged },
      { newImage: { ...flagged, email: "other@ext.example" } },
      { newImage: { ...flagged, email: "other@ext.example" } },
      { newImage: { orgId: table.orgId, email: "quiet@ext.example" } },
    ]);

    expect(sent).toBe(2);
    const bodies = (await drainQueue(testSqsClient(), queueUrl)).map((message) =>
      JSON.parse(message.Body ?? "{}"),
    );
    expect(bodies.map((body) => body.email).sort()).toEqual(["new@ext.example", "other@ext.example"]);
    expect(bodies.every((body) => body.kind === "resolve")).toBe(true);
  });
});

describe("the breaker", () => {
  it("defers resolution while Findem is down, loses nothing, and completes once it is back", async () => {
    const ann = await member("Ann");
    const team = await collection([ann]);
    const emails: string[] = [];
    for (let index = 0; index < 8; index++) {
      const label = unique("outage");
      await Contacts.createContact(table.orgId, team.id, {
        name: label,
        emails: [`${label}@corp.example`],
        linkedinHandle: `${label}-handle`,
      });
      findem.addPerson(person(label, [`${label}@corp.example`, `${label}@home.example`]));
      emails.push(`${label}@home.example`);
      await mail(ann.id, `${label}@home.example`, 1);
    }
    findem.fail({ status: 503, count: 5 });
    const deferred: EnrichmentJob[] = [];
    const defer = async (job: EnrichmentJob, delaySeconds: number) => {
      expect(delaySeconds).toBeGreaterThanOrEqual(1);
      deferred.push(job);
    };

    for (const email of emails) {
      await handleEnrichmentMessage({ kind: "resolve", orgId: table.orgId, email }, NOW, { defer });
    }

    // Five failures open the breaker; the other three are deferred without a request.
    expect(findem.usage().faulted).toBe(5);
    expect(findemBreakerState()).toBe("open");
    expect(deferred).toHaveLength(8);
    expect(deferred.every((job) => job.deferrals === 1)).toBe(true);
    for (const email of emails) expect((await lookupItem(email))?.resolvedRefs).toBeUndefined();

    // Findem recovers and the breaker's reset period passes.
    resetFindemForTests();
    for (const job of deferred.splice(0)) await handleEnrichmentMessage(job, NOW, { defer });

    expect(deferred).toHaveLength(0);
    for (const email of emails) expect((await lookupItem(email))?.resolvedRefs).toBeDefined();
  });
});

describe("F7: profile updates", () => {
  it("verifies the Standard Webhooks signature and refuses a forged or stale delivery", async () => {
    const payload = { type: "profile.updated", data: { findemId: "fdm_x", emails: [] } };
    const good = signFindemWebhook(payload, WEBHOOK_SECRET);
    await expect(verifyFindemWebhook(good.body, good.headers)).resolves.toBeUndefined();

    const forged = signFindemWebhook(
      payload,
      `whsec_${Buffer.from("another-secret-of-32-bytes-long!").toString("base64")}`,
    );
    await expect(verifyFindemWebhook(forged.body, forged.headers)).rejects.toMatchObject({ status: 401 });
    const stale = signFindemWebhook(payload, WEBHOOK_SECRET, {
      timestampSeconds: Math.floor(Date.now() / 1000) - 3_600,
    });
    await expect(verifyFindemWebhook(stale.body, stale.headers)).rejects.toMatchObject({ status: 401 });
    await expect(
      verifyFindemWebhook(good.body, { ...good.headers, "webhook-signature": undefined }),
    ).rejects.toMatchObject({
      status: 401,
    });
    await expect(acceptProfileUpdate({ nope: true })).rejects.toMatchObject({ status: 400 });
  });

  it("invalidates the person's cached emails and re-resolves them where they were used", async () => {
    const { ann, label, work, ref } = await annWithContact("moved");
    const old = `${label}@old.example`;
    findem.addPerson(person(label, [work, old]));
    await mail(ann.id, old, 2);
    expect((await resolveCorrespondent(client, table.orgId, old, NOW)).added).toEqual([ref]);
    await drainQueue(testSqsClient(), queueUrl);

    // The address was someone else's all along: Findem corrects the profile and says so.
    findem.updatePerson(`fdm_${label}`, { emails: [`${label}@corp.example`] });
    const outcome = await acceptProfileUpdate({
      type: "profile.updated",
      data: {
        findemId: `fdm_${label}`,
        linkedinHandle: `${label}-handle`,
        emails: [`${label}@corp.example`],
      },
    });

    expect(outcome).toMatchObject({ outcome: "processed", invalidated: 1, reresolutions: 1 });
    expect(await readCachedLookup(old, NOW)).toBeUndefined();
    const jobs = (await drainQueue(testSqsClient(), queueUrl)).map(
      (message) => JSON.parse(message.Body ?? "{}") as EnrichmentJob,
    );
    expect(jobs).toEqual(
      expect.arrayContaining([
        { kind: "person", findemId: `fdm_${label}` },
        { kind: "resolve", orgId: table.orgId, email: old },
      ]),
    );
    for (const job of jobs) await runJob(client, job, NOW);
    expect((await lookupItem(old))?.resolvedRefs).toBeUndefined();
    const unresolved = (await listUnresolved(table.orgId, { limit: 100 })).items.map((item) => item.email);
    expect(unresolved).toContain(old);
    // Asked once before the update and once after it: the re-resolution did not use the old answer.
    expect(findem.usage().lookupsByEmail.get(old)).toBe(2);
  });

  it("a deleted contact's resolved emails are resolved again from the cache, and go back to the unresolved queue", async () => {
    // prepare: Gina's home address resolved to her contact through enrichment
    const { ann, team, label, work, contact, ref } = await annWithContact("gina");
    const home = `${label}@home.example`;
    findem.addPerson(person(label, [work, home]));
    await mail(ann.id, home, 3, 3);
    expect((await resolveCorrespondent(client, table.orgId, home, NOW)).added).toEqual([ref]);
    await drainQueue(testSqsClient(), queueUrl);
    // The reachability item as the stream's REMOVE record will carry it (its old image).
    const reach = (
      await db.get({ Key: scoringKeys.reach(table.orgId, team.id, contact.id), ConsistentRead: true })
    ).Item;

    // act: the contact is deleted; the stream hands its reachability item's removal to the consumer
    await Contacts.deleteContact(table.orgId, team.id, contact.id);
    const sent = await requestReresolutionsOfDeletedContacts([
      { oldImage: reach },
      // a change that is not a deletion, and another entity's deletion: nothing to do
      { newImage: reach, oldImage: reach },
      { oldImage: { entity: "contact", orgId: table.orgId, emails: new Set([work]) } },
    ]);
    const jobs = (await drainQueue(testSqsClient(), queueUrl)).map(
      (message) => JSON.parse(message.Body ?? "{}") as EnrichmentJob,
    );
    for (const job of jobs) await handleEnrichmentMessage(job, NOW);

    // assess: the deletion removed the reachability item (the REMOVE the stream carries)
    const reachAfter = await db.get({
      Key: scoringKeys.reach(table.orgId, team.id, contact.id),
      ConsistentRead: true,
    });
    expect(reachAfter.Item).toBeUndefined();
    expect(sent).toBe(1);
    expect(jobs).toEqual([{ kind: "resolve", orgId: table.orgId, email: home }]);
    expect((await lookupItem(home))?.resolvedRefs).toBeUndefined();
    expect((await lookupResolver.resolve(table.orgId, [home])).get(home) ?? []).toEqual([]);
    const unresolved = (await listUnresolved(table.orgId, { limit: 100 })).items.map((item) => item.email);
    expect(unresolved).toContain(home);
    // Answered from the cache: Findem was asked about the address once, before the deletion.
    expect(findem.usage().lookupsByEmail.get(home)).toBe(1);
  });
});

describe("profiles and the enrichment clauses", () => {
  const ACME = { id: "org_acme", name: "Acme", size: 40 };
  const GLOBEX = { id: "org_globex", name: "Globex", size: 5_000 };
  const STATE = { id: "sch_state", name: "State University" };

  it("turns the six enrichment clauses on, and changes tiers end to end", async () => {
    const [ann, ben] = [await member("Ann"), await member("Ben")];
    const team = await collection([ann, ben]);
    const label = unique("olga");
    const olga = await Contacts.createContact(table.orgId, team.id, {
      name: "Olga",
      emails: [`${label}@ext.example`],
      linkedinHandle: `${label}-handle`,
    });
    findem.addPerson(
      person(unique("ann"), [ann.email as string], {
        work: [
          { organization: ACME, title: "Engineer", from: "2016-01", to: "2019-12" },
          { organization: GLOBEX, title: "Lead", from: "2020-01", to: null },
        ],
      }),
    );
    findem.addPerson(
      person(unique("ben"), [ben.email as string], {
        education: [{ school: STATE, from: "2008-09", to: "2012-06" }],
      }),
    );
    findem.addPerson(
      person(label, [`${label}@ext.example`], {
        work: [{ organization: ACME, title: "Designer", from: "2017-03", to: "2019-08" }],
        education: [{ school: STATE, from: "2010-09", to: "2014-06" }],
      }),
    );
    // Ann only ever received two messages from Olga: cold on mail alone.
    await mail(ann.id, `${label}@ext.example`, 2);
    const targets = [ann, ben].map((one) => ({ userId: one.id, collectionId: team.id, contactId: olga.id }));
    useProviderForTests(null);
    await recomputeTargets(table.orgId, targets, { source: "pairs", now: NOW });
    const before = await getContactDetail(ADMIN, table.orgId, team.id, olga.id);
    expect(before.connections.map((connection) => [connection.userId, connection.tier])).toEqual([
      [ann.id, "cold"],
    ]);
    expect((await getRules(table.orgId)).clauses.filter((clause) => clause.active)).toHaveLength(8);

    useProviderForTests(client);
    await enrichUser(client, table.orgId, ann.id, NOW);
    await enrichUser(client, table.orgId, ben.id, NOW);
    await enrichContact(client, table.orgId, team.id, olga.id, { now: NOW });
    await recomputeTargets(table.orgId, targets, { source: "pairs", now: NOW });

    expect((await getRules(table.orgId)).clauses.filter((clause) => clause.active)).toHaveLength(14);
    const after = await getContactDetail(ADMIN, table.orgId, team.id, olga.id);
    const byUser = new Map(after.connections.map((connection) => [connection.userId, connection]));
    // Ann and Olga overlapped 30 months at Acme (40 people): long and small-team overlap, warm.
    expect(byUser.get(ann.id)?.tier).toBe("warm");
    expect(byUser.get(ann.id)?.reasons.map((reason) => reason.code)).toEqual(
      expect.arrayContaining([
        "long_work_overlap",
        "small_team_overlap",
        "work_overlap",
        "inbound_only_24mo",
      ]),
    );
    // Ben never wrote to Olga, but they overlapped at State: a known connection from enrichment alone.
    expect(byUser.get(ben.id)?.tier).toBe("known");
    expect(byUser.get(ben.id)?.reasons.map((reason) => reason.code)).toEqual(["education_overlap"]);
    expect(after.reachability).toMatchObject({ tier: "high", keyUserId: ann.id });
  });

  it("enriches a contact once, and not again until asked (F7 or a forced refresh)", async () => {
    const { team, label, work, contact } = await annWithContact("once");
    findem.addPerson(person(label, [work]));

    const first = await enrichContact(client, table.orgId, team.id, contact.id, { now: NOW });
    const second = await enrichContact(client, table.orgId, team.id, contact.id, { now: NOW });

    expect(first).toMatchObject({ findemId: `fdm_${label}`, changed: true, calls: 1 });
    expect(second).toMatchObject({ changed: false, calls: 0 });
    expect(findem.usage().enrich).toBe(1);
  });

  it("a first connection (strength.changed from no tier) enriches the contact; later changes do not", async () => {
    const { ann, team, label, work, contact } = await annWithContact("first");
    findem.addPerson(person(label, [work]));
    const event = (from: string | null, to: string | null) =>
      busEvent("strength.changed", {
        collectionId: team.id,
        contactId: contact.id,
        userId: ann.id,
        from,
        to,
      });

    await handleEnrichmentMessage(event("cold", "known"), NOW);
    expect(findem.usage().enrich).toBe(0);
    await handleEnrichmentMessage(event(null, "cold"), NOW);
    expect(findem.usage().enrich).toBe(1);
    const reach = await db.get({
      Key: scoringKeys.reach(table.orgId, team.id, contact.id),
      ConsistentRead: true,
    });
    expect(reach.Item?.findemId).toBe(`fdm_${label}`);
  });

  it("a member connecting a mailbox is enriched, and the weekly refresh queues every member with a connected mailbox once", async () => {
    const [ann, ben, cid] = [await member("Ann"), await member("Ben"), await member("Cid")];
    findem.addPerson(person(unique("conn"), [ann.email as string]));
    const connected = busEvent("mailbox.connected", { userId: ann.id });

    await handleEnrichmentMessage(connected, NOW);

    expect(findem.usage().enrich).toBe(1);
    const enriched = await db.get({ Key: enrichmentKeys.user(table.orgId, ann.id), ConsistentRead: true });
    expect(enriched.Item?.findemId).toMatch(/^fdm_conn-/);

    // Ann has Google and Microsoft, Ben Google (in error), Cid's account is disconnected.
    const account = (userId: string, provider: "google" | "microsoft", status: string) => ({
      ...mailboxKeys.account(table.orgId, userId, provider),
      entity: "mailboxAccount",
      orgId: table.orgId,
      userId,
      provider,
      status,
      gsi2pk: mailboxKeys.providerAccounts(provider),
      gsi2sk: `${table.orgId}#${userId}`,
    });
    for (const item of [
      account(ann.id, "google", "connected"),
      account(ann.id, "microsoft", "syncing"),
      account(ben.id, "google", "error"),
      account(cid.id, "google", "disconnected"),
    ]) {
      await db.put({ Item: item });
    }
    await drainQueue(testSqsClient(), queueUrl);

    const queued = await startWeeklyUserEnrichment({ spreadSeconds: 0 });

    const jobs = (await drainQueue(testSqsClient(), queueUrl)).map(
      (message) => JSON.parse(message.Body ?? "{}") as EnrichmentJob,
    );
    const mine = jobs.filter((job) => job.kind === "user" && [ann.id, ben.id, cid.id].includes(job.userId));
    expect(mine.map((job) => (job as { userId: string }).userId).sort()).toEqual([ann.id, ben.id].sort());
    expect(queued).toBeGreaterThanOrEqual(2);
  });

  it("counts calls and hits as the bench reports them", async () => {
    const email = `${unique("count")}@ext.example`;
    await lookupEmail(client, email, NOW);
    await lookupEmail(client, email, NOW);
    expect(lookupCounters).toMatchObject({ cacheMisses: 1, cacheHits: 1, providerCalls: 1 });
  });
});
