/** Another write changed the account between our read and our write: read again and retry. */
export class ConflictOnAccount extends Error {
  override readonly name = "ConflictOnAccount";
}
