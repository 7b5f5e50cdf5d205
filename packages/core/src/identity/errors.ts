import { Conflict, InvalidInput, KithError, NotFound } from "../util/errors";

export class EmailTaken extends Conflict {
  override readonly name = "EmailTaken";
  constructor(email: string) {
    super("email_taken", `The email ${email} belongs to another user in this org`, { email });
  }
}

export class IdentityTaken extends Conflict {
  override readonly name = "IdentityTaken";
  constructor(kind: string, externalId: string) {
    super("identity_taken", `The ${kind} identity ${externalId} belongs to another user`, {
      kind,
      externalId,
    });
  }
}

export class UserNotFound extends NotFound {
  override readonly name = "UserNotFound";
  constructor() {
    super("User", "user_not_found");
  }
}

export class IdentityNotLinked extends NotFound {
  override readonly name = "IdentityNotLinked";
  constructor() {
    super("Identity", "identity_not_linked");
  }
}

export class UnmappedNotFound extends NotFound {
  override readonly name = "UnmappedNotFound";
  constructor() {
    super("Unmapped identity", "unmapped_not_found");
  }
}

/** A user would exceed one of the per-user caps that keep its changes inside one transaction. */
export class LimitExceeded extends Conflict {
  override readonly name = "LimitExceeded";
  constructor(what: string, limit: number) {
    super("limit_exceeded", `A user may have at most ${limit} ${what}`, { [what]: limit });
  }
}

export class SelfMerge extends InvalidInput {
  override readonly name = "SelfMerge";
  constructor() {
    super("A user cannot be merged into itself", { sourceUserId: "same_as_target" }, "self_merge");
  }
}

/**
 * The user changed between our read and our write. Never shown to a caller: the operation is
 * retried on fresh state, and only if it keeps losing does a 409 reach the caller.
 */
export class VersionConflict extends KithError {
  override readonly name = "VersionConflict";
  constructor() {
    super(409, "concurrent_modification", "The user was changed concurrently; retry", { expose: true });
  }
}

/**
 * Resolution kept losing races for one person (claims taken and released again). Retryable: the
 * webhook's redelivery, or the SQS retry, resolves it once the contention is over.
 */
export class ResolutionContended extends KithError {
  override readonly name = "ResolutionContended";
  constructor() {
    super(503, "resolution_contended", "The identity is being changed concurrently; retry", { expose: true });
  }
}
