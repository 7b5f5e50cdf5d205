import { httpRoute } from "@kith/core/lambda";
import * as Rollup from "@kith/core/rollup";

export const handler = httpRoute(Rollup.Routes.listUnresolvedCorrespondents)(async ({ params, query }) => ({
  status: 200,
  body: await Rollup.listUnresolved(params.orgId, query),
}));
