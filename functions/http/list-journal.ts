import * as Http from "@kith/core/http";
import * as Journal from "@kith/core/journal";
import { httpRoute } from "@kith/core/lambda";
import { z } from "zod";

const query = z.object({
  orgId: z.string().min(1).max(128).optional(),
  limit: z.string().optional(),
  cursor: z.string().max(2048).optional(),
});

export const handler = httpRoute(
  { auth: "bearer", authorize: ({ actor }) => Http.requireOperator(actor), query },
  async ({ query }) => {
    const page = await Journal.list({ orgId: query.orgId ?? null, limit: query.limit, cursor: query.cursor });
    return { status: 200, body: page };
  },
);
