import { KithError } from "../util/errors";

/** Directory sync's own errors. None reaches an HTTP caller: they end in the queue's retry. */

/** An organization event kept losing races (slug claims, concurrent applies) past every round. */
export class ApplyContended extends KithError {
  override readonly name = "ApplyContended";
  constructor(eventId: string, rounds: number) {
    super(
      503,
      "directory_apply_contended",
      `could not apply directory event ${eventId} after ${rounds} rounds`,
      {
        expose: false,
      },
    );
  }
}

/** A member item kept changing under converging; the queue retries the sync. */
export class MemberKeptMoving extends KithError {
  override readonly name = "MemberKeptMoving";
  constructor(orgId: string, directoryUserId: string) {
    super(
      503,
      "directory_member_contended",
      `directory member ${directoryUserId} of org ${orgId} kept changing`,
      {
        expose: false,
      },
    );
  }
}

/** The member item changed between reading it and committing what was decided from it. */
export class MemberMoved extends KithError {
  override readonly name = "MemberMoved";
  constructor() {
    super(409, "directory_member_moved", "the directory member changed while it was converged", {
      expose: false,
    });
  }
}

/** Directory sync was asked to run without a WorkOS API key. */
export class DirectoryNotConfigured extends KithError {
  override readonly name = "DirectoryNotConfigured";
  constructor() {
    super(500, "directory_not_configured", "WORKOS_API_KEY is not set; directory sync cannot call WorkOS", {
      expose: false,
    });
  }
}
