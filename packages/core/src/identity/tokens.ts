import { createHash, randomBytes } from "node:crypto";
import { monotonicFactory } from "ulid";
import { ConditionFailed, db, retryOnConflict } from "../storage";
import { logger } from "../util/logger";
import { LimitExceeded, VersionConflict } from "./errors";
import { LIMITS, type MintedToken } from "./schemas";
import { commitUserChange, keys, nextVersion, readUser, requireUser, type StoredToken } from "./store";

/**
 * User API tokens: `kith_` + 43 base62 characters (~256 bits). Only the sha256 and a 4-character
 * preview are stored; the plaintext exists once, in the mint response.
 */

export const TOKEN_PREFIX = "kith_";
const TOKEN_LENGTH = 43;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** 248 = 4 × 62: bytes at or above it are rejected, so every character is exactly uniform. */
const UNBIASED_LIMIT = 248;
/** `lastUsedAt` is written at most this often per token, so authentication is normally one read. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Crypto-strong, unbiased base62 by rejection sampling. */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= UNBIASED_LIMIT) continue;
      out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

const TOKEN_SHAPE = new RegExp(`^${TOKEN_PREFIX}[0-9A-Za-z]{32,128}$`);
const nextTokenId = monotonicFactory();

/** Mints a token for a user. The plaintext is returned here and never again. */
export async function mint(
  orgId: string,
  userId: string,
  input: { label?: string },
  options: { actor: string; now?: Date },
): Promise<MintedToken> {
  return retryOnConflict(
    async () => {
      const before = await requireUser(orgId, userId);
      if (Object.keys(before.tokens).length >= LIMITS.tokens)
        throw new LimitExceeded("tokens", LIMITS.tokens);
      const now = options.now ?? new Date();
      const token = `${TOKEN_PREFIX}${randomBase62(TOKEN_LENGTH)}`;
      const stored: StoredToken = {
        id: nextTokenId(now.getTime()),
        hash: hashToken(token),
        preview: token.slice(-4),
        label: input.label ?? null,
        // A token is minted with its user's role now and never acts with more (effectiveRole).
        role: before.accessRole,
        createdAt: now.toISOString(),
      };
      const after = nextVersion(before, { tokens: { ...before.tokens, [stored.id]: stored } }, now);
      await commitUserChange(before, after, {
        actor: options.actor,
        entries: [
          {
            eventType: "token_minted",
            after: {
              tokenId: stored.id,
              preview: stored.preview,
              label: stored.label,
              accessRole: stored.role,
            },
          },
        ],
        at: now,
      });
      return {
        id: stored.id,
        token,
        preview: stored.preview,
        label: stored.label,
        accessRole: before.accessRole,
        createdAt: stored.createdAt,
      };
    },
    (error) => error instanceof VersionConflict,
  );
}

/** Revokes a token. Revoking one that is already gone (or never existed) succeeds and writes nothing. */
export async function revoke(
  orgId: string,
  userId: string,
  tokenId: string,
  options: { actor: string; now?: Date },
): Promise<void> {
  await retryOnConflict(
    async () => {
      const before = await readUser(orgId, userId);
      if (!before) return;
      const token = before.tokens[tokenId];
      if (!token) return;
      const now = options.now ?? new Date();
      const { [tokenId]: _revoked, ...tokens } = before.tokens;
      const after = nextVersion(before, { tokens }, now);
      await commitUserChange(before, after, {
        actor: options.actor,
        entries: [
          { eventType: "token_revoked", before: { tokenId, preview: token.preview, label: token.label } },
        ],
        at: now,
      });
    },
    (error) => error instanceof VersionConflict,
  );
}

export interface TokenOwner {
  userId: string;
  orgId: string;
  accessRole: "admin" | "member";
}

/**
 * Authenticates a user token with one GetItem by hash. The token item carries its owner's status
 * and its effective access role, the lesser of the token's own and its user's (re-stamped in
 * every transaction that changes either), so only an `active` user's token works, and never with
 * more access than it was minted with. `lastUsedAt` is refreshed at most once a minute, by a conditional write that
 * concurrent requests cannot turn into a write storm.
 */
export async function authenticate(token: string, now = new Date()): Promise<TokenOwner | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  const result = await db.get({ Key: keys.token(hashToken(token)), ConsistentRead: true });
  const item = result.Item;
  if (item?.status !== "active") return undefined;
  const lastUsedAt = item.lastUsedAt as string | undefined;
  if (!lastUsedAt || now.getTime() - Date.parse(lastUsedAt) >= LAST_USED_RESOLUTION_MS) {
    await touch(item.pk as string, item.sk as string, now);
  }
  return {
    userId: item.userId as string,
    orgId: item.orgId as string,
    accessRole: item.accessRole as TokenOwner["accessRole"],
  };
}

async function touch(pk: string, sk: string, now: Date): Promise<void> {
  const cutoff = new Date(now.getTime() - LAST_USED_RESOLUTION_MS).toISOString();
  try {
    await db.update({
      Key: { pk, sk },
      UpdateExpression: "SET lastUsedAt = :now",
      ConditionExpression:
        "attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt <= :cutoff)",
      ExpressionAttributeValues: { ":now": now.toISOString(), ":cutoff": cutoff },
    });
  } catch (error) {
    // Another request touched it within the minute, or it was revoked meanwhile: either way, fine.
    if (error instanceof ConditionFailed) return;
    logger.warn("could not record token use", { error });
  }
}
