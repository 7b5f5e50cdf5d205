import * as Contacts from "@kith/core/contacts";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Contacts.Routes.getCollection)(async ({ actor, params }) => ({
  status: 200,
  body: await Contacts.getCollection(actor, params.orgId, params.collectionId),
}));
