/**
 * Collections and contacts (docs/api.md, "Contacts and collections"): the people a team wants to
 * reach, grouped in collections whose members read them. Each contact's emails are claimed per
 * collection and referenced on the rollup's lookup item per (org, email).
 */
export { type Reader, readableCollection, readsEveryCollection } from "./access";
export {
  addMember,
  createCollection,
  getCollection,
  listCollections,
  listMembers,
  removeMember,
} from "./collections";
export { createContact, deleteContact, getContact, listContacts, updateContact } from "./contacts";
export * from "./errors";
export * as Events from "./events";
export { createContacts, importContacts } from "./import";
export * as Routes from "./routes";
export * from "./schemas";
export { keys, type StoredContact } from "./store";
