import * as z from "zod/mini";
import { defineRoute } from "../http/route";
import { PageQuerySchema, pageSchema } from "../storage/cursor";

/** The rollup's routes (docs/api.md, "Contacts, strength and reachability"). */

const UnresolvedCorrespondentSchema = z
  .object({
    email: z.string(),
    users: z
      .array(z.string())
      .check(z.describe("The members with a counted message or meeting with this email")),
    twoWayThreads: z.number(),
    meetings: z.number().check(z.describe("Counted meetings in the last 24 months, summed over the members")),
    lastInteractionAt: z.nullable(z.string()),
  })
  .register(z.globalRegistry, { id: "UnresolvedCorrespondent" });

const UnresolvedPage = pageSchema(UnresolvedCorrespondentSchema, "UnresolvedCorrespondentPage");

const RebuildAcceptedSchema = z
  .object({ accepted: z.literal(true) })
  .register(z.globalRegistry, { id: "StatsRebuildAccepted" });

export const listUnresolvedCorrespondents = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}/unresolved-correspondents",
  handler: "functions/http/list-unresolved-correspondents.handler",
  auth: "bearer",
  access: { org: "admin" },
  operationId: "listUnresolvedCorrespondents",
  summary: "Emails seen in mail or meetings that match no contact, best first",
  description:
    "Ranked by two-way threads, then counted meetings (24 months), then the latest interaction, summed over " +
    "the members. Only emails with a counted message or meeting appear: teammates, bulk senders and " +
    "newsletter-only senders never do. An email leaves the list as soon as a contact carries it.",
  tags: ["contacts"],
  query: PageQuerySchema,
  responses: { 200: { description: "A page of unresolved correspondents", schema: UnresolvedPage } },
  errors: [404],
});

export const rebuildStats = defineRoute({
  method: "POST",
  path: "/v1/orgs/{orgId}/stats/rebuild",
  handler: "functions/http/rebuild-stats.handler",
  auth: "bearer",
  access: "operator",
  operationId: "rebuildStats",
  summary: "Rebuild every statistic of the org from its interaction events (operator)",
  description:
    "Queues a full rebuild: every (member, correspondent) pair with stored stats or with events is rebuilt, 500 " +
    "pairs per queue message, and `stats.changed` is published for the pairs whose stats moved.",
  tags: ["contacts"],
  responses: { 202: { description: "Queued", schema: RebuildAcceptedSchema } },
  errors: [404],
});

export const all = [listUnresolvedCorrespondents, rebuildStats] as const;
