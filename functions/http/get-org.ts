import * as Http from "@kith/core/http";
import { httpRoute } from "@kith/core/lambda";
import * as Orgs from "@kith/core/orgs";

export const handler = httpRoute({ auth: "bearer" }, async ({ actor, pathParameters }) => {
  const orgId = Http.pathParameter(pathParameters, "orgId");
  Http.requireOrgAccess(actor, orgId, { admin: false });
  return { status: 200, body: await Orgs.get(orgId) };
});
