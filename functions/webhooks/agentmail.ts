import { httpRoute } from "@kith/core/lambda";
import { AgentMail, toResponse } from "@kith/core/webhooks";
import { z } from "zod";

export const handler = httpRoute(
  {
    auth: "webhook",
    // The route names the integration; its own signing secret is what verifies the request.
    verify: ({ rawBody, headers, pathParameters }) =>
      AgentMail.verify(rawBody, headers, pathParameters.integrationId),
    body: z.unknown(),
  },
  async ({ body, headers, verified }) => toResponse(await AgentMail.handle(verified, body, headers)),
);
