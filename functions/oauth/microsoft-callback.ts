import { apiOrigin, httpRoute } from "@kith/core/lambda";
import * as Mailbox from "@kith/core/mailbox";
import { answerCallback } from "@kith/core/mailbox/callback-page";
import { microsoft } from "@kith/core/mailbox/microsoft";

export const handler = httpRoute(Mailbox.Routes.microsoftCallback)(async ({ query, event }) =>
  answerCallback("microsoft", () =>
    Mailbox.completeConnection(microsoft, query, { origin: apiOrigin(event) }),
  ),
);
