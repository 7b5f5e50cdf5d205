import * as z from "zod/mini";

/** A journal entry: one domain event as the bus delivered it, and when it was recorded. */
export const JournalEntrySchema = z
  .object({
    id: z.string(),
    type: z
      .string()
      .check(z.describe("The domain event's type; `data` is that event's data (see `x-domain-events`)")),
    orgId: z.nullable(z.string()),
    occurredAt: z.string(),
    recordedAt: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .register(z.globalRegistry, { id: "JournalEntry" });
export type JournalEntry = z.infer<typeof JournalEntrySchema>;
