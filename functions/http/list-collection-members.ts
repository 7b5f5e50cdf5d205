import * as Contacts from "@kith/core/contacts";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Contacts.Routes.listCollectionMembers)(async ({ actor, query, params }) => ({
  status: 200,
  body: await Contacts.listMembers(actor, params.orgId, params.collectionId, query),
}));
