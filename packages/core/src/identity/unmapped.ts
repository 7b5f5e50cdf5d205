import {
  ConditionFailed,
  carryEvents,
  db,
  decodeCursor,
  encodeCursor,
  OUTBOX_ATTRIBUTE,
  outboxValue,
  type Page,
  pageSize,
} from "../storage";
import { scrubSample } from "../util/scrub";
import { IdentityUnmapped } from "./events";
import type { IdentityKind, IdentityRef, UnmappedIdentity } from "./schemas";
import { UnmappedIdentitySchema } from "./schemas";
import { keys } from "./store";

/**
 * Identities seen on a webhook that no user holds, kept for an operator to map. One item per
 * (org, kind, externalId). Each sighting adds to its count atomically and pushes its expiry to
 * 30 days after the sighting; because TTL deletion is lazy (and DynamoDB Local never deletes),
 * every read filters out expired items itself.
 */

export const RETENTION_DAYS = 30;
const SAMPLE_CONTEXT_LENGTH = 100;
const MAX_QUERY_ROUNDS = 5;

const byCountPartition = (orgId: string) => `ORG#${orgId}#UNMAPPED`;
const byKindPartition = (orgId: string, kind: string) => `ORG#${orgId}#UNMAPPED#${kind}`;

/**
 * The index sort key: count (zero-padded) then last sighting, so a descending query yields the
 * contract's order. It is written after the count, conditioned on that count, so a slower
 * concurrent sighting can never move an entry back to a lower rank.
 */
function rank(count: number, lastSeenAt: string, ref: IdentityRef): string {
  return `${String(count).padStart(12, "0")}#${lastSeenAt}#${ref.kind}#${ref.externalId}`;
}

export interface Sighting {
  eventType: string;
  /** Free text for triage; it is secret-scrubbed and cut to 100 characters before it is stored. */
  context?: string;
  candidates?: readonly string[];
}

/**
 * Records one sighting and returns the new count. A first sighting (of a new entry, or of one that
 * expired) carries `identity.unmapped` in its own write; later sightings keep that outbox value
 * unchanged (`if_not_exists`), so the event is published once per entry.
 */
export async function recordSighting(
  orgId: string,
  ref: IdentityRef,
  sighting: Sighting,
  now = new Date(),
): Promise<number> {
  const lastSeenAt = now.toISOString();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const values = {
    ":now": lastSeenAt,
    ":nowSeconds": nowSeconds,
    ":expiresAt": nowSeconds + RETENTION_DAYS * 86_400,
    ":eventType": sighting.eventType.slice(0, 100),
    ":context": scrubSample(sighting.context ?? "", SAMPLE_CONTEXT_LENGTH),
    ":candidates": [...new Set(sighting.candidates ?? [])],
    ":kind": ref.kind,
    ":externalId": ref.externalId,
    ":orgId": orgId,
    ":byCount": byCountPartition(orgId),
    ":byKind": byKindPartition(orgId, ref.kind),
    ":one": 1,
  };
  const firstSighting = [
    IdentityUnmapped.create(orgId, { kind: ref.kind, externalId: ref.externalId, count: 1 }, now),
  ];
  // A sighting without an email says nothing about candidates: it keeps the ones already found.
  const candidatesUpdate =
    values[":candidates"].length > 0 ? ":candidates" : "if_not_exists(candidates, :candidates)";
  let count: number;
  try {
    const result = await db.update({
      Key: keys.unmapped(orgId, ref.kind, ref.externalId),
      UpdateExpression: [
        "SET entity = :entity, orgId = :orgId, kind = :kind, externalId = :externalId,",
        "firstSeenAt = if_not_exists(firstSeenAt, :now), lastSeenAt = :now, sampleEventType = :eventType,",
        `sampleContext = :context, candidates = ${candidatesUpdate}, expiresAt = :expiresAt,`,
        "gsi1pk = :byCount, gsi2pk = :byKind, #outbox = if_not_exists(#outbox, :outbox) ADD #count :one",
      ].join(" "),
      // An expired entry that TTL has not removed yet is not continued: it starts over below.
      ConditionExpression: "attribute_not_exists(pk) OR expiresAt > :nowSeconds",
      ExpressionAttributeNames: { "#count": "count", "#outbox": OUTBOX_ATTRIBUTE },
      ExpressionAttributeValues: { ...values, ":entity": "unmapped", ":outbox": outboxValue(firstSighting) },
      ReturnValues: "ALL_NEW",
    });
    count = result.Attributes?.count as number;
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    count = 1;
    await db
      .put({
        Item: {
          ...keys.unmapped(orgId, ref.kind, ref.externalId),
          entity: "unmapped",
          orgId,
          kind: ref.kind,
          externalId: ref.externalId,
          count,
          firstSeenAt: lastSeenAt,
          lastSeenAt,
          sampleEventType: values[":eventType"],
          sampleContext: values[":context"],
          candidates: values[":candidates"],
          expiresAt: values[":expiresAt"],
          gsi1pk: values[":byCount"],
          gsi2pk: values[":byKind"],
          ...carryEvents(firstSighting),
        },
        ConditionExpression: "expiresAt <= :nowSeconds",
        ExpressionAttributeValues: { ":nowSeconds": nowSeconds },
      })
      .catch((putError) => {
        // A concurrent sighting restarted it first; this one is then simply a later sighting.
        if (!(putError instanceof ConditionFailed)) throw putError;
        return recordSighting(orgId, ref, sighting, now).then((recount) => {
          count = recount;
        });
      });
  }
  const sortKey = rank(count, lastSeenAt, ref);
  await db
    .update({
      Key: keys.unmapped(orgId, ref.kind, ref.externalId),
      UpdateExpression: "SET gsi1sk = :rank, gsi2sk = :rank",
      ConditionExpression: "#count = :count",
      ExpressionAttributeNames: { "#count": "count" },
      ExpressionAttributeValues: { ":rank": sortKey, ":count": count },
    })
    .catch((error) => {
      if (!(error instanceof ConditionFailed)) throw error;
    });
  return count;
}

function toUnmapped(item: Record<string, unknown>): UnmappedIdentity {
  return UnmappedIdentitySchema.parse({
    kind: item.kind,
    externalId: item.externalId,
    count: item.count,
    firstSeenAt: item.firstSeenAt,
    lastSeenAt: item.lastSeenAt,
    sampleEventType: item.sampleEventType,
    sampleContext: item.sampleContext,
    candidates: item.candidates ?? [],
  });
}

/**
 * Unmapped identities, by count then most recent sighting, optionally of one kind. Served by an
 * index (never a Scan); expired entries are skipped and the query continues until the page fills.
 */
export async function list(
  orgId: string,
  input: { kind?: IdentityKind; limit?: string | number; cursor?: string },
  now = new Date(),
): Promise<Page<UnmappedIdentity>> {
  const limit = pageSize(input.limit);
  const [index, partitionKey, partition] = input.kind
    ? (["gsi2", "gsi2pk", byKindPartition(orgId, input.kind)] as const)
    : (["gsi1", "gsi1pk", byCountPartition(orgId)] as const);
  const sortKey = index === "gsi1" ? "gsi1sk" : "gsi2sk";
  const items: UnmappedIdentity[] = [];
  let rounds = 0;
  let startKey: Record<string, unknown> | undefined = decodeCursor(input.cursor, {
    keys: ["pk", "sk", partitionKey, sortKey],
    partition: { [partitionKey]: partition },
  });
  do {
    const result = await db.query({
      IndexName: index,
      KeyConditionExpression: `${partitionKey} = :pk`,
      FilterExpression: "expiresAt > :now",
      ExpressionAttributeValues: { ":pk": partition, ":now": Math.floor(now.getTime() / 1000) },
      ScanIndexForward: false,
      Limit: limit - items.length,
      ExclusiveStartKey: startKey,
    });
    for (const item of result.Items ?? []) items.push(toUnmapped(item));
    startKey = result.LastEvaluatedKey;
    rounds += 1;
    // A run of expired entries (TTL deletion is lazy) must not hold one request for long: after a
    // few queries a short page goes back with its cursor, and the caller simply reads on.
  } while (items.length < limit && startKey && rounds < MAX_QUERY_ROUNDS);
  return { items, nextCursor: encodeCursor(startKey) };
}

/** The live (unexpired) entry, if any. */
export async function find(
  orgId: string,
  ref: IdentityRef,
  now = new Date(),
): Promise<UnmappedIdentity | undefined> {
  const result = await db.get({ Key: keys.unmapped(orgId, ref.kind, ref.externalId), ConsistentRead: true });
  if (!result.Item || (result.Item.expiresAt as number) <= Math.floor(now.getTime() / 1000)) return undefined;
  return toUnmapped(result.Item);
}
