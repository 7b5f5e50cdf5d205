import { httpRoute } from "@kith/core/lambda";
import * as AgentMail from "@kith/core/webhooks/agentmail";
import { toResponse } from "@kith/core/webhooks/receive";
import * as Routes from "@kith/core/webhooks/routes";

export const handler = httpRoute(Routes.agentmail, {
  // The route names the integration; its own signing secret is what verifies the request.
  verify: ({ rawBody, headers, pathParameters }) =>
    AgentMail.verify(rawBody, headers, pathParameters.integrationId),
})(async ({ body, headers, verified }) => toResponse(await AgentMail.handle(verified, body, headers)));
