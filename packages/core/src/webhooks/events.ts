import * as z from "zod/mini";
import { defineEvent } from "../events/define";
import { ProviderSchema } from "../integrations/schemas";

/** Domain events of webhook ingress. */

export const WebhookReceived = defineEvent(
  "webhook.received",
  z.object({
    orgId: z.string(),
    provider: ProviderSchema,
    integrationId: z.string(),
    /** The provider's own name for the event, e.g. `issues.opened`, `message`, `Issue.create`. */
    eventType: z.string(),
    deliveryId: z.string(),
    occurredAt: z.iso.datetime(),
    /** The user who sent it, or null when the sender is not (or cannot be trusted to be) a known user. */
    actorUserId: z.nullable(z.string()),
    /** Consumers refuse work for a suspended member; the delivery still says who it was. */
    actorSuspended: z.boolean(),
    unmapped: z.boolean(),
    /** One line for people: what happened, where. Metadata only, never content. */
    summary: z.string().check(z.maxLength(300)),
  }),
  "A verified webhook delivery was processed and its sender resolved (or recorded as unmapped).",
);

export const all = [WebhookReceived] as const;
