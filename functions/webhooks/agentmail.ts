import { httpRoute } from "@kith/core/lambda";
import * as AgentMail from "@kith/core/webhooks/agentmail";
import { toResponse } from "@kith/core/webhooks/receive";
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
