import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Identity.Routes.mintToken)(async ({ actor, body, params }) => ({
  status: 201,
  body: await Identity.Tokens.mint(params.orgId, params.userId, body ?? {}, { actor: actor.actor }),
  // The plaintext leaves exactly once; no proxy or browser may keep a copy.
  headers: { "cache-control": "no-store" },
}));
