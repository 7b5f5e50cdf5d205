import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Identity.Routes.createUser)(async ({ actor, body, params }) => ({
  status: 201,
  body: await Identity.create(params.orgId, body, { actor: actor.actor }),
}));
