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
 * Maps any thrown value to a status and a body that is safe to send. Only errors that declare
 * themselves exposable keep their message; everything else is an opaque 500.
 */
export function errorResponse(error: unknown): ErrorResponse {
  if (isKithError(error) && error.expose) {
    const headers: Record<string, string> = {};
    const retryAfter = error.details?.retryAfterSeconds;
    if (error.status === 429 && typeof retryAfter === "number") headers["retry-after"] = String(retryAfter);
    return {
      status: error.status,
      body: { error: { code: error.code, message: error.message, details: error.details } },
      headers,
    };
  }
  return {
    status: 500,
    body: { error: { code: "internal_error", message: "Something went wrong. It has been logged." } },
  };
}
