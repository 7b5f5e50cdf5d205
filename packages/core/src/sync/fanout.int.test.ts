import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSqsClient, useFreshTableWithOrg } from "../../../../test/support/integration";
import { useSyncQueue } from "../../../../test/support/sync";
import type { AccountStatus, ScopeToggles } from "../mailbox/schemas";
import { accountPut, freshSyncState, type StoredAccount } from "../mailbox/store";
import { db } from "../storage";
import { fanOut } from "./fanout";

let table: Awaited<ReturnType<typeof useFreshTableWithOrg>>;

beforeAll(async () => {
  table = await useFreshTableWithOrg("Fan-out Org");
});

afterAll(async () => {
  await table?.drop();
});

async function account(
  userId: string,
  status: AccountStatus,
  scopes: ScopeToggles,
  provider: "google" | "microsoft",
) {
  const now = new Date().toISOString();
  const stored: StoredAccount = {
    accountId: `acct-${userId}`,
    orgId: table.orgId,
    userId,
    provider,
    email: `${userId}@kith-fanout.example`,
    scopes,
    grantedScopes: [],
    status,
    sync: { mail: freshSyncState(scopes.mail), calendar: freshSyncState(scopes.calendar) },
    tokenVersion: 0,
    connectedAt: now,
    updatedAt: now,
  };
  const { Put } = accountPut(stored);
  await db.put({ Item: Put?.Item });
}

async function queued(url: string): Promise<number> {
  const attributes = await testSqsClient().send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"],
    }),
  );
  return (
    Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(attributes.Attributes?.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

describe("daily fan-out", () => {
  it("sends one job per enabled scope of each syncing account of the provider, and none for the others", async () => {
    const googleQueue = await useSyncQueue("google");
    const microsoftQueue = await useSyncQueue("microsoft");
    await account("both", "connected", { mail: true, calendar: true }, "google");
    await account("mail-only", "error", { mail: true, calendar: false }, "google");
    await account("reauth", "reauth_required", { mail: true, calendar: true }, "google");
    await account("gone", "disconnected", { mail: true, calendar: true }, "google");
    await account("outlook", "connected", { mail: true, calendar: true }, "microsoft");

    expect(await fanOut("google")).toEqual({ accounts: 2, jobs: 3 });
    expect(await queued(googleQueue)).toBe(3);
    expect(await queued(microsoftQueue)).toBe(0);
  });
});
