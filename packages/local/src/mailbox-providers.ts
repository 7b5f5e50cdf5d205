import tls from "node:tls";
import { GoogleSandbox, loopbackTls, MicrosoftSandbox } from "@kith/sandbox";
import { log } from "./log";

/**
 * The loopback Google and Microsoft sandboxes the runtime runs when no OAuth app is configured
 * (`GOOGLE_CLIENT_ID`, `MICROSOFT_CLIENT_ID` unset), so connecting a mailbox works offline with
 * the real google-auth-library, MSAL and Graph clients. Each knows the demo members' mailboxes: a
 * developer opens the authorize URL the connect route returns and the sandbox consents as the
 * member (docs/local-runtime.md).
 */

/** Mailboxes the sandboxes know: the demo members' primary addresses. */
export const LOCAL_MAILBOXES = [
  "maya.chen@acme.example",
  "diego.alvarez@acme.example",
  "priya.natarajan@acme.example",
  "amara.okafor@acme.example",
  "lukas.becker@acme.example",
  "jordan.reyes@acme.example",
] as const;

/** The variables that point Kith's Google client at a sandbox (also used by tests and benches). */
export function googleSandboxEnv(sandbox: GoogleSandbox): Record<string, string> {
  return {
    GOOGLE_CLIENT_ID: sandbox.clientId,
    GOOGLE_CLIENT_SECRET: sandbox.clientSecret,
    GOOGLE_OAUTH_AUTHORIZE_URL: sandbox.authorizeUrl,
    GOOGLE_OAUTH_TOKEN_URL: sandbox.tokenUrl,
    GOOGLE_OAUTH_REVOKE_URL: sandbox.revokeUrl,
    GOOGLE_API_ROOT_URL: sandbox.rootUrl,
  };
}

/** The variables that point Kith's MSAL and Graph clients at a sandbox. */
export function microsoftSandboxEnv(sandbox: MicrosoftSandbox): Record<string, string> {
  return {
    MICROSOFT_CLIENT_ID: sandbox.clientId,
    MICROSOFT_CLIENT_SECRET: sandbox.clientSecret,
    MICROSOFT_LOGIN_URL: sandbox.loginUrl,
    MICROSOFT_GRAPH_URL: sandbox.graphUrl,
  };
}

export async function startGoogleSandboxUnlessConfigured(env: NodeJS.ProcessEnv = process.env) {
  if (env.GOOGLE_CLIENT_ID) return undefined;
  const sandbox = await GoogleSandbox.start();
  for (const email of LOCAL_MAILBOXES) sandbox.addAccount({ email });
  Object.assign(env, googleSandboxEnv(sandbox));
  return sandbox;
}

/**
 * Microsoft's clients talk https only, so its sandbox serves a self-signed loopback certificate,
 * which this process then trusts (`tls.setDefaultCACertificates`, Node 22.19 and later: the
 * runtime's clients run in this process, and NODE_EXTRA_CA_CERTS is read only at start).
 */
export async function startMicrosoftSandboxUnlessConfigured(env: NodeJS.ProcessEnv = process.env) {
  if (env.MICROSOFT_CLIENT_ID) return undefined;
  const tls = await loopbackTls();
  trustCertificate(tls.cert);
  const sandbox = await MicrosoftSandbox.start({ tls });
  for (const email of LOCAL_MAILBOXES) sandbox.addAccount({ email });
  Object.assign(env, microsoftSandboxEnv(sandbox));
  return sandbox;
}

function trustCertificate(pem: string): void {
  if (typeof tls.setDefaultCACertificates !== "function" || typeof tls.getCACertificates !== "function") {
    log(
      "warn",
      "this Node cannot trust the Microsoft sandbox's certificate at run time; start it with NODE_EXTRA_CA_CERTS",
    );
    return;
  }
  const current = tls.getCACertificates("default");
  if (!current.includes(pem)) tls.setDefaultCACertificates([...current, pem]);
}
