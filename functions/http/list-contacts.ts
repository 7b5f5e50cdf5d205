import * as Contacts from "@kith/core/contacts";
import { httpRoute } from "@kith/core/lambda";
import * as Scoring from "@kith/core/scoring";

export const handler = httpRoute(Contacts.Routes.listContacts)(async ({ actor, query, params }) => ({
  status: 200,
  body: await Scoring.listContacts(actor, params.orgId, params.collectionId, query),
}));
