import { googleSandboxEnv } from "@kith/local/mailbox-providers";
import { GoogleSandbox, MailWorld } from "@kith/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useFreshTableWithOrg } from "../../../../test/support/integration";
import {
  addTeammates,
  type ConnectedMailbox,
  connectWorld,
  expectedMailLines,
  expectedMeetingLines,
  runChain,
  storedAccount,
  storedEvents,
  storedLines,
  syncJob,
  truthOf,
  useSyncQueue,
} from "../../../../test/support/sync";
import { google } from "../mailbox/google";
import { googleSync } from "./google";
import { resetPacingForTests } from "./pacing";

/**
 * The Gmail and Google Calendar syncers, through @googleapis/gmail and @googleapis/calendar against
 * the Google sandbox, on DynamoDB Local and the SQS emulator: a chain of jobs runs to its end as the
 * queue's consumer would run it.
 */

let table: Awaited<ReturnType<typeof useFreshTableWithOrg>>;
let sandbox: GoogleSandbox;
let queueUrl: string;

beforeAll(async () => {
  table = await useFreshTableWithOrg("Sync Google Org");
  sandbox = await GoogleSandbox.start({ gmail: { unitsPerMinute: 1_000_000 } } as never);
  Object.assign(process.env, googleSandboxEnv(sandbox), {
    OAUTH_STATE_SECRET: "sync-test-oauth-state-secret",
    TOKEN_ENCRYPTION_KEY: "sync-test-token-encryption-key",
    OAUTH_REDIRECT_BASE_URL: "http://127.0.0.1:9",
    // The sandbox's quota is scaled up with it, so a test's mailbox syncs in seconds.
    GMAIL_UNITS_PER_MINUTE: "1000000",
  });
  queueUrl = await useSyncQueue("google");
});

afterAll(async () => {
  await Promise.all([sandbox?.close(), table?.drop()]);
});

beforeEach(() => resetPacingForTests());

let worlds = 0;
function newWorld(options: Partial<ConstructorParameters<typeof MailWorld>[0]> = {}): MailWorld {
  worlds += 1;
  return new MailWorld({
    seed: 1000 + worlds,
    owner: { email: `member${worlds}.${Date.now()}@kith-sync.example`, name: "Member" },
    teammates: [{ email: `mate${worlds}.${Date.now()}@kith-sync.example`, name: "Mate" }],
    messages: 300,
    meetings: 40,
    ...options,
  });
}

async function connected(world: MailWorld): Promise<ConnectedMailbox> {
  await addTeammates(table.orgId, world);
  return connectWorld(table.orgId, google, sandbox, world);
}

describe("Gmail backfill", () => {
  it("stores exactly the ground truth: one event per external correspondent, no gaps, no duplicates", async () => {
    const world = newWorld();
    const mailbox = await connected(world);
    const outcomes = await runChain(syncJob(mailbox, "mail"), googleSync, queueUrl, { budgetMs: 0 });

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
    const outcomes = await runChain(syncJob(mailbox, "calendar"), googleSync, queueUrl);
    expect(outcomes.at(-1)).toBe("completed");
    const stored = await storedEvents(mailbox.accountId, "calendar");
    expect(stored.length).toBeGreaterThan(0);
    expect(storedLines(stored)).toEqual(expectedMeetingLines(world, "gcal", truthOf(world)));
  });
});
