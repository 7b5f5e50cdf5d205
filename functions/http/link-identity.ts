import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Identity.Routes.linkIdentity)(async ({ actor, body, params }) => {
  const { linked, identity } = await Identity.linkIdentity(params.orgId, params.userId, body, {
    actor: actor.actor,
    via: "manual",
  });
  return { status: linked ? 201 : 200, body: identity };
});
