import * as z from "zod/mini";
import { envelopeFields } from "../events/detail";
import { keys as identityKeys } from "../identity/store";
import { keys as mailboxKeys } from "../mailbox/store";
import { list as listOrgs } from "../orgs/orgs";
import * as Queues from "../queues";
import { commit, queryAll } from "../storage";
import { logger } from "../util/logger";
import { StatsChanged } from "./events";
import { rollupKeys } from "./keys";
import { settleLookup } from "./lookup";
import type { PairRef } from "./pairs";
import { rebuildPairs } from "./rollup";

/**
 * The rollup's background work, on one queue (`rollup-rebuild`):
 * - the nightly job (00:00 UTC): per org, the pairs touched in the last 36 hours and the pairs a
 *   window edge or a quarter start has passed since they were computed, rebuilt 500 per message;
 * - the full rebuild of an org (an operator route): every pair with stored stats or with events;
 * and, on `rollup-contacts`, a contact gaining or losing an email (lazy resolution).
 */

export const ROLLUP_QUEUE = "rollup-rebuild";
export const PAIRS_PER_JOB = 500;
export const TOUCHED_WINDOW_HOURS = 36;

const PairSchema = z.object({ userId: z.string(), email: z.string() });

export const RebuildJobSchema = z.union([
  z.object({
    kind: z.literal("plan"),
    orgId: z.string(),
    scope: z.enum(["nightly", "full"]),
    requestedAt: z.iso.datetime(),
  }),
  z.object({
    kind: z.literal("pairs"),
    orgId: z.string(),
    reason: z.enum(["nightly", "full"]),
    pairs: z.array(PairSchema).check(z.maxLength(PAIRS_PER_JOB)),
    requestedAt: z.iso.datetime(),
  }),
]);
export type RebuildJob = z.infer<typeof RebuildJobSchema>;

/** The schedule's part: one planning message per org, so no one invocation walks every tenant. */
export async function startNightly(now = new Date()): Promise<number> {
  let orgs = 0;
  let cursor: string | undefined;
  do {
    const page = await listOrgs({ limit: 200, cursor });
    const jobs = page.items.map((org) => ({
      body: {
        kind: "plan",
        orgId: org.id,
        scope: "nightly",
        requestedAt: now.toISOString(),
      } satisfies RebuildJob,
    }));
    await Queues.sendBatch(ROLLUP_QUEUE, jobs);
    orgs += jobs.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  logger.info("rollup nightly started", { orgs });
  return orgs;
}

/** The operator's full rebuild of one org. */
export async function requestFullRebuild(orgId: string, now = new Date()): Promise<void> {
  await Queues.send(ROLLUP_QUEUE, {
    kind: "plan",
    orgId,
    scope: "full",
    requestedAt: now.toISOString(),
  } satisfies RebuildJob);
}

export async function handleRebuildJob(job: RebuildJob): Promise<void> {
  const at = new Date(job.requestedAt);
  if (job.kind === "plan") {
    const pairs = job.scope === "nightly" ? await nightlyPairs(job.orgId, at) : await allPairs(job.orgId);
    const messages = [];
    for (let start = 0; start < pairs.length; start += PAIRS_PER_JOB) {
      const chunk = pairs.slice(start, start + PAIRS_PER_JOB).map(({ userId, email }) => ({ userId, email }));
      messages.push({
        body: {
          kind: "pairs",
          orgId: job.orgId,
          reason: job.scope,
          pairs: chunk,
          requestedAt: job.requestedAt,
        },
      });
    }
    await Queues.sendBatch(ROLLUP_QUEUE, messages);
    logger.info("rollup rebuild planned", { orgId: job.orgId, scope: job.scope, pairs: pairs.length });
    return;
  }
  // Ages as of now, not as of the plan: a job that waited in the queue must not write older windows.
  const result = await rebuildPairs(job.pairs.map((pair) => ({ orgId: job.orgId, ...pair })));
  logger.info("rollup pairs rebuilt", { orgId: job.orgId, reason: job.reason, ...result });
}

function distinct(pairs: Iterable<PairRef>): PairRef[] {
  const byId = new Map<string, PairRef>();
  for (const pair of pairs) byId.set(`${pair.userId}\u0000${pair.email}`, pair);
  return [...byId.values()];
}

function pairFromSortKey(orgId: string, sortKey: string): PairRef {
  // `<time>#<userId>#<email>`: user ids hold no `#`, emails may.
  const [, userId, ...email] = sortKey.split("#");
  return { orgId, userId: userId as string, email: email.join("#") };
}

/** Pairs due for aging (their `nextAgingAt` has passed) and pairs touched in the last 36 hours. */
export async function nightlyPairs(orgId: string, now: Date): Promise<PairRef[]> {
  const due = await queryAll({
    IndexName: "gsi1",
    KeyConditionExpression: "gsi1pk = :pk AND gsi1sk <= :now",
    ExpressionAttributeValues: { ":pk": rollupKeys.pairsByAging(orgId), ":now": `${now.toISOString()}#~` },
    ProjectionExpression: "gsi1sk",
  });
  const since = new Date(now.getTime() - TOUCHED_WINDOW_HOURS * 3_600_000).toISOString();
  const touched = await queryAll({
    IndexName: "gsi2",
    KeyConditionExpression: "gsi2pk = :pk AND gsi2sk >= :since",
    ExpressionAttributeValues: { ":pk": rollupKeys.pairsByTouch(orgId), ":since": since.slice(0, 13) },
    ProjectionExpression: "gsi2sk",
  });
  return distinct([
    ...due.map((item) => pairFromSortKey(orgId, item.gsi1sk as string)),
    ...touched.map((item) => pairFromSortKey(orgId, item.gsi2sk as string)),
  ]);
}

/** Every pair of the org: those with stored stats, and those with events in some member's mailbox. */
export async function allPairs(orgId: string): Promise<PairRef[]> {
  const stored = await queryAll({
    IndexName: "gsi1",
    KeyConditionExpression: "gsi1pk = :pk",
    ExpressionAttributeValues: { ":pk": rollupKeys.pairsByAging(orgId) },
    ProjectionExpression: "gsi1sk",
  });
  const pairs = stored.map((item) => pairFromSortKey(orgId, item.gsi1sk as string));
  for (const accountId of await orgAccounts(orgId)) {
    const events = await queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": mailboxKeys.accountEvents(accountId) },
      ProjectionExpression: "userId, correspondent",
    });
    for (const event of events) {
      pairs.push({ orgId, userId: event.userId as string, email: event.correspondent as string });
    }
  }
  return distinct(pairs);
}

/** The mailbox accounts of the org's users (their events outlive a disconnect only until the wipe). */
async function orgAccounts(orgId: string): Promise<string[]> {
  const users = await queryAll({
    IndexName: "gsi1",
    KeyConditionExpression: "gsi1pk = :pk",
    ExpressionAttributeValues: { ":pk": identityKeys.usersByName(orgId) },
    ProjectionExpression: "id",
  });
  const accounts: string[] = [];
  for (const user of users) {
    const items = await queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": mailboxKeys.userAccounts(orgId, user.id as string) },
      ProjectionExpression: "accountId",
    });
    for (const item of items) if (item.accountId) accounts.push(item.accountId as string);
  }
  return accounts;
}

/**
 * A contact gained or lost emails (`contact.created` / `contact.updated` / `contact.deleted`). The
 * stats per (member, email) exist already, so resolution is reading which members have a pair with
 * each email and telling strength that those members' stats with this contact changed. An email
 * no contact carries any more goes back into the unresolved queue.
 */
const ContactChangeData = z.object({
  collectionId: z.string(),
  contactId: z.string(),
  emailsAdded: z.array(z.string()),
  emailsRemoved: z.array(z.string()),
});

export const ContactChangeMessageSchema = z.object({
  ...envelopeFields,
  detail: z.object({
    id: z.string(),
    type: z.enum(["contact.created", "contact.updated", "contact.deleted"]),
    occurredAt: z.string(),
    orgId: z.string(),
    data: ContactChangeData,
  }),
});
export type ContactChangeMessage = z.infer<typeof ContactChangeMessageSchema>;

export async function handleContactChange(message: ContactChangeMessage): Promise<{ members: number }> {
  const { orgId, data } = message.detail;
  for (const email of data.emailsRemoved) await settleLookup(orgId, email);
  const members = new Set<string>();
  for (const email of [...data.emailsAdded, ...data.emailsRemoved]) {
    const items = await queryAll({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: {
        ":pk": rollupKeys.partition(orgId, email),
        ":prefix": rollupKeys.pairStatsPrefix,
      },
      ProjectionExpression: "userId",
      // Consistent: a pair written a moment before the contact must not be missed by both sides.
      ConsistentRead: true,
    });
    for (const item of items) members.add(item.userId as string);
  }
  if (members.size === 0) return { members: 0 };
  // A redelivery publishes them again; strength's recompute of a pair is idempotent.
  const events = [...members].sort().map((userId) =>
    StatsChanged.create(
      orgId,
      {
        userId,
        contactIds: [data.contactId],
        contacts: [{ collectionId: data.collectionId, contactId: data.contactId }],
      },
      new Date(message.detail.occurredAt),
    ),
  );
  for (let start = 0; start < events.length; start += 50)
    await commit([], { events: events.slice(start, start + 50) });
  return { members: members.size };
}
