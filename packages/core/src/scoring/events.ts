import * as z from "zod/mini";
import { defineEvent } from "../events/define";

/** Domain events of strength and reachability. Ids and tiers only. */

const TierOrNull = z.nullable(z.enum(["warm", "known", "cold"]));

export const StrengthChanged = defineEvent(
  "strength.changed",
  z.object({
    collectionId: z.string(),
    contactId: z.string(),
    userId: z.string(),
    /** The tier in force (the override when one is set), before and after. */
    from: TierOrNull,
    to: TierOrNull,
  }),
  "A member's strength tier with a contact changed (new statistics, a rule change, decay or an override); the contact's reachability in that collection is recomputed.",
);

export const RulesChanged = defineEvent(
  "rules.changed",
  z.object({ version: z.int(), previousVersion: z.int() }),
  "An admin tuned the org's rule set: a new version exists, and every pair of the org is recomputed against it.",
);

export const KeyConnectionOptOutChanged = defineEvent(
  "user.key_connection_changed",
  z.object({ userId: z.string(), optOut: z.boolean() }),
  "A member opted out of (or back into) being anyone's key connection; the reachability of their contacts is recomputed.",
);

export const all = [StrengthChanged, RulesChanged, KeyConnectionOptOutChanged] as const;
