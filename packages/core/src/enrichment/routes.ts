import * as z from "zod/mini";
import { defineRoute } from "../http/route";

export const findem = defineRoute({
  method: "POST",
  path: "/webhooks/findem",
  handler: "functions/webhooks/findem.handler",
  auth: "webhook",
  // Findem's JSON, as signed; the handler parses it after the signature is checked.
  body: z.unknown(),
  operationId: "receiveFindemWebhook",
  summary: "Findem profile updates, F7 (verified by Standard Webhooks under FINDEM_WEBHOOK_SECRET)",
  description:
    "`profile.updated` drops the cached lookups of the person's emails and queues their re-resolution in every " +
    "org that used them, and a refresh of the stored profile (strength recomputes what it changes). Other types " +
    "are acknowledged and ignored. A bad signature or a timestamp more than 5 minutes off is a 401 and changes " +
    "nothing; a malformed body is a 400.",
  tags: ["webhooks"],
  responses: {
    200: {
      description: "Processed or ignored",
      schema: z.object({ received: z.literal(true), outcome: z.enum(["processed", "ignored"]) }),
    },
  },
  errors: [400, 401, 413],
});

export const all = [findem] as const;
