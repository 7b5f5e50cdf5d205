import * as Enrichment from "@kith/core/enrichment";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Enrichment.Routes.findem, {
  verify: ({ rawBody, headers }) => Enrichment.verifyFindemWebhook(rawBody.toString("utf8"), headers),
})(async ({ body }) => {
  const { outcome } = await Enrichment.acceptProfileUpdate(body);
  return { status: 200, body: { received: true, outcome } };
});
