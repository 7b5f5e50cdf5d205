export * from "./directory";
export * from "./errors";
export * as Events from "./events";
export * from "./orgs";
export * as Routes from "./routes";
export * from "./schemas";
export * from "./slug";
export { creationItems, existsCheck, keys, readStored, type StoredOrg, toOrg } from "./store";
