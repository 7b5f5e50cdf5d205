import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Identity.Routes.resolveUnmapped)(async ({ actor, body, params }) => {
  const { created, user } = await Identity.resolveUnmapped(params.orgId, params, body, {
    actor: actor.actor,
  });
  return { status: created ? 201 : 200, body: user };
});
