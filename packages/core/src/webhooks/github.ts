import { verify as verifySignature } from "@octokit/webhooks-methods";
import { secret } from "../config";
import * as Integrations from "../integrations";
import { Unauthenticated } from "../util/errors";
import { type Delivery, type Outcome, occurredAt, receive, requireDeliveryId } from "./receive";

/**
 * GitHub App webhooks. `X-Hub-Signature-256` is checked with `@octokit/webhooks-methods`. The
 * tenant is the payload's installation, else its organization, else the repository owner. The
 * sender is the numeric `sender.id` (the login can change and is kept only as context); payload
 * emails are unverified, so a sender never links by email: every miss is unmapped.
 */

export async function verify(rawBody: Buffer, headers: Record<string, string | undefined>): Promise<void> {
  const webhookSecret = await secret("GITHUB_WEBHOOK_SECRET");
  const signature = headers["x-hub-signature-256"];
  if (!webhookSecret || !signature || rawBody.length === 0) {
    throw new Unauthenticated("Missing or invalid X-Hub-Signature-256");
  }
  let valid = false;
  try {
    valid = await verifySignature(webhookSecret, rawBody.toString("utf8"), signature);
  } catch {
    valid = false;
  }
  if (!valid) throw new Unauthenticated("Missing or invalid X-Hub-Signature-256");
}

interface Account {
  id?: unknown;
  login?: unknown;
  type?: unknown;
}

interface GitHubBody {
  action?: unknown;
  sender?: Account;
  installation?: { id?: unknown };
  organization?: { id?: unknown };
  repository?: { full_name?: unknown; owner?: { id?: unknown }; updated_at?: unknown };
}

function idString(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === "string" && /^\d{1,20}$/.test(value)) return value;
  return undefined;
}

export async function handle(body: unknown, headers: Record<string, string | undefined>): Promise<Outcome> {
  const payload = (typeof body === "object" && body !== null ? body : {}) as GitHubBody;
  const event = headers["x-github-event"] ?? "unknown";
  if (event === "ping") return { outcome: "ignored", reason: "ping" };
  const deliveryId = requireDeliveryId(headers["x-github-delivery"], "x-github-delivery");
  const integration = await Integrations.forGitHub({
    installation: idString(payload.installation?.id),
    organization: idString(payload.organization?.id),
    account: idString(payload.repository?.owner?.id),
  });
  if (!integration) return { outcome: "unknown_tenant" };
  return receive("github", integration, interpret(payload, event, deliveryId));
}

function interpret(payload: GitHubBody, event: string, deliveryId: string): Delivery {
  const eventType = typeof payload.action === "string" ? `${event}.${payload.action}` : event;
  const repository =
    typeof payload.repository?.full_name === "string" ? ` on ${payload.repository.full_name}` : "";
  const login = typeof payload.sender?.login === "string" ? payload.sender.login : undefined;
  const base = {
    deliveryId,
    eventType,
    occurredAt: occurredAt(undefined),
    summary: `GitHub ${eventType}${repository}${login ? ` by ${login}` : ""}`,
  };
  const senderId = idString(payload.sender?.id);
  if (!senderId) return { ...base, sender: { ignored: "event has no sender" } };
  if (payload.sender?.type === "Bot" || login?.endsWith("[bot]")) {
    return { ...base, sender: { ignored: "bot sender" } };
  }
  // An organization acting (e.g. through its settings) is not a person on the team.
  if (typeof payload.sender?.type === "string" && payload.sender.type !== "User") {
    return { ...base, sender: { ignored: `sender is a ${payload.sender.type}` } };
  }
  return {
    ...base,
    sender: {
      ref: { kind: "github", externalId: senderId },
      emailVerified: false,
      allowCreate: false,
      nameHint: login,
      context: login ? `github login ${login}` : undefined,
    },
  };
}
