import * as z from "zod/mini";
import { KithError } from "../util/errors";

/**
 * What Kith needs of an enrichment provider, whatever its wire shape: a person by email (F1), and
 * a profile by the provider's id, by email or by LinkedIn handle (F2, F4). The Findem client
 * (findem.ts) is the one implementation; a different provider, or a different real Findem shape,
 * changes that module only.
 */

const Month = z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/));

export const PersonMatchSchema = z.object({
  findemId: z.string().check(z.minLength(1)),
  linkedinHandle: z.nullable(z.string()),
  emails: z.array(z.string()),
  confidence: z.number().check(z.gte(0), z.lte(1)),
});
export type PersonMatch = z.infer<typeof PersonMatchSchema>;

export const LookupResultSchema = z.object({
  match: z.nullable(PersonMatchSchema),
  ambiguous: z.boolean(),
});
export type LookupResult = z.infer<typeof LookupResultSchema>;

export const WorkEntrySchema = z.object({
  organization: z.object({
    id: z.string().check(z.minLength(1)),
    name: z.string(),
    size: z.nullable(z.number().check(z.int(), z.gte(0))),
  }),
  title: z.optional(z.nullable(z.string())),
  from: Month,
  to: z.nullable(Month),
});

export const EducationEntrySchema = z.object({
  school: z.object({ id: z.string().check(z.minLength(1)), name: z.string() }),
  from: Month,
  to: z.nullable(Month),
});

export const ProfileSchema = z.object({
  findemId: z.string().check(z.minLength(1)),
  linkedinHandle: z.nullable(z.string()),
  emails: z.array(z.string()),
  work: z.array(WorkEntrySchema),
  education: z.array(EducationEntrySchema),
});
export type Profile = z.infer<typeof ProfileSchema>;

export interface EnrichmentProvider {
  /** F1: who an email belongs to. */
  lookupByEmail(email: string): Promise<LookupResult>;
  /** F2: a profile by the provider's id; null when the provider has none. */
  profileById(findemId: string): Promise<Profile | null>;
  /** F2/F4: a profile by LinkedIn handle (preferred) or email; null when the provider has none. */
  enrich(input: { email?: string; linkedinHandle?: string }): Promise<Profile | null>;
}

/**
 * The provider cannot answer now (its breaker is open, it rate-limited us past our retries, or it
 * failed): the work is deferred by `retryAfterMs`, never dropped.
 */
export class EnrichmentDeferred extends KithError {
  override readonly name = "EnrichmentDeferred";
  constructor(
    readonly reason: "breaker_open" | "rate_limited" | "unavailable" | "in_flight_elsewhere",
    readonly retryAfterMs: number,
    cause?: unknown,
  ) {
    super(503, "enrichment_deferred", `enrichment deferred (${reason})`, { cause });
  }
}
