import tls from "node:tls";
import { gmailQuotaFromEnv } from "@kith/core/sync/pacing-budget";
import {
  GMAIL_DEFAULT_COSTS,
  type GmailMethod,
  GoogleSandbox,
  loopbackTls,
  MailWorld,
  MicrosoftSandbox,
} from "@kith/sandbox";
import { DEMO_MEMBERS } from "./demo";
import { log } from "./log";

/**
 * The loopback Google and Microsoft sandboxes the runtime runs when no OAuth app is configured
 * (`GOOGLE_CLIENT_ID`, `MICROSOFT_CLIENT_ID` unset), so connecting a mailbox works offline with
 * the real google-auth-library, MSAL and Graph clients. Each knows the demo members' mailboxes: a
 * developer opens the authorize URL the connect route returns and the sandbox consents as the
 * member (docs/local-runtime.md). Each of those mailboxes holds a synthetic mail and calendar
 * history (a {@link MailWorld}), so the syncers a connect starts have something to backfill.
 */

/**
 * Mailboxes the sandboxes know: the demo members' primary addresses. A function, not a constant:
 * demo.ts imports this module (through demo-contacts.ts) while it is itself being loaded, so
 * `DEMO_MEMBERS` may only be read at call time here.
 */
export function localMailboxes(): string[] {
  return DEMO_MEMBERS.map((member) => member.email);
}

/**
 * Each demo mailbox's size. A member's two providers sync in 15 to 30 s; the demo's six connected
 * mailboxes all end about 80 s after the start on 2 cores (each syncer queue runs one chain at a
 * time, and the rollup and scoring share the process), and halving the size saves little.
 * `KITH_DEMO_MAILBOX_MESSAGES` and `KITH_DEMO_MAILBOX_MEETINGS` change it (the e2e tests use smaller
 * ones). `people` is how many correspondents a mailbox draws from (MailWorld's default would be
 * 20), so the demo's ~300 contacts are all people the members write to (demo-contacts.ts); `close`
 * makes a few of them much closer than the rest, so some come out warm.
 */
export const DEMO_MAILBOX_SIZE: DemoMailboxSize = {
  messages: 200,
  meetings: 30,
  people: 40,
  close: { people: 5, share: 0.6 },
};

export interface DemoMailboxSize {
  messages: number;
  meetings: number;
  people: number;
  close: { people: number; share: number };
}

export function demoMailboxSize(env: NodeJS.ProcessEnv = process.env): DemoMailboxSize {
  const count = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${name} must be a positive integer, not "${raw}"`);
    return value;
  };
  return {
    messages: count("KITH_DEMO_MAILBOX_MESSAGES", DEMO_MAILBOX_SIZE.messages),
    meetings: count("KITH_DEMO_MAILBOX_MEETINGS", DEMO_MAILBOX_SIZE.meetings),
    people: DEMO_MAILBOX_SIZE.people,
    close: DEMO_MAILBOX_SIZE.close,
  };
}

/**
 * Gmail's per-user quota while the sandbox serves the demo mailboxes, unless `GMAIL_UNITS_PER_MINUTE`
 * says otherwise: ten times the 6,000 units a minute Kith plans against, so a demo backfill (300
 * messages at 20 units each) is not paced over a minute or more. The same number is the sandbox's limit and
 * the syncer's budget (`GMAIL_UNITS_PER_MINUTE`), so the syncer still paces below what the
 * sandbox enforces, as it does against Gmail.
 */
export const DEMO_GMAIL_UNITS_PER_MINUTE = 60_000;

/**
 * The demo mailbox of `email` at one provider: deterministic (seeded by provider and address, so
 * every start serves the same mail, and a member's Google and Microsoft mailboxes differ), with the
 * member's aliases as their own addresses and the other demo members as teammates (on some threads
 * and meetings, never counted as correspondents).
 */
export function demoMailWorld(
  provider: "google" | "microsoft",
  email: string,
  options: { now?: number; size?: DemoMailboxSize } = {},
): MailWorld {
  const owner = DEMO_MEMBERS.find((member) => member.email === email);
  return new MailWorld({
    seed: seedOf(`${provider}:${email}`),
    owner: { email, name: owner?.name ?? email },
    aliases: [...(owner?.aliases ?? [])],
    teammates: DEMO_MEMBERS.filter((member) => member.email !== email).map(({ name, email }) => ({
      name,
      email,
    })),
    ...(options.size ?? DEMO_MAILBOX_SIZE),
    now: options.now ?? Date.now(),
  });
}

/** FNV-1a: a stable 32-bit seed from a string. */
function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash;
}

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

/**
 * Google's sandbox, with a demo mailbox per demo member. Gmail's quota is scaled for the demo on
 * both sides: `GMAIL_UNITS_PER_MINUTE` (default {@link DEMO_GMAIL_UNITS_PER_MINUTE}) is what the
 * syncer budgets and what the sandbox enforces, at the same per-method costs (`GMAIL_QUOTA_TABLE`).
 */
export async function startGoogleSandboxUnlessConfigured(env: NodeJS.ProcessEnv = process.env) {
  if (env.GOOGLE_CLIENT_ID) return undefined;
  env.GMAIL_UNITS_PER_MINUTE ||= String(DEMO_GMAIL_UNITS_PER_MINUTE);
  // The syncer's own reading of the configuration (it throws on a bad value, failing the start).
  const quota = gmailQuotaFromEnv(env);
  const costs = Object.fromEntries(
    Object.keys(GMAIL_DEFAULT_COSTS).map((method) => [method, quota.costs[method] ?? quota.defaultCost]),
  ) as Record<GmailMethod, number>;
  const size = demoMailboxSize(env);
  const sandbox = await GoogleSandbox.start({ gmail: { unitsPerMinute: quota.unitsPerMinute, costs } });
  const now = Date.now();
  for (const { email, name } of DEMO_MEMBERS) {
    sandbox.addAccount({ email, name });
    sandbox.attachWorld(email, demoMailWorld("google", email, { now, size }));
  }
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
  const size = demoMailboxSize(env);
  const sandbox = await MicrosoftSandbox.start({ tls });
  const now = Date.now();
  for (const { email, name } of DEMO_MEMBERS) {
    sandbox.addAccount({ email, displayName: name });
    sandbox.attachWorld(email, demoMailWorld("microsoft", email, { now, size }));
  }
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
