import { ConfidentialClientApplication, CryptoProvider } from "@azure/msal-node";
import { Client, type GraphError, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MailWorld, type WorldFolder, type WorldMessage } from "./mail-world";
import { MicrosoftSandbox } from "./microsoft";

// Outlook mail and calendar through the real @microsoft/microsoft-graph-client over https: the
// delta rounds, state tokens, $select, batching and throttling a syncer meets on Graph.

const REDIRECT_URI = "https://kith.example/oauth/microsoft/callback";
const SCOPES = ["Mail.ReadBasic", "Calendars.ReadBasic", "offline_access", "User.Read"];
const EMAIL = "maya.chen@contoso.example";
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const FOLDERS: WorldFolder[] = ["inbox", "archive", "sentitems", "drafts", "junkemail", "deleteditems"];

let ms: MicrosoftSandbox;
let world: MailWorld;

beforeEach(async () => {
  ms = await MicrosoftSandbox.start({ redirectUris: [REDIRECT_URI] });
  ms.addAccount({ email: EMAIL, displayName: "Maya Chen" });
  ms.signIn(EMAIL);
  world = new MailWorld({
    seed: 11,
    owner: { email: EMAIL, name: "Maya Chen" },
    messages: 90,
    meetings: 24,
    months: 6,
    now: NOW,
  });
  ms.attachWorld(EMAIL, world);
});

afterEach(async () => {
  await ms.close();
});

async function accessToken(scopes = SCOPES): Promise<string> {
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: ms.clientId,
      clientSecret: ms.clientSecret,
      authority: `${ms.loginUrl}/common`,
      knownAuthorities: [ms.host],
    },
  });
  const pkce = await new CryptoProvider().generatePkceCodes();
  const callback = await ms.consent(
    await cca.getAuthCodeUrl({
      scopes,
      redirectUri: REDIRECT_URI,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: "S256",
    }),
  );
  const result = await cca.acquireTokenByCode({
    code: callback.searchParams.get("code") as string,
    scopes,
    redirectUri: REDIRECT_URI,
    codeVerifier: pkce.verifier,
  });
  return result.accessToken;
}

function graph(token: string): Client {
  return Client.init({
    authProvider: (done) => done(null, token),
    baseUrl: `${ms.graphUrl}/`,
    customHosts: new Set([ms.hostname]),
  });
}

const NO_RETRY = [new RetryHandlerOptions(0, 0)];

interface DeltaPage {
  value: Record<string, unknown>[];
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

/** Follows next links to the end of a round: every item, the pages' sizes and the delta link. */
async function round(
  client: Client,
  first: string,
  options: { pageSize?: number; query?: Record<string, string> } = {},
): Promise<{ items: Record<string, unknown>[]; pages: number[]; deltaLink: string }> {
  const items: Record<string, unknown>[] = [];
  const pages: number[] = [];
  let url = first;
  let query = options.query;
  for (;;) {
    let request = client.api(url);
    if (query) request = request.query(query);
    if (options.pageSize) request = request.header("Prefer", `odata.maxpagesize=${options.pageSize}`);
    const page = (await request.get()) as DeltaPage;
    items.push(...page.value);
    pages.push(page.value.length);
    if (page["@odata.deltaLink"]) return { items, pages, deltaLink: page["@odata.deltaLink"] };
    url = page["@odata.nextLink"] as string;
    query = undefined;
  }
}

async function failure(call: Promise<unknown>): Promise<GraphError> {
  try {
    await call;
  } catch (error) {
    return error as GraphError;
  }
  throw new Error("expected the call to fail");
}

function inFolder(folder: WorldFolder): WorldMessage[] {
  return world.messages().filter((message) => message.folder === folder);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

describe("mail folders", () => {
  it("resolves well-known names to ids that work in paths", async () => {
    const client = graph(await accessToken());
    const inbox = await client.api("/me/mailFolders/inbox").get();
    const byId = await client.api(`/me/mailFolders/${inbox.id}`).get();
    const all = await client.api("/me/mailFolders").get();

    expect(inbox).toMatchObject({ displayName: "Inbox", totalItemCount: inFolder("inbox").length });
    expect(inbox.id).toMatch(/^AQMk[A-Za-z0-9_-]+=*$/);
    expect(byId.id).toBe(inbox.id);
    expect(all.value.map((folder: { displayName: string }) => folder.displayName).sort()).toEqual([
      "Archive",
      "Deleted Items",
      "Drafts",
      "Inbox",
      "Junk Email",
      "Sent Items",
    ]);
    const missing = await failure(client.api("/me/mailFolders/notafolder").get());
    expect(missing).toMatchObject({ statusCode: 400, code: "ErrorInvalidIdMalformed" });
  });

  it("answers 403 ErrorAccessDenied to a token without a Mail or Calendars permission", async () => {
    const client = graph(await accessToken(["User.Read"]));
    const mail = await failure(client.api("/me/mailFolders/inbox/messages/delta").get());
    const list = await failure(client.api("/me/mailFolders/inbox/messages").get());
    const calendar = await failure(
      client
        .api("/me/calendarView/delta?startDateTime=2025-01-01T00:00:00&endDateTime=2026-02-01T00:00:00")
        .get(),
    );

    expect(mail).toMatchObject({ statusCode: 403, code: "ErrorAccessDenied" });
    expect(mail.message).toBe("Access is denied. Check credentials and try again.");
    expect(list).toMatchObject({ statusCode: 403, code: "ErrorAccessDenied" });
    expect(calendar).toMatchObject({ statusCode: 403, code: "ErrorAccessDenied" });
  });
});

describe("message delta", () => {
  it("lists every folder newest first across pages, without gaps or duplicates", async () => {
    const client = graph(await accessToken());
    for (const folder of FOLDERS) {
      const { items, pages, deltaLink } = await round(client, `/me/mailFolders/${folder}/messages/delta`, {
        pageSize: 7,
        query: { $orderby: "receivedDateTime desc", $select: "receivedDateTime,from,parentFolderId" },
      });
      const expected = inFolder(folder);

      expect(items).toHaveLength(expected.length);
      expect(new Set(items.map((item) => item.id)).size).toBe(expected.length);
      expect(items.map((item) => item.receivedDateTime)).toEqual(expected.map((m) => iso(m.internalDate)));
      expect(pages.slice(0, -1).every((size) => size === 7)).toBe(true);
      expect(deltaLink).toMatch(
        new RegExp(`^${ms.graphUrl}/v1\\.0/me/mailFolders\\('.+'\\)/messages/delta\\?\\$deltatoken=`),
      );
    }
  });

  it("pages by 10 without Prefer: odata.maxpagesize, with absolute next links on the same origin", async () => {
    const client = graph(await accessToken());
    const page = (await client.api("/me/mailFolders/inbox/messages/delta").get()) as DeltaPage;

    expect(inFolder("inbox").length).toBeGreaterThan(10);
    expect(page.value).toHaveLength(10);
    expect(page["@odata.nextLink"]).toMatch(
      new RegExp(`^${ms.graphUrl}/v1\\.0/me/mailFolders\\('.+'\\)/messages/delta\\?\\$skiptoken=`),
    );
    expect(page).toMatchObject({ "@odata.context": `${ms.graphUrl}/v1.0/$metadata#Collection(message)` });
  });

  it("returns only the $select-ed properties, id and etag; headers include Subject; no body under Mail.ReadBasic", async () => {
    const client = graph(await accessToken());
    const { items } = await round(client, "/me/mailFolders/inbox/messages/delta", {
      pageSize: 50,
      query: { $select: "from,toRecipients,ccRecipients,internetMessageHeaders,body,conversationId" },
    });

    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(
        [
          "@odata.etag",
          "@odata.type",
          "ccRecipients",
          "conversationId",
          "from",
          "id",
          "internetMessageHeaders",
          "toRecipients",
        ].sort(),
      );
    }
    const newsletter = items.find((item) =>
      (item.internetMessageHeaders as { name: string }[]).some(
        (header) => header.name === "List-Unsubscribe",
      ),
    );
    expect(newsletter).toBeDefined();
    const names = ((newsletter?.internetMessageHeaders ?? []) as { name: string }[]).map(
      (header) => header.name,
    );
    expect(names).toEqual(
      expect.arrayContaining(["From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe"]),
    );
    expect(items[0]?.from).toEqual({
      emailAddress: { name: expect.any(String), address: expect.any(String) },
    });

    const unknown = await failure(
      client.api("/me/mailFolders/inbox/messages/delta").select("nonsense").middlewareOptions(NO_RETRY).get(),
    );
    expect(unknown).toMatchObject({ statusCode: 400, code: "RequestBroker--ParseUri" });
  });

  it("filters on receivedDateTime ge, and refuses any other filter or order", async () => {
    const client = graph(await accessToken());
    const since = NOW - 60 * 86_400_000;
    const { items } = await round(client, "/me/mailFolders/inbox/messages/delta", {
      pageSize: 100,
      query: { $filter: `receivedDateTime ge ${iso(since)}`, $select: "receivedDateTime" },
    });

    const expected = inFolder("inbox").filter((message) => message.internalDate >= since);
    expect(expected.length).toBeGreaterThan(0);
    expect(items.map((item) => item.id).length).toBe(expected.length);
    expect(items.every((item) => Date.parse(item.receivedDateTime as string) >= since)).toBe(true);
    const badFilter = await failure(
      client.api("/me/mailFolders/inbox/messages/delta").filter("isRead eq false").get(),
    );
    const badOrder = await failure(
      client.api("/me/mailFolders/inbox/messages/delta").orderby("subject").get(),
    );
    expect(badFilter).toMatchObject({ statusCode: 400, code: "ErrorInvalidUrlQueryFilter" });
    expect(badOrder).toMatchObject({ statusCode: 400, code: "ErrorInvalidUrlQuery" });
  });

  it("reports additions, deletions and moves after the delta link, moved items with a new id", async () => {
    const client = graph(await accessToken());
    const query = { $select: "subject,parentFolderId,internetMessageId" };
    const inbox = await round(client, "/me/mailFolders/inbox/messages/delta", { pageSize: 25, query });
    const trash = await round(client, "/me/mailFolders/deleteditems/messages/delta", { pageSize: 25, query });
    const [first, second] = inFolder("inbox");
    const byInternetId = (message: WorldMessage | undefined) =>
      inbox.items.find((item) => (item.internetMessageId as string).startsWith(`<${message?.id}.`));
    const deletedId = byInternetId(first)?.id;
    const movedId = byInternetId(second)?.id;

    const added = world.addMessage({
      internalDate: NOW + 60_000,
      folder: "inbox",
      sent: false,
      from: { email: "new.person@acme.example", name: "New Person" },
      to: [world.owner],
      cc: [],
      bcc: [],
      headers: {},
    });
    world.deleteMessage(first?.id as string);
    world.moveMessage(second?.id as string, "deleteditems");

    const inboxChanges = await round(client, inbox.deltaLink, { pageSize: 25 });
    expect(inboxChanges.items).toHaveLength(3);
    expect(inboxChanges.items).toEqual(
      expect.arrayContaining([
        { "@odata.type": "#microsoft.graph.message", id: deletedId, "@removed": { reason: "deleted" } },
        { "@odata.type": "#microsoft.graph.message", id: movedId, "@removed": { reason: "deleted" } },
        expect.objectContaining({ subject: added.subject }),
      ]),
    );
    const trashChanges = await round(client, trash.deltaLink, { pageSize: 25 });
    expect(trashChanges.items).toHaveLength(1);
    expect(trashChanges.items[0]?.internetMessageId).toBe(byInternetId(second)?.internetMessageId);
    expect(trashChanges.items[0]?.id).not.toBe(movedId);

    const quiet = await round(client, inboxChanges.deltaLink);
    expect(quiet.items).toEqual([]);
  });

  it('changes an item\'s id when it moves folder, unless Prefer: IdType="ImmutableId"', async () => {
    const client = graph(await accessToken());
    const immutable = 'IdType="ImmutableId"';
    const [regular] = (
      await client.api("/me/mailFolders/inbox/messages/delta").select("internetMessageId").top(1).get()
    ).value as { id: string; internetMessageId: string }[];
    const [stable] = (
      await client
        .api("/me/mailFolders/inbox/messages/delta")
        .header("Prefer", immutable)
        .select("internetMessageId")
        .top(1)
        .get()
    ).value as { id: string; internetMessageId: string }[];
    expect(stable?.internetMessageId).toBe(regular?.internetMessageId);
    world.moveMessage(/^<([0-9a-f]+)\./.exec(regular?.internetMessageId ?? "")?.[1] as string, "archive");

    const moved = await client
      .api(`/me/messages/${stable?.id}`)
      .header("Prefer", immutable)
      .select("parentFolderId")
      .get();
    const archive = await client.api("/me/mailFolders/archive").get();
    const stale = await failure(client.api(`/me/messages/${regular?.id}`).get());
    expect(moved).toMatchObject({ id: stable?.id, parentFolderId: archive.id });
    expect(stale).toMatchObject({ statusCode: 404, code: "ErrorItemNotFound" });
  });

  it("answers 410 SyncStateNotFound to skip and delta tokens issued before expireDeltaTokens", async () => {
    const client = graph(await accessToken());
    const first = (await client
      .api("/me/mailFolders/inbox/messages/delta")
      .header("Prefer", "odata.maxpagesize=5")
      .get()) as DeltaPage;
    const { deltaLink } = await round(client, "/me/mailFolders/archive/messages/delta", { pageSize: 50 });
    ms.expireDeltaTokens(EMAIL);

    const skip = await failure(client.api(first["@odata.nextLink"] as string).get());
    const delta = await failure(client.api(deltaLink).get());
    expect(skip).toMatchObject({ statusCode: 410, code: "SyncStateNotFound" });
    expect(delta).toMatchObject({ statusCode: 410, code: "SyncStateNotFound" });
    expect(delta.message).toMatch(/^The sync state generation is not found/);
    const restarted = await round(client, "/me/mailFolders/archive/messages/delta", { pageSize: 50 });
    expect(restarted.items).toHaveLength(inFolder("archive").length);
  });
});

describe("list messages", () => {
  interface ListPage {
    value: Record<string, unknown>[];
    "@odata.nextLink"?: string;
  }

  /** Follows next links until there are none: every item, the pages' sizes and the links followed. */
  async function listAll(
    client: Client,
    first: string,
    query: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<{ items: Record<string, unknown>[]; pages: number[]; links: string[] }> {
    const items: Record<string, unknown>[] = [];
    const pages: number[] = [];
    const links: string[] = [];
    let request = client.api(first).query(query).headers(headers);
    for (;;) {
      const page = (await request.get()) as ListPage;
      items.push(...page.value);
      pages.push(page.value.length);
      const next = page["@odata.nextLink"];
      if (!next) return { items, pages, links };
      links.push(next);
      request = client.api(next).headers(headers);
    }
  }

  it("lists a receivedDateTime range newest first, $top a page, next links by $skip covering it once", async () => {
    const client = graph(await accessToken());
    const from = NOW - 150 * 86_400_000;
    const to = NOW - 20 * 86_400_000;
    const { items, pages, links } = await listAll(
      client,
      "/me/mailFolders/inbox/messages",
      {
        $filter: `receivedDateTime ge ${iso(from)} and receivedDateTime le ${iso(to)}`,
        $orderby: "receivedDateTime desc",
        $top: "7",
        $select: "receivedDateTime,subject,internetMessageHeaders",
      },
      // Delta pages by this preference; the list does not: $top sets its page size.
      { Prefer: "odata.maxpagesize=3" },
    );
    const expected = inFolder("inbox").filter((m) => m.internalDate >= from && m.internalDate <= to);

    expect(expected.length).toBeGreaterThan(14);
    expect(items.map((item) => item.receivedDateTime)).toEqual(expected.map((m) => iso(m.internalDate)));
    expect(new Set(items.map((item) => item.id)).size).toBe(expected.length);
    expect(pages.slice(0, -1).every((size) => size === 7)).toBe(true);
    expect(links.map((link) => /[?&]\$skip=(\d+)/.exec(link)?.[1])).toEqual(
      links.map((_, index) => String(7 * (index + 1))),
    );
    expect(links[0]).toMatch(new RegExp(`^${ms.graphUrl}/v1\\.0/me/mailFolders/inbox/messages\\?`));
    expect(decodeURIComponent(links[0] as string)).toContain(`receivedDateTime le ${iso(to)}`);
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(
        ["@odata.etag", "id", "internetMessageHeaders", "receivedDateTime", "subject"].sort(),
      );
    }
    expect(ms.mailboxUsage(EMAIL).requests).toMatchObject({ "messages.list": pages.length });
  });

  it("pages by 10 by default, oldest first with asc, by folder id, and counts with $count", async () => {
    const client = graph(await accessToken());
    const inbox = await client.api("/me/mailFolders/inbox").get();
    const expected = inFolder("inbox");
    const first = (await client.api(`/me/mailFolders/${inbox.id}/messages`).get()) as ListPage;
    const { items } = await listAll(client, `/me/mailFolders('${inbox.id}')/messages`, {
      $orderby: "receivedDateTime asc",
      $select: "receivedDateTime",
      $count: "true",
      $top: "1000",
    });

    expect(expected.length).toBeGreaterThan(10);
    expect(first.value).toHaveLength(10);
    expect(first["@odata.nextLink"]).toMatch(/\?\$skip=10$/);
    expect(items.map((item) => item.receivedDateTime)).toEqual(
      [...expected].reverse().map((m) => iso(m.internalDate)),
    );
    const counted = await client
      .api("/me/mailFolders/inbox/messages")
      .query({ $count: "true", $top: "1" })
      .get();
    expect(counted["@odata.count"]).toBe(expected.length);
  });

  it("refuses filters it cannot run, $filter not led by the $orderby property, and $top past 1000", async () => {
    const client = graph(await accessToken());
    const list = () => client.api("/me/mailFolders/inbox/messages").middlewareOptions(NO_RETRY);
    const since = `receivedDateTime ge ${iso(NOW - 30 * 86_400_000)}`;

    expect(await failure(list().filter("isRead eq false").get())).toMatchObject({
      statusCode: 400,
      code: "ErrorInvalidUrlQueryFilter",
    });
    expect(await failure(list().filter(`${since} or isRead eq false`).get())).toMatchObject({
      statusCode: 400,
      code: "ErrorInvalidUrlQueryFilter",
    });
    expect(await failure(list().filter("receivedDateTime ge yesterday").get())).toMatchObject({
      statusCode: 400,
      code: "ErrorInvalidUrlQueryFilter",
    });
    expect(await failure(list().filter("nonsense eq 1").get())).toMatchObject({
      statusCode: 400,
      code: "RequestBroker--ParseUri",
    });
    const inefficient = await failure(
      list().filter(`isRead eq false and ${since}`).orderby("receivedDateTime desc").get(),
    );
    expect(inefficient).toMatchObject({ statusCode: 400, code: "InefficientFilter" });
    expect(inefficient.message).toBe("The restriction or sort order is too complex for this operation.");
    expect(await failure(list().orderby("subject").get())).toMatchObject({ statusCode: 400 });
    expect(await failure(list().top(1001).get())).toMatchObject({
      statusCode: 400,
      code: "ErrorInvalidUrlQuery",
    });
    expect(await failure(list().top(0).get())).toMatchObject({ statusCode: 400 });
  });
});

describe("message delta over a large folder", () => {
  it("lists the whole folder without $filter, past the 5,000 a filtered initial round is capped at", async () => {
    const start = Date.UTC(2025, 0, 1);
    for (let i = 0; i < 5_100; i += 1) {
      world.addMessage({
        internalDate: start + i * 60_000,
        folder: "inbox",
        sent: false,
        from: { email: `sender${i % 50}@acme.example`, name: `Sender ${i % 50}` },
        to: [world.owner],
        cc: [],
        bcc: [],
        headers: {},
      });
    }
    const total = inFolder("inbox").length;
    const client = graph(await accessToken());
    const whole = await round(client, "/me/mailFolders/inbox/messages/delta", {
      pageSize: 999,
      query: { $select: "receivedDateTime" },
    });
    const filtered = await round(client, "/me/mailFolders/inbox/messages/delta", {
      pageSize: 999,
      query: { $filter: `receivedDateTime ge ${iso(start - 86_400_000)}`, $select: "receivedDateTime" },
    });

    expect(total).toBeGreaterThan(5_000);
    expect(whole.items).toHaveLength(total);
    expect(new Set(whole.items.map((item) => item.id)).size).toBe(total);
    expect(whole.pages.slice(0, -1).every((size) => size === 999)).toBe(true);
    expect(whole.deltaLink).toMatch(/\$deltatoken=/);
    expect(filtered.items).toHaveLength(5_000);
  });
});

describe("calendarView delta", () => {
  const window = { startDateTime: "2025-06-01T00:00:00", endDateTime: "2026-03-01T00:00:00" };
  const inWindow = () =>
    world
      .meetings()
      .filter(
        (m) => m.start < Date.parse("2026-03-01T00:00:00Z") && m.end > Date.parse("2025-06-01T00:00:00Z"),
      );

  it("lists the window's events in Graph's shape, the user's answer in responseStatus", async () => {
    const client = graph(await accessToken());
    const { items } = await round(client, "/me/calendarView/delta", { pageSize: 4, query: window });
    const expected = inWindow();

    expect(expected.length).toBeGreaterThan(4);
    expect(items).toHaveLength(expected.length);
    expect(new Set(items.map((item) => item.id)).size).toBe(expected.length);
    for (const item of items) {
      expect(item).toMatchObject({
        "@odata.type": "#microsoft.graph.event",
        type: expect.stringMatching(/^(singleInstance|occurrence|exception)$/),
        start: {
          dateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.0000000$/),
          timeZone: "UTC",
        },
        responseStatus: {
          response: expect.stringMatching(/^(organizer|accepted|tentativelyAccepted|declined|notResponded)$/),
        },
        organizer: { emailAddress: { address: expect.any(String) } },
      });
      expect(item).not.toHaveProperty("body");
      const organizer = (item.organizer as { emailAddress: { address: string } }).emailAddress.address;
      const attendees = item.attendees as { emailAddress: { address: string } }[];
      expect(attendees.map((a) => a.emailAddress.address)).not.toContain(organizer);
      if (item.type !== "singleInstance") expect(item.seriesMasterId).toEqual(expect.any(String));
    }
  });

  it("requires the window, refuses $select, and reports cancellations, deletions and additions", async () => {
    const client = graph(await accessToken());
    const missing = await failure(client.api("/me/calendarView/delta").get());
    const selected = await failure(
      client.api("/me/calendarView/delta").query(window).select("subject").get(),
    );
    expect(missing).toMatchObject({ statusCode: 400, code: "ErrorInvalidParameter" });
    expect(selected).toMatchObject({ statusCode: 400, code: "ErrorInvalidUrlQuery" });

    const first = await round(client, "/me/calendarView/delta", { pageSize: 10, query: window });
    const [cancelled, deleted] = inWindow().filter((m) => m.status === "confirmed");
    world.cancelMeeting(cancelled?.id as string);
    world.deleteMeeting(deleted?.id as string);
    const added = world.addMeeting({
      start: Date.UTC(2026, 0, 20, 9),
      end: Date.UTC(2026, 0, 20, 10),
      status: "confirmed",
      organizer: { email: "ana.okafor1@acme.example", name: "ana okafor" },
      attendees: [
        {
          email: "ana.okafor1@acme.example",
          name: "ana okafor",
          responseStatus: "accepted",
          organizer: true,
        },
        { email: EMAIL, name: "Maya Chen", responseStatus: "tentative" },
      ],
    });

    const changes = await round(client, first.deltaLink, { pageSize: 10 });
    const firstIds = new Map(first.items.map((item) => [item.iCalUId, item.id]));
    expect(changes.items).toHaveLength(3);
    expect(changes.items.find((item) => item.isCancelled === true)).toMatchObject({
      id: expect.any(String),
      subject: expect.stringMatching(/^Canceled: /),
    });
    expect(changes.items.find((item) => "@removed" in item)).toEqual({
      "@odata.type": "#microsoft.graph.event",
      id: expect.any(String),
      "@removed": { reason: "deleted" },
    });
    expect(changes.items.find((item) => item.subject === added.title)).toMatchObject({
      type: "singleInstance",
      responseStatus: { response: "tentativelyAccepted" },
      attendees: [{ emailAddress: { address: EMAIL }, status: { response: "none" } }],
    });
    expect(firstIds.size).toBeGreaterThan(0);
  });
});

describe("JSON batching", () => {
  it("answers each request in the batch, with Graph's errors inside, and refuses more than 20", async () => {
    const client = graph(await accessToken());
    const page = await client.api("/me/mailFolders/inbox/messages/delta").select("id").top(3).get();
    const ids = (page.value as { id: string }[]).map((item) => item.id);
    const batch = await client.api("/$batch").post({
      requests: [
        { id: "1", method: "GET", url: `/me/messages/${ids[0]}?$select=subject` },
        { id: "2", method: "GET", url: `/me/messages/${ids[1]}?$select=from`, dependsOn: ["1"] },
        { id: "3", method: "GET", url: "/me/mailFolders/nope" },
        { id: "4", method: "GET", url: "/me/mailFolders/inbox", dependsOn: ["3"] },
      ],
    });
    const byId = new Map(batch.responses.map((r: { id: string }) => [r.id, r]));

    expect(byId.get("1")).toMatchObject({ status: 200, body: { id: ids[0], subject: expect.any(String) } });
    expect(byId.get("2")).toMatchObject({ status: 200, body: { id: ids[1], from: expect.any(Object) } });
    expect(byId.get("3")).toMatchObject({
      status: 400,
      body: { error: { code: "ErrorInvalidIdMalformed", innerError: { "request-id": expect.any(String) } } },
    });
    expect(byId.get("4")).toMatchObject({ status: 424 });
    const tooMany = await failure(
      client.api("/$batch").post({
        requests: Array.from({ length: 21 }, (_, i) => ({
          id: String(i),
          method: "GET",
          url: "/me/mailFolders/inbox",
        })),
      }),
    );
    expect(tooMany).toMatchObject({ statusCode: 400, code: "BadRequest" });
    expect(ms.mailboxUsage(EMAIL).requests).toMatchObject({ "messages.get": 2, "mailFolders.get": 1 });
  });

  it("counts parallel requests against the mailbox's 4 concurrent slots", async () => {
    const client = graph(await accessToken());
    const batch = await client.api("/$batch").post({
      requests: Array.from({ length: 6 }, (_, i) => ({
        id: String(i),
        method: "GET",
        url: "/me/mailFolders/inbox",
      })),
    });
    const statuses = batch.responses.map((r: { status: number }) => r.status).sort();

    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect(batch.responses.find((r: { status: number }) => r.status === 429)).toMatchObject({
      headers: { "Retry-After": "1" },
      body: {
        error: { code: "ApplicationThrottled", message: "Application is over its MailboxConcurrency limit." },
      },
    });
    expect(ms.mailboxUsage(EMAIL)).toMatchObject({ throttled: 2, maxInFlight: 4 });
  });
});

describe("throttling and faults", () => {
  it("answers 429 TooManyRequests with Retry-After once the mailbox's request budget is spent", async () => {
    const token = await accessToken();
    ms.mailboxLimits({ requestsPerWindow: 3, windowMs: 30_000 });
    const client = graph(token);
    for (let i = 0; i < 3; i += 1) await client.api("/me/mailFolders/inbox").get();

    const response = await fetch(`${ms.graphUrl}/v1.0/me/mailFolders/inbox`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(29);
    expect(await response.json()).toMatchObject({ error: { code: "TooManyRequests" } });
    expect(ms.mailboxUsage(EMAIL)).toMatchObject({ units: 3, throttled: 1 });
    ms.resetMailboxUsage(EMAIL);
    expect(await client.api("/me/mailFolders/inbox").get()).toMatchObject({ displayName: "Inbox" });
  });

  it("refuses a fifth concurrent request while four are in flight", async () => {
    const token = await accessToken();
    ms.mailboxFaults({ latencyMs: 300 });
    const responses = await Promise.all(
      Array.from({ length: 6 }, () =>
        fetch(`${ms.graphUrl}/v1.0/me/mailFolders/inbox`, { headers: { authorization: `Bearer ${token}` } }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();

    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect(ms.mailboxUsage(EMAIL).maxInFlight).toBe(4);
  });

  it("injects outages the Graph client retries, and counts them", async () => {
    const client = graph(await accessToken());
    ms.failNextMailboxRequest(503);
    expect(await client.api("/me/mailFolders/inbox").get()).toMatchObject({ displayName: "Inbox" });

    ms.mailboxFaults({ errorRate: 1, statuses: [500] });
    const error = await failure(client.api("/me/mailFolders/inbox").middlewareOptions(NO_RETRY).get());
    expect(error).toMatchObject({ statusCode: 500, code: "generalException" });
    ms.mailboxFaults({});
    expect(ms.mailboxUsage(EMAIL)).toMatchObject({ serverErrors: 2, requests: { "mailFolders.get": 3 } });
  });
});
