import { z } from "zod";
import { defineRoute } from "../http/route";
import { PageQuerySchema, pageSchema } from "../storage/cursor";
import { JournalEntrySchema } from "./schemas";

/** The journal's route: what the bus carried, for operators. */

const JournalPage = pageSchema(JournalEntrySchema, "JournalEntryPage");

export const JournalQuerySchema = PageQuerySchema.extend({
  orgId: z.string().min(1).max(128).optional().describe("One org's events; without it, system events"),
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
