import * as z from "zod/mini";
import { defineRoute } from "../http/route";

/** Directory sync's route: WorkOS webhooks, which only nudge the sync. */

export const workos = defineRoute({
  method: "POST",
  path: "/webhooks/workos",
  handler: "functions/webhooks/workos.handler",
  auth: "webhook",
  // The provider's JSON, as signed: each provider module reads what it needs.
  body: z.unknown(),
  operationId: "receiveWorkosWebhook",
  summary: "WorkOS directory events (verified by WorkOS-Signature)",
  description:
    "Only nudges the directory sync: the Events API is read for the organization (or the user stream), in " +
    "order, from its cursor. A bad or stale signature is a 401 and nothing is queued.",
  tags: ["webhooks"],
  responses: { 200: { description: "Accepted", schema: z.object({ received: z.literal(true) }) } },
  errors: [400, 401, 413],
});

export const all = [workos] as const;
