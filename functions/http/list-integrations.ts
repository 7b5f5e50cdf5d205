import * as Integrations from "@kith/core/integrations";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Integrations.Routes.listIntegrations)(async ({ query, params }) => ({
  status: 200,
  body: await Integrations.list(params.orgId, query),
}));
