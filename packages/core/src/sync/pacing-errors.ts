import { KithError } from "../util/errors";

/**
 * What a provider's failure means for a sync job. The syncers call Gmail and Calendar through
 * `@googleapis/*` (gaxios `GaxiosError`: `.status`, `.response.headers` a fetch `Headers`,
 * `.response.data.error = {code, message, errors: [{reason, domain}], status}`) and Outlook
 * through `@microsoft/microsoft-graph-client` (`GraphError`: `.statusCode`, `.code`, `.headers` a
 * fetch `Headers`, `.body`). Both are read by shape, not `instanceof`, so a second copy of either
 * library (or a test double) is classified the same way.
 */

export type ProviderApi = "google_gmail" | "google_calendar" | "ms_graph_mail" | "ms_graph_calendar";

export type ProviderErrorKind =
  /** The provider asked us to slow down (429, Google's 403 rate-limit reasons). */
  | "throttled"
  /** The provider answered with a 5xx: its side is failing. */
  | "unavailable"
  /** No answer at all: connection reset or refused, DNS, timeouts. */
  | "transient"
  /** The sync cursor (Gmail historyId, Calendar syncToken, Graph deltaLink) is no longer valid. */
  | "expired_cursor"
  /** The access token was refused. */
  | "auth"
  /** Anything else: retrying the same request cannot help. */
  | "fatal";

export interface ProviderErrorClass {
  kind: ProviderErrorKind;
  status?: number;
  /** How long the provider told us to wait (Retry-After, Gmail's "Retry after <time>"). */
  retryAfterMs?: number;
  /** The provider's own reason or code (`userRateLimitExceeded`, `syncStateNotFound`, …). */
  reason?: string;
}

export interface ClassifyContext {
  /** The cost-table method name (`history.list`, …): Gmail's 404 means an expired cursor only there. */
  method?: string;
  /** For Retry-After HTTP-dates and Gmail's absolute "Retry after" times. */
  now?: number;
}

export type DeferReason =
  | "breaker_open"
  | "deadline"
  | "retries_exhausted"
  /** A cursor expired again in the invocation that just re-synced it: later, never a loop. */
  | "cursor_expired_again";

/**
 * The job stops here and continues later: the provider is down (breaker open), the next wait would
 * pass the job's time budget, or retries ran out on a provider-side failure. Nothing is lost: the
 * cursor was not advanced past unsynced work, so the caller re-enqueues its continuation delayed by
 * `retryAfterMs`.
 */
export class SyncDeferred extends KithError {
  override readonly name = "SyncDeferred";
  constructor(
    readonly reason: DeferReason,
    readonly retryAfterMs: number,
    cause?: unknown,
  ) {
    super(
      503,
      "sync_deferred",
      `Sync deferred (${reason}); continue in ${Math.ceil(retryAfterMs / 1000)} s`,
      {
        cause,
        expose: false,
        details: { reason, retryAfterMs },
      },
    );
  }
}

const GOOGLE_THROTTLE_REASONS = new Set(["ratelimitexceeded", "userratelimitexceeded"]);
// Graph answers an expired or unusable delta token with 410 in most services, but Outlook also uses
// these codes on other statuses; a fresh delta round recovers from all of them.
const GRAPH_CURSOR_CODES = new Set(["syncstatenotfound", "resyncrequired", "syncstateinvalid"]);
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "TimeoutError",
]);
const NETWORK_MESSAGE =
  /fetch failed|socket hang up|network error|ECONNRESET|ECONNREFUSED|ETIMEDOUT|timed? ?out/i;

type Loose = Record<string, unknown>;

function asObject(value: unknown): Loose | undefined {
  return value !== null && typeof value === "object" ? (value as Loose) : undefined;
}

function positiveStatus(value: unknown): number | undefined {
  return typeof value === "number" && value > 0 ? value : undefined;
}

/** Reads a header from a fetch `Headers` or a plain record (older gaxios, hand-made errors). */
export function headerValue(headers: unknown, name: string): string | undefined {
  const h = asObject(headers);
  if (!h) return undefined;
  if (typeof h.get === "function") {
    const value = (h.get as (n: string) => unknown).call(h, name);
    return typeof value === "string" ? value : undefined;
  }
  const key = Object.keys(h).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : h[key];
  if (Array.isArray(value)) return typeof value[0] === "string" ? value[0] : undefined;
  return typeof value === "string" ? value : undefined;
}

/** `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Gmail's 429 says when in its message: "User-rate limit exceeded.  Retry after 2026-12-03T10:00:00.000Z". */
export function parseGmailRetryAfter(message: string | undefined, now = Date.now()): number | undefined {
  const match = message?.match(/Retry after (\S+)/i);
  if (!match?.[1]) return undefined;
  const at = Date.parse(match[1].replace(/[.,;]+$/, ""));
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface Extracted {
  status: number | undefined;
  headers: unknown;
  messages: string[];
  reasons: string[];
  url: string | undefined;
}

function extract(error: unknown): Extracted {
  const e = asObject(error) ?? {};
  const response = asObject(e.response);
  const data = asObject(response?.data);
  const apiError = asObject(data?.error);
  const messages: string[] = [];
  const reasons: string[] = [];
  if (typeof e.message === "string") messages.push(e.message);
  if (typeof apiError?.message === "string") messages.push(apiError.message);
  if (Array.isArray(apiError?.errors)) {
    for (const item of apiError.errors) {
      const entry = asObject(item);
      if (typeof entry?.reason === "string") reasons.push(entry.reason);
      if (typeof entry?.message === "string") messages.push(entry.message);
    }
  }
  if (typeof apiError?.status === "string") reasons.push(apiError.status);
  // GraphError: `code` is Graph's error code; gaxios also sets `code`, to a system error code or a number.
  if (typeof e.code === "string") reasons.push(e.code);
  const graphBody = typeof e.body === "string" ? safeJson(e.body) : asObject(e.body);
  const inner = asObject(graphBody?.innerError);
  if (typeof inner?.code === "string") reasons.push(inner.code);
  const config = asObject(e.config);
  const url = config?.url === undefined ? undefined : String(config.url);
  return {
    status: positiveStatus(e.status) ?? positiveStatus(e.statusCode) ?? positiveStatus(response?.status),
    headers: response?.headers ?? e.headers,
    messages,
    reasons,
    url,
  };
}

function safeJson(text: string): Loose | undefined {
  try {
    return asObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function isNetworkError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const e = asObject(current);
    if (!e) return false;
    if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return true;
    if (e.name === "TimeoutError") return true;
    if (typeof e.message === "string" && NETWORK_MESSAGE.test(e.message)) return true;
    // gaxios keeps the underlying failure on `.error` as well as on `.cause`.
    current = e.cause ?? e.error;
  }
  return false;
}

function isGmailHistory(context: ClassifyContext, url: string | undefined): boolean {
  if (context.method !== undefined) return context.method === "history.list";
  return url !== undefined && /\/gmail\/v1\/users\/[^/]+\/history\b/.test(url);
}

export function classifyProviderError(error: unknown, context: ClassifyContext = {}): ProviderErrorClass {
  const now = context.now ?? Date.now();
  const { status, headers, messages, reasons, url } = extract(error);
  const lowered = reasons.map((r) => r.toLowerCase());
  const reason = reasons[0];
  const retryAfterHeader = () => parseRetryAfter(headerValue(headers, "retry-after"), now);
  const withReason = (c: ProviderErrorClass): ProviderErrorClass => (reason ? { ...c, reason } : c);
  const withRetryAfter = (c: ProviderErrorClass, ms: number | undefined) =>
    ms === undefined ? c : { ...c, retryAfterMs: ms };

  if (status === undefined) {
    if (isNetworkError(error)) return withReason({ kind: "transient" });
    return withReason({ kind: "fatal" });
  }
  const throttleReason = lowered.find((r) => GOOGLE_THROTTLE_REASONS.has(r));
  if (status === 429 || (status === 403 && throttleReason)) {
    const fromMessage = messages.map((m) => parseGmailRetryAfter(m, now)).find((ms) => ms !== undefined);
    return withRetryAfter(
      {
        kind: "throttled",
        status,
        reason: throttleReason ? reasons[lowered.indexOf(throttleReason)] : reason,
      },
      retryAfterHeader() ?? fromMessage,
    );
  }
  const cursorCode = lowered.findIndex((r) => GRAPH_CURSOR_CODES.has(r));
  if (status === 410 || (status >= 400 && status < 500 && cursorCode >= 0)) {
    return { kind: "expired_cursor", status, reason: reasons[cursorCode] ?? reason ?? "gone" };
  }
  if (status === 404 && isGmailHistory(context, url)) {
    return { kind: "expired_cursor", status, reason: reason ?? "history_not_found" };
  }
  if (status === 401) return withReason({ kind: "auth", status });
  if (status === 408) return withReason({ kind: "transient", status });
  if (status >= 500) {
    return withRetryAfter(
      withReason({ kind: "unavailable", status }),
      status === 503 ? retryAfterHeader() : undefined,
    );
  }
  return withReason({ kind: "fatal", status });
}
