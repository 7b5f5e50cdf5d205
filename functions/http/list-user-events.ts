import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Identity.Routes.listUserEvents)(async ({ query, params }) => ({
  status: 200,
  body: await Identity.listEvents(params.orgId, params.userId, query),
}));
