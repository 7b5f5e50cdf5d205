import * as Directory from "@kith/core/directory";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(
  {
    auth: "webhook",
    verify: ({ rawBody, headers }) => Directory.verifyWebhook(rawBody.toString("utf8"), headers["workos-signature"]),
  },
  async ({ body }) => {
    const target = Directory.nudgeFor(body);
    if (target) await Directory.enqueue(target.nudge, target.eventId);
    return { status: 200, body: { received: true } };
  },
);
