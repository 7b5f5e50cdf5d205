import * as Http from "@kith/core/http";
import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(
  { auth: "bearer", authorize: Http.orgAccess({ admin: true }) },
  async ({ actor, pathParameters }) => {
    const orgId = Http.pathParameter(pathParameters, "orgId");
    const userId = Http.pathParameter(pathParameters, "userId");
    const ref = Identity.IdentityRefSchema.safeParse({
      kind: pathParameters.kind,
      externalId: pathParameters.externalId,
    });
    // A kind or id that cannot exist cannot be linked either.
    if (!ref.success) throw new Identity.IdentityNotLinked();
    await Identity.unlinkIdentity(orgId, userId, ref.data, { actor: Http.actorString(actor) });
    return { status: 204 };
  },
);
