import { gmail, type gmail_v1 } from "@googleapis/gmail";
import type { gaxios, OAuth2Client } from "google-auth-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GoogleMailSandboxOptions, GoogleSandbox } from "./google";
import {
  consentedAuth,
  googleFailure as failure,
  type GoogleErrorBody,
  MAYA,
  startGoogleMailbox,
} from "./google-test-support";
import type { MailWorld } from "./mail-world";

// Every call goes through the real @googleapis/gmail client with rootUrl pointed at the sandbox,
// so a drift between the sandbox's wire format and what the client sends or parses fails here.

const METADATA = "https://www.googleapis.com/auth/gmail.metadata";
const READONLY = "https://www.googleapis.com/auth/gmail.readonly";
const NOW = Date.parse("2026-12-01T12:00:00Z");

let sandbox: GoogleSandbox;
let world: MailWorld;

async function start(options: GoogleMailSandboxOptions = {}) {
  ({ sandbox, world } = await startGoogleMailbox({ seed: 11, messages: 60, now: NOW }, options));
}

afterEach(async () => {
  await sandbox?.close();
});

/** Consents as Maya and returns a Gmail client holding her access token. */
async function client(scopes: string[] = [METADATA]): Promise<gmail_v1.Gmail> {
  const auth = await consentedAuth(sandbox, scopes);
  // No client-side retries: the tests look at each answer the sandbox gives.
  return gmail({ version: "v1", rootUrl: sandbox.rootUrl, auth, retry: false });
}

function visible(): string[] {
  return world
    .messages()
    .filter((message) => message.folder !== "junkemail" && message.folder !== "deleteditems")
    .map((message) => message.id);
}

describe("messages.list", () => {
  beforeEach(() => start());

  it("pages newest first, completely and without duplicates, even when mail arrives between pages", async () => {
    const api = await client();
    const expected = visible();
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const { data } = await api.users.messages.list({
        userId: "me",
        maxResults: 7,
        ...(pageToken ? { pageToken } : {}),
      });
      seen.push(...(data.messages ?? []).map((message) => message.id ?? ""));
      expect(data.resultSizeEstimate).toBeGreaterThan(0);
      pageToken = data.nextPageToken ?? undefined;
      if (pages === 0) {
        // Newer than everything: it must not shift the following pages.
        world.addMessage({
          internalDate: NOW + 1000,
          folder: "inbox",
          sent: false,
          from: { email: "late@globex.example", name: "Late" },
          to: [world.owner],
          cc: [],
          bcc: [],
          headers: {},
        });
      }
      pages += 1;
    } while (pageToken);
    expect(pages).toBe(Math.ceil(expected.length / 7));
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("leaves SPAM and TRASH out unless asked, and filters by labelIds", async () => {
    const api = await client();
    const all = await api.users.messages.list({ userId: MAYA, maxResults: 500, includeSpamTrash: true });
    expect(all.data.messages).toHaveLength(world.messages().length);
    const sent = await api.users.messages.list({ userId: "me", maxResults: 500, labelIds: ["SENT"] });
    const sentIds = world
      .messages()
      .filter((message) => message.sent)
      .map((message) => message.id);
    expect((sent.data.messages ?? []).map((message) => message.id)).toEqual(
      sentIds.filter((id) => visible().includes(id)),
    );
  });

  it("refuses q under the metadata scope with Gmail's 403, even with a broader scope granted too", async () => {
    for (const scopes of [[METADATA], [METADATA, READONLY]]) {
      const api = await client(scopes);
      const { status, data } = await failure(api.users.messages.list({ userId: "me", q: "from:ana" }));
      expect(status).toBe(403);
      expect(data).toEqual({
        error: {
          code: 403,
          message: "Metadata scope does not support 'q' parameter",
          errors: [
            {
              message: "Metadata scope does not support 'q' parameter",
              domain: "global",
              reason: "forbidden",
            },
          ],
          status: "PERMISSION_DENIED",
        },
      });
    }
  });

  it("answers another user's mailbox with Delegation denied", async () => {
    const api = await client();
    const { status, data } = await failure(api.users.messages.list({ userId: "omar@acme.example" }));
    expect(status).toBe(403);
    expect(data.error.message).toBe("Delegation denied for omar@acme.example");
  });
});

describe("messages.get and threads.get", () => {
  beforeEach(() => start());

  it("returns only the requested headers in metadata format, snippet included, addresses as Name <email>", async () => {
    const api = await client();
    const inbound = world.messages().find((message) => !message.sent && message.cc.length > 0);
    if (!inbound) throw new Error("the world has no inbound message with Cc");
    const { data } = await api.users.messages.get({
      userId: "me",
      id: inbound.id,
      format: "metadata",
      metadataHeaders: ["From", "Cc", "Bcc", "Subject", "Date"],
    });
    expect(data.id).toBe(inbound.id);
    expect(data.threadId).toBe(inbound.threadId);
    expect(data.internalDate).toBe(String(inbound.internalDate));
    expect(data.snippet).toBe(inbound.snippet);
    expect(data.historyId).toMatch(/^\d+$/);
    expect(data.payload?.headers?.map((header) => header.name)).toEqual(["From", "Cc", "Date", "Subject"]);
    expect(data.payload?.headers?.[0]?.value).toBe(`"${inbound.from.name}" <${inbound.from.email}>`);
    expect(data.payload?.headers?.[1]?.value).toBe(
      inbound.cc.map((address) => `"${address.name}" <${address.email}>`).join(", "),
    );
    expect(data.payload?.headers?.[2]?.value).toMatch(/^\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/);
    expect(data.payload).not.toHaveProperty("body");
  });

  it("refuses format full and raw under the metadata scope, allows them under readonly", async () => {
    const id = world.messages()[0]?.id ?? "";
    const metadataOnly = await client();
    for (const format of ["full", "raw"]) {
      const { status, data } = await failure(metadataOnly.users.messages.get({ userId: "me", id, format }));
      expect(status).toBe(403);
      expect(data.error.message).toBe(`Metadata scope doesn't allow format ${format.toUpperCase()}`);
      expect(data.error.errors[0]?.reason).toBe("forbidden");
    }
    // The default format is full.
    expect((await failure(metadataOnly.users.messages.get({ userId: "me", id }))).status).toBe(403);
    const readonly = await client([READONLY]);
    const { data } = await readonly.users.messages.get({ userId: "me", id });
    expect(data.payload?.body?.data).toBeTruthy();
  });

  it("answers an unknown id with Gmail's 404", async () => {
    const api = await client();
    const { status, data } = await failure(
      api.users.messages.get({ userId: "me", id: "ffffffffffffffff", format: "metadata" }),
    );
    expect(status).toBe(404);
    expect(data).toEqual({
      error: {
        code: 404,
        message: "Requested entity was not found.",
        errors: [{ message: "Requested entity was not found.", domain: "global", reason: "notFound" }],
        status: "NOT_FOUND",
      },
    });
  });

  it("returns every message of a thread, oldest first, with Bcc only on sent mail", async () => {
    const api = await client();
    const counts = new Map<string, number>();
    for (const message of world.messages())
      counts.set(message.threadId, (counts.get(message.threadId) ?? 0) + 1);
    const [threadId] = [...counts].find(([, count]) => count >= 3) ?? [];
    if (!threadId) throw new Error("the world has no long thread");
    const { data } = await api.users.threads.get({
      userId: "me",
      id: threadId,
      format: "metadata",
      metadataHeaders: ["From", "Bcc"],
    });
    const expected = world
      .messages()
      .filter((message) => message.threadId === threadId)
      .reverse();
    expect(data.messages?.map((message) => message.id)).toEqual(expected.map((message) => message.id));
    for (const message of data.messages ?? []) {
      const names = message.payload?.headers?.map((header) => header.name) ?? [];
      if (!message.labelIds?.includes("SENT")) expect(names).not.toContain("Bcc");
    }
  });
});

describe("history.list", () => {
  beforeEach(() => start());

  it("reports added, moved and deleted messages after a profile's historyId, then 404 once expired", async () => {
    const api = await client();
    const profile = await api.users.getProfile({ userId: "me" });
    expect(profile.data.emailAddress).toBe(MAYA);
    expect(profile.data.messagesTotal).toBe(world.messages().length);
    const start = profile.data.historyId ?? "";

    const added = world.addMessage({
      internalDate: NOW,
      folder: "inbox",
      sent: false,
      from: { email: "new@globex.example", name: "New" },
      to: [world.owner],
      cc: [],
      bcc: [],
      headers: {},
    });
    const inboxed = world.messages().find((message) => message.folder === "inbox" && message.id !== added.id);
    const doomed = world.messages().find((message) => message.folder === "archive");
    if (!inboxed || !doomed) throw new Error("the world lacks inbox or archive mail");
    world.moveMessage(inboxed.id, "deleteditems");
    world.deleteMessage(doomed.id);

    const { data } = await api.users.history.list({ userId: "me", startHistoryId: start });
    const history = data.history ?? [];
    expect(history).toHaveLength(3);
    expect(history[0]?.messagesAdded?.[0]?.message).toMatchObject({ id: added.id, threadId: added.threadId });
    expect(history[0]?.messagesAdded?.[0]?.message?.labelIds).toContain("INBOX");
    expect(history[1]?.labelsAdded?.[0]).toMatchObject({ message: { id: inboxed.id }, labelIds: ["TRASH"] });
    expect(history[1]?.labelsRemoved?.[0]).toMatchObject({
      message: { id: inboxed.id },
      labelIds: ["INBOX"],
    });
    expect(history[2]?.messagesDeleted?.[0]?.message).toEqual({ id: doomed.id, threadId: doomed.threadId });
    expect(Number(data.historyId)).toBeGreaterThan(Number(start));
    const ids = history.map((record) => Number(record.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const onlyDeleted = await api.users.history.list({
      userId: "me",
      startHistoryId: start,
      historyTypes: ["messageDeleted"],
    });
    expect(onlyDeleted.data.history).toHaveLength(1);

    const paged = await api.users.history.list({ userId: "me", startHistoryId: start, maxResults: 2 });
    expect(paged.data.history).toHaveLength(2);
    const rest = await api.users.history.list({
      userId: "me",
      startHistoryId: start,
      pageToken: paged.data.nextPageToken ?? "",
    });
    expect(rest.data.history?.map((record) => record.id)).toEqual([history[2]?.id]);
    expect(rest.data.nextPageToken).toBeUndefined();

    sandbox.gmail.expireHistory(MAYA);
    const expired = await failure(api.users.history.list({ userId: "me", startHistoryId: start }));
    expect(expired.status).toBe(404);
    expect(expired.data.error.errors[0]?.reason).toBe("notFound");
    const fresh = await api.users.getProfile({ userId: "me" });
    const after = await api.users.history.list({ userId: "me", startHistoryId: fresh.data.historyId ?? "" });
    expect(after.data.history).toBeUndefined();
    expect(after.data.historyId).toBe(fresh.data.historyId);
  });
});

describe("batch", () => {
  beforeEach(() => start());

  it("answers each part of a multipart/mixed batch with its own HTTP response and Content-ID", async () => {
    const api = await client();
    const token = String((api.context._options.auth as OAuth2Client).credentials.access_token);
    const [first, second] = world.messages();
    const boundary = "batch_kith_test";
    const part = (id: string, path: string) =>
      `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <${id}>\r\n\r\nGET ${path} HTTP/1.1\r\n\r\n`;
    const body = [
      part("one", `/gmail/v1/users/me/messages/${first?.id}?format=metadata&metadataHeaders=From`),
      part("two", `/gmail/v1/users/me/messages/${second?.id}?format=metadata&metadataHeaders=Subject`),
      part("three", "/gmail/v1/users/me/messages/0000000000000000?format=metadata"),
      `--${boundary}--\r\n`,
    ].join("");
    const response = await fetch(`${sandbox.url}/batch/gmail/v1`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": `multipart/mixed; boundary=${boundary}` },
      body,
    });
    expect(response.status).toBe(200);
    const responseBoundary = /boundary=(\S+)/.exec(response.headers.get("content-type") ?? "")?.[1] ?? "";
    const text = await response.text();
    const parts = text
      .split(`--${responseBoundary}`)
      .slice(1, -1)
      .map((chunk) => ({
        contentId: /Content-ID: <([^>]+)>/.exec(chunk)?.[1],
        status: Number(/HTTP\/1\.1 (\d{3})/.exec(chunk)?.[1]),
        json: JSON.parse(chunk.slice(chunk.indexOf("{"), chunk.lastIndexOf("}") + 1)),
      }));
    expect(parts.map((entry) => [entry.contentId, entry.status])).toEqual([
      ["response-one", 200],
      ["response-two", 200],
      ["response-three", 404],
    ]);
    expect(parts[0]?.json.payload.headers.map((header: { name: string }) => header.name)).toEqual(["From"]);
    expect(parts[1]?.json.payload.headers.map((header: { name: string }) => header.name)).toEqual([
      "Subject",
    ]);
    expect(sandbox.gmail.usage(MAYA).requests["messages.get"]).toBe(3);
    expect(sandbox.gmail.usage(MAYA).units).toBe(60);
  });
});

describe("quota and faults", () => {
  it("throttles a user over the unit budget with Gmail's 429 and Retry after time", async () => {
    await start({ gmail: { unitsPerMinute: 50 } });
    const api = await client();
    const id = world.messages()[0]?.id ?? "";
    await api.users.messages.get({ userId: "me", id, format: "metadata" });
    await api.users.messages.get({ userId: "me", id, format: "metadata" });
    const { status, data } = await failure(api.users.messages.get({ userId: "me", id, format: "metadata" }));
    expect(status).toBe(429);
    expect(data.error.code).toBe(429);
    expect(data.error.status).toBe("RESOURCE_EXHAUSTED");
    expect(data.error.errors[0]).toMatchObject({ domain: "usageLimits", reason: "rateLimitExceeded" });
    const retryAt = /^User-rate limit exceeded\. {2}Retry after (\S+)$/.exec(data.error.message)?.[1] ?? "";
    expect(Date.parse(retryAt)).toBeGreaterThan(Date.now());
    expect(Date.parse(retryAt)).toBeLessThanOrEqual(Date.now() + 60_000);
    // Cheaper calls still fit in what is left.
    await api.users.messages.list({ userId: "me", maxResults: 1 });
    expect(sandbox.gmail.usage(MAYA)).toMatchObject({ units: 45, throttled: 1 });
    sandbox.gmail.resetUsage(MAYA);
    await api.users.messages.get({ userId: "me", id, format: "metadata" });
  });

  it("refuses a fifth concurrent call with Too many concurrent requests for user", async () => {
    await start();
    const api = await client();
    sandbox.gmail.setFaults({ latencyMs: 150 });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => api.users.getProfile({ userId: "me" })),
    );
    const refused = results.filter((result) => result.status === "rejected");
    expect(refused).toHaveLength(2);
    const error = (refused[0] as PromiseRejectedResult).reason as gaxios.GaxiosError;
    expect(error.response?.status).toBe(429);
    expect((error.response?.data as GoogleErrorBody | undefined)?.error.message).toBe(
      "Too many concurrent requests for user",
    );
    expect(sandbox.gmail.usage(MAYA).maxInFlight).toBe(4);
  });

  it("fails a seeded share of calls with 5xx or 429, the same ones for the same seed", async () => {
    await start();
    const api = await client();
    const run = async () => {
      sandbox.gmail.setFaults({ errorRate: 0.4, seed: 7 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i += 1) {
        try {
          await api.users.getProfile({ userId: "me" });
          statuses.push(200);
        } catch (error) {
          statuses.push((error as gaxios.GaxiosError).response?.status ?? 0);
        }
      }
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    const failed = first.filter((status) => status !== 200);
    expect(failed.length).toBeGreaterThan(2);
    expect(failed.every((status) => status === 429 || status >= 500)).toBe(true);
    sandbox.gmail.setFaults({});
    sandbox.gmail.failNext(503);
    const outage = await failure(api.users.getProfile({ userId: "me" }));
    expect(outage.status).toBe(503);
    expect(outage.data.error.errors[0]?.reason).toBe("backendError");
    await api.users.getProfile({ userId: "me" });
  });
});
