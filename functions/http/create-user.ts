import * as Http from "@kith/core/http";
import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(
  { auth: "bearer", authorize: Http.orgAccess({ admin: true }), body: Identity.CreateUserInputSchema },
  async ({ actor, body, pathParameters }) => {
    const orgId = Http.pathParameter(pathParameters, "orgId");
    const user = await Identity.create(orgId, body, { actor: Http.actorString(actor) });
    return { status: 201, body: user };
  },
);
