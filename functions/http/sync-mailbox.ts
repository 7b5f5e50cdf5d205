import { httpRoute } from "@kith/core/lambda";
import * as Mailbox from "@kith/core/mailbox";

export const handler = httpRoute(Mailbox.Routes.syncMailbox)(async ({ params }) => ({
  status: 202,
  body: await Mailbox.requestSync(params),
}));
