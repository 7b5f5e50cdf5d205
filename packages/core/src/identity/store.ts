import { monotonicFactory } from "ulid";
import type { DomainEvent } from "../events";
import { commit, db, type GuardedItem } from "../storage";
import { EmailTaken, IdentityTaken, UserNotFound, VersionConflict } from "./errors";
import type { AuditEventType, IdentityKind, TokenMetadata, User } from "./schemas";

/**
 * How users and their claims are laid out in the single table, and how any change to users turns
 * into one transaction. Every operation (create, update, link, merge, delete) is expressed as
 * "these users before, these users after"; `planUserWrites` derives the claim puts, transfers and
 * deletes from that, so the uniqueness rules live in exactly one place.
 */

export const keys = {
  userPartition: (orgId: string, userId: string) => `ORG#${orgId}#USER#${userId}`,
  user: (orgId: string, userId: string) => ({ pk: keys.userPartition(orgId, userId), sk: "#PROFILE" }),
  emailClaim: (orgId: string, email: string) => ({ pk: `ORG#${orgId}#EMAIL#${email}`, sk: "#CLAIM" }),
  identityClaim: (orgId: string, kind: string, externalId: string) => ({
    pk: `ORG#${orgId}#IDENTITY#${kind}#${externalId}`,
    sk: "#CLAIM",
  }),
  token: (hash: string) => ({ pk: `TOKEN#${hash}`, sk: "#TOKEN" }),
  usersByName: (orgId: string) => `ORG#${orgId}#USERS`,
  /** Audit events share the user's partition under this sort-key prefix. */
  auditPrefix: "AUDIT#",
  unmapped: (orgId: string, kind: string, externalId: string) => ({
    pk: `ORG#${orgId}#UNMAPPED#${kind}#${externalId}`,
    sk: "#UNMAPPED",
  }),
};

/** Linking an identity by any route removes its unmapped entry, in the same transaction. */
export function clearUnmappedItem(orgId: string, kind: string, externalId: string): GuardedItem {
  return { Delete: { Key: keys.unmapped(orgId, kind, externalId) } };
}

export interface StoredIdentity {
  kind: IdentityKind;
  externalId: string;
  createdAt: string;
}

export interface StoredToken {
  id: string;
  /** sha256 of the plaintext, hex: the key of the token item. The plaintext is never stored. */
  hash: string;
  preview: string;
  label: string | null;
  /**
   * The access role the token was minted with (its user's then). It moves with the token in a
   * merge; tokens minted before roles were kept per token have none, and count as their user's.
   */
  role?: "admin" | "member";
  createdAt: string;
}

/** A token's effective role: the lesser of its own and its user's, so it never gains access. */
export function effectiveRole(token: StoredToken, user: Pick<StoredUser, "accessRole">): "admin" | "member" {
  return token.role === "member" || user.accessRole === "member" ? "member" : "admin";
}

/** The user item. `identities` and `tokens` are keyed maps so one GetItem returns the whole user. */
export interface StoredUser {
  id: string;
  orgId: string;
  name: string;
  email: string | null;
  emailAliases: string[];
  role: string | null;
  accessRole: "admin" | "member";
  status: "invited" | "active" | "suspended";
  timezone: string | null;
  preferredChannel: string;
  notes: string | null;
  metadata: Record<string, unknown> | null;
  dailyBudgetUsd: number | null;
  identities: Record<string, StoredIdentity>;
  tokens: Record<string, StoredToken>;
  createdAt: string;
  updatedAt: string;
  /** Incremented by every write; each write is conditioned on the version it read. */
  version: number;
}

export function identityKey(kind: string, externalId: string): string {
  return `${kind}#${externalId}`;
}

/** Every email the user owns: primary first, then aliases. */
export function emailsOf(user: Pick<StoredUser, "email" | "emailAliases">): string[] {
  return [...new Set([...(user.email ? [user.email] : []), ...user.emailAliases])];
}

export function fromItem(item: Record<string, unknown>): StoredUser {
  return {
    id: item.id as string,
    orgId: item.orgId as string,
    name: item.name as string,
    email: (item.email as string | null | undefined) ?? null,
    emailAliases: (item.emailAliases as string[] | undefined) ?? [],
    role: (item.role as string | null | undefined) ?? null,
    accessRole: item.accessRole as StoredUser["accessRole"],
    status: item.status as StoredUser["status"],
    timezone: (item.timezone as string | null | undefined) ?? null,
    preferredChannel: (item.preferredChannel as string | undefined) ?? "slack",
    notes: (item.notes as string | null | undefined) ?? null,
    metadata: (item.metadata as Record<string, unknown> | null | undefined) ?? null,
    dailyBudgetUsd: (item.dailyBudgetUsd as number | null | undefined) ?? null,
    identities: (item.identities as Record<string, StoredIdentity> | undefined) ?? {},
    tokens: (item.tokens as Record<string, StoredToken> | undefined) ?? {},
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    version: item.version as number,
  };
}

/**
 * The sort key of the users-by-name index: case-insensitive name, then id so equal names stay
 * distinct. The separator sorts below every character a name keeps (control characters are
 * dropped), so "Al" comes before "Al Green".
 */
function nameSortKey(user: StoredUser): string {
  const name = [...user.name.toLocaleLowerCase("en-US")]
    .filter((character) => character >= " ")
    .join("")
    .slice(0, 200);
  return `${name}${NAME_SEPARATOR}${user.id}`;
}

/** Below every character a name keeps (control characters are dropped from the key). */
const NAME_SEPARATOR = String.fromCharCode(1);

function toItem(user: StoredUser): Record<string, unknown> {
  return {
    ...keys.user(user.orgId, user.id),
    entity: "user",
    ...user,
    gsi1pk: keys.usersByName(user.orgId),
    gsi1sk: nameSortKey(user),
  };
}

/** The contract's `User`. Token hashes stay inside; `lastUsedAt` is filled in where it was read. */
export function toUser(user: StoredUser, lastUsed: Record<string, string | null> = {}): User {
  const identities = Object.values(user.identities).sort(
    (a, b) =>
      a.createdAt.localeCompare(b.createdAt) ||
      identityKey(a.kind, a.externalId).localeCompare(identityKey(b.kind, b.externalId)),
  );
  const tokens: TokenMetadata[] = Object.values(user.tokens)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
    .map((token) => ({
      id: token.id,
      preview: token.preview,
      label: token.label,
      accessRole: effectiveRole(token, user),
      createdAt: token.createdAt,
      lastUsedAt: lastUsed[token.id] ?? null,
    }));
  return {
    id: user.id,
    orgId: user.orgId,
    name: user.name,
    email: user.email,
    emailAliases: user.emailAliases,
    role: user.role,
    accessRole: user.accessRole,
    status: user.status,
    timezone: user.timezone,
    preferredChannel: user.preferredChannel,
    notes: user.notes,
    metadata: user.metadata,
    dailyBudgetUsd: user.dailyBudgetUsd,
    identities: identities.map(({ kind, externalId, createdAt }) => ({ kind, externalId, createdAt })),
    tokens,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

/** What an audit event records about a user: the public view, without token metadata. */
export function snapshot(user: StoredUser): Omit<User, "tokens"> {
  const { tokens: _tokens, ...rest } = toUser(user);
  return rest;
}

export interface UserChange {
  before?: StoredUser;
  after?: StoredUser;
}

interface ClaimMove {
  from?: StoredUser;
  to?: StoredUser;
}

function collect<T>(
  changes: readonly UserChange[],
  extract: (user: StoredUser) => Iterable<[string, T]>,
): Map<string, ClaimMove & { value: T }> {
  const moves = new Map<string, ClaimMove & { value: T }>();
  for (const { before, after } of changes) {
    if (before) {
      for (const [key, value] of extract(before)) {
        const move = moves.get(key) ?? { value };
        move.from = before;
        moves.set(key, move);
      }
    }
    if (after) {
      for (const [key, value] of extract(after)) {
        const move = moves.get(key) ?? { value };
        move.to = after;
        move.value = value;
        moves.set(key, move);
      }
    }
  }
  return moves;
}

/**
 * Turns user changes into transaction items: each user item is put (or deleted) conditioned on the
 * version that was read, and every email, identity and token claim the changes add, move, drop or
 * re-stamp gets its own conditioned item. Claims are created with `attribute_not_exists`, so two
 * concurrent writers cannot both win one; they move and disappear only if still owned by the user
 * that was read.
 */
export function planUserWrites(changes: readonly UserChange[]): GuardedItem[] {
  const items: GuardedItem[] = [];
  for (const { before, after } of changes) {
    if (after) {
      items.push({
        Put: {
          Item: toItem(after),
          ConditionExpression: before ? "version = :version" : "attribute_not_exists(pk)",
          ExpressionAttributeValues: before ? { ":version": before.version } : undefined,
        },
        onConditionFailed: () => new VersionConflict(),
      });
    } else if (before) {
      items.push({
        Delete: {
          Key: keys.user(before.orgId, before.id),
          ConditionExpression: "version = :version",
          ExpressionAttributeValues: { ":version": before.version },
        },
        onConditionFailed: () => new VersionConflict(),
      });
    }
  }

  const emails = collect(changes, (user) => emailsOf(user).map((email) => [email, email]));
  for (const { from, to, value: email } of emails.values()) {
    const orgId = (to ?? from)?.orgId as string;
    const key = keys.emailClaim(orgId, email);
    if (to && from?.id === to.id) continue;
    if (to) {
      items.push({
        Put: {
          Item: { ...key, entity: "emailClaim", orgId, email, userId: to.id },
          ConditionExpression: from ? "userId = :from" : "attribute_not_exists(pk)",
          ExpressionAttributeValues: from ? { ":from": from.id } : undefined,
        },
        onConditionFailed: () => (from ? new VersionConflict() : new EmailTaken(email)),
      });
    } else if (from) {
      items.push(releaseClaim(key, from));
    }
  }

  const identities = collect(changes, (user) =>
    Object.values(user.identities).map((identity) => [
      identityKey(identity.kind, identity.externalId),
      identity,
    ]),
  );
  for (const { from, to, value: identity } of identities.values()) {
    const orgId = (to ?? from)?.orgId as string;
    const key = keys.identityClaim(orgId, identity.kind, identity.externalId);
    // The claim carries the owner's status, so resolving an identity takes one GetItem.
    if (to && from?.id === to.id && from.status === to.status) continue;
    if (to) {
      items.push({
        Put: {
          Item: {
            ...key,
            entity: "identityClaim",
            orgId,
            kind: identity.kind,
            externalId: identity.externalId,
            userId: to.id,
            status: to.status,
            createdAt: identity.createdAt,
          },
          ConditionExpression: from ? "userId = :from" : "attribute_not_exists(pk)",
          ExpressionAttributeValues: from ? { ":from": from.id } : undefined,
        },
        onConditionFailed: () =>
          from ? new VersionConflict() : new IdentityTaken(identity.kind, identity.externalId),
      });
    } else if (from) {
      items.push(releaseClaim(key, from));
    }
  }

  const tokens = collect(changes, (user) => Object.values(user.tokens).map((token) => [token.hash, token]));
  for (const { from, to, value: token } of tokens.values()) {
    const key = keys.token(token.hash);
    // The token item carries the effective role, so authentication stays one GetItem.
    if (
      to &&
      from?.id === to.id &&
      from.status === to.status &&
      effectiveRole(from.tokens[token.id] ?? token, from) === effectiveRole(token, to)
    )
      continue;
    if (to && !from) {
      items.push({
        Put: {
          Item: {
            ...key,
            entity: "token",
            tokenId: token.id,
            orgId: to.orgId,
            userId: to.id,
            status: to.status,
            accessRole: effectiveRole(token, to),
            createdAt: token.createdAt,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        },
        onConditionFailed: () => new VersionConflict(),
      });
    } else if (to && from) {
      // An update, not a put: `lastUsedAt` lives only on this item and must survive a move.
      items.push({
        Update: {
          Key: key,
          UpdateExpression: "SET userId = :to, #status = :status, accessRole = :role",
          ConditionExpression: "userId = :from",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":to": to.id,
            ":from": from.id,
            ":status": to.status,
            ":role": effectiveRole(token, to),
          },
        },
        onConditionFailed: () => new VersionConflict(),
      });
    } else if (from) {
      items.push(releaseClaim(key, from));
    }
  }
  return items;
}

/** Deletes a claim, only while it still belongs to the user that was read. */
function releaseClaim(key: { pk: string; sk: string }, owner: StoredUser): GuardedItem {
  return {
    Delete: {
      Key: key,
      ConditionExpression: "userId = :from",
      ExpressionAttributeValues: { ":from": owner.id },
    },
    onConditionFailed: () => new VersionConflict(),
  };
}

const nextAuditId = monotonicFactory();

export interface AuditEntry {
  orgId: string;
  userId: string;
  eventType: AuditEventType;
  actor: string;
  before?: unknown;
  after?: unknown;
}

/**
 * An audit event as a transaction item, written with the change it describes. It lives in the
 * user's partition but is not part of the user item, so deleting or merging the user leaves it in
 * place. The sort key is (time, monotonic ULID): events of one millisecond keep a strict order and
 * a cursor between them never skips one.
 */
export function auditItem(entry: AuditEntry, at: Date): GuardedItem {
  const createdAt = at.toISOString();
  const id = nextAuditId(at.getTime());
  return {
    Put: {
      Item: {
        pk: keys.userPartition(entry.orgId, entry.userId),
        sk: `${keys.auditPrefix}${createdAt}#${id}`,
        entity: "audit",
        id,
        orgId: entry.orgId,
        userId: entry.userId,
        eventType: entry.eventType,
        actor: entry.actor,
        before: entry.before ?? null,
        after: entry.after ?? null,
        createdAt,
      },
      ConditionExpression: "attribute_not_exists(pk)",
    },
  };
}

/** An audit entry of a change to one known user: its org, user and actor are the change's own. */
export type UserAuditEntry = Omit<AuditEntry, "orgId" | "userId" | "actor">;

/** Audit items for one user, all stamped with the same actor and time. */
export function auditItems(user: StoredUser, actor: string, entries: readonly UserAuditEntry[], at: Date) {
  return entries.map((entry) => auditItem({ ...entry, orgId: user.orgId, userId: user.id, actor }, at));
}

/** The user as stored, read strongly consistent because every caller goes on to write. */
export async function readUser(orgId: string, userId: string): Promise<StoredUser | undefined> {
  const result = await db.get({ Key: keys.user(orgId, userId), ConsistentRead: true });
  return result.Item ? fromItem(result.Item) : undefined;
}

export async function requireUser(orgId: string, userId: string): Promise<StoredUser> {
  const user = await readUser(orgId, userId);
  if (!user) throw new UserNotFound();
  return user;
}

/** The next version of a user: the changes, a new `updatedAt`, and the version the write is conditioned on, plus one. */
export function nextVersion(before: StoredUser, changes: Partial<StoredUser>, at: Date): StoredUser {
  return { ...before, ...changes, updatedAt: at.toISOString(), version: before.version + 1 };
}

/**
 * Commits one change to one user: its claims (via `planUserWrites`), its audit entries, any
 * further items and the domain events it causes, in one transaction. A concurrent change surfaces
 * as `VersionConflict`.
 */
export async function commitUserChange(
  before: StoredUser,
  after: StoredUser,
  audit: { actor: string; entries: readonly UserAuditEntry[]; at: Date },
  extraItems: readonly GuardedItem[] = [],
  events: readonly DomainEvent[] = [],
): Promise<void> {
  await commit(
    [
      ...planUserWrites([{ before, after }]),
      ...auditItems(after, audit.actor, audit.entries, audit.at),
      ...extraItems,
    ],
    { events, now: audit.at },
  );
}
