import * as Http from "@kith/core/http";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute({ auth: "bearer" }, async ({ actor }) => {
  if (!actor) throw new Error("bearer route reached without an actor");
  return { status: 200, body: Http.describeActor(actor) };
});
