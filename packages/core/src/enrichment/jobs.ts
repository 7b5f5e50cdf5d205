import * as z from "zod/mini";
import { envelopeFields } from "../events/detail";
import { LIVE_STATUSES, providerAccountPages } from "../mailbox/store";
import * as Queues from "../queues";
import { logger } from "../util/logger";
import { enrichmentConfigured, providerOverride } from "./configured";
import { configuredProvider } from "./findem";
import { enrichContact, enrichUser, refreshPerson } from "./profiles";
import { EnrichmentDeferred, type EnrichmentProvider } from "./provider";
import { resolveCorrespondent } from "./resolve";

/**
 * Enrichment's queue, `enrichment`: everything that may call the provider runs here, off the
 * ingest and request paths. Messages are jobs (`resolve`, `user`, `contact`, `person`) or bus events
 * (`mailbox.connected` enriches the member; `strength.changed` from no tier enriches the contact,
 * which now has its first connection). A provider that cannot answer (breaker open, rate limited,
 * another container asking) defers the job: it is sent again with a delay and this delivery
 * succeeds, so a long outage never exhausts the receive count into the DLQ.
 */

export const ENRICHMENT_QUEUE = "enrichment";
const MAX_DELAY_SECONDS = 900;

export const EnrichmentJobSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("resolve"),
    orgId: z.string(),
    email: z.string(),
    deferrals: z.optional(z.int()),
  }),
  z.object({
    kind: z.literal("user"),
    orgId: z.string(),
    userId: z.string(),
    deferrals: z.optional(z.int()),
  }),
  z.object({
    kind: z.literal("contact"),
    orgId: z.string(),
    collectionId: z.string(),
    contactId: z.string(),
    force: z.optional(z.boolean()),
    deferrals: z.optional(z.int()),
  }),
  z.object({ kind: z.literal("person"), findemId: z.string(), deferrals: z.optional(z.int()) }),
]);
export type EnrichmentJob = z.infer<typeof EnrichmentJobSchema>;

const detailOf = <Type extends string, Data extends z.ZodMiniType>(type: Type, data: Data) =>
  z.object({ id: z.string(), type: z.literal(type), occurredAt: z.string(), orgId: z.string(), data });

const EnrichmentEventSchema = z.object({
  ...envelopeFields,
  detail: z.discriminatedUnion("type", [
    detailOf("mailbox.connected", z.object({ userId: z.string() })),
    detailOf(
      "strength.changed",
      z.object({
        collectionId: z.string(),
        contactId: z.string(),
        userId: z.string(),
        from: z.nullable(z.string()),
        to: z.nullable(z.string()),
      }),
    ),
  ]),
});

export const EnrichmentMessageSchema = z.union([EnrichmentJobSchema, EnrichmentEventSchema]);
export type EnrichmentMessage = z.infer<typeof EnrichmentMessageSchema>;

/** The job a message stands for, or undefined when there is nothing to do (a tier change that is not a first). */
export function jobOf(message: EnrichmentMessage): EnrichmentJob | undefined {
  if ("kind" in message) return message;
  const { detail } = message;
  if (detail.type === "mailbox.connected")
    return { kind: "user", orgId: detail.orgId, userId: detail.data.userId };
  if (detail.data.from !== null || detail.data.to === null) return undefined;
  return {
    kind: "contact",
    orgId: detail.orgId,
    collectionId: detail.data.collectionId,
    contactId: detail.data.contactId,
  };
}

/** How a deferred job comes back: sent again to the queue, hidden for `delaySeconds`. */
export type Defer = (job: EnrichmentJob, delaySeconds: number) => Promise<void>;

const sendAgain: Defer = (job, delaySeconds) => Queues.send(ENRICHMENT_QUEUE, job, { delaySeconds });

/** Runs one message; a deferral is sent again, delayed, and counts as handled. */
export async function handleEnrichmentMessage(
  message: EnrichmentMessage,
  now = new Date(),
  options: { defer?: Defer } = {},
): Promise<void> {
  const job = jobOf(message);
  // Off (or no key): a message that reaches the queue anyway is consumed without a call.
  if (!job || !enrichmentConfigured()) return;
  const override = providerOverride();
  const findem = override === undefined ? await configuredProvider() : (override ?? undefined);
  if (!findem) return;
  try {
    await runJob(findem, job, now);
  } catch (error) {
    if (!(error instanceof EnrichmentDeferred)) throw error;
    const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    logger.info("enrichment deferred", { kind: job.kind, reason: error.reason, delaySeconds });
    await (options.defer ?? sendAgain)({ ...job, deferrals: (job.deferrals ?? 0) + 1 }, delaySeconds);
  }
}

export async function runJob(
  findem: EnrichmentProvider,
  job: EnrichmentJob,
  now = new Date(),
): Promise<void> {
  switch (job.kind) {
    case "resolve": {
      const outcome = await resolveCorrespondent(findem, job.orgId, job.email, now);
      if (outcome.added.length + outcome.removed.length > 0) {
        logger.info("correspondent resolved by enrichment", {
          orgId: job.orgId,
          added: outcome.added.length,
          removed: outcome.removed.length,
        });
      }
      return;
    }
    case "user":
      await enrichUser(findem, job.orgId, job.userId, now);
      return;
    case "contact":
      await enrichContact(findem, job.orgId, job.collectionId, job.contactId, { now, force: job.force });
      return;
    case "person":
      await refreshPerson(findem, job.findemId, now);
      return;
  }
}

/**
 * The stream's part: correspondents the rollup flagged (`enrichmentRequestedAt` new or moved on the
 * lookup item) become `resolve` jobs. Only the email goes on the queue, never onto the bus.
 */
export async function requestResolutions(
  changes: readonly { newImage?: Record<string, unknown>; oldImage?: Record<string, unknown> }[],
): Promise<number> {
  const jobs = new Map<string, EnrichmentJob>();
  for (const { newImage, oldImage } of changes) {
    const requested = newImage?.enrichmentRequestedAt;
    if (!newImage || !requested || requested === oldImage?.enrichmentRequestedAt) continue;
    const orgId = newImage.orgId as string;
    const email = newImage.email as string;
    jobs.set(`${orgId}\u0000${email}`, { kind: "resolve", orgId, email });
  }
  return sendResolveJobs(jobs);
}

/**
 * The other stream part: a deleted contact's reachability item (a REMOVE, with its old image) names
 * the emails enrichment resolved to that contact. Each is resolved again; the answer is cached, so
 * this costs no provider call inside its TTL. Resolution keeps only contacts that still exist, so
 * the lookup item drops the gone one, and an email that resolves to nobody else returns to the
 * unresolved queue. The contact's own emails need nothing: its deletion took its references off
 * their lookup items in the same transaction.
 */
export async function requestReresolutionsOfDeletedContacts(
  changes: readonly { newImage?: Record<string, unknown>; oldImage?: Record<string, unknown> }[],
): Promise<number> {
  const jobs = new Map<string, EnrichmentJob>();
  for (const { newImage, oldImage } of changes) {
    if (newImage || oldImage?.entity !== "reachability") continue;
    const orgId = oldImage.orgId as string;
    const emails = (oldImage.resolvedEmails as Iterable<string> | undefined) ?? [];
    for (const email of emails) jobs.set(`${orgId}\u0000${email}`, { kind: "resolve", orgId, email });
  }
  return sendResolveJobs(jobs);
}

/** Queues the resolve jobs, keyed by (org, email) so a batch asks once per email; none when enrichment is off. */
async function sendResolveJobs(jobs: ReadonlyMap<string, EnrichmentJob>): Promise<number> {
  if (jobs.size === 0 || !enrichmentConfigured()) return 0;
  await Queues.sendBatch(
    ENRICHMENT_QUEUE,
    [...jobs.values()].map((body) => ({ body })),
  );
  return jobs.size;
}

const SPREAD_SECONDS = 900;

/** The weekly refresh: every member with a connected mailbox is enriched again, spread over 15 minutes. */
export async function startWeeklyUserEnrichment(options: { spreadSeconds?: number } = {}): Promise<number> {
  const spread = options.spreadSeconds ?? SPREAD_SECONDS;
  if (!enrichmentConfigured()) return 0;
  const users = new Map<string, EnrichmentJob>();
  for (const provider of ["google", "microsoft"] as const) {
    for await (const page of providerAccountPages(provider)) {
      for (const { orgId, userId, status } of page) {
        if (LIVE_STATUSES.includes(status)) users.set(`${orgId}/${userId}`, { kind: "user", orgId, userId });
      }
    }
  }
  await Queues.sendBatch(
    ENRICHMENT_QUEUE,
    [...users.values()].map((body, index) => ({ body, delaySeconds: spread > 0 ? index % spread : 0 })),
  );
  logger.info("weekly user enrichment started", { users: users.size });
  return users.size;
}
