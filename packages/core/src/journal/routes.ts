import * as z from "zod/mini";
import { defineRoute } from "../http/route";
import { PageQuerySchema, pageSchema } from "../storage/cursor";
import { JournalEntrySchema } from "./schemas";

/** The journal's route: what the bus carried, for operators. */

const JournalPage = pageSchema(JournalEntrySchema, "JournalEntryPage");

export const JournalQuerySchema = z.extend(PageQuerySchema, {
  orgId: z
    .optional(z.string().check(z.minLength(1), z.maxLength(128)))
    .check(z.describe("One org's events; without it, system events")),
});

export const listJournal = defineRoute({
  method: "GET",
  path: "/v1/journal",
  handler: "functions/http/list-journal.handler",
  auth: "bearer",
  access: "operator",
  operationId: "listJournal",
  summary: "Domain events of the last 30 days, newest first (operator)",
  tags: ["system"],
  query: JournalQuerySchema,
  responses: { 200: { description: "A page of journal entries", schema: JournalPage } },
});

export const all = [listJournal] as const;
