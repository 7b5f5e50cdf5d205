import { isKithError } from "../util/errors";
import { logger } from "../util/logger";
import type { CallbackOutcome } from "./connect";
import { InvalidOAuthState, OAuthDenied } from "./errors";
import type { MailboxProvider } from "./schemas";

/**
 * What the member's browser sees after the provider's redirect: a redirect to `OAUTH_SUCCESS_URL`
 * (the admin portal) with the outcome in the query, or, without one, a small page. Failures the
 * member can act on (a denied consent, a stale link) are 400s; an outage is a 503 page.
 */
type PageStatus = 200 | 400 | 503;
type Page<S extends PageStatus> = { status: S; headers: Record<string, string>; body: string };
export type CallbackAnswer =
  | { status: 302; headers: Record<string, string> }
  | Page<200>
  | Page<400>
  | Page<503>;

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  // The page has no script and loads nothing.
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
  "referrer-policy": "no-referrer",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page<S extends PageStatus>(status: S, title: string, message: string): Page<S> {
  return {
    status,
    headers: PAGE_HEADERS,
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:32rem;margin:4rem auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`,
  };
}

function redirect(
  params: Record<string, string>,
): { status: 302; headers: Record<string, string> } | undefined {
  const target = process.env.OAUTH_SUCCESS_URL;
  if (!target) return undefined;
  const url = new URL(target);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return { status: 302, headers: { location: url.toString(), "cache-control": "no-store" } };
}

export async function answerCallback(
  provider: MailboxProvider,
  run: () => Promise<CallbackOutcome>,
): Promise<CallbackAnswer> {
  try {
    const { connected } = await run();
    return (
      redirect({ provider, status: "connected", email: connected.email }) ??
      page(200, "Mailbox connected", `${connected.email} is connected. You can close this window.`)
    );
  } catch (error) {
    if (error instanceof OAuthDenied) {
      logger.info("mailbox connection refused", { provider, error: error.providerError });
      const denied = error.providerError === "access_denied";
      return (
        redirect({ provider, error: error.providerError }) ??
        page(
          400,
          denied ? "Access not granted" : "Could not connect the mailbox",
          denied
            ? "Nothing was connected. Start again from Kith if you change your mind."
            : "The provider did not complete the connection. Nothing was saved; please try again.",
        )
      );
    }
    if (error instanceof InvalidOAuthState) {
      logger.info("mailbox callback with a bad state", { provider, reason: error.reason });
      return (
        redirect({ provider, error: "invalid_state" }) ??
        page(400, "This link has expired", "Start connecting your mailbox again from Kith.")
      );
    }
    if (isKithError(error) && error.status === 503) {
      return (
        redirect({ provider, error: "temporarily_unavailable" }) ??
        page(503, "Please try again", "The provider could not be reached. Nothing was saved.")
      );
    }
    throw error;
  }
}
