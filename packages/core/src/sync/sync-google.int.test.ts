import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { googleSandboxEnv } from "@kith/local/mailbox-providers";
import { GoogleSandbox, type MailWorld } from "@kith/sandbox";
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
  useSyncQueue,
  worldSeries,
} from "../../../../test/support/sync";
import { google } from "../mailbox/google";
import { wipeSlice } from "../mailbox/jobs";
import { updateScopes } from "../mailbox/manage";
import { keys } from "../mailbox/store";
import { db } from "../storage";
import { googleSync } from "./google";
import { ChainBusy, runSyncJob } from "./job";
import { breakerState, resetPacingForTests } from "./pacing";

/**
 * The Gmail and Google Calendar syncers, through @googleapis/gmail and @googleapis/calendar against
 * the Google sandbox, on DynamoDB Local and the SQS emulator: a chain of jobs runs to its end as the
 * queue's consumer would run it.
 */

const harness = useSyncHarness({
  name: "Sync Google Org",
  oauth: google,
  // The sandbox's quota is scaled up with Kith's, so a test's mailbox syncs in seconds.
  start: () => GoogleSandbox.start({ gmail: { unitsPerMinute: 1_000_000 } }),
  env: (sandbox) => ({ ...googleSandboxEnv(sandbox), GMAIL_UNITS_PER_MINUTE: "1000000" }),
});
const newWorld = worldSeries(1000, "member");
const connected = (world: MailWorld) => harness.connect(world);

describe("Gmail backfill", () => {
  it("stores exactly the ground truth: one event per external correspondent, no gaps, no duplicates", async () => {
    const world = newWorld();
    const mailbox = await connected(world);
    const outcomes = await runChain(syncJob(mailbox, "mail"), googleSync, harness.queueUrl, { budgetMs: 0 });

    expect(outcomes.at(-1)).toBe("completed");
    // A step budget of zero ends every invocation after one step: the chain went through continuations.
    expect(outcomes.filter((outcome) => outcome === "continued").length).toBeGreaterThan(1);
    const stored = await storedEvents(mailbox.accountId, "mail");
    expect(storedLines(stored)).toEqual(expectedMailLines(world, "gmail", truthOf(world)));
    for (const event of stored) {
      expect(world.message(event.remoteId as string)?.threadId).toBe(event.threadId);
    }

    const account = await storedAccount(mailbox);
    expect(account?.sync).toMatchObject({
      mail: { phase: "incremental", progress: 1, eventsIngested: stored.length, lastError: null },
    });
    expect(account?.mailMilestones).toContain("complete");
    expect(account?.mailLease).toBeUndefined();
    expect(account?.status).toBe("connected");
  });
});

describe("Google Calendar backfill", () => {
  it("stores every external participant of each occurrence in the window, with the member's response", async () => {
    const world = newWorld();
    const mailbox = await connected(world);
    const outcomes = await runChain(syncJob(mailbox, "calendar"), googleSync, harness.queueUrl);
    expect(outcomes.at(-1)).toBe("completed");
    const stored = await storedEvents(mailbox.accountId, "calendar");
    expect(stored.length).toBeGreaterThan(0);
    expect(storedLines(stored)).toEqual(expectedMeetingLines(world, "gcal", truthOf(world)));
  });
});

/** The events of a world's mailbox, as the truth says, against the table. */
async function expectMailTruth(mailbox: ConnectedMailbox, world: MailWorld) {
  expect(storedLines(await storedEvents(mailbox.accountId, "mail"))).toEqual(
    expectedMailLines(world, "gmail", truthOf(world)),
  );
}

function inboundFrom(world: MailWorld, email: string, at = Date.now() - 3_600_000) {
  return world.addMessage({
    internalDate: at,
    folder: "inbox",
    sent: false,
    from: { email, name: "New Person" },
    to: [world.owner],
    cc: [],
    bcc: [],
    headers: {},
  });
}

describe("Gmail incremental sync", () => {
  it("picks up new mail, deletions and moves to trash from history.list", async () => {
    const world = newWorld({ messages: 120, meetings: 5 });
    const mailbox = await connected(world);
    await runChain(syncJob(mailbox, "mail"), googleSync, harness.queueUrl);

    const added = inboundFrom(world, `newcomer.${Date.now()}@elsewhere.example`);
    const stored = await storedEvents(mailbox.accountId, "mail");
    const [deleted, trashed] = [...new Set(stored.map((event) => event.remoteId as string))];
    world.deleteMessage(deleted as string);
    world.moveMessage(trashed as string, "deleteditems");
    harness.sandbox.gmail.resetUsage(mailbox.email);

    const outcomes = await runChain(syncJob(mailbox, "mail", "schedule"), googleSync, harness.queueUrl);
    expect(outcomes.at(-1)).toBe("completed");
    await expectMailTruth(mailbox, world);
    const after = await storedEvents(mailbox.accountId, "mail");
    expect(after.some((event) => event.remoteId === added.id)).toBe(true);
    expect(after.some((event) => event.remoteId === deleted || event.remoteId === trashed)).toBe(false);
    // history.list, then one messages.get per changed message that still exists: no listing.
    const usage = harness.sandbox.gmail.usage(mailbox.email);
    expect(usage.requests["messages.list"] ?? 0).toBe(0);
    expect(usage.requests["history.list"]).toBeGreaterThanOrEqual(1);
    expect((await storedAccount(mailbox))?.sync).toMatchObject({ mail: { eventsIngested: after.length } });
  });

  it("recovers from an expired history id with one bounded re-sync, without duplicates or a loop", async () => {
    const world = newWorld({ messages: 150, meetings: 5 });
    const mailbox = await connected(world);
    await runChain(syncJob(mailbox, "mail"), googleSync, harness.queueUrl);
    // A recent message, stored, then deleted while the history id is expired: the re-sync must see it gone.
    const doomed = inboundFrom(world, `doomed.${Date.now()}@elsewhere.example`);
    await runChain(syncJob(mailbox, "mail"), googleSync, harness.queueUrl);
    expect(
      (await storedEvents(mailbox.accountId, "mail")).some((event) => event.remoteId === doomed.id),
    ).toBe(true);

    inboundFrom(world, `after.expiry.${Date.now()}@elsewhere.example`);
    world.deleteMessage(doomed.id);
    harness.sandbox.gmail.expireHistory(mailbox.email);
    harness.sandbox.gmail.resetUsage(mailbox.email);

    const outcomes = await runChain(syncJob(mailbox, "mail"), googleSync, harness.queueUrl);
    expect(outcomes.at(-1)).toBe("completed");
    await expectMailTruth(mailbox, world);
    const usage = harness.sandbox.gmail.usage(mailbox.email);
    // The expired history.list, one profile, one listing back to a day before the last sync, then
    // history.list from the fresh id: no second expiry, no loop.
    expect(usage.requests["history.list"]).toBe(2);
    expect(usage.requests.getProfile).toBe(1);
    expect(usage.requests["messages.list"]).toBe(1);
    // Threads fetched: the window's, plus at most two chunks of eight around its edge.
    const fetched = (usage.requests["messages.get"] ?? 0) + (usage.requests["threads.get"] ?? 0);
    const since = Date.now() - 2 * 86_400_000;
    const inWindow = new Set(
      world
        .messages()
        .filter((m) => m.internalDate >= since)
        .map((m) => m.threadId),
    ).size;
    expect(fetched).toBeLessThanOrEqual(inWindow + 16);
  });
});

describe("Gmail under faults", () => {
  it("converges to the same event set with 20% injected 5xx and 429 answers and a crash mid-backfill", async () => {
    const world = newWorld({ messages: 200, meetings: 5 });
    const mailbox = await connected(world);
    harness.sandbox.gmail.setFaults({ errorRate: 0.2, latencyMs: 0, seed: 4242 });
    try {
      // 200 messages take at least two steps of 100: the crash lands in the backfill, at a random one.
      const outcomes = await chainThroughCrash(
        syncJob(mailbox, "mail"),
        googleSync,
        harness.queueUrl,
        1 + Math.floor(Math.random() * 2),
      );
      expect(outcomes).toContain("crashed");
      expect(outcomes.at(-1)).toBe("completed");
    } finally {
      harness.sandbox.gmail.setFaults({ errorRate: 0, latencyMs: 0, seed: 1 });
    }
    expect(
      harness.sandbox.gmail.usage(mailbox.email).throttled +
        harness.sandbox.gmail.usage(mailbox.email).serverErrors,
    ).toBeGreaterThan(0);
    await expectMailTruth(mailbox, world);
    const stored = await storedEvents(mailbox.accountId, "mail");
    expect((await storedAccount(mailbox))?.sync).toMatchObject({ mail: { eventsIngested: stored.length } });
  });

  it("defers while the Gmail breaker is open, loses nothing, and leaves Calendar's breaker closed", async () => {
    harness.queueUrl = await useSyncQueue("google");
    const world = newWorld({ messages: 60, meetings: 5 });
    const mailbox = await connected(world);
    harness.sandbox.gmail.setFaults({ errorRate: 1, latencyMs: 0, seed: 7, statuses: [503] } as never);
    let outcome: string;
    try {
      outcome = await runSyncJob(syncJob(mailbox, "mail"), googleSync, { budgetMs: 5_000 });
    } finally {
      harness.sandbox.gmail.setFaults({ errorRate: 0, latencyMs: 0, seed: 1 });
    }
    expect(outcome).toBe("deferred");
    expect(breakerState("google_gmail")).toBe("open");
    expect(breakerState("google_calendar")).toBe("closed");
    const delayed = await testSqsClient().send(
      new GetQueueAttributesCommand({
        QueueUrl: harness.queueUrl,
        AttributeNames: ["ApproximateNumberOfMessagesDelayed"],
      }),
    );
    expect(Number(delayed.Attributes?.ApproximateNumberOfMessagesDelayed)).toBe(1);
    expect(await storedEvents(mailbox.accountId, "mail")).toEqual([]);

    // The calendar of the same mailbox syncs meanwhile.
    expect((await runChain(syncJob(mailbox, "calendar"), googleSync, harness.queueUrl)).at(-1)).toBe(
      "completed",
    );

    // Half-open after the breaker's wait: the deferred continuation carries the chain to the end.
    resetPacingForTests();
    const lease = (await storedAccount(mailbox))?.mailLease as { owner: string; seq: number };
    const outcomes = await runChain(
      { ...syncJob(mailbox, "mail"), reason: "continuation", chain: lease.owner, seq: lease.seq },
      googleSync,
      harness.queueUrl,
    );
    expect(outcomes.at(-1)).toBe("completed");
    await expectMailTruth(mailbox, world);
  });

  it("stops a reauth_required account: no provider call, no continuation", async () => {
    const world = newWorld({ messages: 30, meetings: 5 });
    const mailbox = await connected(world);
    harness.sandbox.revokeGrant(mailbox.email);
    await db.update({
      Key: keys.account(mailbox.orgId, mailbox.userId, "google"),
      UpdateExpression: "SET accessTokenExpiresAt = :past",
      ExpressionAttributeValues: { ":past": new Date(Date.now() - 60_000).toISOString() },
    });
    harness.sandbox.gmail.resetUsage(mailbox.email);
    expect(await runSyncJob(syncJob(mailbox, "mail"), googleSync)).toBe("reauth_required");
    const account = await storedAccount(mailbox);
    expect(account?.status).toBe("reauth_required");
    expect(account?.mailLease).toBeUndefined();
    expect(await runSyncJob(syncJob(mailbox, "mail"), googleSync)).toBe("dropped");
    expect(harness.sandbox.gmail.usage(mailbox.email).requests).toEqual({});
    expect(await storedEvents(mailbox.accountId)).toEqual([]);
  });
});

describe("one chain per (account, scope)", () => {
  it("a second request while a chain runs is recorded behind it and run once the chain ends", async () => {
    const world = newWorld({ messages: 80, meetings: 5 });
    const mailbox = await connected(world);
    const second: string[] = [];
    const outcomes = await runChain(syncJob(mailbox, "mail"), googleSync, harness.queueUrl, {
      budgetMs: 0,
      beforeCommit: async () => {
        if (second.length === 0) second.push(await runSyncJob(syncJob(mailbox, "mail"), googleSync));
      },
    });
    expect(second).toEqual(["queued_behind"]);
    expect(outcomes.filter((outcome) => outcome === "completed").length).toBe(2);
    await expectMailTruth(mailbox, world);
  });
});

describe("one chain per (account, scope), under SQS's at-least-once delivery", () => {
  it("a continuation delivered twice runs once: the copy finds the chain handed on", async () => {
    const world = newWorld({ messages: 220, meetings: 5 });
    const mailbox = await connected(world);
    expect(await runSyncJob(syncJob(mailbox, "mail"), googleSync, { budgetMs: 0 })).toBe("continued");
    const [message] = await drainQueue(testSqsClient(), harness.queueUrl);
    const continuation = JSON.parse(message?.Body ?? "{}");
    expect(continuation).toMatchObject({ reason: "continuation", seq: 1 });
    expect(await runSyncJob(continuation, googleSync, { budgetMs: 0 })).toBe("continued");
    expect(await runSyncJob(continuation, googleSync, { budgetMs: 0 })).toBe("lease_lost");
    const [next] = await drainQueue(testSqsClient(), harness.queueUrl);
    expect((await runChain(JSON.parse(next?.Body ?? "{}"), googleSync, harness.queueUrl)).at(-1)).toBe(
      "completed",
    );
    await expectMailTruth(mailbox, world);
  });

  it("a request whose first invocation died is resumed by its redelivery, not queued behind itself", async () => {
    const world = newWorld({ messages: 40, meetings: 5 });
    const mailbox = await connected(world);
    const deadHolder = (heartbeat: number) =>
      db.update({
        Key: keys.account(mailbox.orgId, mailbox.userId, "google"),
        UpdateExpression: "SET mailLease = :lease",
        ExpressionAttributeValues: {
          ":lease": { owner: "message-1", seq: 0, holder: "killed", heartbeat, until: Date.now() + 300_000 },
        },
      });
    // Still beating: the message is running elsewhere, so SQS must try it again later.
    await deadHolder(Date.now() - 1_000);
    await expect(
      runSyncJob(syncJob(mailbox, "mail"), googleSync, { messageId: "message-1" }),
    ).rejects.toBeInstanceOf(ChainBusy);
    // Silent past the consumer's timeout: the redelivery takes the chain over.
    await deadHolder(Date.now() - 200_000);
    expect(await runSyncJob(syncJob(mailbox, "mail"), googleSync, { messageId: "message-1" })).toBe(
      "completed",
    );
    await expectMailTruth(mailbox, world);
  });
});

describe("Google Calendar incremental sync", () => {
  it("removes cancelled and deleted meetings, follows attendee changes, and recovers from a 410", async () => {
    const world = newWorld({ messages: 10, meetings: 30 });
    const mailbox = await connected(world);
    await runChain(syncJob(mailbox, "calendar"), googleSync, harness.queueUrl);
    const confirmed = world
      .meetings()
      .filter((meeting) => meeting.status === "confirmed" && meeting.start < Date.now());
    const [cancel, remove, change] = confirmed;
    world.cancelMeeting(cancel?.id as string);
    world.deleteMeeting(remove?.id as string);
    world.updateMeeting(change?.id as string, {
      attendees: [
        ...(change?.attendees ?? []),
        { email: `joined.${Date.now()}@elsewhere.example`, name: "Joined", responseStatus: "accepted" },
      ],
    });
    await runChain(syncJob(mailbox, "calendar"), googleSync, harness.queueUrl);
    const truth = () => expectedMeetingLines(world, "gcal", truthOf(world));
    expect(storedLines(await storedEvents(mailbox.accountId, "calendar"))).toEqual(truth());

    world.cancelMeeting(confirmed[3]?.id as string);
    harness.sandbox.calendar.expireSyncTokens(mailbox.email);
    harness.sandbox.calendar.resetUsage(mailbox.email);
    expect((await runChain(syncJob(mailbox, "calendar"), googleSync, harness.queueUrl)).at(-1)).toBe(
      "completed",
    );
    expect(storedLines(await storedEvents(mailbox.accountId, "calendar"))).toEqual(truth());
    // The expired token, then one listing of the window: bounded, and never a second expiry.
    expect(harness.sandbox.calendar.usage(mailbox.email).requests["events.list"]).toBeLessThanOrEqual(3);
  });
});

describe("a disconnect during a sync", () => {
  it("leaves no event behind: the step that loses its commit deletes what it wrote after the wipe", async () => {
    const world = newWorld({ messages: 80, meetings: 5 });
    const mailbox = await connected(world);
    let disconnected = false;
    const outcomes = await runChain(syncJob(mailbox, "mail"), googleSync, harness.queueUrl, {
      beforeCommit: async () => {
        if (disconnected) return;
        disconnected = true;
        // What DELETE …/mailbox does to the account, then the whole wipe, before this step commits.
        await db.update({
          Key: keys.account(mailbox.orgId, mailbox.userId, "google"),
          UpdateExpression: "SET #status = :disconnected",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":disconnected": "disconnected" },
        });
        await wipeSlice({ ...wipeJobFor(mailbox), deleted: 0 });
      },
    });
    expect(outcomes).toEqual(["lease_lost"]);
    expect(await storedEvents(mailbox.accountId)).toEqual([]);
  });
});

function wipeJobFor(mailbox: ConnectedMailbox) {
  return {
    kind: "wipe" as const,
    orgId: mailbox.orgId,
    userId: mailbox.userId,
    provider: "google" as const,
    accountId: mailbox.accountId,
    reason: "disconnect" as const,
    requestId: `wipe-${mailbox.accountId}`,
  };
}

describe("scope changes and reconnects keep the other scope's sync", () => {
  it("turning calendar off keeps mail's cursor: the next mail sync is incremental, not a new backfill", async () => {
    const world = newWorld({ messages: 60, meetings: 10 });
    const mailbox = await connected(world);
    await runChain(syncJob(mailbox, "mail"), googleSync, harness.queueUrl);
    await runChain(syncJob(mailbox, "calendar"), googleSync, harness.queueUrl);
    await updateScopes(google, mailbox, { mail: true, calendar: false });

    const account = await storedAccount(mailbox);
    expect(account?.mailCursor).toMatchObject({ stage: "incremental" });
    expect(account?.calendarCursor).toBeUndefined();
    harness.sandbox.gmail.resetUsage(mailbox.email);
    expect((await runChain(syncJob(mailbox, "mail"), googleSync, harness.queueUrl)).at(-1)).toBe("completed");
    expect(harness.sandbox.gmail.usage(mailbox.email).requests["messages.list"] ?? 0).toBe(0);
    expect(await runSyncJob(syncJob(mailbox, "calendar"), googleSync)).toBe("dropped");
  });
});

describe("a scope turned off and on again", () => {
  it("syncs only after the old wipe is done, so the wipe never deletes the new backfill", async () => {
    const world = newWorld({ messages: 60, meetings: 5 });
    const mailbox = await connected(world);
    await runChain(syncJob(mailbox, "mail"), googleSync, harness.queueUrl);
    await updateScopes(google, mailbox, { mail: false, calendar: true });
    await updateScopes(google, mailbox, { mail: true, calendar: true });
    const requestId = (await storedAccount(mailbox))?.mailWipePending as string;
    expect(requestId).toEqual(expect.any(String));

    expect(await runSyncJob(syncJob(mailbox, "mail"), googleSync)).toBe("deferred");
    await wipeSlice({
      ...wipeJobFor(mailbox),
      scope: "mail",
      reason: "scope_disabled",
      requestId,
      deleted: 0,
    });
    expect((await storedAccount(mailbox))?.mailWipePending).toBeUndefined();
    await drainQueue(testSqsClient(), harness.queueUrl);
    expect((await runChain(syncJob(mailbox, "mail"), googleSync, harness.queueUrl)).at(-1)).toBe("completed");
    await expectMailTruth(mailbox, world);
  });
});
