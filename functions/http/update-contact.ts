import * as Contacts from "@kith/core/contacts";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Contacts.Routes.updateContact)(async ({ body, params }) => ({
  status: 200,
  body: await Contacts.updateContact(params.orgId, params.collectionId, params.contactId, body),
}));
