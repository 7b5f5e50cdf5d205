export * from "./admin";
export * from "./errors";
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
export * from "./schemas";
export { keys } from "./store";
export * as Tokens from "./tokens";
export * as Unmapped from "./unmapped";
export * from "./users";
