import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import { googleSandboxEnv, microsoftSandboxEnv } from "@kith/local/mailbox-providers";
import { GoogleSandbox, MicrosoftSandbox } from "@kith/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  drainQueue,
  scanTable,
  testSqsClient,
  uniqueName,
  useEmulators,
  useFreshTableWithOrg,
} from "../../../../test/support/integration";
import * as Identity from "../identity";
import { db } from "../storage";
import { authorizeUrl, completeConnection } from "./connect";
import { ProviderUnavailable, ReauthRequired } from "./errors";
import { MailboxWipeRequested } from "./events";
import { google } from "./google";
import { handleSyncMessage, handleWipeMessage, type WipeMessage, wipeJob, wipeSlice } from "./jobs";
import { disconnect } from "./manage";
import { microsoft } from "./microsoft";
import type { OAuthProvider } from "./provider";
import type { MailboxProvider, WipeJob } from "./schemas";
import { keys } from "./store";
import { accessToken } from "./tokens";

/**
 * Token refresh and the disconnect wipe, against DynamoDB Local, the SQS emulator and the loopback
 * Google and Microsoft sandboxes (driven by google-auth-library and MSAL).
 */

let table: Awaited<ReturnType<typeof useFreshTableWithOrg>>;
let googleSandbox: GoogleSandbox;
let microsoftSandbox: MicrosoftSandbox;
let wipeQueueUrl: string;
const sqs = testSqsClient();

beforeAll(async () => {
  table = await useFreshTableWithOrg("Mailbox Org");
  [googleSandbox, microsoftSandbox] = await Promise.all([GoogleSandbox.start(), MicrosoftSandbox.start()]);
  Object.assign(process.env, googleSandboxEnv(googleSandbox), microsoftSandboxEnv(microsoftSandbox), {
    OAUTH_STATE_SECRET: "core-test-oauth-state-secret",
    TOKEN_ENCRYPTION_KEY: "core-test-token-encryption-key",
    OAUTH_REDIRECT_BASE_URL: "http://127.0.0.1:9",
  });
  const queueName = uniqueName("mailbox-wipe");
  await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  // On the emulator's own origin (as test/support/integration.ts builds them), which the SDK sends to as is.
  wipeQueueUrl = `${useEmulators().sqsEndpoint}/000000000000/${queueName}`;
  process.env.KITH_QUEUE_URL_MAILBOX_WIPE = wipeQueueUrl;
});

afterAll(async () => {
  await Promise.all([googleSandbox?.close(), microsoftSandbox?.close(), table?.drop()]);
});

/** A member with a connected mailbox, through the real connect flow. */
async function connected(provider: OAuthProvider) {
  const email = `${uniqueName("member")}@example.com`.toLowerCase();
  const user = await Identity.create(table.orgId, { name: "Member", email }, { actor: "op:test" });
  const sandbox = provider.name === "google" ? googleSandbox : microsoftSandbox;
  sandbox.addAccount({ email });
  sandbox.signIn(email);
  const url = await authorizeUrl(provider, {
    orgId: table.orgId,
    userId: user.id,
    scopes: { mail: true, calendar: true },
  });
  const location = await sandbox.consent(url);
  const { connected: account } = await completeConnection(
    provider,
    Object.fromEntries(location.searchParams),
  );
  return {
    ref: { orgId: table.orgId, userId: user.id, provider: provider.name as MailboxProvider },
    account,
    email,
  };
}

/** The cached access token reaches its expiry (as an hour passing would). */
async function expireCachedToken(ref: { orgId: string; userId: string; provider: MailboxProvider }) {
  await db.update({
    Key: keys.account(ref.orgId, ref.userId, ref.provider),
    UpdateExpression: "SET accessTokenExpiresAt = :past",
    ExpressionAttributeValues: { ":past": new Date(Date.now() - 60_000).toISOString() },
  });
}

async function storedAccount(ref: { orgId: string; userId: string; provider: MailboxProvider }) {
  return (await db.get({ Key: keys.account(ref.orgId, ref.userId, ref.provider), ConsistentRead: true }))
    .Item;
}

describe("access tokens: cached until near expiry, refreshed once per call, reauth_required on invalid_grant", () => {
  for (const provider of [google, microsoft]) {
    const sandbox = () => (provider.name === "google" ? googleSandbox : microsoftSandbox);

    it(`${provider.name}: uses the cached token, then refreshes one time after it expires`, async () => {
      const { ref } = await connected(provider);
      const refreshesBefore = sandbox().count("token", "refresh_token");
      const first = await accessToken(provider, ref);
      expect(await accessToken(provider, ref)).toBe(first);
      expect(sandbox().count("token", "refresh_token")).toBe(refreshesBefore);

      sandbox().expireAccessTokens();
      await expireCachedToken(ref);
      const sealedBefore = (await storedAccount(ref))?.sealedRefreshToken;
      const refreshed = await accessToken(provider, ref);
      expect(refreshed).not.toBe(first);
      // Microsoft rotates refresh tokens: the new one is kept. Google's stays.
      const sealedAfter = (await storedAccount(ref))?.sealedRefreshToken;
      if (provider.name === "microsoft") expect(sealedAfter).not.toBe(sealedBefore);
      else expect(sealedAfter).toBe(sealedBefore);
      expect(sandbox().count("token", "refresh_token")).toBe(refreshesBefore + 1);
      // The refreshed token is cached in turn.
      expect(await accessToken(provider, ref)).toBe(refreshed);
      expect(sandbox().count("token", "refresh_token")).toBe(refreshesBefore + 1);
    });

    it(`${provider.name}: a revoked grant marks the account reauth_required with one refresh attempt, and nothing retries it`, async () => {
      const { ref, email, account } = await connected(provider);
      if (provider.name === "google") googleSandbox.revokeGrant(email);
      else microsoftSandbox.revokeSessions(email);
      const refreshesBefore = sandbox().count("token", "refresh_token");
      await expireCachedToken(ref);
      await expect(accessToken(provider, ref)).rejects.toBeInstanceOf(ReauthRequired);
      expect(sandbox().count("token", "refresh_token")).toBe(refreshesBefore + 1);
      const item = await storedAccount(ref);
      expect(item).toMatchObject({ status: "reauth_required" });
      expect(String(item?.outbox)).toContain('"mailbox.reauth_required"');
      expect(String(item?.outbox)).toContain(account.accountId);
      for (let attempt = 0; attempt < 3; attempt++) {
        await expect(accessToken(provider, ref)).rejects.toBeInstanceOf(ReauthRequired);
      }
      expect(sandbox().count("token", "refresh_token")).toBe(refreshesBefore + 1);
    });
  }

  it("a provider outage is retryable and leaves the account connected", async () => {
    const { ref } = await connected(google);
    await expireCachedToken(ref);
    // google-auth-library retries a 5xx three times on its own: the outage outlasts them.
    googleSandbox.failNext({ endpoint: "token", status: 503, times: 4 });
    await expect(accessToken(google, ref)).rejects.toBeInstanceOf(ProviderUnavailable);
    expect(await storedAccount(ref)).toMatchObject({ status: "connected" });
  });
});

describe("sync jobs: routed to their provider's syncer queue", () => {
  it("sends one job per enabled scope of mailbox.connected to sync-google", async () => {
    const queueName = uniqueName("sync-google");
    await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
    const syncQueueUrl = `${useEmulators().sqsEndpoint}/000000000000/${queueName}`;
    process.env.KITH_QUEUE_URL_SYNC_GOOGLE = syncQueueUrl;
    const { ref, account } = await connected(google);
    const envelope = {
      version: "0",
      id: "bus-1",
      "detail-type": "mailbox.connected",
      source: "kith",
      account: "000000000000",
      time: new Date().toISOString(),
      region: "us-east-1",
      resources: [],
      detail: JSON.parse(
        JSON.stringify(
          (await import("./events")).MailboxConnected.create(ref.orgId, {
            accountId: account.accountId,
            userId: ref.userId,
            provider: "google",
            scopes: { mail: true, calendar: false },
            reconnected: false,
          }),
        ),
      ),
    };
    await handleSyncMessage(envelope as never);
    const sent = (await drainQueue(sqs, syncQueueUrl)).map((message) => JSON.parse(message.Body ?? "{}"));
    expect(sent).toEqual([
      expect.objectContaining({
        kind: "sync",
        scope: "mail",
        reason: "connect",
        accountId: account.accountId,
      }),
    ]);
  });
});

/** Writes interaction events straight into an account's partition, as the syncers will. */
async function writeEvents(accountId: string, scope: "mail" | "calendar", count: number) {
  const items = Array.from({ length: count }, (_, index) => ({
    pk: keys.accountEvents(accountId),
    sk: `${scope}#2026-01-01T00:00:00.000Z#remote-${index}#person${index}@example.com`,
    entity: "interactionEvent",
  }));
  for (let start = 0; start < items.length; start += 25) {
    await Promise.all(items.slice(start, start + 25).map((Item) => db.put({ Item })));
  }
}

async function countEvents(accountId: string, scope?: "mail" | "calendar") {
  let total = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.query({
      KeyConditionExpression: scope ? "pk = :pk AND begins_with(sk, :prefix)" : "pk = :pk",
      ExpressionAttributeValues: {
        ":pk": keys.accountEvents(accountId),
        ...(scope ? { ":prefix": `${scope}#` } : {}),
      },
      Select: "COUNT",
      ExclusiveStartKey: startKey,
      ConsistentRead: true,
    });
    total += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return total;
}

/** Runs the wipe queue by hand until it is empty, as the queue's consumer would. */
async function runWipeQueue() {
  for (let round = 0; round < 50; round++) {
    const messages = await drainQueue(sqs, wipeQueueUrl);
    if (messages.length === 0) return round;
    for (const message of messages) await handleWipeMessage(JSON.parse(message.Body ?? "") as WipeMessage);
  }
  throw new Error("the wipe did not finish in 50 rounds");
}

function disconnectedEvents(accountId: string, items: Record<string, unknown>[]) {
  return items
    .filter((item) => item.entity === "mailboxWipe" && item.accountId === accountId)
    .flatMap(
      (item) => JSON.parse(String(item.outbox)) as { type: string; data: { eventsDeleted: number } }[],
    );
}

describe("the disconnect wipe: bounded slices through the queue, resumable, exactly one mailbox.disconnected", () => {
  it("deletes every event of the account even when the wipe is killed midway, and leaves other accounts alone", async () => {
    const { ref, account } = await connected(google);
    const neighbour = await connected(microsoft);
    await writeEvents(account.accountId, "mail", 1_300);
    await writeEvents(account.accountId, "calendar", 900);
    await writeEvents(neighbour.account.accountId, "mail", 40);

    await disconnect(google, ref);
    const item = await storedAccount(ref);
    const requested = (
      JSON.parse(
        String(
          (await scanTable()).find(
            (i) =>
              String(i.outbox ?? "").includes("mailbox.wipe_requested") &&
              String(i.outbox).includes(account.accountId),
          )?.outbox,
        ),
      ) as { type: string }[]
    ).find((event) => event.type === "mailbox.wipe_requested");
    expect(item).toMatchObject({ status: "disconnected" });
    expect(requested).toBeDefined();
    const job = wipeJob({
      version: "0",
      id: "bus-2",
      "detail-type": "mailbox.wipe_requested",
      source: "kith",
      account: "000000000000",
      time: new Date().toISOString(),
      region: "us-east-1",
      resources: [],
      detail: MailboxWipeRequested.parse(requested),
    });

    // The first delivery dies after three batches of deletes (a crash, a timeout).
    let batches = 0;
    await expect(
      wipeSlice(job, {
        afterBatch: () => {
          batches += 1;
          if (batches === 3) throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    const left = await countEvents(account.accountId);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(2_200);

    // The redelivery resumes from what is left; its continuations run through the queue.
    await drainQueue(sqs, wipeQueueUrl);
    expect(await wipeSlice(job)).toBe("continued");
    expect(await runWipeQueue()).toBeGreaterThan(0);
    expect(await countEvents(account.accountId)).toBe(0);
    expect(await countEvents(neighbour.account.accountId)).toBe(40);

    // A late redelivery of the original message publishes nothing twice.
    expect(await wipeSlice(job)).toBe("completed");
    const events = disconnectedEvents(account.accountId, await scanTable());
    expect(events.map((event) => event.type)).toEqual(["mailbox.disconnected"]);
  });

  it("a scope turned off deletes only that scope's events", async () => {
    const { ref, account } = await connected(google);
    await writeEvents(account.accountId, "mail", 120);
    await writeEvents(account.accountId, "calendar", 80);
    const job: WipeJob = {
      kind: "wipe",
      orgId: ref.orgId,
      userId: ref.userId,
      provider: "google",
      accountId: account.accountId,
      scope: "calendar",
      reason: "scope_disabled",
      requestId: uniqueName("wipe"),
      deleted: 0,
    };
    expect(await wipeSlice(job, { slice: 50 })).toBe("continued");
    await runWipeQueue();
    expect(await countEvents(account.accountId, "calendar")).toBe(0);
    expect(await countEvents(account.accountId, "mail")).toBe(120);
    const [event] = disconnectedEvents(account.accountId, await scanTable());
    expect(event).toMatchObject({
      type: "mailbox.disconnected",
      data: { scope: "calendar", eventsDeleted: 80 },
    });
  });
});
