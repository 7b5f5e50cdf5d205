import * as z from "zod/mini";
import { defineEvent } from "../events/define";

/** Domain events of enrichment. Ids only: never an email, a handle or a career history. */

export const UserEnriched = defineEvent(
  "user.enriched",
  z.object({ userId: z.string() }),
  "A member's work and education history (from the enrichment provider) is new or changed, or was removed; strength recomputes the member's pairs in every collection they belong to.",
);

export const ContactEnriched = defineEvent(
  "contact.enriched",
  z.object({ collectionId: z.string(), contactId: z.string() }),
  "A contact's work and education history is new or changed, or was removed; strength recomputes the contact with every member of its collection.",
);

export const all = [UserEnriched, ContactEnriched] as const;
