import * as z from "zod/mini";
import { defineEvent } from "../events/define";

/** Domain events of the orgs module. */

const DirectoryChange = z.object({
  orgId: z.string(),
  directoryOrgId: z.string(),
  directoryEventId: z.string(),
});

export const OrgCreated = defineEvent(
  "org.created",
  z.object({
    orgId: z.string(),
    slug: z.string(),
    /** The directory organization it was synced from, or null for an org created through the API. */
    directoryOrgId: z.nullable(z.string()),
  }),
  "An org was created, through the API or by directory sync.",
);

export const OrgUpdated = defineEvent(
  "org.updated",
  DirectoryChange,
  "Directory sync applied a change to the org (its name).",
);

export const OrgDisabled = defineEvent(
  "org.disabled",
  DirectoryChange,
  "The org's directory organization was deleted: the org is disabled, never removed.",
);

export const all = [OrgCreated, OrgUpdated, OrgDisabled] as const;
