import * as Http from "@kith/core/http";
import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(
  { auth: "bearer", authorize: Http.orgAccess({ admin: true, selfParameter: "userId" }) },
  async ({ pathParameters }) => {
    const orgId = Http.pathParameter(pathParameters, "orgId");
    const userId = Http.pathParameter(pathParameters, "userId");
    return { status: 200, body: await Identity.get(orgId, userId) };
  },
);
