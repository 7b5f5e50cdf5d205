import * as Contacts from "@kith/core/contacts";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Contacts.Routes.createCollection)(async ({ body, params }) => ({
  status: 201,
  body: await Contacts.createCollection(params.orgId, body),
}));
