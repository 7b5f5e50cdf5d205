import { defineRoute } from "../http/route";
import { PageQuerySchema, pageSchema } from "../storage/cursor";
import { CreateOrgInputSchema, OrgSchema } from "./schemas";

/** The orgs module's routes. */

const OrgPage = pageSchema(OrgSchema, "OrgPage");

export const createOrg = defineRoute({
  method: "POST",
  path: "/v1/orgs",
  handler: "functions/http/create-org.handler",
  auth: "bearer",
  access: "operator",
  operationId: "createOrg",
  summary: "Create an org (operator)",
  tags: ["orgs"],
  body: CreateOrgInputSchema,
  responses: { 201: { description: "Created", schema: OrgSchema } },
  errors: [409],
});

export const listOrgs = defineRoute({
  method: "GET",
  path: "/v1/orgs",
  handler: "functions/http/list-orgs.handler",
  auth: "bearer",
  access: "operator",
  operationId: "listOrgs",
  summary: "List orgs by slug (operator)",
  tags: ["orgs"],
  query: PageQuerySchema,
  responses: { 200: { description: "A page of orgs", schema: OrgPage } },
});

export const getOrg = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}",
  handler: "functions/http/get-org.handler",
  auth: "bearer",
  access: { org: "member" },
  operationId: "getOrg",
  summary: "Get an org (operator, or any token of the org)",
  tags: ["orgs"],
  responses: { 200: { description: "The org", schema: OrgSchema } },
  errors: [404],
});

export const all = [createOrg, listOrgs, getOrg] as const;
