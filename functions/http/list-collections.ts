import * as Contacts from "@kith/core/contacts";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Contacts.Routes.listCollections)(async ({ actor, query, params }) => ({
  status: 200,
  body: await Contacts.listCollections(actor, params.orgId, query),
}));
