import { create as createEvent, publishAfterCommit } from "../events";
import * as Identity from "../identity";
import type { ActiveIntegration, Provider } from "../integrations";
import { InvalidInput } from "../util/errors";
import { logger } from "../util/logger";
import * as Deliveries from "./deliveries";

/**
 * The provider-independent half of webhook ingress. A provider module turns a verified body into a
 * `Delivery` (or says it is irrelevant); `receive` then dedupes it, resolves its sender through
 * the identity core and, after commit, publishes `webhook.received`.
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
  | { outcome: "ignored"; reason: string }
  | { outcome: "unknown_tenant" };

const DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;

/** A verified request that names no usable delivery id cannot be deduped: it is refused, unprocessed. */
export function requireDeliveryId(value: unknown, where: string): string {
  if (typeof value === "string" && DELIVERY_ID.test(value)) return value;
  throw new InvalidInput(`The delivery id (${where}) is missing or malformed`, { [where]: "required" });
}

function toIso(value: unknown, fallback: Date): string {
  const date =
    typeof value === "number"
      ? new Date(value < 1e12 ? value * 1000 : value)
      : typeof value === "string"
        ? new Date(value)
        : fallback;
  return Number.isFinite(date.getTime()) ? date.toISOString() : fallback.toISOString();
}

export function occurredAt(value: unknown, now = new Date()): string {
  return toIso(value, now);
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
  const ref = canonicalSender(sender);
  if (!ref) return { outcome: "ignored", reason: "sender id is not a valid identity" };
  const record = {
    orgId: integration.orgId,
    provider,
    deliveryId: delivery.deliveryId,
    eventType: delivery.eventType,
  };

  const known = await Identity.knownIdentity(integration.orgId, ref);
  if (known) {
    if (!(await Deliveries.recordDone(record, "resolved", now))) return { outcome: "duplicate" };
    await announce(provider, integration, delivery, known.userId, false, now);
    return { outcome: "processed", actorUserId: known.userId, unmapped: false };
  }

  const held = await Deliveries.lease(record, now);
  if (!held) return { outcome: "duplicate" };
  let result: Outcome;
  try {
    result = await resolveNew(provider, integration, delivery, sender, ref);
    // An ignored delivery (a bot found by the lookup) keeps nothing, not even its record.
    if (result.outcome === "processed")
      await Deliveries.complete(held, result.unmapped ? "unmapped" : "resolved");
    else await Deliveries.release(held);
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
  if (result.outcome === "processed") {
    await announce(provider, integration, delivery, result.actorUserId, result.unmapped, now);
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
): Promise<Outcome> {
  let { email, emailVerified, nameHint, allowCreate } = sender;
  if (sender.enrich) {
    const found = await sender.enrich();
    if (found.bot) return { outcome: "ignored", reason: "bot sender" };
    if (found.guest) allowCreate = false;
    if (found.email) {
      email = found.email;
      emailVerified = found.emailVerified ?? false;
    }
    nameHint = found.nameHint ?? nameHint;
  }
  const resolution = await Identity.resolve(integration.orgId, ref, {
    email,
    emailVerified,
    nameHint,
    source: `webhook:${provider}`,
    allowCreate,
    sighting: { eventType: `${provider}:${delivery.eventType}`, context: sender.context },
  });
  return resolution.outcome === "resolved"
    ? { outcome: "processed", actorUserId: resolution.userId, unmapped: false }
    : { outcome: "processed", actorUserId: null, unmapped: true };
}

async function announce(
  provider: Provider,
  integration: ActiveIntegration,
  delivery: Delivery,
  actorUserId: string | null,
  unmapped: boolean,
  now: Date,
): Promise<void> {
  await publishAfterCommit([
    createEvent(
      "webhook.received",
      integration.orgId,
      {
        orgId: integration.orgId,
        provider,
        integrationId: integration.id,
        eventType: delivery.eventType,
        deliveryId: delivery.deliveryId,
        occurredAt: delivery.occurredAt,
        actorUserId,
        unmapped,
        summary: delivery.summary.slice(0, 300),
      },
      now,
    ),
  ]);
}

/** The HTTP answer for an outcome: unknown tenants get 202, everything else 200. */
export function toResponse(outcome: Outcome): { status: number; body: Record<string, unknown> } {
  if (outcome.outcome === "unknown_tenant")
    return { status: 202, body: { received: true, outcome: outcome.outcome } };
  return { status: 200, body: { received: true, outcome: outcome.outcome } };
}
