import { LinearWebhookClient } from "@linear/sdk/webhooks";
import { secret } from "../config";
import * as Integrations from "../integrations";
import { Unauthenticated } from "../util/errors";
import { type Delivery, type Outcome, occurredAt, receive, requireDeliveryId } from "./receive";

/**
 * Linear webhooks. `Linear-Signature` and the signed `webhookTimestamp` (within a minute) are
 * checked by `LinearWebhookClient` from `@linear/sdk/webhooks`. The tenant is `organizationId`;
 * the sender is the actor (else the record's creator). Emails come from Linear's verified
 * membership, so they link and create users. The integration's own bot user is ignored.
 */

export async function verify(rawBody: Buffer, headers: Record<string, string | undefined>): Promise<void> {
  const webhookSecret = await secret("LINEAR_WEBHOOK_SECRET");
  const signature = headers["linear-signature"];
  if (!webhookSecret || !signature) throw new Unauthenticated("Missing or invalid Linear-Signature");
  try {
    new LinearWebhookClient(webhookSecret).verify(rawBody, signature);
  } catch (error) {
    // The client checks the signature before it parses the body: a SyntaxError means the signature
    // matched and the body is not JSON, which the JSON parser then answers with a 400.
    if (error instanceof SyntaxError) return;
    throw new Unauthenticated("Missing or invalid Linear signature or timestamp");
  }
}

interface LinearBody {
  type?: unknown;
  action?: unknown;
  organizationId?: unknown;
  createdAt?: unknown;
  url?: unknown;
  actor?: { id?: unknown; name?: unknown; email?: unknown; type?: unknown };
  data?: { creatorId?: unknown; userId?: unknown; identifier?: unknown };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function handle(body: unknown, headers: Record<string, string | undefined>): Promise<Outcome> {
  const payload = (typeof body === "object" && body !== null ? body : {}) as LinearBody;
  if (typeof payload.organizationId !== "string") return { outcome: "unknown_tenant" };
  const deliveryId = requireDeliveryId(headers["linear-delivery"], "linear-delivery");
  const integration = await Integrations.forTenant("linear", payload.organizationId);
  if (!integration) return { outcome: "unknown_tenant" };
  return receive("linear", integration, interpret(payload, integration, deliveryId));
}

function interpret(
  payload: LinearBody,
  integration: Integrations.ActiveIntegration,
  deliveryId: string,
): Delivery {
  const type = typeof payload.type === "string" ? payload.type : "unknown";
  const eventType = typeof payload.action === "string" ? `${type}.${payload.action}` : type;
  const identifier = typeof payload.data?.identifier === "string" ? ` ${payload.data.identifier}` : "";
  const base = {
    deliveryId,
    eventType,
    occurredAt: occurredAt(payload.createdAt),
    summary: `Linear ${eventType}${identifier}`,
  };
  const actor = payload.actor;
  // Apps and integrations act as their own actor types; only people are team members.
  if (actor && typeof actor.type === "string" && actor.type.toLowerCase() !== "user") {
    return { ...base, sender: { ignored: `actor is a ${actor.type}` } };
  }
  const candidate = [actor?.id, payload.data?.creatorId, payload.data?.userId].find(
    (value): value is string => typeof value === "string" && UUID.test(value),
  );
  if (!candidate) return { ...base, sender: { ignored: "event has no actor" } };
  const userId = candidate.toLowerCase();
  if (userId === integration.settings.botUserId)
    return { ...base, sender: { ignored: "the app's own user" } };
  const fromActor = actor?.id === candidate;
  const email = fromActor && typeof actor?.email === "string" ? actor.email : undefined;
  const name = fromActor && typeof actor?.name === "string" ? actor.name : undefined;
  return {
    ...base,
    sender: {
      ref: { kind: "linear", externalId: userId },
      email,
      emailVerified: email !== undefined,
      allowCreate: true,
      nameHint: name,
      context: name ? `linear user ${name}` : undefined,
    },
  };
}
