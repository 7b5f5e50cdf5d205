import * as z from "zod/mini";
import { defineEvent } from "../events/define";

/**
 * Domain events of collections and contacts, written in the transaction of the change they
 * describe. Contact events name the emails the contact gained and lost, which is what the rollup
 * needs to move a correspondent in or out of the unresolved queue and to rescore its pairs.
 */

export const CollectionCreated = defineEvent(
  "collection.created",
  z.object({ collectionId: z.string(), name: z.string() }),
  "A collection of contacts was created.",
);

const Membership = z.object({ collectionId: z.string(), userId: z.string() });

export const CollectionMemberAdded = defineEvent(
  "collection.member_added",
  Membership,
  "A team member joined a collection: its reachability now counts them, and they may read its contacts.",
);

export const CollectionMemberRemoved = defineEvent(
  "collection.member_removed",
  Membership,
  "A team member left a collection: they stop counting in its reachability and may no longer read it.",
);

const ContactChange = z.object({
  collectionId: z.string(),
  contactId: z.string(),
  /** Emails the contact carries now and did not before (on creation: all of them). */
  emailsAdded: z.array(z.string()),
  /** Emails the contact no longer carries (on deletion: all of them). */
  emailsRemoved: z.array(z.string()),
});

export const ContactCreated = defineEvent(
  "contact.created",
  ContactChange,
  "A contact was added to a collection (one per contact of a bulk import); `emailsAdded` holds all its emails.",
);

export const ContactUpdated = defineEvent(
  "contact.updated",
  ContactChange,
  "A contact's name, emails or LinkedIn handle changed; the emails it gained and lost are listed.",
);

export const ContactDeleted = defineEvent(
  "contact.deleted",
  ContactChange,
  "A contact was deleted (or a failed bulk import took it back); `emailsRemoved` holds all its emails.",
);

export const all = [
  CollectionCreated,
  CollectionMemberAdded,
  CollectionMemberRemoved,
  ContactCreated,
  ContactUpdated,
  ContactDeleted,
] as const;
