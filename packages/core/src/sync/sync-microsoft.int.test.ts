import { microsoftSandboxEnv } from "@kith/local/mailbox-providers";
import { type MailWorld, MicrosoftSandbox } from "@kith/sandbox";
import { describe, expect, it } from "vitest";
import { drainQueue, testSqsClient } from "../../../../test/support/integration";
import {
  type ConnectedMailbox,
  chainThroughCrash,
  expectedMailLines,
  expectedMeetingLines,
  runChain,
  storedAccount,
  storedEvents,
  storedLines,
  syncJob,
  truthOf,
  useSyncHarness,
  worldSeries,
} from "../../../../test/support/sync";
import { microsoft } from "../mailbox/microsoft";
import { runSyncJob } from "./job";
import { microsoftSync } from "./microsoft";

/**
 * The Outlook mail and calendar syncers, through @microsoft/microsoft-graph-client against the
 * Graph sandbox (https on localhost), on DynamoDB Local and the SQS emulator.
 */

const harness = useSyncHarness({
  name: "Sync Microsoft Org",
  oauth: microsoft,
  start: () => MicrosoftSandbox.start(),
  env: microsoftSandboxEnv,
});
const newWorld = worldSeries(2000, "outlook");
const connected = (world: MailWorld) => harness.connect(world);

async function expectMailTruth(mailbox: ConnectedMailbox, world: MailWorld) {
  expect(storedLines(await storedEvents(mailbox.accountId, "mail"))).toEqual(
    expectedMailLines(world, "outlook", truthOf(world)),
  );
}

async function expectCalendarTruth(mailbox: ConnectedMailbox, world: MailWorld) {
  expect(storedLines(await storedEvents(mailbox.accountId, "calendar"))).toEqual(
    expectedMeetingLines(world, "ocal", truthOf(world)),
  );
}

describe("Outlook mail backfill", () => {
  it("stores exactly the ground truth of Inbox and Sent Items, newest first, in bounded steps", async () => {
    const world = newWorld();
    const mailbox = await connected(world);
    const outcomes = await runChain(syncJob(mailbox, "mail"), microsoftSync, harness.queueUrl, {
      budgetMs: 0,
    });
    expect(outcomes.at(-1)).toBe("completed");
    expect(outcomes.filter((outcome) => outcome === "continued").length).toBeGreaterThan(2);
    await expectMailTruth(mailbox, world);
    const stored = await storedEvents(mailbox.accountId, "mail");
    const account = await storedAccount(mailbox);
    expect(account?.sync).toMatchObject({
      mail: { phase: "incremental", progress: 1, eventsIngested: stored.length, lastError: null },
    });
    expect(account?.mailMilestones).toEqual(expect.arrayContaining(["complete"]));
    // Listing and priming, never a filtered delta (capped at 5,000 messages by Graph).
    const usage = harness.sandbox.mailboxUsage(mailbox.email);
    expect(usage.requests["messages.list"]).toBeGreaterThanOrEqual(2);
    expect(usage.throttled).toBe(0);
  });
});

describe("Outlook mail incremental sync", () => {
  it("replays what changed since priming: new mail, deletions, moves to Deleted Items", async () => {
    const world = newWorld({ messages: 120, meetings: 4 });
    const mailbox = await connected(world);
    await runChain(syncJob(mailbox, "mail"), microsoftSync, harness.queueUrl);
    const inbox = world.messages().filter((message) => message.folder === "inbox");
    world.deleteMessage(inbox[0]?.id as string);
    world.moveMessage(inbox[1]?.id as string, "deleteditems");
    world.addMessage({
      internalDate: Date.now() - 60_000,
      folder: "inbox",
      sent: false,
      from: { email: `new.${Date.now()}@elsewhere.example`, name: "New" },
      to: [world.owner],
      cc: [],
      bcc: [],
      headers: {},
    });
    expect(
      (await runChain(syncJob(mailbox, "mail", "schedule"), microsoftSync, harness.queueUrl)).at(-1),
    ).toBe("completed");
    await expectMailTruth(mailbox, world);
  });

  it("recovers from an expired delta link with one bounded re-sync of the recent days", async () => {
    const world = newWorld({ messages: 150, meetings: 4 });
    const mailbox = await connected(world);
    await runChain(syncJob(mailbox, "mail"), microsoftSync, harness.queueUrl);
    const recent = world
      .messages()
      .find((message) => message.folder === "inbox" && message.internalDate > Date.now() - 86_400_000);
    if (recent) world.deleteMessage(recent.id);
    world.addMessage({
      internalDate: Date.now() - 30_000,
      folder: "inbox",
      sent: false,
      from: { email: `late.${Date.now()}@elsewhere.example`, name: "Late" },
      to: [world.owner],
      cc: [],
      bcc: [],
      headers: {},
    });
    harness.sandbox.expireDeltaTokens(mailbox.email);
    harness.sandbox.resetMailboxUsage(mailbox.email);
    expect((await runChain(syncJob(mailbox, "mail"), microsoftSync, harness.queueUrl)).at(-1)).toBe(
      "completed",
    );
    await expectMailTruth(mailbox, world);
    const usage = harness.sandbox.mailboxUsage(mailbox.email);
    // Per folder: the expired link, a re-priming round, one listing of the recent days, the new link.
    expect(usage.requests["messages.list"]).toBeLessThanOrEqual(2);
    expect(usage.requests["messages.delta"]).toBeLessThanOrEqual(8);
  });
});

describe("Outlook links that expire mid-round", () => {
  it("a chain resumed after its delta links expired recovers and still ends at the truth", async () => {
    const world = newWorld({ messages: 120, meetings: 4 });
    const mailbox = await connected(world);
    // One step (the inbox primed), then every link Graph handed out expires.
    expect(await runSyncJob(syncJob(mailbox, "mail"), microsoftSync, { budgetMs: 0 })).toBe("continued");
    harness.sandbox.expireDeltaTokens(mailbox.email);
    const [message] = await drainQueue(testSqsClient(), harness.queueUrl);
    const outcomes = await runChain(JSON.parse(message?.Body ?? "{}"), microsoftSync, harness.queueUrl);
    expect(outcomes.at(-1)).toBe("completed");
    await expectMailTruth(mailbox, world);
  });
});

describe("Outlook under faults", () => {
  it("converges to the same event set with 20% injected 5xx and 429 answers and a crash mid-backfill", async () => {
    const world = newWorld({ messages: 250, meetings: 4 });
    const mailbox = await connected(world);
    harness.sandbox.mailboxFaults({ errorRate: 0.2, latencyMs: 0, seed: 99 });
    try {
      // Priming and listing take several steps: the crash lands in the backfill, at a random one.
      const outcomes = await chainThroughCrash(
        syncJob(mailbox, "mail"),
        microsoftSync,
        harness.queueUrl,
        2 + Math.floor(Math.random() * 3),
      );
      expect(outcomes).toContain("crashed");
      expect(outcomes.at(-1)).toBe("completed");
    } finally {
      harness.sandbox.mailboxFaults({});
    }
    const usage = harness.sandbox.mailboxUsage(mailbox.email);
    expect(usage.throttled + usage.serverErrors).toBeGreaterThan(0);
    await expectMailTruth(mailbox, world);
  });
});

describe("Outlook calendar", () => {
  it("backfills every occurrence in the window, then follows cancellations, deletions and a 410", async () => {
    const world = newWorld({ messages: 10, meetings: 40 });
    const mailbox = await connected(world);
    expect((await runChain(syncJob(mailbox, "calendar"), microsoftSync, harness.queueUrl)).at(-1)).toBe(
      "completed",
    );
    await expectCalendarTruth(mailbox, world);

    const started = world
      .meetings()
      .filter((meeting) => meeting.status === "confirmed" && meeting.start < Date.now());
    world.cancelMeeting(started[0]?.id as string);
    world.deleteMeeting(started[1]?.id as string);
    await runChain(syncJob(mailbox, "calendar"), microsoftSync, harness.queueUrl);
    await expectCalendarTruth(mailbox, world);

    world.deleteMeeting(started[2]?.id as string);
    harness.sandbox.expireDeltaTokens(mailbox.email);
    expect((await runChain(syncJob(mailbox, "calendar"), microsoftSync, harness.queueUrl)).at(-1)).toBe(
      "completed",
    );
    await expectCalendarTruth(mailbox, world);
  });
});
