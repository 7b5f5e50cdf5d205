import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Identity.Routes.revokeToken)(async ({ actor, params }) => {
  await Identity.Tokens.revoke(params.orgId, params.userId, params.tokenId, { actor: actor.actor });
  return { status: 204 };
});
