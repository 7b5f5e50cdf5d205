/**
 * Loopback provider sandboxes (Slack, WorkOS, GitHub, Linear, Google, Microsoft, Findem, …) for tests, the demo and
 * benchmarks. Each one answers the real client library on 127.0.0.1 through the provider's
 * base-URL environment variable (`SLACK_API_URL`, `WORKOS_API_URL`, `GITHUB_API_URL`,
 * `LINEAR_API_URL`, …).
 */

export type { AwsCredentials } from "./aws-sigv4";
export {
  type FindemEducation,
  type FindemEndpoint,
  type FindemFailure,
  type FindemPerson,
  type FindemRecordedRequest,
  FindemSandbox,
  type FindemSandboxOptions,
  type FindemSynthesis,
  type FindemUsage,
  type FindemWork,
  signFindemWebhook,
} from "./findem";
export {
  type AddInstallationInput,
  type GitHubAccountInput,
  type GitHubAccountType,
  type GitHubFailure,
  type GitHubRecordedRequest,
  GitHubSandbox,
  type GitHubSandboxOptions,
  type RawGitHubAccount,
  type RawGitHubApp,
  type RawGitHubInstallation,
} from "./github";
export {
  GMAIL_DEFAULT_COSTS,
  GMAIL_ERRORS,
  GMAIL_SCOPES,
  type GmailMethod,
  type GmailOptions,
  GmailService,
  type GmailUsage,
  labelsOf as gmailLabelsOf,
} from "./gmail";
export {
  type GoogleAccessCheck,
  type GoogleEndpoint,
  type GoogleFailure,
  type GoogleMailSandboxOptions,
  type GoogleRecordedRequest,
  GoogleSandbox,
  type GoogleSandboxOptions,
} from "./google";
export {
  CALENDAR_ERRORS,
  type CalendarOptions,
  CalendarService,
} from "./google-calendar";
export { type KmsFailure, type KmsRecordedRequest, KmsSandbox, type KmsSandboxOptions } from "./kms";
export {
  type AddApiKeyOptions,
  type AddOAuthTokenOptions,
  type LinearFailure,
  type LinearOrganizationInput,
  type LinearRecordedRequest,
  LinearSandbox,
  type LinearSandboxOptions,
  type LinearUserInput,
} from "./linear";
export {
  MailWorld,
  type MailWorldOptions,
  PRIVACY_MARKER,
  prng,
  type ResponseStatus,
  type WorldAddress,
  type WorldAttendee,
  type WorldChange,
  type WorldCorrespondent,
  type WorldFolder,
  type WorldMeeting,
  type WorldMessage,
} from "./mail-world";
export {
  type Admission,
  FaultInjector,
  type FaultOptions,
  type GateOutcome,
  type InjectedFault,
  MailboxGate,
  MailboxQuota,
  type MailboxQuotaOptions,
  type MailboxUsage,
  retryAfterSeconds,
  UsageCounter,
} from "./mailbox-quota";
export {
  type GraphMailboxLimits,
  type MicrosoftEndpoint,
  type MicrosoftFailure,
  type MicrosoftRecordedRequest,
  MicrosoftSandbox,
  type MicrosoftSandboxOptions,
} from "./microsoft";
export {
  type AddBotTokenInput,
  type AddTeamOptions,
  type AddUserInput,
  type RawSlackEnterpriseUser,
  type RawSlackProfile,
  type RawSlackUser,
  redactSlackToken,
  type SlackFailure,
  type SlackRecordedRequest,
  SlackSandbox,
  type SlackSandboxOptions,
} from "./slack";
export {
  type SsmFailure,
  type SsmParameterType,
  type SsmRecordedRequest,
  SsmSandbox,
  type SsmSandboxOptions,
} from "./ssm";
export { defaultTlsDir, type LoopbackTls, loopbackTls } from "./tls";
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
