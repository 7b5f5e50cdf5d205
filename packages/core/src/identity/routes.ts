import * as z from "zod/mini";
import { defineRoute, PathId } from "../http/route";
import { PageQuerySchema, pageSchema } from "../storage/cursor";
import { IdentityNotLinked, UnmappedNotFound } from "./errors";
import {
  AuditEventSchema,
  CreateUserInputSchema,
  canonicalExternalId,
  type IdentityKind,
  IdentityKindSchema,
  IdentityRefSchema,
  IdentitySchema,
  LookupQuerySchema,
  MergeInputSchema,
  MintedTokenSchema,
  MintTokenInputSchema,
  ResolveUnmappedInputSchema,
  UnmappedIdentitySchema,
  UnmappedQuerySchema,
  UpdateUserInputSchema,
  UserSchema,
  WhoAmISchema,
} from "./schemas";

/** The identity module's routes: who is calling, users, their identities, tokens and audit, resolution. */

const UserPage = pageSchema(UserSchema, "UserPage");
const AuditEventPage = pageSchema(AuditEventSchema, "AuditEventPage");
const UnmappedPage = pageSchema(UnmappedIdentitySchema, "UnmappedIdentityPage");

/** `{kind}/{externalId}` in a path: a kind and an id that can exist for it, else the path names nothing. */
const IdentityInPath = {
  kind: IdentityKindSchema,
  externalId: z.string().check(z.minLength(1), z.maxLength(300)),
};
const canonical = (path: { kind: IdentityKind; externalId: string }) =>
  canonicalExternalId(path.kind, path.externalId) !== undefined;
const UserIdentityPath = z
  .object({ orgId: PathId, userId: PathId, ...IdentityInPath })
  .check(z.refine(canonical));
const UnmappedPath = z.object({ orgId: PathId, ...IdentityInPath }).check(z.refine(canonical));

const ok = (description: string) => ({ description });

export const whoAmI = defineRoute({
  method: "GET",
  path: "/v1/whoami",
  handler: "functions/http/whoami.handler",
  auth: "bearer",
  access: "caller",
  operationId: "whoAmI",
  summary: "Who the bearer token belongs to",
  tags: ["system"],
  responses: { 200: { description: "The caller", schema: WhoAmISchema } },
});

export const createUser = defineRoute({
  method: "POST",
  path: "/v1/orgs/{orgId}/users",
  handler: "functions/http/create-user.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "createUser",
  summary: "Create a user with its emails and identities",
  description:
    "Every email and identity is claimed in the same transaction as the user: a conflict is a 409 and nothing is written.",
  tags: ["users"],
  body: CreateUserInputSchema,
  responses: { 201: { description: "Created", schema: UserSchema } },
  errors: [404, 409],
});

export const listUsers = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}/users",
  handler: "functions/http/list-users.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "listUsers",
  summary: "List users, ordered by name",
  tags: ["users"],
  query: PageQuerySchema,
  responses: { 200: { description: "A page of users", schema: UserPage } },
  errors: [404],
});

export const getUser = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}/users/{userId}",
  handler: "functions/http/get-user.handler",
  auth: "bearer",
  access: { org: "admin", self: "userId" },
  operationId: "getUser",
  summary: "Get a user with identities and token metadata (an admin, or the user themself)",
  tags: ["users"],
  responses: { 200: { description: "The user", schema: UserSchema } },
  errors: [404],
});

export const updateUser = defineRoute({
  method: "PATCH",
  path: "/v1/orgs/{orgId}/users/{userId}",
  handler: "functions/http/update-user.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "updateUser",
  summary: "Update a user partially",
  tags: ["users"],
  body: UpdateUserInputSchema,
  responses: { 200: { description: "The updated user", schema: UserSchema } },
  errors: [404, 409],
});

export const deleteUser = defineRoute({
  method: "DELETE",
  path: "/v1/orgs/{orgId}/users/{userId}",
  handler: "functions/http/delete-user.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "deleteUser",
  summary: "Delete a user; its audit events remain",
  tags: ["users"],
  responses: { 204: ok("Deleted") },
  errors: [404],
});

export const linkIdentity = defineRoute({
  method: "POST",
  path: "/v1/orgs/{orgId}/users/{userId}/identities",
  handler: "functions/http/link-identity.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "linkIdentity",
  summary: "Link an external identity to the user",
  tags: ["identities"],
  body: IdentityRefSchema,
  responses: {
    200: { description: "Already linked to this user", schema: IdentitySchema },
    201: { description: "Linked", schema: IdentitySchema },
  },
  errors: [404, 409],
});

export const unlinkIdentity = defineRoute({
  method: "DELETE",
  path: "/v1/orgs/{orgId}/users/{userId}/identities/{kind}/{externalId}",
  handler: "functions/http/unlink-identity.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "unlinkIdentity",
  summary: "Unlink an external identity",
  tags: ["identities"],
  params: UserIdentityPath,
  // A kind or id that cannot exist cannot be linked either.
  notFound: () => new IdentityNotLinked(),
  responses: { 204: ok("Unlinked") },
  errors: [404],
});

export const mergeUsers = defineRoute({
  method: "POST",
  path: "/v1/orgs/{orgId}/users/{userId}/merge",
  handler: "functions/http/merge-users.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "mergeUsers",
  summary: "Merge another user into this one",
  tags: ["users"],
  body: MergeInputSchema,
  responses: { 200: { description: "The merged user", schema: UserSchema } },
  errors: [404, 409],
});

export const mintToken = defineRoute({
  method: "POST",
  path: "/v1/orgs/{orgId}/users/{userId}/tokens",
  handler: "functions/http/mint-token.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "mintToken",
  summary: "Mint an API token; the plaintext is returned only here",
  tags: ["tokens"],
  body: z.optional(MintTokenInputSchema),
  responses: { 201: { description: "Minted", schema: MintedTokenSchema } },
  errors: [404, 409],
});

export const revokeToken = defineRoute({
  method: "DELETE",
  path: "/v1/orgs/{orgId}/users/{userId}/tokens/{tokenId}",
  handler: "functions/http/revoke-token.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "revokeToken",
  summary: "Revoke a token (idempotent)",
  tags: ["tokens"],
  responses: { 204: ok("Revoked, or already gone") },
});

export const listUserEvents = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}/users/{userId}/events",
  handler: "functions/http/list-user-events.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "listUserEvents",
  summary: "A user's audit events, newest first",
  tags: ["users"],
  query: PageQuerySchema,
  responses: { 200: { description: "A page of audit events", schema: AuditEventPage } },
  errors: [404],
});

export const resolveUser = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}/resolve",
  handler: "functions/http/resolve-user.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "resolveUser",
  summary: "The user behind an identity or an email",
  tags: ["identities"],
  query: LookupQuerySchema,
  responses: { 200: { description: "The user", schema: UserSchema } },
  errors: [404],
});

export const listUnmapped = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}/unmapped",
  handler: "functions/http/list-unmapped.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "listUnmapped",
  summary: "Identities seen on webhooks that no user holds, by count",
  tags: ["identities"],
  query: UnmappedQuerySchema,
  responses: { 200: { description: "A page of unmapped identities", schema: UnmappedPage } },
  errors: [404],
});

export const resolveUnmapped = defineRoute({
  method: "POST",
  path: "/v1/orgs/{orgId}/unmapped/{kind}/{externalId}/resolve",
  handler: "functions/http/resolve-unmapped.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "resolveUnmapped",
  summary: "Map an unmapped identity to a user, or to a new user",
  tags: ["identities"],
  params: UnmappedPath,
  notFound: () => new UnmappedNotFound(),
  body: ResolveUnmappedInputSchema,
  responses: {
    200: { description: "Linked to the existing user", schema: UserSchema },
    201: { description: "Linked to a new user", schema: UserSchema },
  },
  errors: [404, 409],
});

export const all = [
  whoAmI,
  createUser,
  listUsers,
  getUser,
  updateUser,
  deleteUser,
  linkIdentity,
  unlinkIdentity,
  mergeUsers,
  mintToken,
  revokeToken,
  listUserEvents,
  resolveUser,
  listUnmapped,
  resolveUnmapped,
] as const;
