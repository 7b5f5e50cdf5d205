import * as Http from "@kith/core/http";
import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(
  {
    auth: "bearer",
    authorize: Http.orgAccess({ admin: true }),
    body: Identity.MintTokenInputSchema.optional(),
  },
  async ({ actor, body, pathParameters }) => {
    const orgId = Http.pathParameter(pathParameters, "orgId");
    const userId = Http.pathParameter(pathParameters, "userId");
    const minted = await Identity.Tokens.mint(orgId, userId, body ?? {}, { actor: Http.actorString(actor) });
    // The plaintext leaves exactly once; no proxy or browser may keep a copy.
    return { status: 201, body: minted, headers: { "cache-control": "no-store" } };
  },
);
