import { db } from "../storage";
import { type ContactRef, parseContactRef, rollupKeys } from "./keys";

/**
 * Resolution: which contacts of the org an email stands for. The rollup keeps statistics per
 * (member, email) whatever the answer; resolution links them to contacts. Today an email resolves
 * through the lookup item per (org, email): the contacts carrying it (the contacts module keeps
 * them) and those enrichment resolved it to (`resolvedRefs`). Enrichment's own resolver
 * (enrichment/resolve.ts) asks Findem for what is not yet known, behind the same interface.
 */
export interface Resolver {
  /** The contacts carrying each email; an email no contact carries maps to an empty list. */
  resolve(orgId: string, emails: readonly string[]): Promise<Map<string, ContactRef[]>>;
}

/**
 * Resolution by the lookup items: one consistent BatchGetItem per 100 emails. A resolver that
 * finds more (enrichment) records its matches on the same items, so the rollup, which reads them
 * with each pair it writes, publishes `stats.changed` for them too.
 */
export const lookupResolver: Resolver = {
  async resolve(orgId, emails) {
    const distinct = [...new Set(emails)];
    const items = await db.batchGet(
      distinct.map((email) => rollupKeys.lookup(orgId, email)),
      true,
    );
    const resolved = new Map<string, ContactRef[]>(distinct.map((email) => [email, []]));
    for (const item of items) {
      const refs = [
        ...new Set([
          ...((item.contactRefs as Set<string> | undefined) ?? []),
          ...((item.resolvedRefs as Set<string> | undefined) ?? []),
        ]),
      ].sort();
      resolved.set(item.email as string, refs.map(parseContactRef));
    }
    return resolved;
  },
};
