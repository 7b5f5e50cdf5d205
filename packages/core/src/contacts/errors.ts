import { Conflict, KithError, NotFound } from "../util/errors";

/**
 * A collection that does not exist in the org, or one the caller may not read: the two look the
 * same, so a member cannot learn which collections exist beyond its own.
 */
export class CollectionNotFound extends NotFound {
  override readonly name = "CollectionNotFound";
  constructor() {
    super("Collection", "collection_not_found");
  }
}

export class ContactNotFound extends NotFound {
  override readonly name = "ContactNotFound";
  constructor() {
    super("Contact", "contact_not_found");
  }
}

/** An email is a contact's at most once per collection (another collection may hold it too). */
export class ContactEmailTaken extends Conflict {
  override readonly name = "ContactEmailTaken";
  constructor(readonly email: string) {
    super("email_taken", `The email ${email} already belongs to a contact of this collection`, { email });
  }
}

/**
 * Two contacts of one bulk import carry the same email: nothing is written. A 409 with the code of
 * any other clash of emails in a collection, and it names the email.
 */
export class DuplicateEmailInImport extends Conflict {
  override readonly name = "DuplicateEmailInImport";
  constructor(
    readonly email: string,
    indexes: readonly number[],
  ) {
    super("email_taken", `The email ${email} is given to more than one contact of the import`, {
      email,
      items: [...indexes],
    });
  }
}

/**
 * The contact changed between our read and our write. Never shown to a caller: the change is
 * retried on fresh state, and only if it keeps losing does a 409 reach the caller.
 */
export class ContactChanged extends KithError {
  override readonly name = "ContactChanged";
  constructor() {
    super(409, "concurrent_modification", "The contact was changed concurrently; retry", { expose: true });
  }
}

/**
 * A lookup item a contact's email pointed at is gone (the rollup owns those items): there is no
 * reference left to remove, so the change is retried without that removal.
 */
export class LookupGone extends Error {
  override readonly name = "LookupGone";
  constructor(readonly email: string) {
    super(`the lookup item of ${email} no longer exists`);
  }
}
