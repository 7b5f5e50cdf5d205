import { KithError } from "../util/errors";

/**
 * A single-item write whose condition did not hold. Modules catch it and rethrow their own
 * domain error (e.g. `EmailTaken`); one that escapes is still a safe 409, never a 500.
 */
export class ConditionFailed extends KithError {
  override readonly name = "ConditionFailed";
  constructor(cause?: unknown) {
    super(409, "condition_failed", "The item changed or already exists", { cause });
  }
}

/** Why each item of a cancelled transaction failed, in request order (`None` for items that were fine). */
export interface CancellationReason {
  index: number;
  code: string;
  message?: string;
}

/**
 * A `TransactWriteItems` that was cancelled. `reasons` says which item's condition failed, so the
 * caller can name the claim that lost (email, identity, slug) instead of guessing.
 */
export class TransactionCancelled extends KithError {
  override readonly name = "TransactionCancelled";
  readonly reasons: CancellationReason[];

  constructor(reasons: CancellationReason[], cause?: unknown) {
    const codes = new Set(reasons.map((reason) => reason.code));
    if (codes.has("ConditionalCheckFailed")) {
      super(409, "condition_failed", "A condition in the transaction did not hold", { cause });
    } else if (
      codes.has("TransactionConflict") ||
      codes.has("ThrottlingError") ||
      codes.has("ProvisionedThroughputExceeded")
    ) {
      super(503, "transaction_conflict", "The transaction conflicted with another; retry", {
        cause,
        expose: true,
        details: { retryAfterSeconds: 1 },
      });
    } else {
      // ValidationError and the like are bugs in the request we built, not the caller's problem.
      super(500, "transaction_failed", "The transaction was rejected", { cause, expose: false });
    }
    this.reasons = reasons;
  }

  /** Indexes of the items whose condition failed. */
  failedConditions(): number[] {
    return this.reasons
      .filter((reason) => reason.code === "ConditionalCheckFailed")
      .map((reason) => reason.index);
  }

  /** True when the transaction lost a race or was throttled, so the same request may succeed later. */
  get retryable(): boolean {
    return this.status === 503;
  }
}

/** DynamoDB refused a pagination key: a forged or stale cursor that slipped past `decodeCursor`. */
export function isInvalidStartKey(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  // AWS and DynamoDB Local word it differently ("exclusive start key", "starting key …
  // outside query boundaries", "starting key does not match the range key predicate").
  return (
    name === "ValidationException" &&
    /exclusive ?start ?key|start(ing)? ?key|query boundaries/i.test(message ?? "")
  );
}

/** DynamoDB throttled us beyond the SDK's own retries. */
export class StorageThrottled extends KithError {
  override readonly name = "StorageThrottled";
  constructor(cause?: unknown) {
    super(429, "throttled", "Storage is busy; retry later", {
      cause,
      expose: true,
      details: { retryAfterSeconds: 1 },
    });
  }
}

/**
 * DynamoDB could not be reached or failed on its side (a network error, a timeout, a 5xx), beyond
 * the SDK's own retries. Nothing the caller sent is at fault and the same request may succeed in a
 * moment: a 503 with `Retry-After`, never a 500.
 */
export class StorageUnavailable extends KithError {
  override readonly name = "StorageUnavailable";
  constructor(cause?: unknown) {
    super(503, "storage_unavailable", "Storage is unavailable; retry shortly", {
      cause,
      expose: true,
      details: { retryAfterSeconds: 2 },
    });
  }
}

const NETWORK_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
]);

/** Whether an SDK failure means DynamoDB was unreachable or failed on its side (not our request). */
export function isUnavailable(error: unknown): boolean {
  const failure = (error ?? {}) as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    cause?: { code?: string };
  };
  if (failure.name === "TimeoutError" || failure.name === "AbortError") return true;
  if (failure.name === "InternalServerError" || failure.name === "ServiceUnavailable") return true;
  if (NETWORK_ERRORS.has(failure.code ?? "") || NETWORK_ERRORS.has(failure.cause?.code ?? "")) return true;
  const status = failure.$metadata?.httpStatusCode;
  return typeof status === "number" && status >= 500;
}
