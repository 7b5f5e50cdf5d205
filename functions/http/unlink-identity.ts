import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Identity.Routes.unlinkIdentity)(async ({ actor, params }) => {
  await Identity.unlinkIdentity(params.orgId, params.userId, params, { actor: actor.actor });
  return { status: 204 };
});
