import * as Integrations from "@kith/core/integrations";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Integrations.Routes.createIntegration)(async ({ actor, body, params }) => ({
  status: 201,
  body: await Integrations.create(params.orgId, body, {
    actor: actor.actor,
    // An operator runs the deployment and may connect any tenant; an org admin must prove control.
    proveTenant: actor.kind !== "operator",
  }),
}));
