import { randomInt, randomUUID } from "node:crypto";
import { ConditionFailed, db } from "../storage";
import { logger } from "../util/logger";
import { enrichmentKeys } from "./keys";
import { EnrichmentDeferred, type EnrichmentProvider, type LookupResult, type PersonMatch } from "./provider";

/**
 * `EnrichedEmailLookup`: Findem's answer per normalized email, read before every call, so Findem
 * is asked once per unique email in a TTL window however many events, members or orgs carry it.
 * - A usable match (not ambiguous, confidence at or above the threshold) is kept 90 to 180 days,
 *   jittered per item so one backfill's entries do not all expire on the same day; anything else
 *   (no match, ambiguous, low confidence) is a negative entry kept 7 to 30 days.
 * - DynamoDB deletes expired items late (up to days), so reads ignore an item past `expiresAt`.
 * - Concurrent misses for one email make one call: in a container, callers share the promise; across
 *   containers, a conditional `#FLIGHT` item lets one caller through and defers the others briefly,
 *   after which they find the cached answer.
 */

const DAY_SECONDS = 86_400;
export const HIT_TTL_DAYS = { min: 90, max: 180 } as const;
export const MISS_TTL_DAYS = { min: 7, max: 30 } as const;
/** A caller that takes the flight and dies leaves it to expire after this long. */
const FLIGHT_LEASE_MS = 30_000;
const FLIGHT_WAIT_MS = 2_000;

/** The confidence a match needs (`ENRICHMENT_MIN_CONFIDENCE`, default 0.8). */
export function minConfidence(): number {
  const value = Number(process.env.ENRICHMENT_MIN_CONFIDENCE ?? "0.8");
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : 0.8;
}

export type LookupOutcome = "match" | "ambiguous" | "low_confidence" | "none";

export interface CachedLookup {
  email: string;
  outcome: LookupOutcome;
  /** Only for `match`: an ambiguous answer's best guess is never kept, let alone used. */
  match: PersonMatch | null;
  /** Kept for low-confidence answers, so a lower threshold can be reasoned about; never used. */
  confidence: number | null;
  fetchedAt: string;
  expiresAt: number;
  /** The orgs that resolved a correspondent with this answer: F7 re-resolves the email in each. */
  orgs: string[];
}

/** What Findem's answer means under the threshold. */
export function outcomeOf(result: LookupResult, threshold = minConfidence()): LookupOutcome {
  if (result.ambiguous) return "ambiguous";
  if (!result.match) return "none";
  return result.match.confidence >= threshold ? "match" : "low_confidence";
}

function ttlSeconds(outcome: LookupOutcome): number {
  const window = outcome === "match" ? HIT_TTL_DAYS : MISS_TTL_DAYS;
  return randomInt(window.min * DAY_SECONDS, window.max * DAY_SECONDS + 1);
}

/** Lower-cased and trimmed, as contacts and events store emails. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function fromItem(item: Record<string, unknown>): CachedLookup {
  return {
    email: item.email as string,
    outcome: item.outcome as LookupOutcome,
    match: (item.match as PersonMatch | null | undefined) ?? null,
    confidence: (item.confidence as number | null | undefined) ?? null,
    fetchedAt: item.fetchedAt as string,
    expiresAt: item.expiresAt as number,
    orgs: [...((item.orgs as Set<string> | undefined) ?? [])].sort(),
  };
}

/** The cached answer, or undefined when there is none or it has expired (whether or not deleted yet). */
export async function readCachedLookup(email: string, now = new Date()): Promise<CachedLookup | undefined> {
  const { Item } = await db.get({ Key: enrichmentKeys.lookup(email), ConsistentRead: true });
  if (!Item || (Item.expiresAt as number) <= Math.floor(now.getTime() / 1000)) return undefined;
  return fromItem(Item);
}

export async function writeCachedLookup(
  email: string,
  result: LookupResult,
  now = new Date(),
): Promise<CachedLookup> {
  const outcome = outcomeOf(result);
  const cached: CachedLookup = {
    email,
    outcome,
    match: outcome === "match" ? result.match : null,
    confidence: result.match?.confidence ?? null,
    fetchedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + ttlSeconds(outcome),
    orgs: [],
  };
  // A string set cannot be empty: `orgs` appears with the first org that uses the answer.
  const { orgs: _none, ...stored } = cached;
  await db.put({
    Item: {
      ...enrichmentKeys.lookup(email),
      entity: "enrichedEmailLookup",
      ...stored,
      ...(cached.match
        ? { gsi1pk: enrichmentKeys.emailsOfPerson(cached.match.findemId), gsi1sk: email }
        : {}),
    },
  });
  return cached;
}

/** Records that an org resolved a correspondent with this cached answer (once per org). */
export async function noteOrgUse(lookup: CachedLookup, orgId: string): Promise<void> {
  if (lookup.orgs.includes(orgId)) return;
  await db
    .update({
      Key: enrichmentKeys.lookup(lookup.email),
      UpdateExpression: "ADD orgs :org",
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeValues: { ":org": new Set([orgId]) },
    })
    .catch((error: unknown) => {
      // Invalidated meanwhile: F7 is re-resolving the email anyway.
      if (!(error instanceof ConditionFailed)) throw error;
    });
}

/** Forgets what is cached for these emails (F7); returns those that had an entry, with the orgs that used it. */
export async function invalidateEmails(
  emails: readonly string[],
): Promise<{ email: string; orgs: string[] }[]> {
  const gone: { email: string; orgs: string[] }[] = [];
  for (const email of new Set(emails.map(normalizeEmail))) {
    const { Attributes } = await db.delete({ Key: enrichmentKeys.lookup(email), ReturnValues: "ALL_OLD" });
    if (Attributes)
      gone.push({ email, orgs: [...((Attributes.orgs as Set<string> | undefined) ?? [])].sort() });
  }
  return gone;
}

/** Every email cached as this person's (gsi1). */
export async function cachedEmailsOfPerson(findemId: string): Promise<string[]> {
  const emails: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.query({
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": enrichmentKeys.emailsOfPerson(findemId) },
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    for (const item of page.Items ?? []) emails.push(item.email as string);
    start = page.LastEvaluatedKey;
  } while (start);
  return emails;
}

/** Counters of this container's lookups, for benchmarks and logs. */
export const lookupCounters = { cacheHits: 0, cacheMisses: 0, providerCalls: 0, sharedInFlight: 0 };

export function resetLookupCounters(): void {
  lookupCounters.cacheHits = 0;
  lookupCounters.cacheMisses = 0;
  lookupCounters.providerCalls = 0;
  lookupCounters.sharedInFlight = 0;
}

const inFlight = new Map<string, Promise<CachedLookup>>();

/**
 * The answer for an email: from the cache, else from one provider call (shared by concurrent
 * callers in the container, and guarded across containers). Throws `EnrichmentDeferred` when the
 * provider cannot answer now or another container is asking right now.
 */
export async function lookupEmail(
  provider: EnrichmentProvider,
  rawEmail: string,
  now = new Date(),
): Promise<{ lookup: CachedLookup; cached: boolean }> {
  const email = normalizeEmail(rawEmail);
  const cached = await readCachedLookup(email, now);
  if (cached) {
    lookupCounters.cacheHits++;
    return { lookup: cached, cached: true };
  }
  const pending = inFlight.get(email);
  if (pending) {
    lookupCounters.sharedInFlight++;
    return { lookup: await pending, cached: true };
  }
  lookupCounters.cacheMisses++;
  const call = askOnce(provider, email, now).finally(() => inFlight.delete(email));
  inFlight.set(email, call);
  return { lookup: await call, cached: false };
}

async function askOnce(provider: EnrichmentProvider, email: string, now: Date): Promise<CachedLookup> {
  const holder = randomUUID();
  try {
    await db.put({
      Item: {
        ...enrichmentKeys.flight(email),
        entity: "enrichmentFlight",
        holder,
        leaseUntil: Date.now() + FLIGHT_LEASE_MS,
        expiresAt: Math.floor(Date.now() / 1000) + 3_600,
      },
      ConditionExpression: "attribute_not_exists(pk) OR leaseUntil < :now",
      ExpressionAttributeValues: { ":now": Date.now() },
    });
  } catch (error) {
    if (error instanceof ConditionFailed) {
      // Another container is asking; it may already have written the answer.
      const answer = await readCachedLookup(email, now);
      if (answer) return answer;
      throw new EnrichmentDeferred("in_flight_elsewhere", FLIGHT_WAIT_MS);
    }
    throw error;
  }
  try {
    // The flight was taken after our cache read: someone may have finished in between.
    const answer = await readCachedLookup(email, now);
    if (answer) return answer;
    lookupCounters.providerCalls++;
    const result = await provider.lookupByEmail(email);
    return await writeCachedLookup(email, result, now);
  } finally {
    await db
      .delete({
        Key: enrichmentKeys.flight(email),
        ConditionExpression: "holder = :holder",
        ExpressionAttributeValues: { ":holder": holder },
      })
      .catch((error: unknown) => {
        if (!(error instanceof ConditionFailed))
          logger.warn("could not release an enrichment flight", { error });
      });
  }
}
