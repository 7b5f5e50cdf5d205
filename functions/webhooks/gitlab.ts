import { httpRoute } from "@kith/core/lambda";
import * as GitLab from "@kith/core/webhooks/gitlab";
import { toResponse } from "@kith/core/webhooks/receive";
import * as Routes from "@kith/core/webhooks/routes";

export const handler = httpRoute(Routes.gitlab, {
  // The route names the integration; its own secret is what verifies the request.
  verify: ({ headers, pathParameters }) => GitLab.verify(headers, pathParameters.integrationId),
})(async ({ body, headers, verified }) => toResponse(await GitLab.handle(verified, body, headers)));
