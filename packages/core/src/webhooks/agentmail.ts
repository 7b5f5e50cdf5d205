import { Webhook, WebhookVerificationError } from "standardwebhooks";
import * as Identity from "../identity";
import * as Integrations from "../integrations";
import { openWebhookSecret } from "../integrations/sealed";
import { Unauthenticated } from "../util/errors";
import { type Delivery, type Outcome, occurredAt, receive, requireDeliveryId } from "./receive";

/**
 * AgentMail (Svix-style Standard Webhooks). The route names the integration; its `whsec_` secret
 * verifies `webhook-*` (or `svix-*`) headers with `standardwebhooks`, timestamps within 5 minutes.
 * The sender is the From address. It is trusted only when the payload reports SPF or DKIM passed
 * for the From domain; otherwise it is unverified and at most unmapped. Senders outside the integration's domain
 * allow-list are ignored.
 */

const HEADER_NAMES = ["id", "timestamp", "signature"] as const;

/** Standard Webhooks names, falling back to Svix's `svix-*` names that AgentMail sends. */
function signingHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of HEADER_NAMES) {
    const value = headers[`webhook-${name}`] ?? headers[`svix-${name}`];
    if (value) out[`webhook-${name}`] = value;
  }
  return out;
}

export async function verify(
  rawBody: Buffer,
  headers: Record<string, string | undefined>,
  integrationId: string | undefined,
): Promise<Integrations.ActiveIntegration> {
  const integration = integrationId ? await Integrations.byId("agentmail", integrationId) : undefined;
  const signingSecret = integration ? await openWebhookSecret(integration) : undefined;
  if (!integration || !signingSecret) throw new Unauthenticated("Missing or invalid webhook signature");
  try {
    new Webhook(signingSecret).verify(rawBody.toString("utf8"), signingHeaders(headers), {
      jsonParse: false,
    });
  } catch (error) {
    if (error instanceof WebhookVerificationError || error instanceof Error) {
      throw new Unauthenticated("Missing or invalid webhook signature");
    }
    throw error;
  }
  return integration;
}

interface Address {
  name?: unknown;
  email?: unknown;
}

interface AgentMailBody {
  event_type?: unknown;
  message?: {
    from?: unknown;
    timestamp?: unknown;
    inbox_id?: unknown;
    labels?: unknown;
    authentication?: Record<string, unknown>;
    spf?: unknown;
    dkim?: unknown;
    headers?: Record<string, unknown>;
  };
}

/** Received mail only; what our own inboxes send, and spam or blocked mail, are not senders. */
const RELEVANT = new Set(["message.received", "message.received.unauthenticated"]);

/** `[{name, email}]` (the documented shape) or `"Name <addr>"`. */
function fromAddress(from: unknown): { email?: string; name?: string } {
  const first = Array.isArray(from) ? from[0] : from;
  if (typeof first === "object" && first !== null) {
    const { email, name } = first as Address;
    return {
      email: typeof email === "string" ? email : undefined,
      name: typeof name === "string" ? name : undefined,
    };
  }
  if (typeof first === "string") {
    const match = /^\s*(?:"?([^"<]*)"?\s*)?<([^>]+)>\s*$/.exec(first);
    return match ? { email: match[2], name: match[1]?.trim() || undefined } : { email: first.trim() };
  }
  return {};
}

const isPass = (value: unknown) => typeof value === "string" && value.trim().toLowerCase() === "pass";

/**
 * Relaxed alignment (DMARC's sense, without a public-suffix list): the domain that passed is the
 * From domain, or one is a subdomain of the other. A pass for some other domain says nothing
 * about the From address: anyone can pass SPF for their own domain.
 */
function aligned(passedDomain: string | undefined, fromDomain: string): boolean {
  if (!passedDomain) return false;
  const domain = passedDomain.toLowerCase().replace(/^.*@/, "").replace(/\.$/, "");
  return domain === fromDomain || domain.endsWith(`.${fromDomain}`) || fromDomain.endsWith(`.${domain}`);
}

/** `{spf: "pass", spfDomain}` or `{spf: {result: "pass", domain}}`: the verdict and the domain it is for. */
function verdict(
  authentication: Record<string, unknown>,
  method: "spf" | "dkim",
): { pass: boolean; domain?: string } {
  const value = authentication[method];
  if (typeof value === "object" && value !== null) {
    const { result, domain } = value as { result?: unknown; domain?: unknown };
    return { pass: isPass(result), domain: typeof domain === "string" ? domain : undefined };
  }
  const domain = authentication[`${method}Domain`];
  return { pass: isPass(value), domain: typeof domain === "string" ? domain : undefined };
}

/** Only headers AgentMail's own receiving servers wrote carry a verdict (RFC 8601 authserv-id). */
export const AGENTMAIL_AUTHSERV_DOMAIN = "agentmail.to";

/**
 * The topmost `Authentication-Results` header, the one the receiving server added, and only when
 * its authserv-id is AgentMail's; lower ones travel with the message and anyone can write them. Each `method=result` clause is
 * returned with its properties (`smtp.mailfrom`, `header.d`, `header.i`, `header.from`).
 */
function authenticationResults(
  headers: Record<string, unknown>,
): { method: string; result: string; props: Record<string, string> }[] {
  const raw = Object.entries(headers).find(([name]) => name.toLowerCase() === "authentication-results")?.[1];
  const topmost = Array.isArray(raw) ? raw[0] : raw;
  if (typeof topmost !== "string") return [];
  // The first clause is the authserv-id; results follow, separated by semicolons.
  const [authservId, ...clauses] = topmost.split(";");
  const server = (authservId ?? "").trim().split(/\s+/)[0]?.toLowerCase() ?? "";
  if (server !== AGENTMAIL_AUTHSERV_DOMAIN && !server.endsWith(`.${AGENTMAIL_AUTHSERV_DOMAIN}`)) return [];
  return clauses.flatMap((clause) => {
    const match = /^\s*([a-z]+)\s*=\s*([a-z]+)\b(.*)$/i.exec(clause);
    if (!match) return [];
    const props: Record<string, string> = {};
    for (const pair of (match[3] ?? "").matchAll(/([a-z]+\.[a-z-]+)\s*=\s*("?)([^\s;"]+)\2/gi)) {
      props[(pair[1] as string).toLowerCase()] = pair[3] as string;
    }
    return [
      { method: (match[1] as string).toLowerCase(), result: (match[2] as string).toLowerCase(), props },
    ];
  });
}

/**
 * Whether the From address is authenticated: the event is plain `message.received` (not labelled
 * unauthenticated) and the payload reports an SPF or DKIM pass *for the From domain* (or a DMARC
 * pass, which implies that alignment), either as AgentMail's verdict fields or in the topmost
 * Authentication-Results header.
 */
function authenticated(body: AgentMailBody, fromDomain: string): boolean {
  const message = body.message ?? {};
  if (body.event_type !== "message.received") return false;
  if (Array.isArray(message.labels) && message.labels.includes("unauthenticated")) return false;
  const fields = message.authentication ?? {};
  if (isPass(fields.dmarc)) return true;
  for (const method of ["spf", "dkim"] as const) {
    const { pass, domain } = verdict(fields, method);
    if (pass && aligned(domain, fromDomain)) return true;
  }
  for (const { method, result, props } of authenticationResults(message.headers ?? {})) {
    if (result !== "pass") continue;
    if (method === "dmarc" && aligned(props["header.from"] ?? fromDomain, fromDomain)) return true;
    if (method === "spf" && aligned(props["smtp.mailfrom"], fromDomain)) return true;
    if (method === "dkim" && aligned(props["header.d"] ?? props["header.i"], fromDomain)) return true;
  }
  return false;
}

function allowed(domain: string, allowedDomains: unknown): boolean {
  if (!Array.isArray(allowedDomains)) return false;
  return allowedDomains.some(
    (entry) => typeof entry === "string" && (domain === entry || domain.endsWith(`.${entry}`)),
  );
}

export async function handle(
  integration: Integrations.ActiveIntegration,
  body: unknown,
  headers: Record<string, string | undefined>,
): Promise<Outcome> {
  const payload = (typeof body === "object" && body !== null ? body : {}) as AgentMailBody;
  const eventType = typeof payload.event_type === "string" ? payload.event_type : "unknown";
  if (!RELEVANT.has(eventType))
    return { outcome: "ignored", reason: `event ${eventType.slice(0, 60)} is not received mail` };
  const deliveryId = requireDeliveryId(headers["webhook-id"] ?? headers["svix-id"], "webhook-id");
  return receive("agentmail", integration, interpret(payload, eventType, integration, deliveryId));
}

function interpret(
  payload: AgentMailBody,
  eventType: string,
  integration: Integrations.ActiveIntegration,
  deliveryId: string,
): Delivery {
  const inbox = typeof payload.message?.inbox_id === "string" ? ` in ${payload.message.inbox_id}` : "";
  const base = {
    deliveryId,
    eventType,
    occurredAt: occurredAt(payload.message?.timestamp),
    summary: `AgentMail ${eventType}${inbox}`,
  };
  const from = fromAddress(payload.message?.from);
  const parsed = from.email ? Identity.EmailSchema.safeParse(from.email) : undefined;
  if (!parsed?.success) return { ...base, sender: { ignored: "no usable From address" } };
  const email = parsed.data;
  if (!allowed(email.slice(email.lastIndexOf("@") + 1), integration.settings.allowedDomains)) {
    return { ...base, sender: { ignored: "sender domain is not on the allow-list" } };
  }
  const verified = authenticated(payload, email.slice(email.lastIndexOf("@") + 1));
  return {
    ...base,
    sender: {
      ref: { kind: "email", externalId: email },
      email,
      emailVerified: verified,
      allowCreate: verified,
      // Unauthenticated mail from an address someone already linked must not speak for them.
      trusted: verified,
      nameHint: from.name,
      context: verified ? undefined : "From address not authenticated (no SPF or DKIM pass)",
    },
  };
}
