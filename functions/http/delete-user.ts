import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Identity.Routes.deleteUser)(async ({ actor, params }) => {
  await Identity.remove(params.orgId, params.userId, { actor: actor.actor });
  return { status: 204 };
});
