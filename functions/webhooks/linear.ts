import { httpRoute } from "@kith/core/lambda";
import * as Linear from "@kith/core/webhooks/linear";
import { toResponse } from "@kith/core/webhooks/receive";
import * as Routes from "@kith/core/webhooks/routes";

export const handler = httpRoute(Routes.linear, {
  verify: ({ rawBody, headers }) => Linear.verify(rawBody, headers),
})(async ({ body, headers }) => toResponse(await Linear.handle(body, headers)));
