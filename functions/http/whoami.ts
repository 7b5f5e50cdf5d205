import * as Http from "@kith/core/http";
import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute({ auth: "bearer" }, async ({ actor }) => {
  if (!actor) throw new Error("bearer route reached without an actor");
  const described = Http.describeActor(actor);
  if (actor.kind !== "user") return { status: 200, body: described };
  return { status: 200, body: { ...described, user: await Identity.get(actor.orgId, actor.userId) } };
});
