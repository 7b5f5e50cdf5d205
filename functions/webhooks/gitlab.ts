import { httpRoute } from "@kith/core/lambda";
import * as GitLab from "@kith/core/webhooks/gitlab";
import { toResponse } from "@kith/core/webhooks/receive";
import { z } from "zod";

export const handler = httpRoute(
  {
    auth: "webhook",
    // The route names the integration; its own secret is what verifies the request.
    verify: ({ headers, pathParameters }) => GitLab.verify(headers, pathParameters.integrationId),
    body: z.unknown(),
  },
  async ({ body, headers, verified }) => toResponse(await GitLab.handle(verified, body, headers)),
);
