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
    const conflict = reasons.some((reason) => reason.code === "ConditionalCheckFailed");
    super(
      conflict ? 409 : 503,
      conflict ? "condition_failed" : "transaction_conflict",
      conflict ? "A condition in the transaction did not hold" : "The transaction conflicted; retry",
      { cause, expose: true },
    );
    this.reasons = reasons;
  }

  /** Indexes of the items whose condition failed. */
  failedConditions(): number[] {
    return this.reasons
      .filter((reason) => reason.code === "ConditionalCheckFailed")
      .map((reason) => reason.index);
  }

  /** True when the transaction lost a race with another transaction, and a retry may succeed. */
  get retryable(): boolean {
    return this.reasons.some((reason) => reason.code === "TransactionConflict");
  }
}

/** DynamoDB throttled us beyond the SDK's own retries. */
export class StorageThrottled extends KithError {
  override readonly name = "StorageThrottled";
  constructor(cause?: unknown) {
    super(429, "throttled", "Storage is busy; retry later", { cause, expose: true });
  }
}
