import { Conflict, InvalidInput, KithError, NotFound } from "../util/errors";

export class MailboxNotFound extends NotFound {
  override readonly name = "MailboxNotFound";
  constructor() {
    super("Mailbox", "mailbox_not_found");
  }
}

/**
 * An OAuth state that is not one Kith issued for this callback, has expired, was used already, or
 * belongs to another provider: a 400, and nothing is written.
 */
export class InvalidOAuthState extends InvalidInput {
  override readonly name = "InvalidOAuthState";
  constructor(readonly reason: "malformed" | "signature" | "expired" | "used" | "provider") {
    super("The sign-in link is invalid or has expired; start the connection again", { state: reason });
  }
}

/** The provider refused (consent denied, a bad code): a 400 page; nothing is written. */
export class OAuthDenied extends KithError {
  override readonly name = "OAuthDenied";
  constructor(readonly providerError: string) {
    super(400, "oauth_denied", "The provider did not grant access", { details: { error: providerError } });
  }
}

/**
 * The account's grant is gone (`invalid_grant`, revoked consent): the account waits for its user
 * to connect again and nothing retries it.
 */
export class ReauthRequired extends Conflict {
  override readonly name = "ReauthRequired";
  constructor() {
    super("reauth_required", "The mailbox must be connected again");
  }
}

/** The provider could not be reached or failed on its side: retry later (503). */
export { ProviderUnavailable } from "../util/errors";

/** A provider's refusal of a token request (OAuth `error` codes such as `invalid_grant`). */
export class ProviderRefused extends Error {
  override readonly name = "ProviderRefused";
  constructor(
    readonly provider: string,
    readonly oauthError: string,
  ) {
    super(`${provider} refused the token request: ${oauthError}`);
  }
  /** The grant is dead: only the user can bring it back, by connecting again. */
  get grantRevoked(): boolean {
    return this.oauthError === "invalid_grant" || this.oauthError === "interaction_required";
  }
}
