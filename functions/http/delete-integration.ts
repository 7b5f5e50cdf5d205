import * as Integrations from "@kith/core/integrations";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Integrations.Routes.deleteIntegration)(async ({ actor, params }) => {
  await Integrations.remove(params.orgId, params.integrationId, { actor: actor.actor });
  return { status: 204 };
});
