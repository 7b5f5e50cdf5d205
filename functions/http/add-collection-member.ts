import * as Contacts from "@kith/core/contacts";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Contacts.Routes.addCollectionMember)(async ({ body, params }) => {
  const { added, member } = await Contacts.addMember(params.orgId, params.collectionId, body.userId);
  return { status: added ? 201 : 200, body: member };
});
