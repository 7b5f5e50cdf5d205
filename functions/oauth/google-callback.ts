import { apiOrigin, httpRoute } from "@kith/core/lambda";
import * as Mailbox from "@kith/core/mailbox";
import { answerCallback } from "@kith/core/mailbox/callback-page";
import { google } from "@kith/core/mailbox/google";

export const handler = httpRoute(Mailbox.Routes.googleCallback)(async ({ query, event }) =>
  answerCallback("google", () => Mailbox.completeConnection(google, query, { origin: apiOrigin(event) })),
);
