import * as Http from "@kith/core/http";
import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(
  { auth: "bearer", authorize: Http.orgAccess({ admin: true }), body: Identity.ResolveUnmappedInputSchema },
  async ({ actor, body, pathParameters }) => {
    const orgId = Http.pathParameter(pathParameters, "orgId");
    const ref = Identity.IdentityRefSchema.safeParse({
      kind: pathParameters.kind,
      externalId: pathParameters.externalId,
    });
    if (!ref.success) throw new Identity.UnmappedNotFound();
    const { created, user } = await Identity.resolveUnmapped(orgId, ref.data, body, {
      actor: Http.actorString(actor),
    });
    return { status: created ? 201 : 200, body: user };
  },
);
