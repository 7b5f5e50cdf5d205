import * as Contacts from "@kith/core/contacts";
import { httpRoute } from "@kith/core/lambda";
import * as Scoring from "@kith/core/scoring";

export const handler = httpRoute(Contacts.Routes.getContact)(async ({ actor, params }) => ({
  status: 200,
  body: await Scoring.getContactDetail(actor, params.orgId, params.collectionId, params.contactId),
}));
