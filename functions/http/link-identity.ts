import * as Http from "@kith/core/http";
import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(
  { auth: "bearer", body: Identity.IdentityRefSchema },
  async ({ actor, body, pathParameters }) => {
    const orgId = Http.pathParameter(pathParameters, "orgId");
    const userId = Http.pathParameter(pathParameters, "userId");
    Http.requireOrgAccess(actor, orgId, { admin: true });
    const { linked, user } = await Identity.linkIdentity(orgId, userId, body, {
      actor: Http.actorString(actor),
      via: "manual",
    });
    const identity = user.identities[`${body.kind}#${body.externalId}`];
    return { status: linked ? 201 : 200, body: identity };
  },
);
