import * as Http from "@kith/core/http";
import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(
  { auth: "bearer", authorize: Http.orgAccess({ admin: true }), body: Identity.MergeInputSchema },
  async ({ actor, body, pathParameters }) => {
    const orgId = Http.pathParameter(pathParameters, "orgId");
    const userId = Http.pathParameter(pathParameters, "userId");
    const user = await Identity.merge(orgId, userId, body.sourceUserId, { actor: Http.actorString(actor) });
    return { status: 200, body: user };
  },
);
