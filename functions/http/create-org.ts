import { httpRoute } from "@kith/core/lambda";
import * as Orgs from "@kith/core/orgs";

export const handler = httpRoute(Orgs.Routes.createOrg)(async ({ body }) => {
  const { org } = await Orgs.create(body);
  return { status: 201, body: org };
});
