import { GitHubSandbox, LinearSandbox } from "@kith/sandbox";

/**
 * The loopback GitHub App API and Linear GraphQL API the runtime runs when no real ones are
 * configured, so an org admin's proof of a tenant (`Integrations.proveTenant`) works offline with
 * the real `@octokit/auth-app` and `@linear/sdk` clients. Each knows the demo's tenants, with
 * local-only credentials a developer can use to claim them (docs/local-runtime.md).
 */

/** The demo's GitHub App installation (the demo integration's tenant id) and its organization. */
export const LOCAL_GITHUB_INSTALLATION = {
  id: 31_415_926,
  account: { id: 27_182_818, login: "acme-robotics", type: "Organization" as const },
};

/** The demo's Linear organization and a local-only API key of it. */
export const LOCAL_LINEAR = {
  organization: { id: "7d1e5a2c-3b4f-4a6e-9c8d-0e1f2a3b4c5d", name: "Acme Robotics", urlKey: "acme" },
  apiKey: "lin_api_localkithsandboxkey00000000000000",
};

/**
 * Starts the GitHub sandbox unless `GITHUB_APP_ID` is set, and points `GITHUB_API_URL`,
 * `GITHUB_APP_ID` and `GITHUB_APP_PRIVATE_KEY` at it.
 */
export async function startGitHubSandboxUnlessConfigured(env: NodeJS.ProcessEnv = process.env) {
  if (env.GITHUB_APP_ID) return undefined;
  const sandbox = await GitHubSandbox.start();
  sandbox.addInstallation(LOCAL_GITHUB_INSTALLATION);
  env.GITHUB_API_URL = sandbox.url;
  env.GITHUB_APP_ID = String(sandbox.appId);
  env.GITHUB_APP_PRIVATE_KEY = sandbox.privateKey;
  return sandbox;
}

/** Starts the Linear sandbox unless `LINEAR_API_URL` is set, and points `LINEAR_API_URL` at it. */
export async function startLinearSandboxUnlessConfigured(env: NodeJS.ProcessEnv = process.env) {
  if (env.LINEAR_API_URL) return undefined;
  const sandbox = await LinearSandbox.start();
  sandbox.addOrganization(LOCAL_LINEAR.organization);
  sandbox.addApiKey(LOCAL_LINEAR.apiKey, LOCAL_LINEAR.organization.id);
  env.LINEAR_API_URL = sandbox.url;
  return sandbox;
}
