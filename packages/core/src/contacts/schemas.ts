import * as z from "zod/mini";
import { EmailSchema } from "../identity/schemas";
import { ConnectionSchema } from "../scoring/schemas";
import { nameSchema } from "../util/text";

/**
 * Collections and contacts: the contract's shapes (docs/api.md, "Contacts and collections").
 * Handlers validate with these, and the OpenAPI document is generated from them.
 */

/**
 * Caps that keep every contact write inside one transaction: a contact with 10 emails is its item,
 * 10 claims and 10 lookup updates (21 items); a PATCH replacing all 10 adds 20 deletes (41), well
 * inside DynamoDB's 100. A bulk import holds at most 1,000 contacts.
 */
export const CONTACT_LIMITS = { emails: 10, importItems: 1_000 } as const;

export const CollectionNameSchema = nameSchema(200);
export const ContactNameSchema = nameSchema(200);

/** A LinkedIn profile URL (`https://www.linkedin.com/in/<handle>/`), reduced to its handle. */
const LINKEDIN_URL = /^(?:https?:\/\/)?(?:[a-z]{2,3}\.)?linkedin\.com\/in\/([^/?#\s]+)\/?(?:[?#].*)?$/i;
/** What a profile handle (LinkedIn's "custom URL") is made of: letters, digits, hyphens, underscores. */
const LINKEDIN_HANDLE = /^[\p{L}\p{N}_-]{1,100}$/u;

/**
 * A LinkedIn handle: trimmed; a pasted profile URL is reduced to its handle (percent-decoded), so
 * `https://linkedin.com/in/jane-doe/` and `jane-doe` are the same value. 1 to 100 letters, digits,
 * hyphens or underscores.
 */
export const LinkedinHandleSchema = z.pipe(
  z.string().check(z.trim(), z.maxLength(300)),
  z.transform((value: string, context) => {
    const fromUrl = value.match(LINKEDIN_URL)?.[1];
    let handle = value;
    if (fromUrl !== undefined) {
      try {
        handle = decodeURIComponent(fromUrl);
      } catch {
        handle = fromUrl;
      }
    }
    if (!LINKEDIN_HANDLE.test(handle)) {
      context.issues.push({
        code: "custom",
        input: value,
        message: "a LinkedIn handle (1 to 100 letters, digits, hyphens or underscores) or profile URL",
      });
      return z.NEVER;
    }
    return handle;
  }),
);

/**
 * A contact's emails: trimmed, lower-cased and validated, 1 to 10 of them. The same address given
 * twice (in any letter case) is kept once, in first-seen order.
 */
export const ContactEmailsSchema = z.pipe(
  z.array(EmailSchema).check(z.minLength(1), z.maxLength(CONTACT_LIMITS.emails)),
  z.transform((emails: string[]) => [...new Set(emails)]),
);

export const CreateCollectionInputSchema = z
  .strictObject({ name: CollectionNameSchema })
  .register(z.globalRegistry, { id: "CreateCollectionInput" });
export type CreateCollectionInput = z.input<typeof CreateCollectionInputSchema>;

export const CollectionSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .register(z.globalRegistry, { id: "Collection" });
export type Collection = z.infer<typeof CollectionSchema>;

export const AddCollectionMemberInputSchema = z
  .strictObject({ userId: z.string().check(z.minLength(1), z.maxLength(128)) })
  .register(z.globalRegistry, { id: "AddCollectionMemberInput" });

export const CollectionMemberSchema = z
  .object({ collectionId: z.string(), userId: z.string(), addedAt: z.iso.datetime() })
  .register(z.globalRegistry, { id: "CollectionMember" });
export type CollectionMember = z.infer<typeof CollectionMemberSchema>;

const contactFields = {
  name: ContactNameSchema,
  emails: ContactEmailsSchema,
  linkedinHandle: z.nullable(LinkedinHandleSchema),
};

export const CreateContactInputSchema = z
  .strictObject({
    name: contactFields.name,
    emails: contactFields.emails,
    linkedinHandle: z.optional(contactFields.linkedinHandle),
  })
  .register(z.globalRegistry, { id: "CreateContactInput" });
export type CreateContactInput = z.input<typeof CreateContactInputSchema>;
export type ValidContactInput = z.output<typeof CreateContactInputSchema>;

/**
 * `POST …/contacts` takes one contact, or `{items}` for a bulk import. One object schema rather
 * than a union, so an invalid bulk item is reported at its own path (`items.<index>.<field>`)
 * instead of as "matches neither form".
 */
export const CreateContactsInputSchema = z
  .strictObject({
    name: z.optional(contactFields.name),
    emails: z.optional(contactFields.emails),
    linkedinHandle: z.optional(contactFields.linkedinHandle),
    items: z.optional(
      z
        .array(CreateContactInputSchema)
        .check(
          z.minLength(1),
          z.maxLength(
            CONTACT_LIMITS.importItems,
            `at most ${CONTACT_LIMITS.importItems} contacts per import`,
          ),
        ),
    ),
  })
  .check(
    z.superRefine((body, context) => {
      const single = ["name", "emails", "linkedinHandle"].filter(
        (key) => (body as Record<string, unknown>)[key] !== undefined,
      );
      if (body.items !== undefined) {
        for (const key of single) {
          context.addIssue({ code: "custom", path: [key], message: "not allowed with items", input: body });
        }
        return;
      }
      if (body.name === undefined)
        context.addIssue({ code: "custom", path: ["name"], message: "required", input: body });
      if (body.emails === undefined)
        context.addIssue({ code: "custom", path: ["emails"], message: "required", input: body });
    }),
  )
  .register(z.globalRegistry, {
    id: "CreateContactsInput",
    description:
      "One contact (`{name, emails, linkedinHandle?}`), or a bulk import (`{items: [CreateContactInput]}`, 1 to 1,000).",
  });
export type CreateContactsInput = z.output<typeof CreateContactsInputSchema>;

export const UpdateContactInputSchema = z
  .strictObject({
    name: z.optional(contactFields.name),
    emails: z.optional(contactFields.emails),
    linkedinHandle: z.optional(contactFields.linkedinHandle),
  })
  .register(z.globalRegistry, { id: "UpdateContactInput" });
export type UpdateContactInput = z.input<typeof UpdateContactInputSchema>;

export const ContactSchema = z
  .object({
    id: z.string(),
    collectionId: z.string(),
    name: z.string(),
    emails: z.array(z.string()),
    linkedinHandle: z.nullable(z.string()),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .register(z.globalRegistry, { id: "Contact" });
export type Contact = z.infer<typeof ContactSchema>;

export const ContactImportSchema = z
  .object({ items: z.array(ContactSchema) })
  .register(z.globalRegistry, { id: "ContactImport" });

/** What `POST …/contacts` answers: the contact, or for a bulk import every contact, in input order. */
export const CreatedContactsSchema = z.union([ContactSchema, ContactImportSchema]);

/**
 * A contact's reachability in its collection, as the contract names it: the tiers of the
 * collection's team with the contact (overrides applied), and the key connection. Null only for a
 * contact whose reachability item does not exist yet.
 */
export const ReachabilitySchema = z
  .object({
    tier: z.enum(["high", "medium", "low", "none"]),
    warm: z.int(),
    known: z.int(),
    cold: z.int(),
    keyUserId: z.nullable(z.string()),
    computedAt: z.iso.datetime(),
  })
  .register(z.globalRegistry, { id: "Reachability" });

export const ContactListItemSchema = z
  .extend(ContactSchema, { reachability: z.nullable(ReachabilitySchema) })
  .register(z.globalRegistry, { id: "ContactListItem" });
export type ContactListItem = z.infer<typeof ContactListItemSchema>;

/**
 * `GET …/contacts/{contactId}`: the contact, its reachability and its connections: every member of
 * the collection with a tier, best first (tier, then score, then the latest interaction).
 */
export const ContactDetailSchema = z
  .object({
    contact: ContactSchema,
    reachability: z.nullable(ReachabilitySchema),
    connections: z.array(ConnectionSchema),
  })
  .register(z.globalRegistry, { id: "ContactDetail" });
export type ContactDetail = z.infer<typeof ContactDetailSchema>;

export const REACHABILITY_TIERS = ["high", "medium", "low", "none"] as const;
export const CONTACT_SORTS = ["name", "reachability", "strength"] as const;

/** `GET …/contacts`: the contract's filters and orders, plus the list query. */
export const ListContactsQuerySchema = z.object({
  reachability: z.optional(
    z.string().check(
      z.maxLength(64),
      z.refine(
        (value) =>
          value.split(",").every((tier) => (REACHABILITY_TIERS as readonly string[]).includes(tier.trim())),
        `a comma-separated list of ${REACHABILITY_TIERS.join(", ")}`,
      ),
    ),
  ),
  sort: z.optional(z.enum(CONTACT_SORTS)),
  limit: z.optional(z.string().check(z.maxLength(8))),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
});
export type ListContactsQuery = z.infer<typeof ListContactsQuerySchema>;
