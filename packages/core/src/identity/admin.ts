import { db } from "../storage";
import { InvalidInput } from "../util/errors";
import { UnmappedNotFound, UserNotFound } from "./errors";
import { canonicalRef, emailOwner, userIdForIdentity } from "./resolve";
import {
  EmailSchema,
  type IdentityKind,
  type IdentityRef,
  type ResolveUnmappedInput,
  type User,
} from "./schemas";
import { keys } from "./store";
import { find as findUnmapped } from "./unmapped";
import { create, get, linkIdentity } from "./users";

/** Operations of the admin API that combine the building blocks above. */

/**
 * `GET /resolve`: the user behind `kind`+`externalId`, or behind an email (primary or alias).
 * A read only: it never links, creates or records anything.
 */
export async function lookup(
  orgId: string,
  query: { kind?: IdentityKind; externalId?: string; email?: string },
): Promise<User> {
  let userId: string | undefined;
  if (query.kind && query.externalId && !query.email) {
    userId = await userIdForIdentity(orgId, canonicalRef(query.kind, query.externalId));
  } else if (query.email && !query.kind && !query.externalId) {
    const email = EmailSchema.safeParse(query.email);
    if (!email.success) throw new InvalidInput("email is not a valid address", { email: "invalid" });
    userId = await emailOwner(orgId, email.data);
  } else {
    throw new InvalidInput("Give either kind and externalId, or email", {
      query: "kind+externalId or email",
    });
  }
  if (!userId) throw new UserNotFound();
  return get(orgId, userId);
}

/**
 * Maps an unmapped identity: to an existing user (`{userId}`, 200) or to a new one (`{name, email?}`,
 * 201). Either way the link and the removal of the entry are one transaction.
 */
export async function resolveUnmapped(
  orgId: string,
  ref: IdentityRef,
  input: ResolveUnmappedInput,
  options: { actor: string; now?: Date },
): Promise<{ created: boolean; user: User }> {
  const canonical = canonicalRef(ref.kind, ref.externalId);
  if (!(await findUnmapped(orgId, canonical, options.now))) throw new UnmappedNotFound();
  if ("userId" in input) {
    const { linked } = await linkIdentity(orgId, input.userId, canonical, {
      actor: options.actor,
      via: "manual",
    });
    // Already this user's (linked by a webhook a moment ago): the entry is stale either way.
    if (!linked) await db.delete({ Key: keys.unmapped(orgId, canonical.kind, canonical.externalId) });
    return { created: false, user: await get(orgId, input.userId) };
  }
  const user = await create(
    orgId,
    { name: input.name, email: input.email, identities: [canonical] },
    { actor: options.actor, now: options.now },
  );
  return { created: true, user };
}
