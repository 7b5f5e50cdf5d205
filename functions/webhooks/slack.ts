import { httpRoute } from "@kith/core/lambda";
import { toResponse } from "@kith/core/webhooks/receive";
import * as Slack from "@kith/core/webhooks/slack";
import { z } from "zod";

export const handler = httpRoute(
  { auth: "webhook", verify: ({ rawBody, headers }) => Slack.verify(rawBody, headers), body: z.unknown() },
  async ({ body }) => {
    const result = await Slack.handle(body);
    // Slack's URL check: echo the challenge.
    if ("challenge" in result) return { status: 200, body: { challenge: result.challenge } };
    return toResponse(result);
  },
);
