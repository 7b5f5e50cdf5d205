export * from "./cursors";
export * from "./errors";
export {
  applyMembershipEvent,
  applyUserEvent,
  type MemberItem,
  type MemberOutcome,
  member,
  memberKeys,
  membersOfDirectoryUser,
} from "./members";
export {
  acceptWebhook,
  enqueue,
  handleNudge,
  type Nudge,
  NudgeSchema,
  nudgeFor,
  QUEUE,
  reconcileAll,
  USERS_GROUP,
} from "./nudges";
export * from "./organizations";
export * as Routes from "./routes";
export * from "./stream";
export * from "./types";
export { SIGNATURE_TOLERANCE_MS, verifyWebhook, verifyWorkOSSignature } from "./webhook-signature";
export { createDirectoryClient, directoryClient } from "./workos";
