import { createHash, timingSafeEqual } from "node:crypto";
import { secret } from "../config";
import { Forbidden, Unauthenticated } from "../util/errors";

/**
 * Who is calling. Resolved once per request by the handler kit and passed down explicitly; audit
 * and authorization read it from here, never from a request object.
 */
export type Actor =
  | { kind: "operator"; actor: string }
  | { kind: "user"; actor: string; userId: string; orgId: string; accessRole: "admin" | "member" }
  | { kind: "system"; actor: string };

function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** `op:<first 16 hex of sha256(key)>`: stable per key, and reveals nothing usable. */
export function operatorActorString(key: string): string {
  return `op:${sha256(key).toString("hex").slice(0, 16)}`;
}

/** Resolves a user token to its actor. Supplied by the identity module once it exists. */
export type UserTokenVerifier = (token: string) => Promise<Actor | undefined>;
let userTokenVerifier: UserTokenVerifier | undefined;

/** Lets the module that owns user tokens plug into bearer authentication. */
export function registerUserTokenVerifier(verifier: UserTokenVerifier): void {
  userTokenVerifier = verifier;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Authenticates an `Authorization` header value. The operator key is compared in constant time
 * over fixed-length digests, so neither its content nor its length leaks through timing.
 */
export async function authenticate(authorization: string | undefined): Promise<Actor> {
  const token = authorization?.match(BEARER)?.[1];
  if (!token) throw new Unauthenticated("Send Authorization: Bearer <token>");
  const operatorKey = await secret("OPERATOR_API_KEY");
  if (operatorKey && timingSafeEqual(sha256(token), sha256(operatorKey))) {
    return { kind: "operator", actor: operatorActorString(operatorKey) };
  }
  if (userTokenVerifier) {
    const actor = await userTokenVerifier(token);
    if (actor) return actor;
  }
  throw new Unauthenticated("The token is not valid");
}

/** Operator-only operations call this first. */
export function requireOperator(
  actor: Actor | undefined,
): asserts actor is Extract<Actor, { kind: "operator" }> {
  if (actor?.kind !== "operator") throw new Forbidden("Only an operator may do that");
}

export interface WhoAmI {
  actor: string;
  kind: "operator" | "user";
  orgId: string | null;
  user: unknown;
}

/** The contract's `/v1/whoami` body. The user document is filled in by the identity module. */
export function describeActor(actor: Actor): WhoAmI {
  switch (actor.kind) {
    case "operator":
      return { actor: actor.actor, kind: "operator", orgId: null, user: null };
    case "user":
      return { actor: actor.actor, kind: "user", orgId: actor.orgId, user: null };
    case "system":
      // System actors (webhook pipelines, schedules) never authenticate over HTTP.
      throw new Error(`system actor ${actor.actor} cannot describe itself over HTTP`);
  }
}
