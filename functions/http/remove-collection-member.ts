import * as Contacts from "@kith/core/contacts";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Contacts.Routes.removeCollectionMember)(async ({ params }) => {
  await Contacts.removeMember(params.orgId, params.collectionId, params.userId);
  return { status: 204 };
});
