import { type Reader, readableCollection } from "../contacts/access";
import { ContactNotFound } from "../contacts/errors";
import { keys as contactKeys } from "../contacts/store";
import { auditItem, requireUser } from "../identity/store";
import { commit, db, retryOnConflict, TransactionCancelled } from "../storage";
import { NotFound } from "../util/errors";
import { KeyConnectionOptOutChanged } from "./events";
import { scoringKeys } from "./keys";
import { recomputeOne, type Target } from "./recompute";
import type { Tier } from "./rules";
import { type ConnectionView, toConnection } from "./store";

/**
 * Overrides and the key-connection opt-out: the two things a member decides about their own
 * strength. Both are audited in the member's own trail (`GET /users/{userId}/events`).
 */

export class MemberNotFound extends NotFound {
  override readonly name = "MemberNotFound";
  constructor() {
    super("Collection member", "member_not_found");
  }
}

/**
 * `PUT …/contacts/{contactId}/strength/{userId}`: the route lets only the member themself, an
 * admin or the operator through; the collection must be readable by the caller and the member one
 * of its team. The computed tier is recomputed and kept beside the override; the change (from, to,
 * who, when) is audited with it, and the contact's reachability is recomputed at once (one contact:
 * never a sweep).
 */
export async function setOverride(
  reader: Reader & { actor: string },
  orgId: string,
  collectionId: string,
  contactId: string,
  userId: string,
  override: Tier | null,
  now = new Date(),
): Promise<ConnectionView> {
  await readableCollection(reader, orgId, collectionId);
  const items = await db.batchGet(
    [contactKeys.contact(orgId, collectionId, contactId), contactKeys.member(orgId, collectionId, userId)],
    true,
  );
  if (!items.some((item) => item.entity === "contact")) throw new ContactNotFound();
  if (!items.some((item) => item.entity === "collectionMember")) throw new MemberNotFound();
  const target: Target = { userId, collectionId, contactId };
  const link = await retryOnConflict(
    () =>
      recomputeOne(orgId, target, {
        now,
        override: { value: override },
        audit: (before, after) =>
          auditItem(
            {
              orgId,
              userId,
              eventType: "strength_overridden",
              actor: reader.actor,
              before: {
                collectionId,
                contactId,
                override: before?.override ?? null,
                computedTier: before?.computedTier ?? null,
              },
              after: {
                collectionId,
                contactId,
                override: after?.override ?? null,
                computedTier: after?.computedTier ?? null,
              },
            },
            now,
          ),
      }),
    (error) => error instanceof TransactionCancelled,
  );
  if (link) return toConnection(link);
  return {
    userId,
    tier: null,
    computedTier: null,
    override: null,
    score: 0,
    reasons: [],
    lastInteractionAt: null,
    stats: null,
    ruleSetVersion: 0,
    computedAt: now.toISOString(),
  };
}

/**
 * `PUT /users/{userId}/key-connection`: an opted-out member still counts in reachability but is
 * never anyone's key connection. The flag, its audit and `user.key_connection_changed` are one
 * write; the reachability of the member's contacts is recomputed in the background from the event.
 */
export async function setKeyConnectionOptOut(
  actor: string,
  orgId: string,
  userId: string,
  optOut: boolean,
  now = new Date(),
): Promise<{ userId: string; optOut: boolean; updatedAt: string }> {
  await requireUser(orgId, userId);
  const key = scoringKeys.optOut(orgId, userId);
  const was = (await db.get({ Key: key, ConsistentRead: true })).Item !== undefined;
  if (was === optOut) return { userId, optOut, updatedAt: now.toISOString() };
  await commit(
    [
      optOut
        ? {
            Put: {
              Item: { ...key, entity: "keyConnectionOptOut", orgId, userId, createdAt: now.toISOString() },
            },
          }
        : { Delete: { Key: key } },
      auditItem(
        {
          orgId,
          userId,
          eventType: "key_connection_changed",
          actor,
          before: { optOut: was },
          after: { optOut },
        },
        now,
      ),
    ],
    { events: [KeyConnectionOptOutChanged.create(orgId, { userId, optOut }, now)], now },
  );
  return { userId, optOut, updatedAt: now.toISOString() };
}

export async function getKeyConnectionOptOut(orgId: string, userId: string) {
  await requireUser(orgId, userId);
  const { Item } = await db.get({ Key: scoringKeys.optOut(orgId, userId), ConsistentRead: true });
  return { userId, optOut: Item !== undefined };
}
