import { httpRoute } from "@kith/core/lambda";
import * as GitHub from "@kith/core/webhooks/github";
import { toResponse } from "@kith/core/webhooks/receive";
import * as Routes from "@kith/core/webhooks/routes";

export const handler = httpRoute(Routes.github, {
  verify: ({ rawBody, headers }) => GitHub.verify(rawBody, headers),
})(async ({ body, headers }) => toResponse(await GitHub.handle(body, headers)));
