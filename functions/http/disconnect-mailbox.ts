import { httpRoute } from "@kith/core/lambda";
import * as Mailbox from "@kith/core/mailbox";
import { providers } from "@kith/core/mailbox/providers";

export const handler = httpRoute(Mailbox.Routes.disconnectMailbox)(async ({ params }) => {
  await Mailbox.disconnect(providers[params.provider], params);
  return { status: 204 };
});
