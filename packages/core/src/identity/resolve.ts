import { db, retryOnConflict, TransactionCancelled } from "../storage";
import { InvalidInput } from "../util/errors";
import { cleanDisplayName } from "../util/text";
import { EmailTaken, IdentityTaken, ResolutionContended } from "./errors";
import { canonicalExternalId, EmailSchema, type IdentityKind, type IdentityRef } from "./schemas";
import { keys } from "./store";
import { recordSighting } from "./unmapped";
import * as Users from "./users";

/**
 * The resolution service: which user is behind an external identity. Webhooks and directory sync
 * call it; it is the only place that decides between "known", "link by verified email",
 * "create" and "unmapped".
 */

export interface ResolveOptions {
  /** An email seen with the identity. It links or creates only when `emailVerified` is true. */
  email?: string;
  emailVerified: boolean;
  /** The display name for a user created by this resolution. */
  nameHint?: string;
  /** Who is resolving, e.g. `webhook:github`; the audit actor becomes `system:<source>`. */
  source: string;
  allowCreate: boolean;
  /** The status of a user this resolution creates (default active), set in the create itself. */
  createStatus?: "active" | "invited";
  /** What to record if the identity stays unmapped. */
  sighting?: { eventType: string; context?: string };
}

export type Resolution =
  | {
      outcome: "resolved";
      userId: string;
      status: "invited" | "active" | "suspended";
      /** Callers refuse work for a suspended user; it still resolves so it is not reported as unknown. */
      suspended: boolean;
      via: "identity" | "auto_link" | "created";
    }
  | { outcome: "unresolved"; candidates: string[]; count: number };

interface Claim {
  userId: string;
  status: "invited" | "active" | "suspended";
}

async function identityClaim(
  orgId: string,
  ref: IdentityRef,
  consistent: boolean,
): Promise<Claim | undefined> {
  const result = await db.get({
    Key: keys.identityClaim(orgId, ref.kind, ref.externalId),
    ConsistentRead: consistent,
    ProjectionExpression: "userId, #status",
    ExpressionAttributeNames: { "#status": "status" },
  });
  return result.Item as Claim | undefined;
}

/** The user that owns an email (primary or alias) in the org, if any. */
export async function emailOwner(orgId: string, email: string): Promise<string | undefined> {
  const result = await db.get({
    Key: keys.emailClaim(orgId, email),
    ConsistentRead: true,
    ProjectionExpression: "userId",
  });
  return result.Item?.userId as string | undefined;
}

function resolved(claim: Claim, via: "identity" | "auto_link" | "created") {
  return {
    outcome: "resolved" as const,
    userId: claim.userId,
    status: claim.status,
    suspended: claim.status === "suspended",
    via,
  };
}

/** Raises a 400 for an external id that is not in its kind's canonical form. */
export function canonicalRef(kind: IdentityKind, externalId: string): IdentityRef {
  const canonical = canonicalExternalId(kind, externalId);
  if (canonical === undefined) {
    throw new InvalidInput(`not a valid ${kind} id`, { externalId: "invalid" });
  }
  return { kind, externalId: canonical };
}

const MAX_ROUNDS = 8;
const MAX_NAME_LENGTH = 200;

/**
 * A provider's display name made fit for a user: unsafe characters dropped, whitespace collapsed,
 * cut to the name limit (by code point). A name is a hint from a payload; it must never be the
 * reason a resolution fails.
 */
export function displayName(hint: string | undefined): string {
  return cleanDisplayName(hint, MAX_NAME_LENGTH);
}

/**
 * Resolves an identity to a user:
 * 1. the identity's claim exists: that user (one GetItem, the common case);
 * 2. else a *verified* email owned by a user: link the identity to that user (`auto_link`);
 * 3. else, with a verified email and `allowCreate`: create the user and its identity in one transaction;
 * 4. else record the identity as unmapped, listing the owner of an unverified email as a candidate.
 *
 * Concurrent calls for one new person converge: every claim is a conditional write, so one call
 * creates or links and the others lose their transaction, re-read the claim and return that user.
 */
export async function resolve(
  orgId: string,
  identity: IdentityRef,
  options: ResolveOptions,
): Promise<Resolution> {
  const ref = canonicalRef(identity.kind, identity.externalId);
  const actor = `system:${options.source}`;
  const parsedEmail = options.email === undefined ? undefined : EmailSchema.safeParse(options.email);
  const email = parsedEmail?.success ? parsedEmail.data : undefined;

  const known = await identityClaim(orgId, ref, false);
  if (known) return resolved(known, "identity");

  if (email && options.emailVerified) {
    for (let round = 0; ; round++) {
      // Every round lost a race to someone who then vanished again: say so, and let the caller's
      // retry (a webhook redelivery) resolve it, rather than misreport the person as unknown.
      if (round === MAX_ROUNDS) throw new ResolutionContended();
      const owner = await emailOwner(orgId, email);
      try {
        if (owner) {
          const { user } = await Users.linkIdentity(orgId, owner, ref, { actor, via: "auto_link" });
          return resolved({ userId: user.id, status: user.status }, "auto_link");
        }
        if (!options.allowCreate) break;
        const user = await Users.create(
          orgId,
          {
            name: displayName(options.nameHint) || email.split("@")[0] || email,
            email,
            identities: [ref],
            ...(options.createStatus ? { status: options.createStatus } : {}),
          },
          { actor },
        );
        return resolved({ userId: user.id, status: user.status }, "created");
      } catch (error) {
        // Someone else linked or created this person first: theirs is the answer.
        if (error instanceof IdentityTaken) {
          const winner = await identityClaim(orgId, ref, true);
          if (winner) return resolved(winner, "identity");
          continue;
        }
        // The email was claimed (or its owner deleted) since we looked: look again.
        if (error instanceof EmailTaken || (error as { code?: string }).code === "user_not_found") continue;
        // Concurrent transactions on the same claims: back off and look again.
        if (error instanceof TransactionCancelled && error.retryable) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (round + 1)));
          continue;
        }
        throw error;
      }
    }
  }

  const candidate = email ? await emailOwner(orgId, email) : undefined;
  const candidates = candidate ? [candidate] : [];
  const now = new Date();
  const count = await retryOnConflict(
    () =>
      recordSighting(
        orgId,
        ref,
        {
          eventType: options.sighting?.eventType ?? options.source,
          context: options.sighting?.context,
          candidates,
        },
        now,
      ),
    () => false,
  );
  // The first read may have been stale, or a link may have committed while we recorded: a linked
  // identity must not stay listed as unmapped, so look again, strongly, and undo the sighting.
  const linked = await identityClaim(orgId, ref, true);
  if (linked) {
    await db.delete({ Key: keys.unmapped(orgId, ref.kind, ref.externalId) });
    return resolved(linked, "identity");
  }
  return { outcome: "unresolved", candidates, count };
}

/**
 * Step 1 of `resolve` alone: the user behind an identity that is already linked, in one
 * (eventually consistent) GetItem, or undefined. Callers that must do something before any write
 * (a webhook claiming its delivery) use it, then call `resolve` only on a miss.
 */
export async function knownIdentity(
  orgId: string,
  identity: IdentityRef,
): Promise<Extract<Resolution, { outcome: "resolved" }> | undefined> {
  const ref = canonicalRef(identity.kind, identity.externalId);
  const known = await identityClaim(orgId, ref, false);
  return known ? resolved(known, "identity") : undefined;
}

/** The user that holds an identity, strongly consistent (for the admin API). */
export async function userIdForIdentity(orgId: string, ref: IdentityRef): Promise<string | undefined> {
  return (await identityClaim(orgId, ref, true))?.userId;
}
