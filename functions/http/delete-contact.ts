import * as Contacts from "@kith/core/contacts";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Contacts.Routes.deleteContact)(async ({ params }) => {
  await Contacts.deleteContact(params.orgId, params.collectionId, params.contactId);
  return { status: 204 };
});
