import * as Http from "@kith/core/http";
import { httpRoute } from "@kith/core/lambda";
import * as Orgs from "@kith/core/orgs";

export const handler = httpRoute(
  { auth: "bearer", authorize: Http.orgAccess({ admin: false }) },
  async ({ pathParameters }) => {
    const orgId = Http.pathParameter(pathParameters, "orgId");
    return { status: 200, body: await Orgs.get(orgId) };
  },
);
