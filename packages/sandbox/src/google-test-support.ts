import { gaxios, OAuth2Client } from "google-auth-library";
import { expect } from "vitest";
import { type GoogleMailSandboxOptions, GoogleSandbox } from "./google";
import { MailWorld, type MailWorldOptions } from "./mail-world";

// Shared by the Gmail and Calendar integration tests (not exported from the package): a
// GoogleSandbox with one account whose mailbox is a MailWorld, and a token for it obtained the way
// an app does, through google-auth-library's OAuth2Client.

export const GOOGLE_CALLBACK = "http://127.0.0.1:3999/oauth/google/callback";
export const MAYA = "maya.chen@acme.example";
const MAYA_NAME = "Maya Chen";

export interface GoogleMailbox {
  sandbox: GoogleSandbox;
  /** Maya's mailbox and calendar, attached to her account. */
  world: MailWorld;
}

/** Starts a GoogleSandbox with Maya's account and a world of hers built from `world`. */
export async function startGoogleMailbox(
  world: Omit<MailWorldOptions, "owner">,
  options: GoogleMailSandboxOptions = {},
): Promise<GoogleMailbox> {
  const sandbox = await GoogleSandbox.start({ redirectUris: [GOOGLE_CALLBACK], ...options });
  sandbox.addAccount({ email: MAYA, name: MAYA_NAME });
  const attached = new MailWorld({ ...world, owner: { email: MAYA, name: MAYA_NAME } });
  sandbox.attachWorld(MAYA, attached);
  return { sandbox, world: attached };
}

/** Consents as Maya to `scopes` and returns an OAuth2Client holding her tokens. */
export async function consentedAuth(sandbox: GoogleSandbox, scopes: string[]): Promise<OAuth2Client> {
  const oauth = new OAuth2Client({
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    redirectUri: GOOGLE_CALLBACK,
    endpoints: sandbox.clientEndpoints,
  });
  const callback = await sandbox.consent(oauth.generateAuthUrl({ scope: scopes, access_type: "offline" }));
  const { tokens } = await oauth.getToken(callback.searchParams.get("code") ?? "");
  oauth.setCredentials(tokens);
  return oauth;
}

/** Google's JSON error body (Gmail adds `status`; Calendar does not). */
export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    status?: string;
    errors: { message: string; domain: string; reason: string }[];
  };
}

/** The status and error body a googleapis call rejects with. */
export async function googleFailure(
  call: Promise<unknown>,
): Promise<{ status: number; data: GoogleErrorBody }> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(gaxios.GaxiosError);
    const response = (error as gaxios.GaxiosError).response;
    return { status: response?.status ?? 0, data: response?.data as GoogleErrorBody };
  }
  throw new Error("expected the call to fail");
}
