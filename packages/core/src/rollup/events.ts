import * as z from "zod/mini";
import { defineEvent } from "../events/define";
import { parseContactRef } from "./keys";

/** Domain events of the rollup. Ids only: never an email address of a correspondent. */

export const StatsChanged = defineEvent(
  "stats.changed",
  z.object({
    userId: z.string(),
    /** The contacts (any collection of the org) whose stats for this member moved. */
    contactIds: z.array(z.string()),
    /** The same contacts with their collections, which is how strength addresses them. */
    contacts: z.optional(z.array(z.object({ collectionId: z.string(), contactId: z.string() }))),
  }),
  "A member's statistics with some contacts changed (new or deleted interactions, aging windows, a contact gaining or losing an email); strength recomputes only those.",
);

/** `stats.changed` for one member and the contacts named by their refs (`<collectionId>/<contactId>`). */
export function statsChangedFor(orgId: string, userId: string, refs: Iterable<string>, now: Date) {
  const contacts = [...new Set(refs)].sort().map(parseContactRef);
  const contactIds = [...new Set(contacts.map((contact) => contact.contactId))].sort();
  return StatsChanged.create(orgId, { userId, contactIds, contacts }, now);
}

export const all = [StatsChanged] as const;
