/**
 * Loopback provider sandboxes (Slack, WorkOS, Google, Microsoft Graph, …) for tests, the demo and
 * benchmarks. Each one answers the real client library on 127.0.0.1 through the provider's
 * base-URL environment variable (`SLACK_API_URL`, `WORKOS_API_URL`, …).
 */

export {
  type AddBotTokenInput,
  type AddUserInput,
  type RawSlackProfile,
  type RawSlackUser,
  redactSlackToken,
  type SlackFailure,
  type SlackRecordedRequest,
  SlackSandbox,
  type SlackSandboxOptions,
} from "./slack";
export {
  gitLabDelivery,
  type SignedDelivery,
  signAgentMail,
  signGitHubDelivery,
  signLinear,
  signSlack,
} from "./webhooks";
export {
  type AppendEventInput,
  type CreateOrganizationInput,
  type CreateUserInput,
  type FailureOptions,
  type MembershipInput,
  type MembershipStatus,
  type RawEvent,
  type RawOrganization,
  type RawOrganizationDomain,
  type RawOrganizationMembership,
  type RawUser,
  type RecordedRequest,
  type SignedWebhook,
  signWorkOSWebhook,
  type UpdateOrganizationInput,
  type UpdateUserInput,
  WORKOS_EVENT_RETENTION_MS,
  WorkOSSandbox,
  type WorkOSSandboxOptions,
} from "./workos";
