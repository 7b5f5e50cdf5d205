import * as Contacts from "@kith/core/contacts";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Contacts.Routes.createContacts)(async ({ body, params }) => ({
  status: 201,
  body: await Contacts.createContacts(params.orgId, params.collectionId, body),
}));
