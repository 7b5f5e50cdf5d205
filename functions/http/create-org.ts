import * as Http from "@kith/core/http";
import { httpRoute } from "@kith/core/lambda";
import * as Orgs from "@kith/core/orgs";

export const handler = httpRoute(
  {
    auth: "bearer",
    authorize: ({ actor }) => Http.requireOperator(actor),
    body: Orgs.CreateOrgInputSchema,
  },
  async ({ body }) => {
    const { org } = await Orgs.create(body);
    return { status: 201, body: org };
  },
);
