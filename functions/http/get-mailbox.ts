import { httpRoute } from "@kith/core/lambda";
import * as Mailbox from "@kith/core/mailbox";

export const handler = httpRoute(Mailbox.Routes.getMailbox)(async ({ params }) => ({
  status: 200,
  body: await Mailbox.list(params.orgId, params.userId),
}));
