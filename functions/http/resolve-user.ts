import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Identity.Routes.resolveUser)(async ({ query, params }) => ({
  status: 200,
  body: await Identity.lookup(params.orgId, query),
}));
