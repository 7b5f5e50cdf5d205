import { apiOrigin, httpRoute } from "@kith/core/lambda";
import * as Mailbox from "@kith/core/mailbox";
import { providers } from "@kith/core/mailbox/providers";

export const handler = httpRoute(Mailbox.Routes.updateMailbox)(async ({ params, body, event }) => ({
  status: 200,
  body: await Mailbox.updateScopes(
    providers[params.provider],
    { ...params, origin: apiOrigin(event) },
    body.scopes,
  ),
}));
