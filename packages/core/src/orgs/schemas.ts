import * as z from "zod/mini";
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
    directoryId: z.nullable(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .register(z.globalRegistry, { id: "Org" });
export type Org = z.infer<typeof OrgSchema>;

export const CreateOrgInputSchema = z
  .strictObject({
    name: nameSchema(200),
    slug: z.optional(
      z
        .string()
        .check(
          z.trim(),
          z.toLowerCase(),
          z.regex(SLUG_PATTERN, "lower-case letters, digits and inner hyphens, at most 63 characters"),
        ),
    ),
  })
  .register(z.globalRegistry, { id: "CreateOrgInput" });
export type CreateOrgInput = z.input<typeof CreateOrgInputSchema>;
