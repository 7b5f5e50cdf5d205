import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Identity.Routes.updateUser)(async ({ actor, body, params }) => ({
  status: 200,
  body: await Identity.update(params.orgId, params.userId, body, { actor: actor.actor }),
}));
