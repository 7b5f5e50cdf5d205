import { keys as identityKeys } from "../identity/store";
import { db } from "../storage";
import type { People } from "./classify";
import { normalizeEmail } from "./classify";

/**
 * Who is the member and who is a teammate, for one sync job. The member's addresses are the
 * mailbox's own and every email their user owns (primary and aliases); a teammate is any address
 * another user of the org owns, found through the org's email claims (one BatchGetItem per 100 new
 * addresses, remembered for the rest of the job).
 */
export class OrgPeople implements People {
  private readonly owners = new Map<string, string | null>();

  private constructor(
    private readonly orgId: string,
    private readonly userId: string,
    private readonly memberAddresses: Set<string>,
  ) {}

  static async forMember(orgId: string, userId: string, mailboxEmail: string): Promise<OrgPeople> {
    const user = (await db.get({ Key: identityKeys.user(orgId, userId), ConsistentRead: true })).Item;
    const addresses = new Set<string>();
    for (const raw of [
      mailboxEmail,
      user?.email as string | undefined,
      ...((user?.emailAliases as string[]) ?? []),
    ]) {
      const email = normalizeEmail(raw ?? undefined);
      if (email) addresses.add(email);
    }
    return new OrgPeople(orgId, userId, addresses);
  }

  /** Looks up every address not seen yet, so the synchronous checks below can answer. */
  async load(addresses: Iterable<string>): Promise<void> {
    const unknown = [...new Set(addresses)].filter(
      (email) => !this.memberAddresses.has(email) && !this.owners.has(email),
    );
    if (unknown.length === 0) return;
    const found = await db.batchGet(unknown.map((email) => identityKeys.emailClaim(this.orgId, email)));
    const ownerByKey = new Map(found.map((item) => [item.pk as string, item.userId as string]));
    for (const email of unknown) {
      this.owners.set(email, ownerByKey.get(identityKeys.emailClaim(this.orgId, email).pk) ?? null);
    }
  }

  isMember(email: string): boolean {
    return this.memberAddresses.has(email) || this.owners.get(email) === this.userId;
  }

  isTeammate(email: string): boolean {
    const owner = this.owners.get(email);
    if (owner === undefined && !this.memberAddresses.has(email)) {
      throw new Error("OrgPeople.load must see every address before it is classified");
    }
    return owner !== undefined && owner !== null && owner !== this.userId;
  }
}
