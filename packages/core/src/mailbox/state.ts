import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { secret } from "../config";
import { db, type GuardedItem } from "../storage";
import { InvalidOAuthState, ProviderUnavailable } from "./errors";
import type { MailboxProvider, Scope } from "./schemas";

/**
 * The OAuth `state`: signed (HMAC-SHA256 under `OAUTH_STATE_SECRET`), bound to the org, the user,
 * the provider, the scopes and the item that holds the PKCE verifier, valid 10 minutes, and used
 * once (the callback deletes the verifier's item, conditionally, in the transaction that writes
 * the account). A state that fails any of this is a 400, and nothing is written.
 */

export const STATE_LIFETIME_MS = 10 * 60_000;

export interface StatePayload {
  /** The verifier item's id: random, so a state cannot be guessed from another. */
  nonce: string;
  orgId: string;
  userId: string;
  provider: MailboxProvider;
  scopes: Scope[];
  expiresAt: number;
}

const stateKey = (nonce: string) => ({ pk: `OAUTHSTATE#${nonce}`, sk: "#STATE" });

async function signingKey(): Promise<string> {
  const key = await secret("OAUTH_STATE_SECRET");
  if (!key) throw new ProviderUnavailable("OAuth", "OAUTH_STATE_SECRET is not set");
  return key;
}

function mac(key: string, body: string): Buffer {
  return createHmac("sha256", key).update(`kith-oauth-state.v1.${body}`).digest();
}

/** Writes the verifier's item and returns the signed state that names it. */
export async function issueState(
  input: Omit<StatePayload, "nonce" | "expiresAt">,
  codeVerifier: string,
  now = new Date(),
): Promise<string> {
  const key = await signingKey();
  const payload: StatePayload = {
    nonce: randomBytes(18).toString("base64url"),
    ...input,
    expiresAt: now.getTime() + STATE_LIFETIME_MS,
  };
  await db.put({
    Item: {
      ...stateKey(payload.nonce),
      entity: "oauthState",
      orgId: payload.orgId,
      userId: payload.userId,
      provider: payload.provider,
      scopes: payload.scopes,
      // A verifier is worthless without the code the provider sends only to the redirect URI.
      codeVerifier,
      validUntil: payload.expiresAt,
      expiresAt: Math.ceil(payload.expiresAt / 1000),
    },
    ConditionExpression: "attribute_not_exists(pk)",
  });
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${mac(key, body).toString("base64url")}`;
}

/** Checks a state's signature, provider and age; reads and writes nothing. */
export async function verifyState(state: string | undefined, provider: MailboxProvider, now = new Date()) {
  const [body, signature, extra] = (state ?? "").split(".");
  if (!body || !signature || extra !== undefined) throw new InvalidOAuthState("malformed");
  const expected = mac(await signingKey(), body);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidOAuthState("signature");
  }
  let payload: StatePayload;
  try {
    payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as StatePayload;
  } catch {
    throw new InvalidOAuthState("malformed");
  }
  if (payload.provider !== provider) throw new InvalidOAuthState("provider");
  if (!(payload.expiresAt > now.getTime())) throw new InvalidOAuthState("expired");
  return payload;
}

/** The verifier of a verified state, read (consistently) without using the state up. */
export async function readVerifier(payload: StatePayload, now = new Date()): Promise<string> {
  const item = (await db.get({ Key: stateKey(payload.nonce), ConsistentRead: true })).Item;
  const matches =
    item !== undefined &&
    item.orgId === payload.orgId &&
    item.userId === payload.userId &&
    item.provider === payload.provider &&
    typeof item.validUntil === "number" &&
    item.validUntil > now.getTime() &&
    typeof item.codeVerifier === "string";
  if (!matches) throw new InvalidOAuthState("used");
  return item.codeVerifier as string;
}

/**
 * Uses a state once, as one element of the transaction that writes the account: the verifier's
 * item is deleted on condition that it is still there, for this org, user and provider, and
 * unexpired. A replay, or a second callback racing the first, finds no item and writes nothing.
 */
export function consumeStateItem(payload: StatePayload, now = new Date()): GuardedItem {
  return {
    Delete: {
      Key: stateKey(payload.nonce),
      ConditionExpression:
        "attribute_exists(pk) AND orgId = :orgId AND userId = :userId AND provider = :provider AND validUntil > :now",
      ExpressionAttributeValues: {
        ":orgId": payload.orgId,
        ":userId": payload.userId,
        ":provider": payload.provider,
        ":now": now.getTime(),
      },
    },
    onConditionFailed: () => new InvalidOAuthState("used"),
  };
}
