import { createHmac, randomUUID } from "node:crypto";
import { sign as signGitHub } from "@octokit/webhooks-methods";
import { Webhook } from "standardwebhooks";

/**
 * Signed webhook deliveries, exactly as each provider sends them: the body as the bytes to send
 * and the headers that go with it. Tests, the fuzzer and the benchmark sign with these; each one
 * uses the provider's own library where one exists, so Kith's verifiers are checked against the
 * real scheme rather than against themselves.
 */

export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

const json = { "content-type": "application/json" };

/** Slack Events API: `X-Slack-Signature: v0=HMAC(secret, "v0:{ts}:{body}")`. */
export function signSlack(
  payload: unknown,
  signingSecret: string,
  options: { timestampSeconds?: number; retryNum?: number } = {},
): SignedDelivery {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const timestamp = String(options.timestampSeconds ?? Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  const headers: Record<string, string> = {
    ...json,
    "x-slack-request-timestamp": timestamp,
    "x-slack-signature": signature,
  };
  if (options.retryNum !== undefined) {
    headers["x-slack-retry-num"] = String(options.retryNum);
    headers["x-slack-retry-reason"] = "http_timeout";
  }
  return { body, headers };
}

/** GitHub: `X-Hub-Signature-256` by `@octokit/webhooks-methods`, plus the event and delivery headers. */
export async function signGitHubDelivery(
  payload: unknown,
  secret: string,
  event: string,
  deliveryId: string = randomUUID(),
): Promise<SignedDelivery> {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  return {
    body,
    headers: {
      ...json,
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-hub-signature-256": await signGitHub(secret, body),
    },
  };
}

/** GitLab: the integration's secret token in `X-Gitlab-Token`; no signature over the body. */
export function gitLabDelivery(
  payload: unknown,
  token: string,
  event = "Issue Hook",
  deliveryId: string = randomUUID(),
): SignedDelivery {
  return {
    body: typeof payload === "string" ? payload : JSON.stringify(payload),
    headers: { ...json, "x-gitlab-event": event, "x-gitlab-event-uuid": deliveryId, "x-gitlab-token": token },
  };
}

/**
 * Linear: `Linear-Signature` = hex HMAC-SHA256 of the body, which carries `webhookTimestamp` (ms),
 * as `LinearWebhookClient.verify` checks it. An object payload gets the timestamp stamped in.
 */
export function signLinear(
  payload: unknown,
  secret: string,
  options: { deliveryId?: string; timestampMs?: number } = {},
): SignedDelivery {
  const body =
    typeof payload === "string"
      ? payload
      : JSON.stringify({ ...(payload as object), webhookTimestamp: options.timestampMs ?? Date.now() });
  return {
    body,
    headers: {
      ...json,
      "linear-delivery": options.deliveryId ?? randomUUID(),
      "linear-event":
        typeof payload === "object" && payload !== null ? String((payload as { type?: unknown }).type) : "",
      "linear-signature": createHmac("sha256", secret).update(body).digest("hex"),
    },
  };
}

/** AgentMail (Svix / Standard Webhooks): `svix-id`, `svix-timestamp`, `svix-signature` by `standardwebhooks`. */
export function signAgentMail(
  payload: unknown,
  secret: string,
  options: { messageId?: string; timestampSeconds?: number; headerPrefix?: "svix" | "webhook" } = {},
): SignedDelivery {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const id = options.messageId ?? `msg_${randomUUID().replaceAll("-", "")}`;
  const at = new Date((options.timestampSeconds ?? Math.floor(Date.now() / 1000)) * 1000);
  const signature = new Webhook(secret).sign(id, at, body);
  const prefix = options.headerPrefix ?? "svix";
  return {
    body,
    headers: {
      ...json,
      [`${prefix}-id`]: id,
      [`${prefix}-timestamp`]: String(Math.floor(at.getTime() / 1000)),
      [`${prefix}-signature`]: signature,
    },
  };
}
