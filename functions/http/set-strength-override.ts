import { httpRoute } from "@kith/core/lambda";
import * as Scoring from "@kith/core/scoring";

export const handler = httpRoute(Scoring.Routes.setStrengthOverride)(async ({ actor, body, params }) => ({
  status: 200,
  body: await Scoring.setOverride(
    actor,
    params.orgId,
    params.collectionId,
    params.contactId,
    params.userId,
    body.override,
  ),
}));
