import * as Http from "@kith/core/http";
import { httpRoute } from "@kith/core/lambda";
import * as Orgs from "@kith/core/orgs";

export const handler = httpRoute(
  { auth: "bearer", body: Orgs.CreateOrgInputSchema },
  async ({ actor, body }) => {
    Http.requireOperator(actor);
    const { org } = await Orgs.create(body);
    return { status: 201, body: org };
  },
);
