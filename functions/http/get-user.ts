import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Identity.Routes.getUser)(async ({ params }) => ({
  status: 200,
  body: await Identity.get(params.orgId, params.userId),
}));
