import { httpRoute } from "@kith/core/lambda";
import * as Orgs from "@kith/core/orgs";
import * as Rollup from "@kith/core/rollup";

export const handler = httpRoute(Rollup.Routes.rebuildStats)(async ({ params }) => {
  await Orgs.get(params.orgId);
  await Rollup.requestFullRebuild(params.orgId);
  return { status: 202, body: { accepted: true as const } };
});
