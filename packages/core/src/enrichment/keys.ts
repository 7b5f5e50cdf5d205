/**
 * Where enrichment keeps its state (docs/data-model.md, "Enrichment"). What Findem says about a
 * person is not any org's data, so the cache and profiles are global, keyed by email and by
 * Findem id; what an org did with an answer (which contacts an email resolved to) lives on that
 * org's own items: the rollup's lookup item per (org, email), and the contact's reachability item.
 */
export const enrichmentKeys = {
  emailPartition: (email: string) => `ENRICHED#EMAIL#${email}`,
  /** `EnrichedEmailLookup`: what Findem answered for an email, until `expiresAt`. */
  lookup: (email: string) => ({ pk: enrichmentKeys.emailPartition(email), sk: "#LOOKUP" }),
  /** The one call in flight for an email, across containers. */
  flight: (email: string) => ({ pk: enrichmentKeys.emailPartition(email), sk: "#FLIGHT" }),
  personPartition: (findemId: string) => `ENRICHED#PERSON#${findemId}`,
  /** gsi1 of the lookup items: every cached email of one person (F7 invalidates them all). */
  emailsOfPerson: (findemId: string) => `ENRICHED#PERSON#${findemId}#EMAILS`,
  profile: (findemId: string) => ({ pk: enrichmentKeys.personPartition(findemId), sk: "#PROFILE" }),
  /** Who depends on a person's profile: a member or a contact, so F7 knows what to recompute. */
  contactDependent: (findemId: string, orgId: string, collectionId: string, contactId: string) => ({
    pk: enrichmentKeys.personPartition(findemId),
    sk: `CONTACT#${orgId}#${collectionId}#${contactId}`,
  }),
  userDependent: (findemId: string, orgId: string, userId: string) => ({
    pk: enrichmentKeys.personPartition(findemId),
    sk: `USER#${orgId}#${userId}`,
  }),
  /** A member's enrichment: which person they are, and when that was last asked. */
  user: (orgId: string, userId: string) => ({ pk: `ORG#${orgId}#USER#${userId}#ENRICHMENT`, sk: "#PROFILE" }),
};
