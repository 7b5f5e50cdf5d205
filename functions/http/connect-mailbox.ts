import { apiOrigin, httpRoute } from "@kith/core/lambda";
import * as Mailbox from "@kith/core/mailbox";
import { providers } from "@kith/core/mailbox/providers";

export const handler = httpRoute(Mailbox.Routes.connectMailbox)(async ({ params, body, event }) => ({
  status: 200,
  body: {
    authorizeUrl: await Mailbox.authorizeUrl(providers[params.provider], {
      orgId: params.orgId,
      userId: params.userId,
      scopes: body.scopes,
      origin: apiOrigin(event),
    }),
  },
}));
