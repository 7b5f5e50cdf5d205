import * as Contacts from "@kith/core/contacts";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Contacts.Routes.getContact)(async ({ actor, params }) => ({
  status: 200,
  body: await Contacts.getContact(actor, params.orgId, params.collectionId, params.contactId),
}));
