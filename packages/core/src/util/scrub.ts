/**
 * Secret scrubbing for anything that may reach a log line or a stored sample: bearer tokens,
 * `kith_` tokens, OAuth access/refresh tokens, provider API tokens and webhook secrets.
 *
 * Two layers, because either alone leaks: values under a sensitive key are replaced whole (a
 * secret can have any shape), and every string is searched for token-shaped substrings (a token
 * can sit inside a URL, an error message or a header dump).
 */

export const REDACTED = "[redacted]";

/** Keys whose values are always secret, whatever they look like. Compared case-insensitively. */
const SENSITIVE_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-gitlab-token|x-hub-signature(-256)?|x-slack-signature|linear-signature|workos-signature|webhook-signature|svix-signature|.*(secret|password|passwd|token|api[-_]?key|private[-_]?key|credential|signature).*)$/i;

/** Keys that contain "token" but hold metadata, not a secret. */
const NON_SECRET_TOKEN_KEY =
  /^(tokenId|tokenPreview|preview|tokens|tokenCount|nextPageToken|syncToken|pageToken)$/i;

const WHOLE = REDACTED;
/** `[pattern, replacement]`: patterns with a key prefix keep it, so a log still names the field. */
const TOKEN_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi, `Bearer ${REDACTED}`],
  [/\bBasic\s+[A-Za-z0-9+/]+=*/gi, `Basic ${REDACTED}`],
  [/\bkith_[A-Za-z0-9]{8,}/g, WHOLE],
  // Slack bot, user and app tokens
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, WHOLE],
  [/\bxapp-[A-Za-z0-9-]{10,}/g, WHOLE],
  // GitHub and GitLab tokens
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, WHOLE],
  [/\bglpat-[A-Za-z0-9\-_]{16,}/g, WHOLE],
  // Linear API and OAuth tokens
  [/\blin_(api|oauth)_[A-Za-z0-9]{16,}/g, WHOLE],
  // Google OAuth access and refresh tokens
  [/\bya29\.[A-Za-z0-9\-_.]+/g, WHOLE],
  [/(^|[^A-Za-z0-9])1\/\/[A-Za-z0-9\-_]{20,}/g, `$1${REDACTED}`],
  // WorkOS-style secret keys and Standard Webhooks secrets
  [/\b(sk|rk)_(live|test)_[A-Za-z0-9]{16,}/g, WHOLE],
  [/\bwhsec_[A-Za-z0-9+/=]{16,}/g, WHOLE],
  // JWTs (Microsoft access tokens, id tokens)
  [/\beyJ[A-Za-z0-9\-_]{8,}\.[A-Za-z0-9\-_]{8,}\.[A-Za-z0-9\-_]*/g, WHOLE],
  // Secrets in query strings or form bodies
  [
    /((?:^|[?&\s])(?:access_token|refresh_token|client_secret|code|token|key|api_key)=)[^&\s"']+/gi,
    `$1${REDACTED}`,
  ],
  // "access_token":"..." fragments inside a larger string
  [
    /("(?:access_token|refresh_token|id_token|client_secret|secret|password|token)"\s*:\s*")[^"]*"/gi,
    `$1${REDACTED}"`,
  ],
];

/** Replaces every token-shaped substring of a string. */
export function scrubString(input: string): string {
  let output = input;
  for (const [pattern, replacement] of TOKEN_PATTERNS) output = output.replace(pattern, replacement);
  return output;
}

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key) && !NON_SECRET_TOKEN_KEY.test(key);
}

/**
 * A deep copy with secrets removed. Safe on cycles and on any value type; never throws.
 */
export function scrub<T>(value: T): T {
  return scrubValue(value, new WeakSet()) as T;
}

function scrubValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return scrubString(value);
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  // `seen` holds only the ancestors of this value: an object reached twice through siblings is
  // copied twice, and only a true cycle is cut.
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => scrubValue(item, seen));
    if (value instanceof Error) {
      return {
        name: value.name,
        message: scrubString(value.message),
        stack: value.stack && scrubString(value.stack),
      };
    }
    const output: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      output[key] =
        isSensitiveKey(key) && item !== null && item !== undefined ? REDACTED : scrubValue(item, seen);
    }
    return output;
  } finally {
    seen.delete(value);
  }
}

/**
 * A `JSON.stringify` replacer with the same rules, for serializers that walk objects themselves
 * (the Powertools logger calls it for every key/value pair).
 */
export function scrubReplacer(key: string, value: unknown): unknown {
  if (key !== "" && isSensitiveKey(key) && value !== null && value !== undefined) return REDACTED;
  if (typeof value === "string") return scrubString(value);
  return value;
}

/** Shortens and scrubs free text destined for storage (e.g. an unmapped identity's sample). */
export function scrubSample(input: string, maxLength = 100): string {
  const cleaned = scrubString(input);
  return cleaned.length > maxLength ? `${cleaned.slice(0, maxLength - 1)}…` : cleaned;
}
