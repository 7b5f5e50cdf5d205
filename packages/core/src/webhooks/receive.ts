import * as Identity from "../identity";
import type { ActiveIntegration, Provider } from "../integrations";
import { InvalidInput } from "../util/errors";
import { logger } from "../util/logger";
import * as Deliveries from "./deliveries";
import { WebhookReceived } from "./events";

/**
 * The provider-independent half of webhook ingress. A provider module turns a verified body into a
 * `Delivery` (or says it is irrelevant); `receive` then dedupes it, resolves its sender through
 * the identity core, and records it with `webhook.received` carried in the delivery record's own
 * write (the outbox), so the event is published exactly when the delivery is recorded.
 */

/** Who sent a delivery, as the provider describes them. */
export interface SenderInput {
  ref: { kind: Identity.IdentityKind; externalId: string };
  email?: string;
  /** Only a verified email may link to or create a user. */
  emailVerified: boolean;
  nameHint?: string;
  /** Free text kept with an unmapped sighting, e.g. a login. Secret-scrubbed before it is stored. */
  context?: string;
  allowCreate: boolean;
  /**
   * False when anyone could claim this identity (AgentMail's From without an authentication pass):
   * it then never resolves to a user, even one it is linked to, and at most names candidates.
   */
  trusted?: boolean;
  /**
   * Runs on a miss, before resolution: a provider lookup that can supply a verified email (Slack's
   * `users.info`), or reveal that the sender is a bot after all.
   */
  enrich?: () => Promise<{
    email?: string;
    emailVerified?: boolean;
    nameHint?: string;
    bot?: boolean;
    /** Someone from outside the team (a Slack guest): may link to an existing user, never creates one. */
    guest?: boolean;
  }>;
}

export interface Delivery {
  deliveryId: string;
  /** The provider's own name for the event, e.g. `issues.opened`, `message`, `Issue.create`. */
  eventType: string;
  occurredAt: string;
  /** One line for people: what happened, where. Metadata only, never content. */
  summary: string;
  sender: SenderInput | { ignored: string };
}

export type Outcome =
  | { outcome: "processed"; actorUserId: string | null; unmapped: boolean }
  | { outcome: "duplicate" }
  /** Another attempt holds a live lease on this delivery (a provider retried while it runs). */
  | { outcome: "in_flight" }
  | { outcome: "ignored"; reason: string }
  | { outcome: "unknown_tenant" };

const DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;
const EVENT_TYPE = /^[\w.:/ -]{1,100}$/;

/** A verified request that names no usable delivery id cannot be deduped: it is refused, unprocessed. */
export function requireDeliveryId(value: unknown, where: string): string {
  if (typeof value === "string" && DELIVERY_ID.test(value)) return value;
  throw new InvalidInput(`The delivery id (${where}) is missing or malformed`, { [where]: "required" });
}

/** A provider's timestamp (epoch seconds or ms, or an ISO string) as ISO-8601, else `now`. */
export function occurredAt(value: unknown, now = new Date()): string {
  const date =
    typeof value === "number"
      ? new Date(value < 1e12 ? value * 1000 : value)
      : typeof value === "string"
        ? new Date(value)
        : now;
  return Number.isFinite(date.getTime()) ? date.toISOString() : now.toISOString();
}

/**
 * Processes one verified delivery for an integration (the tenant is known). A known sender costs
 * one GetItem (the identity claim) and one conditional put (the delivery record); everything else
 * runs under a lease on the delivery, so a replay never records a second sighting or audit event.
 */
export async function receive(
  provider: Provider,
  integration: ActiveIntegration,
  delivery: Delivery,
  now = new Date(),
): Promise<Outcome> {
  const { sender } = delivery;
  if ("ignored" in sender) return { outcome: "ignored", reason: sender.ignored };
  // Event names come from signed payloads but are still just strings: keep them short and plain.
  delivery = { ...delivery, eventType: EVENT_TYPE.test(delivery.eventType) ? delivery.eventType : "unknown" };
  const ref = canonicalSender(sender);
  if (!ref) return { outcome: "ignored", reason: "sender id is not a valid identity" };
  const record = {
    orgId: integration.orgId,
    provider,
    deliveryId: delivery.deliveryId,
    eventType: delivery.eventType,
  };
  const trusted = sender.trusted !== false;

  const known = await Identity.knownIdentity(integration.orgId, ref);
  if (known) {
    // An identity anyone could claim (unauthenticated mail from a linked address) names no one.
    const actor = trusted ? { userId: known.userId, suspended: known.suspended } : undefined;
    const received = announcement(provider, integration, delivery, actor, !trusted, now);
    const recorded = await Deliveries.recordDone(record, trusted ? "resolved" : "untrusted", now, [received]);
    if (recorded !== true) return { outcome: recorded === "done" ? "duplicate" : "in_flight" };
    return { outcome: "processed", actorUserId: actor?.userId ?? null, unmapped: !trusted };
  }

  const held = await Deliveries.lease(record, now);
  if (typeof held === "string") return { outcome: held === "done" ? "duplicate" : "in_flight" };
  let result: Outcome;
  let actor: { userId: string; suspended: boolean } | undefined;
  try {
    const resolution = await resolveNew(provider, integration, delivery, sender, ref);
    if (resolution === "ignored") {
      // A bot found by the lookup: the delivery keeps nothing, not even its record.
      result = { outcome: "ignored", reason: "bot sender" };
      await Deliveries.release(held);
    } else {
      actor = resolution.outcome === "resolved" && trusted ? resolution : undefined;
      result = { outcome: "processed", actorUserId: actor?.userId ?? null, unmapped: actor === undefined };
      await Deliveries.complete(held, actor ? "resolved" : "unmapped", [
        announcement(provider, integration, delivery, actor, actor === undefined, now),
      ]);
    }
  } catch (error) {
    await Deliveries.release(held).catch((releaseError) =>
      logger.warn("could not release a webhook delivery lease; it expires by itself", {
        provider,
        deliveryId: delivery.deliveryId,
        error: releaseError,
      }),
    );
    throw error;
  }
  return result;
}

function canonicalSender(sender: SenderInput): Identity.IdentityRef | undefined {
  const externalId = Identity.canonicalExternalId(sender.ref.kind, sender.ref.externalId);
  return externalId === undefined ? undefined : { kind: sender.ref.kind, externalId };
}

async function resolveNew(
  provider: Provider,
  integration: ActiveIntegration,
  delivery: Delivery,
  sender: SenderInput,
  ref: Identity.IdentityRef,
): Promise<Identity.Resolution | "ignored"> {
  let { email, emailVerified, nameHint, allowCreate } = sender;
  if (sender.enrich) {
    const found = await sender.enrich();
    if (found.bot) return "ignored";
    if (found.guest) allowCreate = false;
    if (found.email) {
      email = found.email;
      emailVerified = found.emailVerified ?? false;
    }
    nameHint = found.nameHint ?? nameHint;
  }
  return Identity.resolve(integration.orgId, ref, {
    email,
    emailVerified: emailVerified && sender.trusted !== false,
    nameHint,
    source: `webhook:${provider}`,
    allowCreate: allowCreate && sender.trusted !== false,
    sighting: { eventType: `${provider}:${delivery.eventType}`, context: sender.context },
  });
}

/** `webhook.received` for a processed delivery: written with the delivery record that finishes it. */
function announcement(
  provider: Provider,
  integration: ActiveIntegration,
  delivery: Delivery,
  actor: { userId: string; suspended: boolean } | undefined,
  unmapped: boolean,
  now: Date,
) {
  return WebhookReceived.create(
    integration.orgId,
    {
      orgId: integration.orgId,
      provider,
      integrationId: integration.id,
      eventType: delivery.eventType,
      deliveryId: delivery.deliveryId,
      occurredAt: delivery.occurredAt,
      actorUserId: actor?.userId ?? null,
      actorSuspended: actor?.suspended ?? false,
      unmapped,
      summary: delivery.summary.slice(0, 300),
    },
    now,
  );
}

/** What a webhook route answers (see `routes.ts`). */
export type WebhookResponse =
  | {
      status: 200 | 202;
      body: { received: true; outcome: "processed" | "duplicate" | "ignored" | "unknown_tenant" };
    }
  | { status: 503; headers: Record<string, string>; body: { error: { code: string; message: string } } };

/** The HTTP answer for an outcome: unknown tenants get 202, a delivery another attempt holds 503. */
export function toResponse(outcome: Outcome): WebhookResponse {
  if (outcome.outcome === "unknown_tenant")
    return { status: 202, body: { received: true, outcome: outcome.outcome } };
  if (outcome.outcome === "in_flight") {
    return {
      status: 503,
      headers: { "retry-after": String(Math.ceil(Deliveries.LEASE_MS / 1000)) },
      body: {
        error: {
          code: "delivery_in_progress",
          message: "This delivery is being processed by another attempt; retry later",
        },
      },
    };
  }
  return { status: 200, body: { received: true, outcome: outcome.outcome } };
}
