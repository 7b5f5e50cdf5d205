import * as Http from "@kith/core/http";
import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(
  { auth: "bearer", authorize: Http.orgAccess({ admin: true }), body: Identity.IdentityRefSchema },
  async ({ actor, body, pathParameters }) => {
    const orgId = Http.pathParameter(pathParameters, "orgId");
    const userId = Http.pathParameter(pathParameters, "userId");
    const { linked, identity } = await Identity.linkIdentity(orgId, userId, body, {
      actor: Http.actorString(actor),
      via: "manual",
    });
    return { status: linked ? 201 : 200, body: identity };
  },
);
