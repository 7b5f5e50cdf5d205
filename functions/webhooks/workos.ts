import * as Directory from "@kith/core/directory";
import { httpRoute } from "@kith/core/lambda";
import { z } from "zod";

export const handler = httpRoute(
  {
    auth: "webhook",
    verify: ({ rawBody, headers }) =>
      Directory.verifyWebhook(rawBody.toString("utf8"), headers["workos-signature"]),
    // Any verified JSON is acknowledged; events that concern no organization are simply not queued.
    body: z.unknown(),
  },
  async ({ body }) => {
    const target = Directory.nudgeFor(body);
    if (target) await Directory.enqueue(target.nudge, target.eventId);
    return { status: 200, body: { received: true } };
  },
);
