// First: every log line of this file is kept (and DEBUG is on) before any module creates the logger.
import "../../../../test/routes/verbose-logs";
import { googleSandboxEnv, microsoftSandboxEnv } from "@kith/local/mailbox-providers";
import { GoogleSandbox, MailWorld, MicrosoftSandbox, PRIVACY_MARKER } from "@kith/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturedLog } from "../../../../test/routes/verbose-logs";
import { scanTable, useFreshTableWithOrg } from "../../../../test/support/integration";
import { connectWorld, runChain, storedEvents, syncJob, useSyncQueue } from "../../../../test/support/sync";
import { google } from "../mailbox/google";
import { microsoft } from "../mailbox/microsoft";
import { googleSync } from "./google";
import { microsoftSync } from "./microsoft";

/**
 * No subject, snippet, body, title, description or location reaches the table or a log line. The
 * sandboxes put a unique `PRIVATE-…` marker in each of them (Gmail returns the snippet even in the
 * metadata format; Graph returns the transport Subject header among internetMessageHeaders).
 */

let table: Awaited<ReturnType<typeof useFreshTableWithOrg>>;
let googleSandbox: GoogleSandbox;
let microsoftSandbox: MicrosoftSandbox;

beforeAll(async () => {
  table = await useFreshTableWithOrg("Sync Privacy Org");
  [googleSandbox, microsoftSandbox] = await Promise.all([GoogleSandbox.start(), MicrosoftSandbox.start()]);
  Object.assign(process.env, googleSandboxEnv(googleSandbox), microsoftSandboxEnv(microsoftSandbox), {
    OAUTH_STATE_SECRET: "sync-privacy-oauth-state-secret",
    TOKEN_ENCRYPTION_KEY: "sync-privacy-token-encryption-key",
    OAUTH_REDIRECT_BASE_URL: "http://127.0.0.1:9",
    GMAIL_UNITS_PER_MINUTE: "1000000",
  });
  googleSandbox.gmail.setQuota({ unitsPerMinute: 1_000_000 });
});

afterAll(async () => {
  await Promise.all([googleSandbox?.close(), microsoftSandbox?.close(), table?.drop()]);
});

function world(seed: number, name: string) {
  return new MailWorld({
    seed,
    owner: { email: `${name}.${Date.now()}@kith-privacy.example`, name },
    messages: 150,
    meetings: 30,
  });
}

describe("privacy", () => {
  it("stores and logs no subject, snippet, body, title, description or location, for all four syncers", async () => {
    const googleQueue = await useSyncQueue("google");
    const microsoftQueue = await useSyncQueue("microsoft");
    const gmailWorld = world(31, "gmailer");
    const outlookWorld = world(32, "outlooker");
    const googleMailbox = await connectWorld(table.orgId, google, googleSandbox, gmailWorld);
    const microsoftMailbox = await connectWorld(table.orgId, microsoft, microsoftSandbox, outlookWorld);
    for (const scope of ["mail", "calendar"] as const) {
      expect((await runChain(syncJob(googleMailbox, scope), googleSync, googleQueue)).at(-1)).toBe(
        "completed",
      );
      expect((await runChain(syncJob(microsoftMailbox, scope), microsoftSync, microsoftQueue)).at(-1)).toBe(
        "completed",
      );
    }
    // Incremental rounds too: a new message and a changed meeting, through history and delta.
    for (const [target, mailbox, deps, queue] of [
      [gmailWorld, googleMailbox, googleSync, googleQueue],
      [outlookWorld, microsoftMailbox, microsoftSync, microsoftQueue],
    ] as const) {
      target.addMessage({
        internalDate: Date.now() - 1_000,
        folder: "inbox",
        sent: false,
        from: { email: "fresh@elsewhere.example", name: "Fresh" },
        to: [target.owner],
        cc: [],
        bcc: [],
        headers: { listUnsubscribe: "<mailto:u@elsewhere.example>" },
      });
      const meeting = target.meetings().find((candidate) => candidate.status === "confirmed");
      if (meeting) target.updateMeeting(meeting.id, { start: meeting.start + 3_600_000 });
      for (const scope of ["mail", "calendar"] as const) await runChain(syncJob(mailbox, scope), deps, queue);
    }

    expect((await storedEvents(googleMailbox.accountId)).length).toBeGreaterThan(100);
    expect((await storedEvents(microsoftMailbox.accountId)).length).toBeGreaterThan(100);
    const items = await scanTable();
    const leaks = items.filter((item) => JSON.stringify(item).includes(PRIVACY_MARKER));
    expect(leaks).toEqual([]);
    // The log is not empty (DEBUG is on), and holds no marker.
    expect(capturedLog.length).toBeGreaterThan(10);
    expect(capturedLog.filter((line) => line.includes(PRIVACY_MARKER))).toEqual([]);
  });
});
