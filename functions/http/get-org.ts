import { httpRoute } from "@kith/core/lambda";
import * as Orgs from "@kith/core/orgs";

export const handler = httpRoute(Orgs.Routes.getOrg)(async ({ params }) => ({
  status: 200,
  body: await Orgs.get(params.orgId),
}));
