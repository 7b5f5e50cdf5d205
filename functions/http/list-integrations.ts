import * as Http from "@kith/core/http";
import * as Integrations from "@kith/core/integrations";
import { httpRoute } from "@kith/core/lambda";
import { PageQuerySchema } from "@kith/core/storage";

export const handler = httpRoute(
  { auth: "bearer", authorize: Http.orgAccess({ admin: true }), query: PageQuerySchema },
  async ({ query, pathParameters }) => {
    const orgId = Http.pathParameter(pathParameters, "orgId");
    return { status: 200, body: await Integrations.list(orgId, query) };
  },
);
