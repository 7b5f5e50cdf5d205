import { httpRoute } from "@kith/core/lambda";
import * as Scoring from "@kith/core/scoring";

export const handler = httpRoute(Scoring.Routes.getRules)(async ({ params }) => ({
  status: 200,
  body: await Scoring.getRules(params.orgId),
}));
