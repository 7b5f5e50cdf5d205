import * as Http from "@kith/core/http";
import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(
  { auth: "bearer", query: Identity.UnmappedQuerySchema },
  async ({ actor, query, pathParameters }) => {
    const orgId = Http.pathParameter(pathParameters, "orgId");
    Http.requireOrgAccess(actor, orgId, { admin: true });
    return { status: 200, body: await Identity.Unmapped.list(orgId, query) };
  },
);
