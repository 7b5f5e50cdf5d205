import type {
  FindemSandbox,
  GitHubSandbox,
  GoogleSandbox,
  LinearSandbox,
  MicrosoftSandbox,
  SlackSandbox,
} from "@kith/sandbox";
import { WorkOSSandbox } from "@kith/sandbox";
import { startFindemSandboxUnlessConfigured } from "./findem";
import type { Lifecycle } from "./lifecycle";
import {
  startGoogleSandboxUnlessConfigured,
  startMicrosoftSandboxUnlessConfigured,
} from "./mailbox-providers";
import { startSlackSandboxUnlessConfigured } from "./slack";
import { startGitHubSandboxUnlessConfigured, startLinearSandboxUnlessConfigured } from "./tenants";

/** The loopback provider sandboxes the runtime started (a provider with credentials is not one of them). */
export interface ProviderSandboxes {
  workos?: WorkOSSandbox;
  slack?: SlackSandbox;
  github?: GitHubSandbox;
  linear?: LinearSandbox;
  google?: GoogleSandbox;
  microsoft?: MicrosoftSandbox;
  findem?: FindemSandbox;
}

/**
 * A provider with no credentials configured runs against its loopback sandbox, so its whole path
 * works offline with the real client library: WorkOS (directory sync) when `WORKOS_API_KEY` is
 * unset, Slack's Web API (`users.info`, `auth.test`) when `SLACK_API_URL` is unset, the GitHub App
 * API when `GITHUB_APP_ID` is unset and Linear's GraphQL API when `LINEAR_API_URL` is unset (the
 * last two prove tenants an org admin claims), and Google's and Microsoft's OAuth (with user info and
 * Graph `/me`) when `GOOGLE_CLIENT_ID` or `MICROSOFT_CLIENT_ID` is unset (mailbox connections),
 * and Findem (enrichment) when `FINDEM_API_KEY` is unset.
 */
export async function startProviderSandboxes(lifecycle: Lifecycle): Promise<ProviderSandboxes> {
  const sandboxes: ProviderSandboxes = {};
  if (!process.env.WORKOS_API_KEY) {
    const workos = await WorkOSSandbox.start();
    lifecycle.add(() => workos.close());
    process.env.WORKOS_API_URL = workos.url;
    process.env.WORKOS_API_KEY = workos.apiKey;
    sandboxes.workos = workos;
  }
  const slack = await startSlackSandboxUnlessConfigured();
  if (slack) {
    lifecycle.add(() => slack.stop());
    sandboxes.slack = slack;
  }
  const github = await startGitHubSandboxUnlessConfigured();
  if (github) {
    lifecycle.add(() => github.close());
    sandboxes.github = github;
  }
  const linear = await startLinearSandboxUnlessConfigured();
  if (linear) {
    lifecycle.add(() => linear.close());
    sandboxes.linear = linear;
  }
  const google = await startGoogleSandboxUnlessConfigured();
  if (google) {
    lifecycle.add(() => google.close());
    sandboxes.google = google;
  }
  const microsoft = await startMicrosoftSandboxUnlessConfigured();
  if (microsoft) {
    lifecycle.add(() => microsoft.close());
    sandboxes.microsoft = microsoft;
  }
  const findem = await startFindemSandboxUnlessConfigured();
  if (findem) {
    lifecycle.add(() => findem.close());
    sandboxes.findem = findem;
  }
  return sandboxes;
}
