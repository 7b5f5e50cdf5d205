import type { GuardedItem } from "../storage/transaction";

/**
 * Where strength and reachability live in the single table (docs/data-model.md, "Strength and
 * reachability"). Schema-free, like `rollup/keys.ts`, so the contacts module can write a contact's
 * reachability item in the contact's own transaction without importing the scoring code.
 *
 * In the collection's partition (`ORG#<org>#COLLECTION#<collection>`):
 * - `LINK#<contact>#<user>`: the strength of one member with one contact (the contract's
 *   `Connection`), so a contact's connections are one Query;
 *   gsi1 `ORG#<org>#USER#<user>#LINKS` / `<collection>#<contact>`: one member's links (a member
 *   leaving, an opt-out); gsi2 `ORG#<org>#LINKS` / `<nextDecayAt|~>#…`: the org's links by the time
 *   their score next decays (the nightly) and all of them (a rule change).
 * - `REACH#<contact>`: the contact's reachability in the collection;
 *   gsi1 `COLLECTION#<collection>#REACH#<tier>` / the contact's name key: `?reachability=` and
 *   `sort=reachability` read one partition per tier, in name order;
 *   gsi2 `COLLECTION#<collection>#BY-STRENGTH` / `<key tier>#<inverted key score>#<contact>`:
 *   `sort=strength`.
 * In the org's rule partition (`ORG#<org>#RULES`): `VERSION#<000001>`, every version kept.
 * In the org's opt-out partition (`ORG#<org>#KEY-OPT-OUTS`): `USER#<user>` for each member who
 * asked never to be the key connection.
 */

export type ReachTierName = "high" | "medium" | "low" | "none";

const collectionPartition = (orgId: string, collectionId: string) =>
  `ORG#${orgId}#COLLECTION#${collectionId}`;

export const scoringKeys = {
  link: (orgId: string, collectionId: string, contactId: string, userId: string) => ({
    pk: collectionPartition(orgId, collectionId),
    sk: `LINK#${contactId}#${userId}`,
  }),
  linkPrefix: (contactId: string) => `LINK#${contactId}#`,
  linksOfUser: (orgId: string, userId: string) => `ORG#${orgId}#USER#${userId}#LINKS`,
  linksOfOrg: (orgId: string) => `ORG#${orgId}#LINKS`,
  reach: (orgId: string, collectionId: string, contactId: string) => ({
    pk: collectionPartition(orgId, collectionId),
    sk: `REACH#${contactId}`,
  }),
  reachByTier: (collectionId: string, tier: ReachTierName) => `COLLECTION#${collectionId}#REACH#${tier}`,
  reachByStrength: (collectionId: string) => `COLLECTION#${collectionId}#BY-STRENGTH`,
  rules: (orgId: string) => `ORG#${orgId}#RULES`,
  rulesVersion: (version: number) => `VERSION#${String(version).padStart(6, "0")}`,
  optOuts: (orgId: string) => `ORG#${orgId}#KEY-OPT-OUTS`,
  optOut: (orgId: string, userId: string) => ({ pk: scoringKeys.optOuts(orgId), sk: `USER#${userId}` }),
};

/** The strength sort key of a contact nobody connects to: after every contact with a key connection. */
export const NO_KEY_STRENGTH_RANK = 3;
const SCORE_CEILING = 99_999;

/** `<key tier rank>#<inverted score>#<contact>`: best key connection first in ascending order. */
export function strengthSortKey(keyTierRank: number, keyScore: number, contactId: string): string {
  const inverted = SCORE_CEILING - Math.max(0, Math.min(SCORE_CEILING, Math.round(keyScore * 100)));
  return `${keyTierRank}#${String(inverted).padStart(5, "0")}#${contactId}`;
}

/**
 * The contact's reachability item, created with the contact (tier `none`, nobody counted) and
 * renamed with it, in the contact's own transaction. Every attribute strength owns is set only
 * when absent, so a rename never undoes a computed reachability, and a contact created before
 * reachability existed gets its item on its next write.
 */
export function upsertReachItem(
  contact: { orgId: string; collectionId: string; id: string },
  nameKey: string,
  now: string,
  options: { bumpInputs?: boolean } = {},
): GuardedItem {
  const inputs = options.bumpInputs ? "" : "inputsVersion = if_not_exists(inputsVersion, :zero), ";
  return {
    Update: {
      Key: scoringKeys.reach(contact.orgId, contact.collectionId, contact.id),
      UpdateExpression:
        "SET entity = :entity, orgId = :org, collectionId = :collection, contactId = :contact, " +
        "nameKey = :name, gsi1sk = :name, gsi1pk = if_not_exists(gsi1pk, :nonePk), " +
        "tier = if_not_exists(tier, :none), warm = if_not_exists(warm, :zero), " +
        "known = if_not_exists(known, :zero), cold = if_not_exists(cold, :zero), " +
        "keyUserId = if_not_exists(keyUserId, :null), computedAt = if_not_exists(computedAt, :now), " +
        inputs +
        "computedVersion = if_not_exists(computedVersion, :zero), " +
        "gsi2pk = if_not_exists(gsi2pk, :strengthPk), gsi2sk = if_not_exists(gsi2sk, :noKey)" +
        (options.bumpInputs ? " ADD inputsVersion :one" : ""),
      ExpressionAttributeValues: {
        ...(options.bumpInputs ? { ":one": 1 } : {}),
        ":entity": "reachability",
        ":org": contact.orgId,
        ":collection": contact.collectionId,
        ":contact": contact.id,
        ":name": nameKey,
        ":nonePk": scoringKeys.reachByTier(contact.collectionId, "none"),
        ":none": "none",
        ":zero": 0,
        ":null": null,
        ":now": now,
        ":strengthPk": scoringKeys.reachByStrength(contact.collectionId),
        ":noKey": strengthSortKey(NO_KEY_STRENGTH_RANK, 0, contact.id),
      },
    },
  };
}

/** A deleted contact takes its reachability item with it; its links go in the background. */
export function deleteReachItem(contact: { orgId: string; collectionId: string; id: string }): GuardedItem {
  return { Delete: { Key: scoringKeys.reach(contact.orgId, contact.collectionId, contact.id) } };
}
