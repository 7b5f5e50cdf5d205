import { httpRoute } from "@kith/core/lambda";
import * as Scoring from "@kith/core/scoring";

export const handler = httpRoute(Scoring.Routes.setKeyConnection)(async ({ actor, body, params }) => ({
  status: 200,
  body: await Scoring.setKeyConnectionOptOut(actor.actor, params.orgId, params.userId, body.optOut),
}));
