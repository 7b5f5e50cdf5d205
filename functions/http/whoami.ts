import * as Identity from "@kith/core/identity";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Identity.Routes.whoAmI)(async ({ actor }) => ({
  status: 200,
  body: await Identity.whoAmI(actor),
}));
