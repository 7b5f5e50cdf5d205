import type { SlackSandbox } from "@kith/sandbox";
import { WorkOSSandbox } from "@kith/sandbox";
import type { Lifecycle } from "./lifecycle";
import { startSlackSandboxUnlessConfigured } from "./slack";

/** The loopback provider sandboxes the runtime started (a provider with credentials is not one of them). */
export interface ProviderSandboxes {
  workos?: WorkOSSandbox;
  slack?: SlackSandbox;
}

/**
 * A provider with no credentials configured runs against its loopback sandbox, so its whole path
 * works offline with the real client library: WorkOS (directory sync) when `WORKOS_API_KEY` is
 * unset, Slack's Web API (`users.info` for webhook senders) when `SLACK_API_URL` is unset.
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
  return sandboxes;
}
