export * from "./admin";
export * from "./errors";
export * as Events from "./events";
export {
  canonicalRef,
  displayName,
  emailOwner,
  knownIdentity,
  type Resolution,
  type ResolveOptions,
  resolve,
  userIdForIdentity,
} from "./resolve";
export * as Routes from "./routes";
export * from "./schemas";
export { keys } from "./store";
export * as Tokens from "./tokens";
export * as Unmapped from "./unmapped";
export * from "./users";
export * from "./whoami";
