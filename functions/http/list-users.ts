import * as Http from "@kith/core/http";
import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";
import { PageQuerySchema } from "@kith/core/storage";

export const handler = httpRoute(
  { auth: "bearer", query: PageQuerySchema },
  async ({ actor, query, pathParameters }) => {
    const orgId = Http.pathParameter(pathParameters, "orgId");
    Http.requireOrgAccess(actor, orgId, { admin: true });
    return { status: 200, body: await Identity.list(orgId, query) };
  },
);
