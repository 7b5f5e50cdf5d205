/**
 * Typed errors shared by every module. An error carries a stable `code`, the HTTP status class it
 * maps to, and whether its message may be shown to a caller (`expose`). Anything that is not a
 * `KithError` is treated as an unexpected failure and reaches a caller only as an opaque 500.
 */

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

export interface KithErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
  /** Defaults to true for 4xx and false for 5xx. */
  expose?: boolean;
}

export class KithError extends Error {
  override readonly name: string = "KithError";
  readonly code: string;
  readonly status: ErrorStatus;
  readonly expose: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: ErrorStatus, code: string, message: string, options: KithErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.expose = options.expose ?? status < 500;
  }
}

export class InvalidInput extends KithError {
  override readonly name: string = "InvalidInput";
  constructor(message: string, details?: Record<string, unknown>, code = "invalid_input") {
    super(400, code, message, { details });
  }
}

export class Unauthenticated extends KithError {
  override readonly name: string = "Unauthenticated";
  constructor(message = "Missing or invalid credentials", code = "unauthenticated") {
    super(401, code, message);
  }
}

export class Forbidden extends KithError {
  override readonly name: string = "Forbidden";
  constructor(message = "This caller may not do that", code = "forbidden") {
    super(403, code, message);
  }
}

export class NotFound extends KithError {
  override readonly name: string = "NotFound";
  constructor(what: string, code = "not_found") {
    super(404, code, `${what} not found`);
  }
}

export class Conflict extends KithError {
  override readonly name: string = "Conflict";
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(409, code, message, { details });
  }
}

export class PayloadTooLarge extends KithError {
  override readonly name: string = "PayloadTooLarge";
  constructor(limitBytes: number) {
    super(413, "payload_too_large", `Body exceeds ${limitBytes} bytes`, { details: { limitBytes } });
  }
}

export class Throttled extends KithError {
  override readonly name: string = "Throttled";
  constructor(message = "Too many requests", retryAfterSeconds?: number) {
    super(429, "throttled", message, {
      details: retryAfterSeconds === undefined ? undefined : { retryAfterSeconds },
    });
  }
}

/**
 * A provider (Slack, GitHub, Google, Microsoft, …) could not be asked: unreachable, a 5xx, rate
 * limited, or not configured. Nothing the caller sent is at fault: a 503 to retry shortly.
 */
export class ProviderUnavailable extends KithError {
  override readonly name: string = "ProviderUnavailable";
  constructor(provider: string, cause?: unknown, message = `${provider} is unavailable; retry shortly`) {
    super(503, "provider_unavailable", message, {
      cause,
      expose: true,
      details: { retryAfterSeconds: 5 },
    });
  }
}

export function isKithError(error: unknown): error is KithError {
  return error instanceof KithError;
}
