import { isKithError } from "../util/errors";

/** The contract's error body: `{"error": {"code", "message", "details"}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

/**
 * Maps any thrown value to a status and a body that is safe to send. Errors that declare themselves
 * exposable keep their message; a non-exposable 4xx keeps its status and code with a generic
 * message; anything else is an opaque 500.
 */
export function errorResponse(error: unknown): ErrorResponse {
  if (!isKithError(error)) return INTERNAL;
  if (!error.expose) {
    // The status is still right for the caller; only the wording and details stay private.
    if (error.status >= 500) return INTERNAL;
    return {
      status: error.status,
      body: { error: { code: error.code, message: STATUS_MESSAGES[error.status] ?? "Request failed" } },
    };
  }
  const headers: Record<string, string> = {};
  const retryAfter = error.details?.retryAfterSeconds;
  if ((error.status === 429 || error.status === 503) && typeof retryAfter === "number") {
    headers["retry-after"] = String(retryAfter);
  }
  return {
    status: error.status,
    body: { error: { code: error.code, message: error.message, details: error.details } },
    headers,
  };
}

const INTERNAL: ErrorResponse = {
  status: 500,
  body: { error: { code: "internal_error", message: "Something went wrong. It has been logged." } },
};

/** What each error status means, in words safe for any caller (also the OpenAPI descriptions). */
export const STATUS_MESSAGES: Record<number, string> = {
  400: "The request is invalid",
  401: "Missing or invalid credentials",
  403: "This caller may not do that",
  404: "Not found",
  409: "The request conflicts with the current state",
  413: "The body is too large",
  415: "Unsupported media type",
  422: "The request cannot be processed",
  429: "Too many requests",
};
