import { httpRoute } from "@kith/core/lambda";
import { toResponse } from "@kith/core/webhooks/receive";
import * as Routes from "@kith/core/webhooks/routes";
import * as Slack from "@kith/core/webhooks/slack";

export const handler = httpRoute(Routes.slack, {
  verify: ({ rawBody, headers }) => Slack.verify(rawBody, headers),
})(async ({ body }) => {
  const result = await Slack.handle(body);
  // Slack's URL check: echo the challenge.
  if ("challenge" in result) return { status: 200, body: { challenge: result.challenge } };
  return toResponse(result);
});
