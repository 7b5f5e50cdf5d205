import * as Http from "@kith/core/http";
import * as Integrations from "@kith/core/integrations";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(
  {
    auth: "bearer",
    authorize: Http.orgAccess({ admin: true }),
    body: Integrations.CreateIntegrationInputSchema,
  },
  async ({ actor, body, pathParameters }) => {
    const orgId = Http.pathParameter(pathParameters, "orgId");
    const integration = await Integrations.create(orgId, body, { actor: Http.actorString(actor) });
    return { status: 201, body: integration };
  },
);
