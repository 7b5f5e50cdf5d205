import * as Mailbox from "@kith/core/mailbox";
import { providers } from "@kith/core/mailbox/providers";
import { DEMO_MAILBOXES } from "./demo-contacts";
import { log } from "./log";

/**
 * After a fresh demo seed, once the gateway listens: connects each active demo member's sandbox
 * mailboxes ({@link DEMO_MAILBOXES}: Google for some, Microsoft for others, both for Maya), with
 * mail and calendar, through the real flow: the core's authorize URL (as `POST …/mailbox/{provider}/connect`
 * returns it), then a GET of it, following the sandbox's consent redirect to this gateway's
 * `/oauth/{provider}/callback`, as a browser would. The callback writes the account with
 * `mailbox.connected`, and the backfills run through the ordinary queues.
 *
 * Runs in the background: each failure is logged and the others go on; nothing here stops the
 * runtime. `signal` cuts it short on a stop.
 */

export interface DemoMailboxTarget {
  userId: string;
  email: string;
  provider: Mailbox.MailboxProvider;
}

/** The connects to make for the seeded members (active ones only), in a stable order. */
export function demoMailboxTargets(
  userIds: ReadonlyMap<string, string>,
  activeEmails: readonly string[],
): DemoMailboxTarget[] {
  return Object.entries(DEMO_MAILBOXES).flatMap(([email, chosen]) => {
    const userId = userIds.get(email);
    if (!userId || !activeEmails.includes(email)) return [];
    return (chosen ?? []).map((provider) => ({ userId, email, provider }));
  });
}

/** Redirects a browser would follow before it reaches the callback; the sandboxes use one. */
const MAX_REDIRECTS = 5;
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Connects every target; resolves with how many were connected. Never rejects: a failed connect is
 * logged (`warn`) and skipped.
 */
export async function connectDemoMailboxes(
  orgId: string,
  targets: readonly DemoMailboxTarget[],
  options: { gatewayUrl: string; signal: AbortSignal },
): Promise<number> {
  const started = Date.now();
  let connected = 0;
  for (const target of targets) {
    if (options.signal.aborted) break;
    try {
      await connectOne(orgId, target, options);
      connected += 1;
    } catch (error) {
      if (options.signal.aborted) break;
      log("warn", "demo mailbox: could not connect", {
        provider: target.provider,
        userId: target.userId,
        error: (error as Error).message,
      });
    }
  }
  if (!options.signal.aborted) {
    log(
      "info",
      `demo mailboxes: ${connected} of ${targets.length} connected in ${Date.now() - started} ms; their backfills run now`,
    );
  }
  return connected;
}

async function connectOne(
  orgId: string,
  target: DemoMailboxTarget,
  options: { gatewayUrl: string; signal: AbortSignal },
): Promise<void> {
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
  let url = await Mailbox.authorizeUrl(providers[target.provider], {
    orgId,
    userId: target.userId,
    scopes: { mail: true, calendar: true },
    origin: options.gatewayUrl,
  });
  const callbackPath = `/oauth/${target.provider}/callback`;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    const response = await fetch(url, { redirect: "manual", signal });
    await response.body?.cancel();
    const reached = new URL(url);
    const redirectBase = new URL(process.env.OAUTH_REDIRECT_BASE_URL || options.gatewayUrl);
    const atCallback = reached.origin === redirectBase.origin && reached.pathname.endsWith(callbackPath);
    const location = response.headers.get("location");
    if (atCallback) {
      // The gateway's answer: its small page, or a redirect to OAUTH_SUCCESS_URL (never `?error=`).
      if (response.status === 200 || (location && response.status < 400 && !/[?&]error=/.test(location)))
        return;
      throw new Error(`the callback answered ${response.status}`);
    }
    if (!location || response.status < 300 || response.status >= 400) {
      throw new Error(`${reached.origin}${reached.pathname} answered ${response.status}, not a redirect`);
    }
    url = new URL(location, url).toString();
  }
  throw new Error("too many redirects before the callback");
}
