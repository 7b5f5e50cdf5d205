import * as Http from "@kith/core/http";
import { httpRoute } from "@kith/core/lambda";
import * as Orgs from "@kith/core/orgs";
import { PageQuerySchema } from "@kith/core/storage";

export const handler = httpRoute(
  { auth: "bearer", authorize: ({ actor }) => Http.requireOperator(actor), query: PageQuerySchema },
  async ({ query }) => {
    return { status: 200, body: await Orgs.list(query) };
  },
);
