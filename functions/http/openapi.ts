import * as Api from "@kith/core/api";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Api.Routes.getOpenApiDocument)(async () => ({
  status: 200,
  body: Api.document(),
  headers: { "cache-control": "public, max-age=300" },
}));
