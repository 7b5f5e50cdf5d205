import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import * as Identity from "@kith/core/identity";
import { authorizeUrl, completeConnection } from "@kith/core/mailbox/connect";
import type { OAuthProvider } from "@kith/core/mailbox/provider";
import type { MailboxProvider, Scope, SyncJob } from "@kith/core/mailbox/schemas";
import { keys } from "@kith/core/mailbox/store";
import { db } from "@kith/core/storage";
import { type RunOptions, type RunOutcome, runSyncJob, type SyncDeps } from "@kith/core/sync/job";
import { createPacer, resetPacingForTests } from "@kith/core/sync/pacing";
import type { GoogleSandbox, MicrosoftSandbox, WorldMeeting, WorldMessage } from "@kith/sandbox";
import { MailWorld, type MailWorldOptions } from "@kith/sandbox";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { drainQueue, testSqsClient, uniqueName, useEmulators, useFreshTableWithOrg } from "./integration";

/**
 * Helpers for the syncer tests: a connected mailbox over the real OAuth flow, a job chain run to
 * its end through the syncer's queue, the stored events, and the ground truth: what scoring.md's
 * correspondent rules say a world's mail and meetings must yield, computed independently of the
 * syncers' own classification.
 */

const DAY = 86_400_000;
const BACKFILL_DAYS = 730;

/** What the connect flow needs in the environment of a test process (never real secrets). */
export const SYNC_TEST_ENV = {
  OAUTH_STATE_SECRET: "sync-test-oauth-state-secret",
  TOKEN_ENCRYPTION_KEY: "sync-test-token-encryption-key",
  OAUTH_REDIRECT_BASE_URL: "http://127.0.0.1:9",
};

export interface SyncHarness<S> {
  orgId: string;
  sandbox: S;
  /** The provider's syncer queue (a new one after `useSyncQueue`). */
  queueUrl: string;
  /** A member (with the world's teammates as users of the org) who connects the world's mailbox. */
  connect(world: MailWorld): Promise<ConnectedMailbox>;
}

/**
 * A test file's org, sandbox and syncer queue, set up before its tests and torn down after, with
 * the guard's breakers and budgets reset before each test.
 */
export function useSyncHarness<S extends GoogleSandbox | MicrosoftSandbox>(options: {
  name: string;
  oauth: OAuthProvider;
  start: () => Promise<S>;
  env: (sandbox: S) => Record<string, string>;
}): SyncHarness<S> {
  let table: Awaited<ReturnType<typeof useFreshTableWithOrg>> | undefined;
  const harness = {
    connect: async (world: MailWorld) => {
      await addTeammates(harness.orgId, world);
      return connectWorld(harness.orgId, options.oauth, harness.sandbox, world);
    },
  } as SyncHarness<S>;
  beforeAll(async () => {
    table = await useFreshTableWithOrg(options.name);
    harness.orgId = table.orgId;
    harness.sandbox = await options.start();
    Object.assign(process.env, options.env(harness.sandbox), SYNC_TEST_ENV);
    harness.queueUrl = await useSyncQueue(options.oauth.name as MailboxProvider);
  });
  afterAll(async () => {
    await Promise.all([harness.sandbox?.close(), table?.drop()]);
  });
  beforeEach(() => resetPacingForTests());
  return harness;
}

/**
 * Runs a job's chain to its end with fast retries, through a crash forced at `crashAt`'s step after
 * its events were written and before its cursor moved (the worst place to die): the chain must
 * recover from the redelivered message. Returns each invocation's outcome.
 */
export async function chainThroughCrash(job: SyncJob, deps: SyncDeps, queueUrl: string, crashAt: number) {
  let steps = 0;
  return runChain(job, withQuickRetries(deps), queueUrl, {
    budgetMs: 0,
    awaitDeferred: true,
    beforeCommit: () => {
      steps += 1;
      if (steps === crashAt) throw new Error("forced crash between the events and the commit");
    },
  });
}

/** Small distinct worlds, one per call: a member and a teammate of their own, from a seed series. */
export function worldSeries(firstSeed: number, label: string) {
  let count = 0;
  return (options: Partial<MailWorldOptions> = {}): MailWorld => {
    count += 1;
    const stamp = `${count}.${Date.now()}`;
    return new MailWorld({
      seed: firstSeed + count,
      owner: { email: `${label}${stamp}@kith-sync.example`, name: "Member" },
      teammates: [{ email: `mate${stamp}@kith-sync.example`, name: "Mate" }],
      messages: 300,
      meetings: 40,
      ...options,
    });
  };
}

/** The production guard with short backoffs, for fault tests: the sandbox's Retry-After still holds. */
export function withQuickRetries(deps: SyncDeps): SyncDeps {
  return {
    ...deps,
    callsFor: (syncer, job, deadline) =>
      createPacer({
        api: syncer.api,
        mailbox: job.accountId,
        deadline: deadline + 40_000,
        baseDelayMs: 20,
        maxDelayMs: 500,
      }),
  };
}

/** A fresh `sync-<provider>` queue on the emulator, wired through `KITH_QUEUE_URL_SYNC_<PROVIDER>`. */
export async function useSyncQueue(provider: MailboxProvider): Promise<string> {
  const name = uniqueName(`sync-${provider}`);
  await testSqsClient().send(new CreateQueueCommand({ QueueName: name }));
  const url = `${useEmulators().sqsEndpoint}/000000000000/${name}`;
  process.env[`KITH_QUEUE_URL_SYNC_${provider.toUpperCase()}`] = url;
  return url;
}

export interface ConnectedMailbox {
  orgId: string;
  userId: string;
  accountId: string;
  email: string;
  provider: MailboxProvider;
}

/** A member who connects `world.owner`'s mailbox (both scopes) through the provider's consent flow. */
export async function connectWorld(
  orgId: string,
  oauth: OAuthProvider,
  sandbox: GoogleSandbox | MicrosoftSandbox,
  world: MailWorld,
  options: { aliases?: string[] } = {},
): Promise<ConnectedMailbox> {
  const email = world.owner.email;
  const user = await Identity.create(
    orgId,
    { name: world.owner.name, email, ...(options.aliases ? { emailAliases: options.aliases } : {}) },
    { actor: "op:test" },
  );
  sandbox.addAccount({ email });
  sandbox.attachWorld(email, world);
  sandbox.signIn(email);
  const url = await authorizeUrl(oauth, { orgId, userId: user.id, scopes: { mail: true, calendar: true } });
  const location = await sandbox.consent(url);
  const { connected } = await completeConnection(oauth, Object.fromEntries(location.searchParams));
  return {
    orgId,
    userId: user.id,
    accountId: connected.accountId,
    email,
    provider: oauth.name as MailboxProvider,
  };
}

/** Teammates: users of the org, so their addresses are never correspondents. */
export async function addTeammates(orgId: string, world: MailWorld): Promise<void> {
  for (const mate of world.teammates) {
    await Identity.create(orgId, { name: mate.name, email: mate.email.toLowerCase() }, { actor: "op:test" });
  }
}

export function syncJob(
  mailbox: ConnectedMailbox,
  scope: Scope,
  reason: SyncJob["reason"] = "manual",
): SyncJob {
  return {
    kind: "sync",
    orgId: mailbox.orgId,
    userId: mailbox.userId,
    provider: mailbox.provider,
    accountId: mailbox.accountId,
    scope,
    reason,
    requestedAt: new Date().toISOString(),
  };
}

/**
 * Runs a job, then every message its chain puts on the syncer queue, until the queue is empty:
 * what the queue's consumer would do. Returns each invocation's outcome.
 */
export async function runChain(
  job: SyncJob,
  deps: SyncDeps,
  queueUrl: string,
  options: RunOptions & { awaitDeferred?: boolean } = {},
  limit = 500,
): Promise<(RunOutcome | "crashed")[]> {
  const outcomes: (RunOutcome | "crashed")[] = [];
  // A message whose run throws is run again, as SQS redelivers it after its visibility timeout.
  const deliver = async (message: SyncJob) => {
    for (let attempt = 1; ; attempt++) {
      try {
        outcomes.push(await runSyncJob(message, deps, options));
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        outcomes.push("crashed");
      }
    }
  };
  await deliver(job);
  for (let round = 0; round < limit; round++) {
    const messages = await drainQueue(testSqsClient(), queueUrl);
    if (messages.length === 0) {
      // A deferred job's continuation is delayed (Retry-After, backoff): wait for it, as SQS would.
      if (outcomes.at(-1) !== "deferred" || !options.awaitDeferred) return outcomes;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      continue;
    }
    for (const message of messages) await deliver(JSON.parse(message.Body ?? "{}"));
  }
  throw new Error(`the chain did not end within ${limit} rounds`);
}

export async function storedEvents(accountId: string, scope?: Scope): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.query({
      KeyConditionExpression: scope ? "pk = :pk AND begins_with(sk, :prefix)" : "pk = :pk",
      ExpressionAttributeValues: {
        ":pk": keys.accountEvents(accountId),
        ...(scope ? { ":prefix": `${scope}#` } : {}),
      },
      ConsistentRead: true,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export async function storedAccount(mailbox: ConnectedMailbox): Promise<Record<string, unknown> | undefined> {
  return (
    await db.get({ Key: keys.account(mailbox.orgId, mailbox.userId, mailbox.provider), ConsistentRead: true })
  ).Item;
}

// ---- ground truth ------------------------------------------------------------------------------

export interface Truth {
  member: Set<string>;
  teammates: Set<string>;
  now: number;
}

export function truthOf(world: MailWorld, extraMember: string[] = []): Truth {
  return {
    member: new Set(
      [world.owner.email, ...world.aliases, ...extraMember].map((email) => email.toLowerCase()),
    ),
    teammates: new Set(world.teammates.map((mate) => mate.email.toLowerCase())),
    now: Date.now(),
  };
}

/** An event as the truth and the table both describe it: provider-neutral, one line. */
export function eventLine(event: Record<string, unknown>): string {
  return [
    event.kind,
    event.direction,
    event.occurredAt,
    event.correspondent,
    event.newsletter ? "newsletter" : "-",
    event.bulk ? "bulk" : "-",
    event.recipientCount ?? event.attendeeCount,
    event.response ?? "-",
    event.cancelled ? "cancelled" : "-",
  ].join("|");
}

const NEWSLETTER_PRECEDENCE = new Set(["bulk", "list", "junk"]);

/**
 * The events a world's mail must yield, by scoring.md: Gmail reads every folder but drafts, spam
 * and trash; Outlook reads Inbox and Sent Items only.
 */
export function expectedMailLines(world: MailWorld, source: "gmail" | "outlook", truth: Truth): string[] {
  const horizon = truth.now - BACKFILL_DAYS * DAY;
  const counted = (message: WorldMessage) =>
    source === "gmail"
      ? !["drafts", "junkemail", "deleteditems"].includes(message.folder)
      : ["inbox", "sentitems"].includes(message.folder);
  const external = (email: string) => !truth.member.has(email) && !truth.teammates.has(email);
  const lines: string[] = [];
  for (const message of world.messages()) {
    if (!counted(message) || message.internalDate < horizon) continue;
    const recipients = [
      ...new Set(
        [...message.to, ...message.cc, ...message.bcc].map((address) => address.email.toLowerCase()),
      ),
    ];
    const bulk = recipients.length > 20;
    const outbound = message.folder === "sentitems";
    const from = message.from.email.toLowerCase();
    if (!outbound && truth.member.has(from)) continue;
    const headers = message.headers;
    const flagged =
      headers.listUnsubscribe !== undefined ||
      headers.listId !== undefined ||
      (headers.precedence !== undefined && NEWSLETTER_PRECEDENCE.has(headers.precedence.toLowerCase())) ||
      (headers.autoSubmitted !== undefined && headers.autoSubmitted.toLowerCase() !== "no");
    const correspondents = outbound ? recipients.filter(external) : external(from) ? [from] : [];
    for (const correspondent of correspondents) {
      lines.push(
        eventLine({
          kind: "email",
          direction: outbound ? "outbound" : "inbound",
          // Graph's date-times carry whole seconds.
          occurredAt: new Date(
            source === "outlook" ? Math.floor(message.internalDate / 1000) * 1000 : message.internalDate,
          ).toISOString(),
          correspondent,
          newsletter: !outbound && !bulk && flagged,
          bulk,
          recipientCount: recipients.length,
        }),
      );
    }
  }
  return lines.sort();
}

/**
 * The events a world's meetings must yield: every external participant (attendees and organizer)
 * of each occurrence in the window; Google drops cancelled ones (its deletion signal), Graph keeps
 * them flagged.
 */
export function expectedMeetingLines(world: MailWorld, source: "gcal" | "ocal", truth: Truth): string[] {
  const horizon = truth.now - BACKFILL_DAYS * DAY;
  const ahead = truth.now + 365 * DAY;
  const lines: string[] = [];
  for (const meeting of world.meetings() as WorldMeeting[]) {
    if (meeting.start < horizon || (source === "ocal" && meeting.start >= ahead)) continue;
    if (source === "gcal" && meeting.status === "cancelled") continue;
    const participants = new Set([
      ...meeting.attendees.map((a) => a.email.toLowerCase()),
      meeting.organizer.email.toLowerCase(),
    ]);
    const ownerOrganizes = meeting.organizer.email.toLowerCase() === world.owner.email.toLowerCase();
    const own = meeting.attendees.find(
      (attendee) => attendee.email.toLowerCase() === world.owner.email.toLowerCase(),
    );
    const response = ownerOrganizes ? "organizer" : (own?.responseStatus ?? "needsAction");
    for (const correspondent of participants) {
      if (truth.member.has(correspondent) || truth.teammates.has(correspondent)) continue;
      lines.push(
        eventLine({
          kind: "meeting",
          direction: "attended",
          occurredAt: new Date(meeting.start).toISOString(),
          correspondent,
          attendeeCount: participants.size,
          response,
          cancelled: source === "ocal" && meeting.status === "cancelled",
        }),
      );
    }
  }
  return lines.sort();
}

export function storedLines(items: readonly Record<string, unknown>[]): string[] {
  return items.map(eventLine).sort();
}
