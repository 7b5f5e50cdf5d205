import { monotonicFactory } from "ulid";
import type { DomainEvent } from "../events";
import { existsCheck as orgExistsCheck } from "../orgs/store";
import {
  commit,
  db,
  decodeCursor,
  encodeCursor,
  type GuardedItem,
  type Page,
  pageSize,
  queryPage,
  retryOnConflict,
} from "../storage";
import { IdentityNotLinked, LimitExceeded, SelfMerge, VersionConflict } from "./errors";
import { IdentityLinked, UserCreated, UserDeleted, UserMerged, UserUpdated } from "./events";
import {
  type AuditEvent,
  AuditEventSchema,
  type CreateUserInput,
  CreateUserInputSchema,
  canonicalExternalId,
  type IdentityRef,
  LIMITS,
  type UpdateUserInput,
  UpdateUserInputSchema,
  type User,
} from "./schemas";
import {
  auditItems,
  clearUnmappedItem,
  commitUserChange,
  effectiveRole,
  emailsOf,
  fromItem,
  identityKey,
  keys,
  nextVersion,
  planUserWrites,
  requireUser,
  type StoredIdentity,
  type StoredUser,
  snapshot,
  toUser,
  type UserAuditEntry,
} from "./store";

/**
 * Users of an org and everything that changes them. Every mutation is one transaction holding the
 * user item (conditioned on the version read), the claims it adds, moves or frees, and its audit
 * events; domain events go on the bus only after that transaction commits.
 */

const nextUserId = monotonicFactory();

const isVersionConflict = (error: unknown) => error instanceof VersionConflict;

function normalizedAliases(primary: string | null, aliases: readonly string[]): string[] {
  return [...new Set(aliases)].filter((alias) => alias !== primary);
}

export interface CreateUserOptions {
  /** Recorded as the audit actor: `op:…`, `user:…` or `system:…`. */
  actor: string;
  now?: Date;
  /** Extra audit entries for the new user, e.g. `auto_link` when resolution created it. */
  extraAudit?: UserAuditEntry[];
  extraEvents?: (user: StoredUser) => DomainEvent[];
}

/**
 * Creates a user with its email and identity claims. The org's existence, every claim and the
 * audit events are one transaction, so a conflicting email or identity (even from a concurrent
 * request in another letter case) is a 409 and nothing at all is written.
 */
export async function create(
  orgId: string,
  input: CreateUserInput,
  options: CreateUserOptions,
): Promise<User> {
  const parsed = CreateUserInputSchema.parse(input);
  const now = options.now ?? new Date();
  const timestamp = now.toISOString();
  const identities: StoredUser["identities"] = {};
  for (const ref of parsed.identities ?? []) {
    identities[identityKey(ref.kind, ref.externalId)] = { ...ref, createdAt: timestamp };
  }
  const email = parsed.email ?? null;
  const user: StoredUser = {
    id: nextUserId(now.getTime()),
    orgId,
    name: parsed.name,
    email,
    emailAliases: normalizedAliases(email, parsed.emailAliases ?? []),
    role: parsed.role ?? null,
    accessRole: parsed.accessRole ?? "member",
    status: parsed.status ?? "active",
    timezone: parsed.timezone ?? null,
    preferredChannel: parsed.preferredChannel ?? "slack",
    notes: parsed.notes ?? null,
    metadata: parsed.metadata ?? null,
    dailyBudgetUsd: parsed.dailyBudgetUsd ?? null,
    identities,
    tokens: {},
    createdAt: timestamp,
    updatedAt: timestamp,
    version: 1,
  };
  const linked = Object.values(identities);
  const items: GuardedItem[] = [
    orgExistsCheck(orgId),
    ...planUserWrites([{ after: user }]),
    ...auditItems(
      user,
      options.actor,
      [
        { eventType: "user_created", after: snapshot(user) },
        ...linked.map((identity) => ({
          eventType: "identity_added" as const,
          after: { kind: identity.kind, externalId: identity.externalId },
        })),
        ...(options.extraAudit ?? []),
      ],
      now,
    ),
    ...linked.map((identity) => clearUnmappedItem(orgId, identity.kind, identity.externalId)),
  ];
  const events = [
    UserCreated.create(orgId, { userId: user.id }, now),
    ...linked.map((identity) =>
      IdentityLinked.create(
        orgId,
        { userId: user.id, kind: identity.kind, externalId: identity.externalId, via: "created" },
        now,
      ),
    ),
    ...(options.extraEvents?.(user) ?? []),
  ];
  // A transaction that collides with another one on the same claim is cancelled without a
  // condition result; run it again, and it then commits or names the claim it lost (409).
  await retryOnConflict(
    () => commit(items, { events, now }),
    () => false,
  );
  return toUser(user);
}

/** The user with its identities and token metadata (including when each token was last used). */
export async function get(orgId: string, userId: string): Promise<User> {
  const user = await requireUser(orgId, userId);
  const tokens = Object.values(user.tokens);
  if (tokens.length === 0) return toUser(user);
  const items = await db.batchGet(tokens.map((token) => keys.token(token.hash)));
  const lastUsed: Record<string, string | null> = {};
  for (const item of items)
    lastUsed[item.tokenId as string] = (item.lastUsedAt as string | undefined) ?? null;
  return toUser(user, lastUsed);
}

/** One page of the org's users, ordered by name; one Query per page, whatever the page size. */
export async function list(
  orgId: string,
  input: { limit?: string | number; cursor?: string },
): Promise<Page<User>> {
  const gsi1pk = keys.usersByName(orgId);
  const cursorKeys = ["pk", "sk", "gsi1pk", "gsi1sk"];
  const { items, nextKey } = await queryPage(
    {
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": gsi1pk },
      ExclusiveStartKey: decodeCursor(input.cursor, { keys: cursorKeys, partition: { gsi1pk } }),
    },
    pageSize(input.limit),
    cursorKeys,
  );
  return { items: items.map((item) => toUser(fromItem(item))), nextCursor: encodeCursor(nextKey) };
}

const PROFILE_FIELDS = [
  "name",
  "role",
  "accessRole",
  "timezone",
  "preferredChannel",
  "notes",
  "metadata",
] as const;

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Applies a partial update. Emails added or dropped claim or free their claim items; a status or
 * access-role change is stamped onto the user's identity claims and tokens in the same transaction,
 * so resolution and authentication (one GetItem each) never see a stale status. Each kind of
 * change gets its own audit event: `email_added`/`email_removed`, `status_changed`,
 * `budget_changed`, and `profile_changed` for the rest.
 */
export async function update(
  orgId: string,
  userId: string,
  input: UpdateUserInput,
  options: {
    actor: string;
    now?: Date;
    /**
     * Further writes that must commit with the change, or without one when nothing changes (a
     * caller's own bookkeeping, e.g. directory sync's member item). A failed condition among them
     * surfaces as its own error and is not retried here.
     */
    alongside?: readonly GuardedItem[];
  },
): Promise<User> {
  const changes = UpdateUserInputSchema.parse(input);
  const alongside = options.alongside ?? [];
  return retryOnConflict(async () => {
    const before = await requireUser(orgId, userId);
    const now = options.now ?? new Date();
    const email = changes.email !== undefined ? changes.email : before.email;
    const aliasesSource = changes.emailAliases ?? before.emailAliases;
    // A new primary that was an alias stops being one; an old primary that is dropped is freed.
    const emailAliases = normalizedAliases(email, aliasesSource);
    const after: StoredUser = {
      ...before,
      ...Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)),
      email,
      emailAliases,
      updatedAt: now.toISOString(),
      version: before.version + 1,
    };

    const entries: UserAuditEntry[] = [];
    const beforeEmails = new Set(emailsOf(before));
    const afterEmails = new Set(emailsOf(after));
    for (const added of afterEmails) {
      if (!beforeEmails.has(added)) entries.push({ eventType: "email_added", after: { email: added } });
    }
    for (const removed of beforeEmails) {
      if (!afterEmails.has(removed)) entries.push({ eventType: "email_removed", before: { email: removed } });
    }
    if (before.status !== after.status) {
      entries.push({
        eventType: "status_changed",
        before: { status: before.status },
        after: { status: after.status },
      });
    }
    if (before.dailyBudgetUsd !== after.dailyBudgetUsd) {
      entries.push({
        eventType: "budget_changed",
        before: { dailyBudgetUsd: before.dailyBudgetUsd },
        after: { dailyBudgetUsd: after.dailyBudgetUsd },
      });
    }
    const profileBefore: Record<string, unknown> = {};
    const profileAfter: Record<string, unknown> = {};
    for (const field of [...PROFILE_FIELDS, "email", "emailAliases"] as const) {
      if (!sameValue(before[field], after[field])) {
        profileBefore[field] = before[field];
        profileAfter[field] = after[field];
      }
    }
    const emailSetChanged = entries.some((entry) => entry.eventType.startsWith("email_"));
    const profileOnlyFields = Object.keys(profileAfter).filter(
      (field) => !(emailSetChanged && (field === "email" || field === "emailAliases")),
    );
    if (profileOnlyFields.length > 0) {
      // Email-set changes already have their own events; the profile event names only the rest.
      const pick = (values: Record<string, unknown>) =>
        Object.fromEntries(profileOnlyFields.map((field) => [field, values[field]]));
      entries.push({ eventType: "profile_changed", before: pick(profileBefore), after: pick(profileAfter) });
    }
    if (entries.length === 0) {
      await commit(alongside);
      return toUser(before);
    }

    const updated = UserUpdated.create(
      orgId,
      { userId, changes: [...new Set(entries.map((entry) => entry.eventType))] },
      now,
    );
    await commitUserChange(before, after, { actor: options.actor, entries, at: now }, alongside, [updated]);
    return toUser(after);
  }, isVersionConflict);
}

/**
 * Deletes the user and frees every email, identity and token it held. Its audit events stay
 * (they live beside the user item, not in it), ending with `user_deleted`.
 */
export async function remove(
  orgId: string,
  userId: string,
  options: { actor: string; now?: Date },
): Promise<void> {
  await retryOnConflict(async () => {
    const before = await requireUser(orgId, userId);
    const now = options.now ?? new Date();
    await commit(
      [
        ...planUserWrites([{ before }]),
        ...auditItems(before, options.actor, [{ eventType: "user_deleted", before: snapshot(before) }], now),
      ],
      { events: [UserDeleted.create(orgId, { userId }, now)], now },
    );
  }, isVersionConflict);
}

export interface LinkResult {
  /** False when the identity was already this user's: nothing was written. */
  linked: boolean;
  user: StoredUser;
  identity: StoredIdentity;
}

/**
 * Links an identity to a user. Linking it again to the same user changes nothing; if another user
 * holds it, `IdentityTaken`. Any unmapped entry for the identity goes in the same transaction.
 * `via: "auto_link"` (resolution by a verified email) also writes the `auto_link` audit event.
 */
export async function linkIdentity(
  orgId: string,
  userId: string,
  ref: IdentityRef,
  options: { actor: string; via: "manual" | "auto_link"; now?: Date },
): Promise<LinkResult> {
  return retryOnConflict(async () => {
    const before = await requireUser(orgId, userId);
    const key = identityKey(ref.kind, ref.externalId);
    const existing = before.identities[key];
    if (existing) return { linked: false, user: before, identity: existing };
    if (Object.keys(before.identities).length >= LIMITS.identities) {
      throw new LimitExceeded("identities", LIMITS.identities);
    }
    const now = options.now ?? new Date();
    const identity = { kind: ref.kind, externalId: ref.externalId, createdAt: now.toISOString() };
    const after = nextVersion(before, { identities: { ...before.identities, [key]: identity } }, now);
    const entries: UserAuditEntry[] = [
      { eventType: "identity_added", after: { kind: ref.kind, externalId: ref.externalId } },
    ];
    if (options.via === "auto_link") {
      entries.unshift({
        eventType: "auto_link",
        after: { kind: ref.kind, externalId: ref.externalId, matchedEmail: true },
      });
    }
    const linked = IdentityLinked.create(
      orgId,
      { userId, kind: ref.kind, externalId: ref.externalId, via: options.via },
      now,
    );
    await commitUserChange(
      before,
      after,
      { actor: options.actor, entries, at: now },
      [clearUnmappedItem(orgId, ref.kind, ref.externalId)],
      [linked],
    );
    return { linked: true, user: after, identity };
  }, isVersionConflict);
}

/**
 * Unlinks an identity, freeing its claim; `IdentityNotLinked` (404) if this user does not hold it,
 * including when the id cannot exist for its kind. Any spelling of a held id (`0042`, a Slack id in
 * lower case) finds it: the id is canonicalized first.
 */
export async function unlinkIdentity(
  orgId: string,
  userId: string,
  identity: { kind: IdentityRef["kind"]; externalId: string },
  options: { actor: string; now?: Date },
): Promise<void> {
  const externalId = canonicalExternalId(identity.kind, identity.externalId);
  if (externalId === undefined) throw new IdentityNotLinked();
  const ref = { kind: identity.kind, externalId };
  await retryOnConflict(async () => {
    const before = await requireUser(orgId, userId);
    const key = identityKey(ref.kind, ref.externalId);
    if (!before.identities[key]) throw new IdentityNotLinked();
    const now = options.now ?? new Date();
    const { [key]: _removed, ...identities } = before.identities;
    const after = nextVersion(before, { identities }, now);
    await commitUserChange(
      before,
      after,
      {
        actor: options.actor,
        entries: [{ eventType: "identity_removed", before: { kind: ref.kind, externalId: ref.externalId } }],
        at: now,
      },
      [],
      [UserUpdated.create(orgId, { userId, changes: ["identity_removed"] }, now)],
    );
  }, isVersionConflict);
}

/**
 * Merges `sourceUserId` into `targetUserId` in one transaction: the source's identities and tokens
 * move to the target, its emails become the target's aliases, the source is deleted, and both get
 * a `manual_merge` audit event (the target's carries a snapshot of the source). Every claim moves
 * only if still owned by the source, so a crash or a race leaves either the old state or the new,
 * never an identity or email without an owner.
 */
export async function merge(
  orgId: string,
  targetUserId: string,
  sourceUserId: string,
  options: { actor: string; now?: Date },
): Promise<User> {
  if (targetUserId === sourceUserId) throw new SelfMerge();
  return retryOnConflict(async () => {
    const [target, source] = await Promise.all([
      requireUser(orgId, targetUserId),
      requireUser(orgId, sourceUserId),
    ]);
    const now = options.now ?? new Date();
    const identities = { ...target.identities, ...source.identities };
    // A moved token keeps the role it had, never the target's: merging a member into an admin must
    // not turn the member's tokens into admin tokens.
    const moved = Object.values(source.tokens).map((token) => ({
      ...token,
      role: effectiveRole(token, source),
    }));
    const tokens = { ...target.tokens, ...Object.fromEntries(moved.map((token) => [token.id, token])) };
    const emailAliases = normalizedAliases(target.email, [...target.emailAliases, ...emailsOf(source)]);
    if (Object.keys(identities).length > LIMITS.identities)
      throw new LimitExceeded("identities", LIMITS.identities);
    if (Object.keys(tokens).length > LIMITS.tokens) throw new LimitExceeded("tokens", LIMITS.tokens);
    if (emailAliases.length > LIMITS.emailAliases)
      throw new LimitExceeded("emailAliases", LIMITS.emailAliases);
    const after: StoredUser = {
      ...target,
      identities,
      tokens,
      emailAliases,
      updatedAt: now.toISOString(),
      version: target.version + 1,
    };
    const sourceSnapshot = snapshot(source);
    await commit(
      [
        ...planUserWrites([{ before: source }, { before: target, after }]),
        ...auditItems(
          after,
          options.actor,
          [
            {
              eventType: "manual_merge",
              before: sourceSnapshot,
              after: {
                ...snapshot(after),
                tokensMoved: moved.map((token) => ({
                  tokenId: token.id,
                  preview: token.preview,
                  accessRole: token.role,
                })),
              },
            },
          ],
          now,
        ),
        ...auditItems(
          source,
          options.actor,
          [{ eventType: "manual_merge", before: sourceSnapshot, after: { mergedInto: targetUserId } }],
          now,
        ),
      ],
      {
        events: [
          UserMerged.create(orgId, { userId: targetUserId, sourceUserId }, now),
          UserDeleted.create(orgId, { userId: sourceUserId, mergedInto: targetUserId }, now),
        ],
        now,
      },
    );
    return toUser(after);
  }, isVersionConflict);
}

/**
 * A user's audit events, newest first. They are readable after the user is deleted or merged away.
 * The cursor is the last (time, id) key returned, so events of the same millisecond are never skipped.
 */
export async function listEvents(
  orgId: string,
  userId: string,
  input: { limit?: string | number; cursor?: string },
): Promise<Page<AuditEvent>> {
  const pk = keys.userPartition(orgId, userId);
  const { items, nextKey } = await queryPage(
    {
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :audit)",
      ExpressionAttributeValues: { ":pk": pk, ":audit": keys.auditPrefix },
      ScanIndexForward: false,
      ExclusiveStartKey: decodeCursor(input.cursor, {
        keys: ["pk", "sk"],
        partition: { pk },
        prefixes: { sk: keys.auditPrefix },
      }),
    },
    pageSize(input.limit),
    ["pk", "sk"],
  );
  return {
    // The schema keeps the contract's fields and drops the storage ones (keys, entity, orgId).
    items: items.map((item) => AuditEventSchema.parse(item)),
    nextCursor: encodeCursor(nextKey),
  };
}
