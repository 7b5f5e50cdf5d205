import * as Journal from "@kith/core/journal";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Journal.Routes.listJournal)(async ({ query }) => ({
  status: 200,
  body: await Journal.list({ orgId: query.orgId ?? null, limit: query.limit, cursor: query.cursor }),
}));
