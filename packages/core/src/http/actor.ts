import { createHash, timingSafeEqual } from "node:crypto";
import { secret } from "../config";
import { authenticate as authenticateUserToken } from "../identity/tokens";
import { Forbidden, NotFound, Unauthenticated } from "../util/errors";

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

/** Resolves a user token to its actor, or undefined when the token is unknown, revoked or its user inactive. */
export type UserTokenVerifier = (token: string) => Promise<Actor | undefined>;

const verifyWithIdentityTokens: UserTokenVerifier = async (token) => {
  const owner = await authenticateUserToken(token);
  return owner ? { kind: "user", actor: `user:${owner.userId}`, ...owner } : undefined;
};
let userTokenVerifier: UserTokenVerifier = verifyWithIdentityTokens;

/** Swaps how user tokens are verified; pure unit tests of the handler kit use it to stay off storage. */
export function registerUserTokenVerifier(verifier: UserTokenVerifier | undefined): void {
  userTokenVerifier = verifier ?? verifyWithIdentityTokens;
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
  const actor = await userTokenVerifier(token);
  if (actor) return actor;
  throw new Unauthenticated("The token is not valid");
}

/** Operator-only operations call this first. */
export function requireOperator(
  actor: Actor | undefined,
): asserts actor is Extract<Actor, { kind: "operator" }> {
  if (actor?.kind !== "operator") throw new Forbidden("Only an operator may do that");
}

/**
 * What a caller may do within one org. Operators act on every org. A user token acts only on its
 * own org, and another org's resources look absent (404) rather than forbidden, so ids in other
 * tenants cannot be probed. Within its org an `admin` may do everything; a `member` only what
 * concerns itself (`self`).
 */
export function requireOrgAccess(
  actor: Actor | undefined,
  orgId: string,
  need: { admin: true; self?: string; othersSeeNotFound?: boolean } | { admin: false },
): void {
  if (!actor) throw new Unauthenticated();
  if (actor.kind === "operator" || actor.kind === "system") return;
  if (actor.orgId !== orgId) throw new NotFound("Org", "org_not_found");
  if (!need.admin || actor.accessRole === "admin") return;
  if (need.self !== undefined && need.self === actor.userId) return;
  if (need.othersSeeNotFound) throw new NotFound("User", "user_not_found");
  throw new Forbidden("This needs an admin token of the org");
}

/** The audit actor string of an authenticated caller. */
export function actorString(actor: Actor | undefined): string {
  if (!actor) throw new Unauthenticated();
  return actor.actor;
}

/**
 * A path parameter the route declares. API Gateway always supplies it, so absence is a wiring
 * bug; a value that cannot be an id (too long) is a 404, since nothing has that id.
 */
export function pathParameter(parameters: Record<string, string | undefined>, name: string): string {
  const value = parameters[name];
  if (value === undefined) throw new Error(`route has no {${name}} path parameter`);
  if (value.length === 0 || value.length > 128) throw new NotFound(name.replace(/Id$/, ""));
  return value;
}
