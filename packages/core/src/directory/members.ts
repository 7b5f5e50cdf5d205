import * as Identity from "../identity";
import { ConditionFailed, commit, db, type GuardedItem } from "../storage";
import { logger } from "../util/logger";
import { knownDirectoryOrganizations } from "./cursors";
import { MemberKeptMoving, MemberMoved } from "./errors";
import { claimedOrgId } from "./organizations";
import type {
  DirectoryClient,
  DirectoryMembership,
  DirectoryUser,
  MembershipEvent,
  MembershipStatus,
  UserEvent,
} from "./types";

/**
 * Members of directory organizations become users of their org, through the identity core (so its
 * uniqueness rules hold): identity kind `workos` = the directory user id, with the directory's
 * email, which links or creates only when the directory says it is verified.
 *
 * Per (org, directory user) one member item holds what the directory says: the membership
 * (status, guarded by event id and `updated_at`) and the user's profile (guarded by the user's
 * `updated_at`). Events only ever move that item forward, with conditional writes; the Kith user
 * is then converged to it. Converging is idempotent, so a crash between the two is repaired by
 * the retry (the item remembers which state it last converged), and a stale event changes nothing.
 */

/** Audit actor of every change the directory makes: `system:directory:workos`. */
export const SOURCE = "directory:workos";
/** Rounds of converging a member whose item keeps moving under it before the queue retries. */
const CONVERGE_ROUNDS = 6;

const ACTOR = `system:${SOURCE}`;

export interface MemberItem {
  orgId: string;
  directoryOrgId: string;
  directoryUserId: string;
  membershipId?: string;
  /** The membership's status; `deleted` once the membership is gone. */
  status?: MembershipStatus | "deleted";
  lastEventId?: string;
  /** The membership's `updated_at` (for a snapshot of a vanished membership, the reconcile time). */
  directoryUpdatedAt?: string;
  /** The membership state (`lastEventId`) the Kith user was last converged to. */
  convergedEventId?: string;
  email?: string;
  emailVerified?: boolean;
  name?: string | null;
  /** The directory user's `updated_at`: the guard of profile changes. */
  userUpdatedAt?: string;
  /** The profile (`userUpdatedAt`) last converged; profile changes are applied once per directory change. */
  profileSyncedAt?: string;
  userDeleted?: boolean;
  /** The Kith user last resolved for this member (informative; the identity claim is the truth). */
  userId?: string;
  /**
   * The status the directory itself put the user in (`suspended` or `invited`). Only a status the
   * directory set is lifted by the directory: a user an admin suspended stays suspended.
   */
  directoryStatus?: "suspended" | "invited";
  /** Bumped by every write to the item: converging commits only against the revision it read. */
  revision?: number;
}

export const memberKeys = {
  member: (orgId: string, directoryUserId: string) => ({
    pk: `ORG#${orgId}#DIRMEMBER#${directoryUserId}`,
    sk: "#MEMBER",
  }),
  /** gsi1: every org a directory user is a member of (for `user.*` events). */
  byDirectoryUser: (directoryUserId: string) => `DIRUSER#${directoryUserId}`,
  /** gsi2: every directory member of an org (for a full reconcile). */
  byOrg: (orgId: string) => `ORG#${orgId}#DIRMEMBERS`,
};

export async function member(orgId: string, directoryUserId: string): Promise<MemberItem | undefined> {
  const result = await db.get({ Key: memberKeys.member(orgId, directoryUserId), ConsistentRead: true });
  return result.Item as MemberItem | undefined;
}

async function queryAll(input: Parameters<typeof db.query>[0]): Promise<MemberItem[]> {
  const items: MemberItem[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await db.query({ ...input, ExclusiveStartKey: startKey });
    items.push(...((result.Items ?? []) as MemberItem[]));
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Every member item of a directory user, one per org (eventually consistent, from gsi1). */
export function membersOfDirectoryUser(directoryUserId: string): Promise<MemberItem[]> {
  return queryAll({
    IndexName: "gsi1",
    KeyConditionExpression: "gsi1pk = :pk",
    ExpressionAttributeValues: { ":pk": memberKeys.byDirectoryUser(directoryUserId) },
  });
}

function membersOfOrg(orgId: string): Promise<MemberItem[]> {
  return queryAll({
    IndexName: "gsi2",
    KeyConditionExpression: "gsi2pk = :pk",
    ExpressionAttributeValues: { ":pk": memberKeys.byOrg(orgId) },
  });
}

/** Runs a conditional write; false when its condition failed (the state it would write is not newer). */
async function guarded(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionFailed) return false;
    throw error;
  }
}

const EVENT_GUARD =
  "(attribute_not_exists(lastEventId) OR lastEventId < :eventId) AND " +
  "(attribute_not_exists(directoryUpdatedAt) OR directoryUpdatedAt <= :updatedAt)";
const SNAPSHOT_GUARD = "attribute_not_exists(directoryUpdatedAt) OR directoryUpdatedAt < :updatedAt";

/**
 * Records a membership state on the member item (creating it), if it is newer than the one held:
 * an event needs a greater event id and an `updated_at` not older than a snapshot's; a snapshot
 * (no event id) needs a newer `updated_at`.
 */
function recordMembership(
  orgId: string,
  membership: DirectoryMembership,
  status: MembershipStatus | "deleted",
  eventId: string | undefined,
): Promise<boolean> {
  const values: Record<string, unknown> = {
    ":entity": "directoryMember",
    ":orgId": orgId,
    ":dir": membership.organizationId,
    ":user": membership.userId,
    ":membershipId": membership.id,
    ":status": status,
    ":updatedAt": membership.updatedAt,
    ":gsi1pk": memberKeys.byDirectoryUser(membership.userId),
    ":gsi2pk": memberKeys.byOrg(orgId),
    ":one": 1,
  };
  if (eventId) values[":eventId"] = eventId;
  return guarded(() =>
    db.update({
      Key: memberKeys.member(orgId, membership.userId),
      UpdateExpression:
        "SET entity = :entity, orgId = :orgId, directoryOrgId = :dir, directoryUserId = :user, " +
        "membershipId = :membershipId, #status = :status, directoryUpdatedAt = :updatedAt, " +
        `${eventId ? "lastEventId = :eventId, " : ""}gsi1pk = :gsi1pk, gsi1sk = :orgId, gsi2pk = :gsi2pk, gsi2sk = :user ` +
        "ADD revision :one",
      ConditionExpression: eventId ? EVENT_GUARD : SNAPSHOT_GUARD,
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: values,
    }),
  );
}

function profileUpdate(user: DirectoryUser): string {
  const sets = ["emailVerified = :verified", "userUpdatedAt = :userUpdatedAt"];
  const removes: string[] = [];
  (user.email ? sets : removes).push(user.email ? "email = :email" : "email");
  (user.name ? sets : removes).push(user.name ? "#name = :name" : "#name");
  return `SET ${sets.join(", ")} ADD revision :one${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`;
}

/** Records the directory user's profile on an existing member item, if newer than the one held. */
function recordProfile(orgId: string, user: DirectoryUser): Promise<boolean> {
  return guarded(() =>
    db.update({
      Key: memberKeys.member(orgId, user.id),
      // A directory user without an email (or name) keeps none here: the attribute is removed.
      UpdateExpression: profileUpdate(user),
      ConditionExpression:
        "attribute_exists(pk) AND attribute_not_exists(userDeleted) AND " +
        "(attribute_not_exists(userUpdatedAt) OR userUpdatedAt < :userUpdatedAt)",
      ExpressionAttributeNames: { "#name": "name" },
      ExpressionAttributeValues: {
        ...(user.email ? { ":email": user.email } : {}),
        ":verified": user.emailVerified === true,
        ...(user.name ? { ":name": user.name } : {}),
        ":userUpdatedAt": user.updatedAt,
        ":one": 1,
      },
    }),
  );
}

/** Marks the directory user deleted (final: WorkOS never reuses a user id). */
function recordUserDeleted(orgId: string, directoryUserId: string): Promise<boolean> {
  return guarded(() =>
    db.update({
      Key: memberKeys.member(orgId, directoryUserId),
      UpdateExpression: "SET userDeleted = :true ADD revision :one",
      ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(userDeleted)",
      ExpressionAttributeValues: { ":true": true, ":one": 1 },
    }),
  );
}

/** Reads the directory user now and records their profile (or their deletion) on the member item. */
async function refreshProfile(orgId: string, directoryUserId: string, client: DirectoryClient) {
  const user = await client.getUser(directoryUserId);
  if (user) await recordProfile(orgId, user);
  else await recordUserDeleted(orgId, directoryUserId);
}

type Status = Identity.User["status"];

/** The status change the directory asks of a user, and the directory status to remember. */
function statusChange(
  item: MemberItem,
  alive: boolean,
  current: Status,
  created: boolean,
): { status?: Status; directoryStatus: MemberItem["directoryStatus"] } {
  const remembered = item.directoryStatus;
  // Inactive, removed from the org, or deleted from the directory: suspended, whoever made them active.
  if (!alive) {
    return current === "suspended"
      ? { directoryStatus: remembered === "suspended" ? "suspended" : undefined }
      : { status: "suspended", directoryStatus: "suspended" };
  }
  if (item.status === "pending") {
    // An invitation not yet accepted: a user the directory creates starts invited (in the create).
    if (current === "invited" && (created || remembered === "invited" || remembered === undefined)) {
      return { directoryStatus: "invited" };
    }
    if (created || (current === "suspended" && remembered === "suspended")) {
      return { status: "invited", directoryStatus: "invited" };
    }
    return { directoryStatus: current === remembered ? remembered : undefined };
  }
  // Active: lift only what the directory itself imposed.
  if (current !== "active" && current === remembered) return { status: "active", directoryStatus: undefined };
  return { directoryStatus: current === remembered ? remembered : undefined };
}

/**
 * Converges the Kith user of one member to what the member item says. Idempotent: re-running it
 * on the same item changes nothing.
 * - A live member (active or pending, user not deleted) resolves through `Identity.resolve`: by the
 *   `workos` identity, else linked by verified email, else created with a verified email. With an
 *   unverified email nothing is linked or created: the identity is recorded as unmapped (listing
 *   the email's owner as a candidate) for an admin to map.
 * - Anyone else (inactive, removed, deleted) is only looked up by identity, never created.
 * - Then the status (see `statusChange`) and, once per directory profile change and only with a
 *   verified email, the name and email are applied with `Identity.update`. An email another user
 *   holds is logged and left; the name is still applied.
 */
async function converge(orgId: string, directoryUserId: string): Promise<void> {
  for (let round = 0; round < CONVERGE_ROUNDS; round++) {
    try {
      await convergeOnce(orgId, directoryUserId);
      return;
    } catch (error) {
      // Another stream moved the member item while we converged: converge again from what it says now.
      if (!(error instanceof MemberMoved)) throw error;
    }
  }
  throw new MemberKeptMoving(orgId, directoryUserId);
}

async function convergeOnce(orgId: string, directoryUserId: string): Promise<void> {
  const item = await member(orgId, directoryUserId);
  if (!item) return;
  const alive = (item.status === "active" || item.status === "pending") && !item.userDeleted;
  const ref = { kind: "workos" as const, externalId: directoryUserId };
  const verified = item.emailVerified === true && typeof item.email === "string";
  const nameHint = Identity.displayName(item.name ?? undefined) || undefined;
  let userId: string | undefined;
  let created = false;
  if (alive) {
    const resolution = await Identity.resolve(orgId, ref, {
      email: item.email,
      emailVerified: verified,
      nameHint,
      source: SOURCE,
      allowCreate: true,
      createStatus: item.status === "pending" ? "invited" : "active",
      sighting: {
        eventType: "organization_membership",
        context: item.email ? `directory member ${item.email} (email not verified)` : undefined,
      },
    });
    if (resolution.outcome === "resolved") {
      userId = resolution.userId;
      created = resolution.via === "created";
    } else {
      logger.info("directory member not linked: no verified email; recorded as unmapped", {
        orgId,
        directoryUserId,
      });
    }
  } else {
    userId = await Identity.userIdForIdentity(orgId, ref);
  }

  let directoryStatus = item.directoryStatus;
  let userChanges: Identity.UpdateUserInput = {};
  // The profile counts as synced only where it could be applied: a suspended or unlinked member
  // gets the directory's latest profile when they are live again.
  const profileSynced = alive && userId !== undefined;
  if (userId) {
    const user = await Identity.get(orgId, userId);
    const change = statusChange(item, alive, user.status, created);
    directoryStatus = change.directoryStatus;
    const changes: Identity.UpdateUserInput = {};
    if (change.status && change.status !== user.status) changes.status = change.status;
    const profileDue =
      alive && verified && item.userUpdatedAt !== undefined && item.profileSyncedAt !== item.userUpdatedAt;
    if (profileDue && !created) {
      if (nameHint && nameHint !== user.name) changes.name = nameHint;
      const email = Identity.EmailSchema.safeParse(item.email);
      if (email.success && email.data !== user.email) changes.email = email.data;
    }
    userChanges = changes;
  }

  const sets = ["convergedAt = :now"];
  const values: Record<string, unknown> = { ":now": new Date().toISOString(), ":one": 1 };
  if (userId) {
    sets.push("userId = :userId");
    values[":userId"] = userId;
  }
  if (item.lastEventId) {
    sets.push("convergedEventId = :eventId");
    values[":eventId"] = item.lastEventId;
  }
  if (profileSynced && item.userUpdatedAt) {
    sets.push("profileSyncedAt = :userUpdatedAt");
    values[":userUpdatedAt"] = item.userUpdatedAt;
  }
  if (directoryStatus) {
    sets.push("directoryStatus = :directoryStatus");
    values[":directoryStatus"] = directoryStatus;
  }
  if (item.revision !== undefined) values[":revision"] = item.revision;
  // Committed with the user's change, and only if the item is still the one this decision was made
  // from: what the directory did is never recorded without the change, nor the change without it.
  const memberWrite: GuardedItem = {
    Update: {
      Key: memberKeys.member(orgId, directoryUserId),
      UpdateExpression: `SET ${sets.join(", ")}${directoryStatus ? "" : " REMOVE directoryStatus"} ADD revision :one`,
      ConditionExpression:
        item.revision === undefined
          ? "attribute_exists(pk) AND attribute_not_exists(revision)"
          : "revision = :revision",
      ExpressionAttributeValues: values,
    },
    onConditionFailed: () => new MemberMoved(),
  };
  if (userId && Object.keys(userChanges).length > 0) {
    await updateUser(orgId, userId, userChanges, directoryUserId, memberWrite);
  } else {
    await commit([memberWrite]);
  }
}

/** `Identity.update` as the directory; an email another user holds is logged and the rest applied. */
async function updateUser(
  orgId: string,
  userId: string,
  changes: Identity.UpdateUserInput,
  directoryUserId: string,
  memberWrite: GuardedItem,
): Promise<void> {
  try {
    await Identity.update(orgId, userId, changes, { actor: ACTOR, alongside: [memberWrite] });
  } catch (error) {
    if (!(error instanceof Identity.EmailTaken) || changes.email === undefined) throw error;
    logger.warn("directory email change not applied: another user of the org holds that email", {
      orgId,
      userId,
      directoryUserId,
    });
    const { email: _taken, ...rest } = changes;
    await Identity.update(orgId, userId, rest, { actor: ACTOR, alongside: [memberWrite] });
  }
}

export type MemberOutcome = "applied" | "skipped";

/**
 * Applies one `organization_membership.*` event to the org its organization is linked to: records
 * the membership (guarded), reads the directory user for their current email and name, and
 * converges the Kith user. A membership of an organization we have no org for is skipped with a
 * log (the organization's own events come first in the same stream, so this means it was never
 * synced). A stale or repeated event is skipped, unless it is the last one recorded and the user
 * was never converged to it (a crash in between), which is then finished.
 */
export async function applyMembershipEvent(
  event: MembershipEvent,
  client: DirectoryClient,
): Promise<MemberOutcome> {
  const { data } = event;
  const orgId = await claimedOrgId(data.organizationId);
  if (!orgId) {
    logger.warn("directory membership of an organization with no org; skipped", {
      directoryOrgId: data.organizationId,
      eventId: event.id,
    });
    return "skipped";
  }
  const status = event.event === "organization_membership.deleted" ? "deleted" : data.status;
  if (!(await recordMembership(orgId, data, status, event.id))) {
    const stored = await member(orgId, data.userId);
    if (stored?.lastEventId !== event.id || stored.convergedEventId === event.id) return "skipped";
  }
  await refreshProfile(orgId, data.userId, client);
  await converge(orgId, data.userId);
  return "applied";
}

/**
 * Applies one `user.*` event to every org the directory user is a member of: a newer profile is
 * recorded and converged (name and verified email), a deletion suspends. A profile not newer than
 * the one held is skipped, unless it is the one held and was never converged.
 */
export async function applyUserEvent(event: UserEvent): Promise<MemberOutcome> {
  let applied = false;
  for (const { orgId } of await membersOfDirectoryUser(event.data.id)) {
    if (event.event === "user.deleted") {
      applied = (await recordUserDeleted(orgId, event.data.id)) || applied;
      // Final and idempotent: converging again costs reads only.
      await converge(orgId, event.data.id);
      continue;
    }
    if (!(await recordProfile(orgId, event.data))) {
      const stored = await member(orgId, event.data.id);
      if (stored?.userUpdatedAt !== event.data.updatedAt || stored.profileSyncedAt === stored.userUpdatedAt) {
        continue;
      }
    }
    applied = true;
    await converge(orgId, event.data.id);
  }
  return applied ? "applied" : "skipped";
}

/**
 * The membership half of a full reconcile: every membership the directory lists (in any status)
 * is applied as a snapshot, guarded by its `updated_at`; a member we hold whose membership is no
 * longer listed was removed while its events expired, and is recorded as deleted.
 */
export async function applyMembershipSnapshot(
  directoryOrgId: string,
  client: DirectoryClient,
): Promise<void> {
  const orgId = await claimedOrgId(directoryOrgId);
  if (!orgId) return;
  const listed = new Set<string>();
  let after: string | undefined;
  do {
    const page = await client.listMemberships({ organizationId: directoryOrgId, after });
    for (const membership of page.memberships) {
      listed.add(membership.userId);
      await recordMembership(orgId, membership, membership.status, undefined);
      await refreshProfile(orgId, membership.userId, client);
      await converge(orgId, membership.userId);
    }
    after = page.after ?? undefined;
  } while (after);
  for (const item of await membersOfOrg(orgId)) {
    if (listed.has(item.directoryUserId) || item.status === "deleted") continue;
    if (await recordVanished(orgId, item)) await converge(orgId, item.directoryUserId);
  }
}

/**
 * A member the directory no longer lists is recorded deleted, if the item is still as read. No
 * timestamp of ours goes into `directoryUpdatedAt`, which is compared with WorkOS's: a replayed
 * event that re-adds the member must still pass the guard.
 */
function recordVanished(orgId: string, item: MemberItem): Promise<boolean> {
  return guarded(() =>
    db.update({
      Key: memberKeys.member(orgId, item.directoryUserId),
      UpdateExpression: "SET #status = :deleted ADD revision :one",
      ConditionExpression:
        item.revision === undefined
          ? "attribute_exists(pk) AND attribute_not_exists(revision)"
          : "revision = :revision",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":deleted": "deleted",
        ":one": 1,
        ...(item.revision === undefined ? {} : { ":revision": item.revision }),
      },
    }),
  );
}

/** The full reconcile of the user stream: every directory user we hold a member item for is re-read. */
export async function applyUsersSnapshot(client: DirectoryClient): Promise<void> {
  const orgsOf = new Map<string, string[]>();
  for (const directoryOrgId of await knownDirectoryOrganizations()) {
    const orgId = await claimedOrgId(directoryOrgId);
    if (!orgId) continue;
    for (const item of await membersOfOrg(orgId)) {
      orgsOf.set(item.directoryUserId, [...(orgsOf.get(item.directoryUserId) ?? []), orgId]);
    }
  }
  for (const [directoryUserId, orgIds] of orgsOf) {
    const user = await client.getUser(directoryUserId);
    for (const orgId of orgIds) {
      if (user) await recordProfile(orgId, user);
      else await recordUserDeleted(orgId, directoryUserId);
      await converge(orgId, directoryUserId);
    }
  }
}
