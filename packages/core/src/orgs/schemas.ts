import { z } from "zod";
import { nameSchema } from "../util/text";

/** What an org is, and what creating one takes. */

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const OrgStatusSchema = z.enum(["active", "disabled"]);

export const OrgSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    status: OrgStatusSchema,
    directoryId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Org" });
export type Org = z.infer<typeof OrgSchema>;

export const CreateOrgInputSchema = z
  .strictObject({
    name: nameSchema(200),
    slug: z
      .string()
      .trim()
      .toLowerCase()
      .regex(SLUG_PATTERN, "lower-case letters, digits and inner hyphens, at most 63 characters")
      .optional(),
  })
  .meta({ id: "CreateOrgInput" });
export type CreateOrgInput = z.input<typeof CreateOrgInputSchema>;
