import * as z from "zod/mini";
import { defineEvent } from "../events/define";
import { AUDIT_EVENT_TYPES, IdentityKindSchema } from "./schemas";

/** Domain events of the identity module: users and their identities. */

export const UserCreated = defineEvent(
  "user.created",
  z.object({ userId: z.string() }),
  "A user was created (by an admin, a webhook's resolution or directory sync).",
);

export const UserUpdated = defineEvent(
  "user.updated",
  z.object({
    userId: z.string(),
    /** The audit event types the change wrote, e.g. `email_added`, `status_changed`. */
    changes: z.array(z.enum(AUDIT_EVENT_TYPES)).check(z.minLength(1)),
  }),
  "A user's profile, emails, status, budget or identities changed.",
);

export const UserDeleted = defineEvent(
  "user.deleted",
  z.object({ userId: z.string(), mergedInto: z.optional(z.string()) }),
  "A user was deleted, or merged into another (`mergedInto`). Its audit events remain.",
);

export const UserMerged = defineEvent(
  "user.merged",
  z.object({ userId: z.string(), sourceUserId: z.string() }),
  "Another user was merged into this one: its identities, emails and tokens moved here.",
);

export const IdentityLinked = defineEvent(
  "identity.linked",
  z.object({
    userId: z.string(),
    kind: IdentityKindSchema,
    externalId: z.string(),
    via: z.enum(["created", "manual", "auto_link"]),
  }),
  "An external identity was linked to a user.",
);

export const IdentityUnmapped = defineEvent(
  "identity.unmapped",
  z.object({ kind: IdentityKindSchema, externalId: z.string(), count: z.int().check(z.positive()) }),
  "An identity no user holds was seen for the first time (or again after its entry expired).",
);

export const all = [
  UserCreated,
  UserUpdated,
  UserDeleted,
  UserMerged,
  IdentityLinked,
  IdentityUnmapped,
] as const;
