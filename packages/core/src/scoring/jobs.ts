import * as z from "zod/mini";
import { keys as contactKeys } from "../contacts/store";
import { envelopeFields } from "../events/detail";
import { list as listOrgs } from "../orgs/orgs";
import * as Queues from "../queues";
import { queryAll } from "../storage";
import { logger } from "../util/logger";
import { scoringKeys } from "./keys";
import { lazy, type RecomputeOutcome, recomputeTargets, refreshReach, type Target } from "./recompute";
import { readOptOuts } from "./store";

/**
 * Strength's background work. Two queues:
 * - `scoring-events`: the domain events strength follows (`stats.changed`, collection membership,
 *   `contact.deleted`, `rules.changed`, `user.key_connection_changed`), each handled at once when
 *   it touches a bounded set (one member's contacts whose stats moved, one contact's links) or
 *   turned into a plan;
 * - `scoring-jobs`: plans, which list what to recompute and send it on 500 at a time, and those
 *   batches. The nightly schedule plans per org: the links whose recency term steps down by now.
 */

export const SCORING_JOBS_QUEUE = "scoring-jobs";
export const TARGETS_PER_JOB = 500;

const TargetSchema = z.object({ userId: z.string(), collectionId: z.string(), contactId: z.string() });
const ContactRefSchema = z.object({ collectionId: z.string(), contactId: z.string() });

export const ScoringJobSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("plan"),
    orgId: z.string(),
    /**
     * - `nightly`: links whose score decays by now; `rules`: every link of the org (snapshot);
     * - `member_added`: every contact of the collection for the member (from the stats);
     * - `member_removed`: the member's links in the collection (deleted);
     * - `opt_out`: the reachability of every contact the member has a link with;
     * - `member_enriched`: every contact of every collection of the member (their history moved).
     */
    scope: z.enum(["nightly", "rules", "member_added", "member_removed", "opt_out", "member_enriched"]),
    collectionId: z.optional(z.string()),
    userId: z.optional(z.string()),
    requestedAt: z.iso.datetime(),
  }),
  z.object({
    kind: z.literal("targets"),
    orgId: z.string(),
    source: z.enum(["pairs", "snapshot"]),
    targets: z.array(TargetSchema).check(z.maxLength(TARGETS_PER_JOB)),
    requestedAt: z.iso.datetime(),
  }),
  z.object({
    kind: z.literal("reach"),
    orgId: z.string(),
    contacts: z.array(ContactRefSchema).check(z.maxLength(TARGETS_PER_JOB)),
    requestedAt: z.iso.datetime(),
  }),
]);
export type ScoringJob = z.infer<typeof ScoringJobSchema>;
type PlanJob = Extract<ScoringJob, { kind: "plan" }>;

const detailOf = <Type extends string, Data extends z.ZodMiniType>(type: Type, data: Data) =>
  z.object({
    id: z.string(),
    type: z.literal(type),
    occurredAt: z.string(),
    orgId: z.string(),
    data,
  });

/** The events `scoring-events` receives from the bus (the rule `scoring-on-domain-events`). */
export const ScoringEventMessageSchema = z.object({
  ...envelopeFields,
  detail: z.discriminatedUnion("type", [
    detailOf(
      "stats.changed",
      z.object({
        userId: z.string(),
        contactIds: z.array(z.string()),
        contacts: z.optional(z.array(ContactRefSchema)),
      }),
    ),
    detailOf("collection.member_added", z.object({ collectionId: z.string(), userId: z.string() })),
    detailOf("collection.member_removed", z.object({ collectionId: z.string(), userId: z.string() })),
    detailOf(
      "contact.deleted",
      z.object({ collectionId: z.string(), contactId: z.string(), emailsRemoved: z.array(z.string()) }),
    ),
    detailOf("rules.changed", z.object({ version: z.number(), previousVersion: z.number() })),
    detailOf("user.key_connection_changed", z.object({ userId: z.string(), optOut: z.boolean() })),
    detailOf("user.enriched", z.object({ userId: z.string() })),
    detailOf("contact.enriched", z.object({ collectionId: z.string(), contactId: z.string() })),
  ]),
});
export type ScoringEventMessage = z.infer<typeof ScoringEventMessageSchema>;

export async function handleScoringEvent(message: ScoringEventMessage, now = new Date()): Promise<void> {
  const { detail } = message;
  const orgId = detail.orgId;
  const requestedAt = now.toISOString();
  switch (detail.type) {
    case "stats.changed": {
      // Events written before collections were named in them cannot be addressed; the nightly
      // recompute catches those pairs when their scores next decay.
      const contacts = detail.data.contacts ?? [];
      const outcome = await recomputeTargets(
        orgId,
        contacts.map((contact) => ({ userId: detail.data.userId, ...contact })),
        { source: "pairs", now },
      );
      logOutcome("stats.changed", orgId, outcome);
      return;
    }
    case "collection.member_added":
    case "collection.member_removed": {
      const scope = detail.type === "collection.member_added" ? "member_added" : "member_removed";
      await Queues.send(SCORING_JOBS_QUEUE, {
        kind: "plan",
        orgId,
        scope,
        collectionId: detail.data.collectionId,
        userId: detail.data.userId,
        requestedAt,
      } satisfies ScoringJob);
      return;
    }
    case "contact.deleted": {
      // The reachability item went with the contact; its links go now, one contact's worth.
      const { collectionId, contactId } = detail.data;
      const links = await queryAll({
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: {
          ":pk": scoringKeys.link(orgId, collectionId, contactId, "").pk,
          ":prefix": scoringKeys.linkPrefix(contactId),
        },
        ProjectionExpression: "userId",
        ConsistentRead: true,
      });
      const outcome = await recomputeTargets(
        orgId,
        links.map((link) => ({ userId: link.userId as string, collectionId, contactId })),
        { source: "snapshot", now },
      );
      logOutcome("contact.deleted", orgId, outcome);
      return;
    }
    case "rules.changed":
      await Queues.send(SCORING_JOBS_QUEUE, {
        kind: "plan",
        orgId,
        scope: "rules",
        requestedAt,
      } satisfies ScoringJob);
      return;
    case "user.enriched":
      await Queues.send(SCORING_JOBS_QUEUE, {
        kind: "plan",
        orgId,
        scope: "member_enriched",
        userId: detail.data.userId,
        requestedAt,
      } satisfies ScoringJob);
      return;
    case "contact.enriched": {
      // One contact with every member of its collection: a team's worth, done here.
      const { collectionId, contactId } = detail.data;
      const members = await queryAll({
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: {
          ":pk": contactKeys.collectionPartition(orgId, collectionId),
          ":prefix": contactKeys.memberPrefix,
        },
        ProjectionExpression: "userId",
        ConsistentRead: true,
      });
      const outcome = await recomputeTargets(
        orgId,
        members.map((member) => ({ userId: member.userId as string, collectionId, contactId })),
        { source: "pairs", now },
      );
      logOutcome("contact.enriched", orgId, outcome);
      return;
    }
    case "user.key_connection_changed":
      await Queues.send(SCORING_JOBS_QUEUE, {
        kind: "plan",
        orgId,
        scope: "opt_out",
        userId: detail.data.userId,
        requestedAt,
      } satisfies ScoringJob);
      return;
  }
}

export async function handleScoringJob(
  job: ScoringJob,
  now = new Date(),
): Promise<RecomputeOutcome | undefined> {
  if (job.kind === "plan") {
    await plan(job, now);
    return undefined;
  }
  if (job.kind === "targets") {
    const outcome = await recomputeTargets(job.orgId, job.targets, { source: job.source, now });
    logOutcome("targets", job.orgId, outcome);
    return outcome;
  }
  const optOuts = lazy(() => readOptOuts(job.orgId));
  for (const contact of job.contacts) {
    await refreshReach(job.orgId, contact.collectionId, contact.contactId, { now, optOuts });
  }
  logger.info("reachability refreshed", { orgId: job.orgId, contacts: job.contacts.length });
  return { targets: 0, linksWritten: 0, tierChanges: 0, reachRecomputes: job.contacts.length };
}

/** The work a plan stands for, sent on in jobs of {@link TARGETS_PER_JOB}. */
async function plan(job: PlanJob, now: Date): Promise<void> {
  const requestedAt = job.requestedAt;
  if (job.scope === "opt_out") {
    const links = await linksOfUser(job.orgId, job.userId as string);
    const contacts = links.map(({ collectionId, contactId }) => ({ collectionId, contactId }));
    await sendChunks(contacts, (chunk) => ({
      kind: "reach",
      orgId: job.orgId,
      contacts: chunk,
      requestedAt,
    }));
    logger.info("scoring planned", { orgId: job.orgId, scope: job.scope, contacts: contacts.length });
    return;
  }
  const targets = await planTargets(job, now);
  const source = job.scope === "member_added" || job.scope === "member_enriched" ? "pairs" : "snapshot";
  await sendChunks(targets, (chunk) => ({
    kind: "targets",
    orgId: job.orgId,
    source,
    targets: chunk,
    requestedAt,
  }));
  logger.info("scoring planned", { orgId: job.orgId, scope: job.scope, targets: targets.length });
}

/** The targets of a plan. Read from the GSIs, eventually consistent: a link written a moment ago is
 * caught by the event that wrote it. */
export async function planTargets(job: PlanJob, now: Date): Promise<Target[]> {
  switch (job.scope) {
    case "nightly":
    case "rules": {
      const items = await queryAll({
        IndexName: "gsi2",
        KeyConditionExpression: job.scope === "nightly" ? "gsi2pk = :pk AND gsi2sk <= :now" : "gsi2pk = :pk",
        ExpressionAttributeValues: {
          ":pk": scoringKeys.linksOfOrg(job.orgId),
          // `<nextDecayAt>#…` sorts after a bare time equal to it: `#~` takes in links due exactly now.
          ...(job.scope === "nightly" ? { ":now": `${now.toISOString()}#~` } : {}),
        },
        ProjectionExpression: "userId, collectionId, contactId",
      });
      return items.map(asTarget);
    }
    case "member_added": {
      const contacts = await queryAll({
        IndexName: "gsi1",
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": contactKeys.contactsByName(job.collectionId as string) },
        ProjectionExpression: "id",
      });
      return contacts.map((contact) => ({
        userId: job.userId as string,
        collectionId: job.collectionId as string,
        contactId: contact.id as string,
      }));
    }
    case "member_enriched": {
      const memberships = await queryAll({
        IndexName: "gsi2",
        KeyConditionExpression: "gsi2pk = :pk",
        ExpressionAttributeValues: {
          ":pk": contactKeys.collectionsOfMember(job.orgId, job.userId as string),
        },
        ProjectionExpression: "collectionId",
      });
      const targets: Target[] = [];
      for (const { collectionId } of memberships) {
        targets.push(
          ...(await planTargets(
            { ...job, scope: "member_added", collectionId: collectionId as string },
            now,
          )),
        );
      }
      return targets;
    }
    case "member_removed":
      return (await linksOfUser(job.orgId, job.userId as string)).filter(
        (link) => link.collectionId === job.collectionId,
      );
    default:
      return [];
  }
}

async function linksOfUser(orgId: string, userId: string): Promise<Target[]> {
  const items = await queryAll({
    IndexName: "gsi1",
    KeyConditionExpression: "gsi1pk = :pk",
    ExpressionAttributeValues: { ":pk": scoringKeys.linksOfUser(orgId, userId) },
    ProjectionExpression: "userId, collectionId, contactId",
  });
  return items.map(asTarget);
}

const asTarget = (item: Record<string, unknown>): Target => ({
  userId: item.userId as string,
  collectionId: item.collectionId as string,
  contactId: item.contactId as string,
});

async function sendChunks<T>(values: readonly T[], job: (chunk: T[]) => ScoringJob): Promise<void> {
  const messages = [];
  for (let start = 0; start < values.length; start += TARGETS_PER_JOB) {
    messages.push({ body: job(values.slice(start, start + TARGETS_PER_JOB)) });
  }
  await Queues.sendBatch(SCORING_JOBS_QUEUE, messages);
}

/** The schedule's part: one nightly plan per org. */
export async function startNightly(now = new Date()): Promise<number> {
  let orgs = 0;
  let cursor: string | undefined;
  do {
    const page = await listOrgs({ limit: 200, cursor });
    await Queues.sendBatch(
      SCORING_JOBS_QUEUE,
      page.items.map((org) => ({
        body: {
          kind: "plan",
          orgId: org.id,
          scope: "nightly",
          requestedAt: now.toISOString(),
        } satisfies ScoringJob,
      })),
    );
    orgs += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  logger.info("scoring nightly started", { orgs });
  return orgs;
}

/** Info when something moved; a recompute that found everything current is only debug. */
function logOutcome(trigger: string, orgId: string, outcome: RecomputeOutcome): void {
  const level = outcome.linksWritten > 0 || outcome.reachRecomputes > 0 ? "info" : "debug";
  logger[level]("strength recomputed", { trigger, orgId, ...outcome });
}
