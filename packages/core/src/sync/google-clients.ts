import { calendar, type calendar_v3 } from "@googleapis/calendar";
import { gmail, type gmail_v1 } from "@googleapis/gmail";
import { OAuth2Client } from "google-auth-library";

/**
 * The Gmail and Calendar clients for one job. `GOOGLE_API_ROOT_URL` points both at another
 * implementation (the sandbox, locally). The clients' own retries are off: every retry goes
 * through the job's guard (pacing.ts), which counts it against the quota and honours Retry-After.
 */

function apiRoot(): string {
  const root = process.env.GOOGLE_API_ROOT_URL || "https://www.googleapis.com/";
  return root.endsWith("/") ? root : `${root}/`;
}

/** An OAuth client that only carries the job's access token: refreshing is tokens.ts's business. */
function bearer(accessToken: string): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: accessToken });
  return auth;
}

export function gmailClient(accessToken: string): gmail_v1.Gmail {
  return gmail({
    version: "v1",
    rootUrl: apiRoot(),
    auth: bearer(accessToken),
    retry: false,
    timeout: 30_000,
  });
}

export function calendarClient(accessToken: string): calendar_v3.Calendar {
  return calendar({
    version: "v3",
    rootUrl: apiRoot(),
    auth: bearer(accessToken),
    retry: false,
    timeout: 30_000,
  });
}
