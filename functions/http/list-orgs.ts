import * as Http from "@kith/core/http";
import { httpRoute } from "@kith/core/lambda";
import * as Orgs from "@kith/core/orgs";
import { PageQuerySchema } from "@kith/core/storage";

export const handler = httpRoute({ auth: "bearer", query: PageQuerySchema }, async ({ actor, query }) => {
  Http.requireOperator(actor);
  return { status: 200, body: await Orgs.list(query) };
});
