import { defineRoute } from "../http/route";
import { PageQuerySchema, pageSchema } from "../storage/cursor";
import {
  AddCollectionMemberInputSchema,
  CollectionMemberSchema,
  CollectionSchema,
  ContactDetailSchema,
  ContactListItemSchema,
  ContactSchema,
  CreateCollectionInputSchema,
  CreateContactsInputSchema,
  CreatedContactsSchema,
  ListContactsQuerySchema,
  UpdateContactInputSchema,
} from "./schemas";

/** Collections and contacts' routes (docs/api.md, "Contacts and collections"). */

const CollectionPage = pageSchema(CollectionSchema, "CollectionPage");
const CollectionMemberPage = pageSchema(CollectionMemberSchema, "CollectionMemberPage");
const ContactPage = pageSchema(ContactListItemSchema, "ContactPage");

/** Admins and operators manage collections, members and contacts; members get a 403. */
const MANAGERS = { org: "admin" } as const;
/**
 * Any token of the org passes the route's rule; the collection itself is then checked
 * (`readableCollection`): members of the collection, admins and operators read it, anyone else
 * gets the 404 of a collection that does not exist.
 */
const READERS = { org: "member" } as const;

const READ_RULE =
  "Readable by the collection's members, the org's admins and operators; anyone else gets 404 `collection_not_found`.";

export const createCollection = defineRoute({
  method: "POST",
  path: "/v1/orgs/{orgId}/collections",
  handler: "functions/http/create-collection.handler",
  auth: "bearer",
  access: MANAGERS,
  operationId: "createCollection",
  summary: "Create a collection of contacts",
  tags: ["collections"],
  body: CreateCollectionInputSchema,
  responses: { 201: { description: "Created", schema: CollectionSchema } },
  errors: [404],
});

export const listCollections = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}/collections",
  handler: "functions/http/list-collections.handler",
  auth: "bearer",
  access: READERS,
  operationId: "listCollections",
  summary:
    "List collections by name: all of them for admins and operators, a member's own for a member token",
  tags: ["collections"],
  query: PageQuerySchema,
  responses: { 200: { description: "A page of collections", schema: CollectionPage } },
  errors: [404],
});

export const getCollection = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}/collections/{collectionId}",
  handler: "functions/http/get-collection.handler",
  auth: "bearer",
  access: READERS,
  operationId: "getCollection",
  summary: "Get a collection",
  description: READ_RULE,
  tags: ["collections"],
  responses: { 200: { description: "The collection", schema: CollectionSchema } },
  errors: [404],
});

export const addCollectionMember = defineRoute({
  method: "POST",
  path: "/v1/orgs/{orgId}/collections/{collectionId}/members",
  handler: "functions/http/add-collection-member.handler",
  auth: "bearer",
  access: MANAGERS,
  operationId: "addCollectionMember",
  summary: "Add a team member to a collection",
  description:
    "The user must exist in the org (404 `user_not_found`). Adding a member again changes nothing and answers 200 with the existing membership.",
  tags: ["collections"],
  body: AddCollectionMemberInputSchema,
  responses: {
    200: { description: "Already a member", schema: CollectionMemberSchema },
    201: { description: "Added", schema: CollectionMemberSchema },
  },
  errors: [404],
});

export const listCollectionMembers = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}/collections/{collectionId}/members",
  handler: "functions/http/list-collection-members.handler",
  auth: "bearer",
  access: READERS,
  operationId: "listCollectionMembers",
  summary: "List a collection's members, by user id",
  description: READ_RULE,
  tags: ["collections"],
  query: PageQuerySchema,
  responses: { 200: { description: "A page of members", schema: CollectionMemberPage } },
  errors: [404],
});

export const removeCollectionMember = defineRoute({
  method: "DELETE",
  path: "/v1/orgs/{orgId}/collections/{collectionId}/members/{userId}",
  handler: "functions/http/remove-collection-member.handler",
  auth: "bearer",
  access: MANAGERS,
  operationId: "removeCollectionMember",
  summary: "Remove a team member from a collection (idempotent)",
  tags: ["collections"],
  responses: { 204: { description: "Removed, or was not a member" } },
  errors: [404],
});

export const createContacts = defineRoute({
  method: "POST",
  path: "/v1/orgs/{orgId}/collections/{collectionId}/contacts",
  handler: "functions/http/create-contacts.handler",
  auth: "bearer",
  access: MANAGERS,
  operationId: "createContacts",
  summary: "Add a contact, or import up to 1,000 at once",
  description:
    "`{name, emails, linkedinHandle?}` → 201 `Contact`; `{items: [...]}` → 201 `{items: [Contact]}` in input order. " +
    "Emails are trimmed and lower-cased, 1 to 10 per contact, and unique within the collection: 409 " +
    "`email_taken` naming the email. A bulk import is all or nothing: an invalid item is a 400 naming " +
    "`items.<index>.<field>`, more than 1,000 items a 400, and an email given twice (in the import, or " +
    "already a contact's) a 409; nothing is written then.",
  tags: ["contacts"],
  body: CreateContactsInputSchema,
  responses: { 201: { description: "Created", schema: CreatedContactsSchema } },
  errors: [404, 409],
  // 1,000 contacts of up to 10 emails: up to ~3 MB of JSON and ~200 transactions.
  maxBodyBytes: 4 * 1024 * 1024,
  timeoutSeconds: 30,
  memoryMB: 512,
});

export const listContacts = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}/collections/{collectionId}/contacts",
  handler: "functions/http/list-contacts.handler",
  auth: "bearer",
  access: READERS,
  operationId: "listContacts",
  summary: "List a collection's contacts, each with its reachability",
  description: `${READ_RULE} \`sort=name\` (default) orders by name; \`sort=reachability\` by tier (high first), then name; \`sort=strength\` by the key connection's tier, then its score. \`reachability=high,medium\` keeps only those tiers. Served from the reachability items' indexes, never a scan.`,
  tags: ["contacts"],
  query: ListContactsQuerySchema,
  responses: { 200: { description: "A page of contacts", schema: ContactPage } },
  errors: [404],
});

export const getContact = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}/collections/{collectionId}/contacts/{contactId}",
  handler: "functions/http/get-contact.handler",
  auth: "bearer",
  access: READERS,
  operationId: "getContact",
  summary: "A contact with its reachability and connections",
  description: `${READ_RULE} \`connections\` lists every member of the collection with a tier, best first.`,
  tags: ["contacts"],
  responses: { 200: { description: "The contact", schema: ContactDetailSchema } },
  errors: [404],
});

export const updateContact = defineRoute({
  method: "PATCH",
  path: "/v1/orgs/{orgId}/collections/{collectionId}/contacts/{contactId}",
  handler: "functions/http/update-contact.handler",
  auth: "bearer",
  access: MANAGERS,
  operationId: "updateContact",
  summary: "Update a contact partially; `emails` replaces the list",
  tags: ["contacts"],
  body: UpdateContactInputSchema,
  responses: { 200: { description: "The contact", schema: ContactSchema } },
  errors: [404, 409],
});

export const deleteContact = defineRoute({
  method: "DELETE",
  path: "/v1/orgs/{orgId}/collections/{collectionId}/contacts/{contactId}",
  handler: "functions/http/delete-contact.handler",
  auth: "bearer",
  access: MANAGERS,
  operationId: "deleteContact",
  summary: "Delete a contact and free its emails",
  tags: ["contacts"],
  responses: { 204: { description: "Deleted" } },
  errors: [404],
});

export const all = [
  createCollection,
  listCollections,
  getCollection,
  addCollectionMember,
  listCollectionMembers,
  removeCollectionMember,
  createContacts,
  listContacts,
  getContact,
  updateContact,
  deleteContact,
] as const;
