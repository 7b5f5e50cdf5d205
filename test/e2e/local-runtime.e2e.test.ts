import { mkdtempSync, rmSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { orgIdForDirectory } from "@kith/core/directory";
import { demoMailboxSize, demoMailWorld } from "@kith/local/mailbox-providers";
import { DEFAULT_WEBHOOK_SECRETS } from "@kith/local/runtime";
import { loopbackTls, signGitHubDelivery } from "@kith/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manifest } from "../../manifest";
import { type LocalRuntime, poll, processesInGroup, startLocalRuntime } from "../support/processes";

const OPERATOR_KEY = "e2e-operator-key";

interface Health {
  status: string;
  components: {
    dynamodb: { endpoint: string };
    pollers: { queues: { queue: string; failed: number; succeeded: number }[] };
    scheduler: { schedules: { name: string; cron: string; runs: number; lastError: string | null }[] };
    sqs: {
      endpoint: string;
      queues: Record<
        string,
        { url: string; dlqUrl: string; visible: number; inFlight: number; dlq: { visible: number } }
      >;
    };
  };
}

describe("npm start: the whole system as one child process", () => {
  let runtime: LocalRuntime | undefined;
  let child: LocalRuntime["child"];
  let baseUrl: string;
  let dataDir: string;
  let health: Health;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "kith-e2e-"));
    const started = await startLocalRuntime<Health>({
      dataDir,
      env: {
        OPERATOR_API_KEY: OPERATOR_KEY,
        // Failed messages come back after 1 s instead of the queue's 60 s visibility timeout.
        KITH_LOCAL_RETRY_DELAY_SECONDS: "1",
        // Smaller demo mailboxes than `npm start`'s: the backfills (and the wipe) take seconds.
        KITH_DEMO_MAILBOX_MESSAGES: "150",
        KITH_DEMO_MAILBOX_MEETINGS: "20",
        // The demo org's own mailboxes stay unconnected: the mailbox cases below connect Maya in
        // their own org and time her backfills, which the demo's six would slow down.
        KITH_DEMO_MAILBOXES: "0",
      },
    });
    runtime = started;
    ({ child, baseUrl, health } = started);
  });

  afterAll(() => {
    if (runtime && runtime.child.exitCode === null) runtime.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("reports every component healthy, with the manifest's queue and its DLQ", () => {
    expect(health.status).toBe("ok");
    expect(Object.keys(health.components.sqs.queues)).toContain("domain-events");
    expect(runtime?.output()).toMatch(/Kith is running at/);
  });

  it("a domain event sent to the queue is processed by the consumer and shows up in the journal over HTTP", async () => {
    const sqs = new SQSClient({
      endpoint: health.components.sqs.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "e2e", secretAccessKey: "e2e" },
    });
    const detail = {
      id: "01JE2E0000000000000000000A",
      type: "user.created",
      occurredAt: new Date().toISOString(),
      orgId: "org-e2e",
      data: { userId: "u-1" },
    };
    const envelope = {
      version: "0",
      id: "e2e-envelope",
      "detail-type": detail.type,
      source: "kith",
      account: "000000000000",
      time: detail.occurredAt,
      region: "us-east-1",
      resources: [],
      detail,
    };

    await sqs.send(
      new SendMessageCommand({
        QueueUrl: health.components.sqs.queues["domain-events"]?.url,
        MessageBody: JSON.stringify(envelope),
      }),
    );
    const journal = await poll(
      async () => {
        const response = await fetch(`${baseUrl}/v1/journal?orgId=org-e2e`, {
          headers: { authorization: `Bearer ${OPERATOR_KEY}` },
        });
        const body = (await response.json()) as { items: { id: string }[] };
        return body.items.length > 0 ? body : undefined;
      },
      20_000,
      "the journal entry",
    );
    sqs.destroy();

    expect(journal.items.map((item) => item.id)).toEqual([detail.id]);
  });

  it("a poisoned message is retried maxReceiveCount times and then lands in the DLQ", async () => {
    const sqs = new SQSClient({
      endpoint: health.components.sqs.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "e2e", secretAccessKey: "e2e" },
    });

    await sqs.send(
      new SendMessageCommand({
        QueueUrl: health.components.sqs.queues["domain-events"]?.url,
        MessageBody: "this is not a domain event",
      }),
    );
    const settled = await poll(
      async () => {
        const response = await fetch(`${baseUrl}/_local/health`);
        const report = (await response.json()) as Health;
        const queue = report.components.sqs.queues["domain-events"];
        return queue && queue.dlq.visible > 0 && queue.visible === 0 && queue.inFlight === 0
          ? report
          : undefined;
      },
      30_000,
      "the poisoned message to reach the DLQ",
    );
    sqs.destroy();

    const poller = settled.components.pollers.queues.find((queue) => queue.queue === "domain-events");
    const maxReceiveCount = manifest.queues.find((queue) => queue.name === "domain-events")?.maxReceiveCount;
    expect(settled.components.sqs.queues["domain-events"]?.dlq.visible).toBe(1);
    // Delivered and failed exactly maxReceiveCount times before the redrive, never more, never fewer.
    expect(poller?.failed).toBe(maxReceiveCount);
  });

  it("POST /_local/queues/{name}/redrive moves the DLQ's messages back to their queue (the emulator has no StartMessageMoveTask)", async () => {
    // prepare: the poisoned message of the test above sits in the DLQ
    const before = (await (await fetch(`${baseUrl}/_local/health`)).json()) as Health;
    const failedBefore =
      before.components.pollers.queues.find((queue) => queue.queue === "domain-events")?.failed ?? 0;

    // act
    const response = await fetch(`${baseUrl}/_local/queues/domain-events/redrive`, { method: "POST" });
    const unknown = await fetch(`${baseUrl}/_local/queues/no-such-queue/redrive`, { method: "POST" });

    // assess: moved, and delivered to its consumer again (which fails it again: it is still poison)
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ queue: "domain-events", moved: 1 });
    expect(unknown.status).toBe(404);
    await poll(
      async () => {
        const report = (await (await fetch(`${baseUrl}/_local/health`)).json()) as Health;
        const poller = report.components.pollers.queues.find((queue) => queue.queue === "domain-events");
        return (poller?.failed ?? 0) > failedBefore ? report : undefined;
      },
      20_000,
      "the redriven message to reach its consumer again",
    );
  });

  it("creating an org and a user over HTTP publishes org.created, user.created and identity.linked after commit, and they reach the journal", async () => {
    // prepare
    const operator = { authorization: `Bearer ${OPERATOR_KEY}`, "content-type": "application/json" };
    const orgResponse = await fetch(`${baseUrl}/v1/orgs`, {
      method: "POST",
      headers: operator,
      body: JSON.stringify({ name: "Journal Check Org" }),
    });
    const org = (await orgResponse.json()) as { id: string };

    // act
    const userResponse = await fetch(`${baseUrl}/v1/orgs/${org.id}/users`, {
      method: "POST",
      headers: operator,
      body: JSON.stringify({
        name: "Ada",
        email: "Ada@Example.com",
        identities: [{ kind: "github", externalId: "42" }],
      }),
    });
    const user = (await userResponse.json()) as { id: string; email: string };

    // assess
    expect(orgResponse.status).toBe(201);
    expect(userResponse.status).toBe(201);
    expect(user.email).toBe("ada@example.com");
    const types = await poll(
      async () => {
        const response = await fetch(`${baseUrl}/v1/journal?orgId=${org.id}`, { headers: operator });
        const page = (await response.json()) as { items: { type: string; data: { userId?: string } }[] };
        const seen = page.items.map((entry) => entry.type).sort();
        return seen.length >= 3 ? seen : undefined;
      },
      20_000,
      "the org's domain events in the journal",
    );
    expect(types).toEqual(["identity.linked", "org.created", "user.created"]);
  });

  it("a directory organization created in the WorkOS sandbox arrives by signed webhook, FIFO queue and Events API as an org with a deterministic id", async () => {
    // prepare
    const operator = { authorization: `Bearer ${OPERATOR_KEY}` };

    // act
    const created = await fetch(`${baseUrl}/_local/workos/organizations`, {
      method: "POST",
      body: JSON.stringify({ name: "Directory Sync Co" }),
    });
    const { organization, webhookStatus } = (await created.json()) as {
      organization: { id: string };
      webhookStatus: number;
    };

    // assess
    expect(created.status).toBe(201);
    expect(webhookStatus).toBe(200);
    const org = await poll(
      async () => {
        const response = await fetch(`${baseUrl}/v1/orgs?limit=200`, { headers: operator });
        const page = (await response.json()) as {
          items: { id: string; name: string; slug: string; directoryId: string }[];
        };
        return page.items.find((item) => item.directoryId === organization.id);
      },
      30_000,
      "the directory organization to be synced",
    );
    expect(org).toMatchObject({
      id: orgIdForDirectory(organization.id),
      name: "Directory Sync Co",
      slug: "directory-sync-co",
    });
  });

  it("a signed GitHub webhook from a known sender is processed and its webhook.received event reaches the journal", async () => {
    // prepare
    const operator = { authorization: `Bearer ${OPERATOR_KEY}`, "content-type": "application/json" };
    const org = (await (
      await fetch(`${baseUrl}/v1/orgs`, {
        method: "POST",
        headers: operator,
        body: JSON.stringify({ name: "Webhook Co" }),
      })
    ).json()) as { id: string };
    await fetch(`${baseUrl}/v1/orgs/${org.id}/integrations`, {
      method: "POST",
      headers: operator,
      body: JSON.stringify({ provider: "github", externalTenantId: "9090901" }),
    });
    const user = (await (
      await fetch(`${baseUrl}/v1/orgs/${org.id}/users`, {
        method: "POST",
        headers: operator,
        body: JSON.stringify({ name: "Octo", identities: [{ kind: "github", externalId: "5551212" }] }),
      })
    ).json()) as { id: string };
    const delivery = await signGitHubDelivery(
      {
        action: "opened",
        installation: { id: 9090901 },
        repository: { full_name: "webhook-co/app", owner: { id: 1 } },
        sender: { id: 5551212, login: "octo", type: "User" },
      },
      DEFAULT_WEBHOOK_SECRETS.GITHUB_WEBHOOK_SECRET,
      "issues",
    );

    // act
    const reply = await fetch(`${baseUrl}/webhooks/github`, {
      method: "POST",
      headers: delivery.headers,
      body: delivery.body,
    });

    // assess
    expect(reply.status).toBe(200);
    const received = await poll(
      async () => {
        const response = await fetch(`${baseUrl}/v1/journal?orgId=${org.id}`, { headers: operator });
        const page = (await response.json()) as { items: { type: string; data: Record<string, unknown> }[] };
        return page.items.find((entry) => entry.type === "webhook.received");
      },
      20_000,
      "webhook.received in the journal",
    );
    expect(received.data).toMatchObject({
      orgId: org.id,
      provider: "github",
      eventType: "issues.opened",
      deliveryId: delivery.headers["x-github-delivery"],
      actorUserId: user.id,
      unmapped: false,
    });
  });

  // The mailbox cases share one member of one org: connected, then backfilled, then disconnected.
  const mail: { org: string; user: string; url: string; headers: Record<string, string> } = {
    org: "",
    user: "",
    url: "",
    headers: {},
  };

  it("a member connects Google and Microsoft mailboxes through the runtime's own sandboxes, and mailbox.connected reaches the journal", async () => {
    // prepare
    const operator = { authorization: `Bearer ${OPERATOR_KEY}`, "content-type": "application/json" };
    const org = (await (
      await fetch(`${baseUrl}/v1/orgs`, {
        method: "POST",
        headers: operator,
        body: JSON.stringify({ name: "Mail Org" }),
      })
    ).json()) as { id: string };
    const user = (await (
      await fetch(`${baseUrl}/v1/orgs/${org.id}/users`, {
        method: "POST",
        headers: operator,
        body: JSON.stringify({ name: "Maya", email: "maya.chen@acme.example" }),
      })
    ).json()) as { id: string };
    const mailbox = `${baseUrl}/v1/orgs/${org.id}/users/${user.id}/mailbox`;
    Object.assign(mail, { org: org.id, user: user.id, url: mailbox, headers: operator });
    // The runtime's Microsoft sandbox serves https with the loopback certificate (the same
    // directory's), which this process trusts for that one request.
    const { cert } = await loopbackTls();
    const browse = (url: string) =>
      new Promise<string>((resolve, reject) => {
        const target = new URL(url);
        if (target.protocol === "http:") {
          fetch(url, { redirect: "manual" }).then(async (r) => {
            const location = r.headers.get("location");
            if (location) resolve(location);
            else reject(new Error(`no redirect from ${target.origin}: ${r.status} ${await r.text()}`));
          }, reject);
          return;
        }
        httpsRequest(target, { ca: cert }, (response) => {
          response.resume();
          if (response.headers.location) resolve(response.headers.location);
          else reject(new Error(`no redirect from ${target.origin}: ${response.statusCode}`));
        })
          .on("error", reject)
          .end();
      });

    // act
    const pages: number[] = [];
    for (const provider of ["google", "microsoft"]) {
      const connect = await fetch(`${mailbox}/${provider}/connect`, {
        method: "POST",
        headers: operator,
        body: JSON.stringify({ scopes: { mail: true, calendar: true } }),
      });
      const { authorizeUrl } = (await connect.json()) as { authorizeUrl: string };
      expect(authorizeUrl, `${provider} connect`).toMatch(/^https?:/);
      const back = new URL(await browse(authorizeUrl));
      pages.push((await fetch(`${baseUrl}${back.pathname}${back.search}`, { redirect: "manual" })).status);
    }
    const listed = (await (await fetch(mailbox, { headers: operator })).json()) as {
      accounts: { provider: string; email: string; status: string }[];
    };

    // assess: connected (or already syncing: the connect's backfill starts at once)
    expect(pages).toEqual([200, 200]);
    expect(
      listed.accounts
        .map((a) => [a.provider, a.email, a.status === "syncing" ? "connected" : a.status])
        .sort(),
    ).toEqual([
      ["google", "maya.chen@acme.example", "connected"],
      ["microsoft", "maya.chen@acme.example", "connected"],
    ]);
    const connected = await poll(
      async () => {
        const response = await fetch(`${baseUrl}/v1/journal?orgId=${org.id}`, { headers: operator });
        const page = (await response.json()) as { items: { type: string }[] };
        const seen = page.items.filter((entry) => entry.type === "mailbox.connected");
        return seen.length === 2 ? seen : undefined;
      },
      20_000,
      "mailbox.connected in the journal",
    );
    expect(connected).toHaveLength(2);
  });

  it("the connects' backfills run through the mailbox-sync, sync-google and sync-microsoft queues against the sandboxes' demo mailboxes: every scope reaches progress 1 with events, and mailbox.backfill_progress reaches the journal", async () => {
    // act: nothing more than the connects above; the bus, the router and the syncer queues do the rest
    type Scope = { phase: string; progress: number; eventsIngested: number; lastError: string | null };
    type Account = { provider: string; status: string; mail: Scope; calendar: Scope };
    const started = Date.now();
    const synced = await poll(
      async () => {
        const listed = (await (await fetch(mail.url, { headers: mail.headers })).json()) as {
          accounts: Account[];
        };
        const done = listed.accounts.every(
          (account) =>
            account.status === "connected" &&
            account.mail.progress === 1 &&
            account.calendar.progress === 1 &&
            account.mail.eventsIngested > 0 &&
            account.calendar.eventsIngested > 0,
        );
        return listed.accounts.length === 2 && done ? listed.accounts : undefined;
      },
      90_000,
      "both mailboxes' mail and calendar backfills to complete",
    );
    const backfillSeconds = (Date.now() - started) / 1000;

    // assess
    for (const account of synced) {
      for (const scope of [account.mail, account.calendar]) {
        expect(scope, account.provider).toMatchObject({ phase: "incremental", progress: 1, lastError: null });
      }
    }
    const completed = await poll(
      async () => {
        const response = await fetch(`${baseUrl}/v1/journal?orgId=${mail.org}`, { headers: mail.headers });
        const page = (await response.json()) as {
          items: {
            type: string;
            data: { provider: string; scope: string; milestone: string; eventsIngested: number };
          }[];
        };
        const complete = page.items.filter(
          (entry) => entry.type === "mailbox.backfill_progress" && entry.data.milestone === "complete",
        );
        return complete.length === 4 ? complete : undefined;
      },
      20_000,
      "mailbox.backfill_progress (complete) for every scope in the journal",
    );
    expect(completed.map((entry) => `${entry.data.provider}:${entry.data.scope}`).sort()).toEqual([
      "google:calendar",
      "google:mail",
      "microsoft:calendar",
      "microsoft:mail",
    ]);
    for (const entry of completed) expect(entry.data.eventsIngested).toBeGreaterThan(0);
    const report = (await (await fetch(`${baseUrl}/_local/health`)).json()) as Health;
    for (const queue of ["mailbox-sync", "sync-google", "sync-microsoft"]) {
      const poller = report.components.pollers.queues.find((candidate) => candidate.queue === queue);
      expect(poller?.succeeded, queue).toBeGreaterThan(0);
      expect(report.components.sqs.queues[queue]?.dlq.visible, `${queue} DLQ`).toBe(0);
    }
    // Well inside the bound: these backfills take seconds, not the minutes of an unscaled quota.
    expect(backfillSeconds).toBeLessThan(45);

    // The daily fan-outs are the manifest's schedules here too, at their UTC crons, and run on demand
    // (their jobs are spread over 15 minutes, so only the run itself is checked).
    for (const name of ["mailbox-sync-google", "mailbox-sync-microsoft"]) {
      const fired = await fetch(`${baseUrl}/_local/schedules/${name}`, { method: "POST" });
      expect(fired.status, name).toBe(200);
    }
    const schedules = ((await (await fetch(`${baseUrl}/_local/health`)).json()) as Health).components
      .scheduler.schedules;
    expect(
      schedules
        .filter((schedule) => schedule.name.startsWith("mailbox-sync-"))
        .map(({ name, cron, runs, lastError }) => ({ name, cron, runs, lastError })),
    ).toEqual([
      { name: "mailbox-sync-google", cron: "0 6 * * ? *", runs: 1, lastError: null },
      { name: "mailbox-sync-microsoft", cron: "0 7 * * ? *", runs: 1, lastError: null },
    ]);
  });

  // What the rollup made of the backfills, read over HTTP: every correspondent that no contact
  // carries is in the unresolved queue, until a contact carries it.
  type Unresolved = {
    email: string;
    users: string[];
    twoWayThreads: number;
    lastInteractionAt: string | null;
  };
  async function unresolved(): Promise<Unresolved[]> {
    const items: Unresolved[] = [];
    let cursor = "";
    do {
      const response = await fetch(
        `${baseUrl}/v1/orgs/${mail.org}/unresolved-correspondents?limit=200${cursor ? `&cursor=${cursor}` : ""}`,
        { headers: mail.headers },
      );
      expect(response.status).toBe(200);
      const page = (await response.json()) as { items: Unresolved[]; nextCursor: string | null };
      items.push(...page.items);
      cursor = page.nextCursor ?? "";
    } while (cursor);
    return items;
  }
  let unresolvedBeforeDisconnect = 0;

  it("the backfilled events reach the rollup through the table's stream: the unresolved queue ranks the member's correspondents, and a contact for the first one takes it out and publishes stats.changed", async () => {
    // act: nothing; the stream carries the syncers' writes to the rollup
    const ranked = await poll(
      async () => {
        const items = await unresolved();
        return items.length > 0 && items.some((item) => item.twoWayThreads > 0) ? items : undefined;
      },
      60_000,
      "correspondents in the unresolved queue",
    );

    // assess: best first, the member's own, no teammate or bulk sender
    for (const item of ranked) expect(item.users).toEqual([mail.user]);
    const twoWay = ranked.map((item) => item.twoWayThreads);
    expect(twoWay).toEqual([...twoWay].sort((a, b) => b - a));

    // act: an admin adds the top correspondent as a contact
    const top = ranked[0] as Unresolved;
    const collection = (await (
      await fetch(`${baseUrl}/v1/orgs/${mail.org}/collections`, {
        method: "POST",
        headers: mail.headers,
        body: JSON.stringify({ name: "Investors" }),
      })
    ).json()) as { id: string };
    const created = await fetch(`${baseUrl}/v1/orgs/${mail.org}/collections/${collection.id}/contacts`, {
      method: "POST",
      headers: mail.headers,
      body: JSON.stringify({ name: "Top correspondent", emails: [top.email.toUpperCase()] }),
    });
    expect(created.status).toBe(201);
    const contact = (await created.json()) as { id: string };

    // assess: resolved, and strength is told which member's stats with which contact moved
    expect((await unresolved()).map((item) => item.email)).not.toContain(top.email);
    const changed = await poll(
      async () => {
        const response = await fetch(`${baseUrl}/v1/journal?orgId=${mail.org}`, { headers: mail.headers });
        const page = (await response.json()) as {
          items: { type: string; data: { userId: string; contactIds: string[] } }[];
        };
        return page.items.find(
          (entry) => entry.type === "stats.changed" && entry.data.contactIds.includes(contact.id),
        );
      },
      30_000,
      "stats.changed for the new contact in the journal",
    );
    expect(changed.data.userId).toBe(mail.user);
    unresolvedBeforeDisconnect = ranked.length - 1;
  });

  it("strength and reachability follow for both providers: contacts for a Google-only and a Microsoft-only correspondent get the member's connection with reasons, and reachability", async () => {
    // prepare: the sandboxes' worlds are deterministic, so the test knows whom each mailbox writes to
    const size = demoMailboxSize({ KITH_DEMO_MAILBOX_MESSAGES: "150", KITH_DEMO_MAILBOX_MEETINGS: "20" });
    const people = (provider: "google" | "microsoft") =>
      demoMailWorld(provider, "maya.chen@acme.example", { size })
        .correspondents()
        .filter((person) => person.inbound + person.outbound + person.meetings > 0);
    const [google, microsoft] = [people("google"), people("microsoft")];
    const only = (mine: typeof google, theirs: typeof google) =>
      mine.find((person) => !theirs.some((other) => other.email === person.email)) as (typeof google)[number];
    const picks = { google: only(google, microsoft), microsoft: only(microsoft, google) };
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${baseUrl}/v1/orgs/${mail.org}${path}`, { ...init, headers: mail.headers });
    const team = (await (
      await api("/collections", { method: "POST", body: JSON.stringify({ name: "Team" }) })
    ).json()) as {
      id: string;
    };
    expect(
      (
        await api(`/collections/${team.id}/members`, {
          method: "POST",
          body: JSON.stringify({ userId: mail.user }),
        })
      ).status,
    ).toBe(201);

    // act: an admin imports both as contacts of the member's collection
    const imported = (await (
      await api(`/collections/${team.id}/contacts`, {
        method: "POST",
        body: JSON.stringify({
          items: [
            { name: "Google correspondent", emails: [picks.google.email] },
            { name: "Microsoft correspondent", emails: [picks.microsoft.email] },
          ],
        }),
      })
    ).json()) as { items: { id: string }[] };

    // assess: the queues carry contact.created → stats.changed → strength → reachability
    type Detail = {
      reachability: { tier: string; keyUserId: string | null };
      connections: { userId: string; tier: string; reasons: { code: string; detail: string }[] }[];
    };
    for (const contact of imported.items) {
      const detail = await poll(
        async () => {
          const body = (await (await api(`/collections/${team.id}/contacts/${contact.id}`)).json()) as Detail;
          return body.connections.length > 0 && body.reachability.tier !== "none" ? body : undefined;
        },
        60_000,
        "the member's connection with the contact",
      );
      expect(detail.connections[0]?.userId).toBe(mail.user);
      expect(detail.connections[0]?.reasons.length).toBeGreaterThan(0);
      expect(detail.reachability.keyUserId).toBe(mail.user);
    }
    const listed = (await (await api(`/collections/${team.id}/contacts?sort=reachability`)).json()) as {
      items: { reachability: { tier: string } }[];
    };
    expect(listed.items.every((item) => item.reachability.tier !== "none")).toBe(true);
    // Both emails left the unresolved queue: the disconnect below counts from here.
    unresolvedBeforeDisconnect = (await unresolved()).length;
  });

  it("a disconnect's wipe ends with mailbox.disconnected", async () => {
    // act
    const disconnected = await fetch(`${mail.url}/google`, { method: "DELETE", headers: mail.headers });

    // assess
    expect(disconnected.status).toBe(204);
    const types = await poll(
      async () => {
        // Every page: strength's events outnumber the mailbox's by now.
        const entries: { type: string }[] = [];
        let cursor = "";
        do {
          const response = await fetch(
            `${baseUrl}/v1/journal?orgId=${mail.org}&limit=200${cursor ? `&cursor=${cursor}` : ""}`,
            { headers: mail.headers },
          );
          const page = (await response.json()) as { items: { type: string }[]; nextCursor: string | null };
          entries.push(...page.items);
          cursor = page.nextCursor ?? "";
        } while (cursor);
        const seen = entries
          .map((entry) => entry.type)
          .filter((type) => type.startsWith("mailbox.") && type !== "mailbox.backfill_progress");
        return seen.includes("mailbox.disconnected") ? seen.sort() : undefined;
      },
      30_000,
      "the mailbox events in the journal",
    );
    expect(types).toEqual([
      "mailbox.connected",
      "mailbox.connected",
      "mailbox.disconnected",
      "mailbox.wipe_requested",
    ]);
    // The wipe's deletions reach the rollup like the inserts did: the Google mailbox's
    // correspondents are un-counted, so fewer remain in the queue.
    await poll(
      async () => ((await unresolved()).length < unresolvedBeforeDisconnect ? true : undefined),
      30_000,
      "the disconnected mailbox's correspondents to leave the unresolved queue",
    );
  });

  it("SIGTERM stops everything and leaves no process of the group behind", async () => {
    const groupId = child.pid as number;
    expect(processesInGroup(groupId).some((args) => args.includes("DynamoDBLocal.jar"))).toBe(true);

    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    const code = await exited;
    const leftovers = await poll(
      async () => {
        const remaining = processesInGroup(groupId);
        return remaining.length === 0 ? remaining : undefined;
      },
      20_000,
      "every process of the group to exit",
    ).catch(() => processesInGroup(groupId));

    expect(leftovers).toEqual([]);
    expect(code === 0 || code === null).toBe(true);
    await expect(fetch(`${baseUrl}/_local/health`)).rejects.toThrow();
  });
});
