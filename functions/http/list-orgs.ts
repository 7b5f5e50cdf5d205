import { httpRoute } from "@kith/core/lambda";
import * as Orgs from "@kith/core/orgs";

export const handler = httpRoute(Orgs.Routes.listOrgs)(async ({ query }) => ({
  status: 200,
  body: await Orgs.list(query),
}));
