import { httpRoute } from "@kith/core/lambda";
import * as Scoring from "@kith/core/scoring";

export const handler = httpRoute(Scoring.Routes.tuneRules)(async ({ actor, body, params }) => ({
  status: 200,
  body: await Scoring.tuneRules(params.orgId, body.thresholds, { actor: actor.actor }),
}));
