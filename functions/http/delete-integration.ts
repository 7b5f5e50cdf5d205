import * as Http from "@kith/core/http";
import * as Integrations from "@kith/core/integrations";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(
  { auth: "bearer", authorize: Http.orgAccess({ admin: true }) },
  async ({ actor, pathParameters }) => {
    const orgId = Http.pathParameter(pathParameters, "orgId");
    const integrationId = Http.pathParameter(pathParameters, "integrationId");
    await Integrations.remove(orgId, integrationId, { actor: Http.actorString(actor) });
    return { status: 204 };
  },
);
