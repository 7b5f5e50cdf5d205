import { createHash, timingSafeEqual } from "node:crypto";
import * as Integrations from "../integrations";
import { openWebhookSecret } from "../integrations/sealed";
import { Unauthenticated } from "../util/errors";
import { type Delivery, type Outcome, occurredAt, receive, requireDeliveryId } from "./receive";

/**
 * GitLab webhooks. The route names the integration; `X-Gitlab-Token` must equal its secret
 * (compared in constant time). The sender is the numeric user id, prefixed with the host for a
 * self-managed instance. The payload email is unverified: it never links, but its owner is listed
 * as a candidate on the unmapped entry.
 */

/** Hashing first makes the comparison constant-time whatever the lengths. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

export async function verify(
  headers: Record<string, string | undefined>,
  integrationId: string | undefined,
): Promise<Integrations.ActiveIntegration> {
  const token = headers["x-gitlab-token"];
  const integration = integrationId ? await Integrations.byId("gitlab", integrationId) : undefined;
  const expected = integration ? await openWebhookSecret(integration) : undefined;
  if (!integration || !expected || !token || !sameSecret(token, expected)) {
    throw new Unauthenticated("Missing or invalid X-Gitlab-Token");
  }
  return integration;
}

interface GitLabUser {
  id?: unknown;
  username?: unknown;
  name?: unknown;
  email?: unknown;
}

interface GitLabBody {
  object_kind?: unknown;
  event_name?: unknown;
  user?: GitLabUser;
  user_id?: unknown;
  user_username?: unknown;
  user_name?: unknown;
  user_email?: unknown;
  project?: { web_url?: unknown; path_with_namespace?: unknown };
  repository?: { homepage?: unknown };
  object_attributes?: { action?: unknown; url?: unknown; updated_at?: unknown; created_at?: unknown };
}

const GITLAB_DOTCOM = "gitlab.com";
/** Project and group access tokens act as `project_<id>_bot_<hash>` / `group_<id>_bot_<hash>` users. */
const BOT_USERNAME =
  /^(?:project|group)_\d+_bot(?:_[0-9a-f]+)?$|^(?:ghost|support-bot|alert-bot|gitlab-bot)$/i;

/**
 * The GitLab instance a payload comes from: the integration's configured host, else the host of a
 * URL in the payload. Undefined when neither says: guessing gitlab.com would map a self-managed
 * instance's users onto gitlab.com ids.
 */
function hostOf(payload: GitLabBody, configured: unknown): string | undefined {
  if (typeof configured === "string" && configured) return configured;
  for (const candidate of [
    payload.project?.web_url,
    payload.repository?.homepage,
    payload.object_attributes?.url,
  ]) {
    if (typeof candidate !== "string") continue;
    try {
      return new URL(candidate).host.toLowerCase();
    } catch {
      // not a URL; try the next field
    }
  }
  return undefined;
}

function senderOf(payload: GitLabBody): { id?: string; username?: string; name?: string; email?: string } {
  const user = payload.user ?? {};
  const rawId = user.id ?? payload.user_id;
  const id =
    typeof rawId === "number" && Number.isSafeInteger(rawId) && rawId > 0
      ? String(rawId)
      : typeof rawId === "string" && /^\d{1,20}$/.test(rawId) && !/^0+$/.test(rawId)
        ? rawId
        : undefined;
  const text = (value: unknown) => (typeof value === "string" && value.length > 0 ? value : undefined);
  const email = text(user.email) ?? text(payload.user_email);
  return {
    id,
    username: text(user.username) ?? text(payload.user_username),
    name: text(user.name) ?? text(payload.user_name),
    // GitLab sends "[REDACTED]" when the user hides their email.
    email: email?.includes("@") ? email : undefined,
  };
}

export async function handle(
  integration: Integrations.ActiveIntegration,
  body: unknown,
  headers: Record<string, string | undefined>,
): Promise<Outcome> {
  const payload = (typeof body === "object" && body !== null ? body : {}) as GitLabBody;
  const deliveryId = requireDeliveryId(headers["x-gitlab-event-uuid"], "x-gitlab-event-uuid");
  return receive("gitlab", integration, interpret(payload, headers, integration, deliveryId));
}

function interpret(
  payload: GitLabBody,
  headers: Record<string, string | undefined>,
  integration: Integrations.ActiveIntegration,
  deliveryId: string,
): Delivery {
  const kind =
    typeof payload.object_kind === "string"
      ? payload.object_kind
      : typeof payload.event_name === "string"
        ? payload.event_name
        : (headers["x-gitlab-event"] ?? "unknown");
  const action = payload.object_attributes?.action;
  const eventType = typeof action === "string" ? `${kind}.${action}` : kind;
  const project =
    typeof payload.project?.path_with_namespace === "string"
      ? ` on ${payload.project.path_with_namespace}`
      : "";
  const sender = senderOf(payload);
  const base = {
    deliveryId,
    eventType,
    occurredAt: occurredAt(payload.object_attributes?.updated_at ?? payload.object_attributes?.created_at),
    summary: `GitLab ${eventType}${project}${sender.username ? ` by ${sender.username}` : ""}`,
  };
  // Member and user events (group/system hooks) carry the person they are about, not an actor.
  if (kind === "member" || /^user_/.test(kind)) {
    return { ...base, sender: { ignored: `${kind} is about a user, not by one` } };
  }
  if (!sender.id) return { ...base, sender: { ignored: "event has no user" } };
  if (sender.username && BOT_USERNAME.test(sender.username))
    return { ...base, sender: { ignored: "bot sender" } };
  const host = hostOf(payload, integration.settings.host);
  if (!host) return { ...base, sender: { ignored: "no GitLab host: set settings.host on the integration" } };
  return {
    ...base,
    sender: {
      ref: { kind: "gitlab", externalId: host === GITLAB_DOTCOM ? sender.id : `${host}:${sender.id}` },
      email: sender.email,
      emailVerified: false,
      allowCreate: false,
      nameHint: sender.name,
      context: sender.username ? `gitlab username ${sender.username}` : undefined,
    },
  };
}
