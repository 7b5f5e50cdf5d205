import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Identity.Routes.mergeUsers)(async ({ actor, body, params }) => ({
  status: 200,
  body: await Identity.merge(params.orgId, params.userId, body.sourceUserId, { actor: actor.actor }),
}));
