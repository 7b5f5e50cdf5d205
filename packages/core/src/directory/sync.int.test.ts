import "../../../../test/routes/quiet-logs";
import { randomUUID } from "node:crypto";
import type { RawEvent, WorkOSSandbox } from "@kith/sandbox";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  createFifoQueue,
  drainQueue,
  scanTable,
  testSqsClient,
  uniqueName,
} from "../../../../test/support/integration";
import { useDirectorySandbox } from "../../../../test/support/workos";
import * as Orgs from "../orgs";
import { db } from "../storage";
import { logger } from "../util/logger";
import {
  applyEvent,
  cursor,
  type DirectoryClient,
  isNewer,
  knownDirectoryOrganizations,
  type OrganizationEvent,
  type OrganizationEventType,
  orgIdForDirectory,
  reconcileAll,
  syncOrganization,
  USERS_GROUP,
} from "./index";

const DAY = 86_400_000;

type Item = Record<string, unknown>;

/** The org item as stored (with the sync's own attributes: lastEventId, directoryUpdatedAt). */
async function stored(orgId: string): Promise<Item | undefined> {
  return (await db.get({ Key: Orgs.keys.org(orgId), ConsistentRead: true })).Item;
}

/** The events the sandbox holds for one directory organization, in id order. */
function eventsOf(sandbox: WorkOSSandbox, directoryOrgId: string): RawEvent[] {
  return sandbox.events().filter((event) => event.data.id === directoryOrgId);
}

/** A hand-made directory event, for delivering events out of order straight to applyEvent. */
function directoryEvent(
  sandbox: WorkOSSandbox,
  type: OrganizationEventType,
  directoryOrgId: string,
  at: number,
  name: string,
  externalId: string | null = null,
): OrganizationEvent {
  const iso = new Date(at).toISOString();
  return {
    id: sandbox.eventIdAt(at),
    event: type,
    createdAt: iso,
    data: { id: directoryOrgId, name, externalId, updatedAt: iso },
  };
}

describe("directory sync against the WorkOS sandbox", () => {
  const directory = useDirectorySandbox();
  let sandbox: WorkOSSandbox;
  let client: DirectoryClient;
  beforeEach(() => {
    ({ sandbox, client } = directory);
  });

  it("a new directory organization creates an org under the UUIDv5 id and pushes that id back as external_id", async () => {
    // prepare
    const directory = sandbox.createOrganization({ name: uniqueName("Northwind") });
    const orgId = orgIdForDirectory(directory.id);

    // act
    const summary = await syncOrganization(directory.id, client);

    // assess
    expect(summary).toMatchObject({
      directoryOrgId: directory.id,
      applied: 1,
      skipped: 0,
      fullReconcile: false,
    });
    expect(await Orgs.get(orgId)).toMatchObject({
      id: orgId,
      name: directory.name,
      slug: Orgs.slugify(directory.name),
      status: "active",
      directoryId: directory.id,
    });
    expect(sandbox.organization(directory.id)?.external_id).toBe(orgId);
    const puts = sandbox.requests().filter((request) => request.method === "PUT");
    expect(puts).toEqual([
      expect.objectContaining({
        path: `/organizations/${directory.id}`,
        body: expect.objectContaining({ external_id: orgId }),
      }),
    ]);
  });

  it("the organization.updated caused by our own push is applied on the next sync and pushes nothing more", async () => {
    // prepare
    const directory = sandbox.createOrganization({ name: uniqueName("Echo") });
    const orgId = orgIdForDirectory(directory.id);
    await syncOrganization(directory.id, client);
    sandbox.clearRequests();

    // act
    const summary = await syncOrganization(directory.id, client);

    // assess
    expect(summary).toMatchObject({ applied: 1, skipped: 0 });
    expect(sandbox.requests().filter((request) => request.method === "PUT")).toEqual([]);
    const last = eventsOf(sandbox, directory.id).at(-1) as RawEvent;
    expect(last.event).toBe("organization.updated");
    expect(summary.lastEventId).toBe(last.id);
    expect((await cursor(directory.id))?.lastEventId).toBe(last.id);
    expect((await stored(orgId))?.lastEventId).toBe(last.id);
  });

  it("an external_id naming an existing org links that org: directoryId set, name from the directory, slug unchanged, no new org", async () => {
    // prepare
    const { org: local } = await Orgs.create({ name: uniqueName("Local Original") });
    const directory = sandbox.createOrganization({
      name: uniqueName("Directory Name"),
      externalId: local.id,
    });

    // act
    const summary = await syncOrganization(directory.id, client);

    // assess
    expect(summary).toMatchObject({ applied: 1, skipped: 0 });
    expect(await Orgs.get(local.id)).toMatchObject({
      id: local.id,
      name: directory.name,
      slug: local.slug,
      status: "active",
      directoryId: directory.id,
    });
    expect(await Orgs.find(orgIdForDirectory(directory.id))).toBeUndefined();
    // The directory already holds our id: nothing to push.
    expect(sandbox.requests().filter((request) => request.method === "PUT")).toEqual([]);
  });

  it("five concurrent syncs of one new directory organization all succeed and make exactly one org and one slug claim", async () => {
    // prepare
    const directory = sandbox.createOrganization({ name: uniqueName("Concurrent") });
    const orgId = orgIdForDirectory(directory.id);

    // Every sync holds its first page until all five have one, so all five apply the create together.
    const arrived: Array<() => void> = [];
    const racing: DirectoryClient = {
      ...client,
      async listEvents(input) {
        const page = await client.listEvents(input);
        if (input.after === undefined) {
          await new Promise<void>((resolve) => {
            arrived.push(resolve);
            if (arrived.length === 5) for (const release of arrived) release();
          });
        }
        return page;
      },
    };

    // act
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => syncOrganization(directory.id, racing)),
    );

    // assess
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    const items = await scanTable();
    const orgItems = items.filter((item) => item.entity === "org" && item.directoryId === directory.id);
    expect(orgItems.map((item) => item.id)).toEqual([orgId]);
    const slugClaims = items.filter((item) => item.entity === "slugClaim" && item.orgId === orgId);
    expect(slugClaims).toHaveLength(1);
    expect(slugClaims[0]?.slug).toBe(orgItems[0]?.slug);
  });

  it("the same create event applied five times concurrently creates the org once; the rest skip", async () => {
    // prepare
    const directoryOrgId = uniqueName("org_parallel");
    const event = directoryEvent(
      sandbox,
      "organization.created",
      directoryOrgId,
      Date.now(),
      uniqueName("Parallel"),
    );

    // act
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => applyEvent(event)));

    // assess
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    const outcomes = results.map((result) =>
      result.status === "fulfilled" ? result.value.outcome : "rejected",
    );
    expect(outcomes.filter((outcome) => outcome === "created")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "skipped")).toHaveLength(4);
    const items = await scanTable();
    expect(items.filter((item) => item.entity === "org" && item.directoryId === directoryOrgId)).toHaveLength(
      1,
    );
    expect(
      items.filter((item) => item.entity === "slugClaim" && item.orgId === orgIdForDirectory(directoryOrgId)),
    ).toHaveLength(1);
  });

  it("a slug already taken gets a 4-hex suffix", async () => {
    // prepare
    const name = uniqueName("Acme");
    const { org: holder } = await Orgs.create({ name });
    const directory = sandbox.createOrganization({ name });

    // act
    await syncOrganization(directory.id, client);

    // assess
    expect(holder.slug).toBe(Orgs.slugify(name));
    const org = await Orgs.get(orgIdForDirectory(directory.id));
    expect(org.slug).toMatch(new RegExp(`^${Orgs.slugify(name)}-[0-9a-f]{4}$`));
    expect(org.name).toBe(name);
  });

  it("a name without slug characters takes the slugified directory id", async () => {
    // prepare
    const directory = sandbox.createOrganization({ name: "日本語の会社" });

    // act
    await syncOrganization(directory.id, client);

    // assess
    expect((await Orgs.get(orgIdForDirectory(directory.id))).slug).toBe(Orgs.slugify(directory.id));
  });

  it("a rename to a name whose slug another org holds renames the org and keeps its slug, without error", async () => {
    // prepare
    const beta = uniqueName("Beta");
    const gamma = uniqueName("Gamma");
    const { org: gammaHolder } = await Orgs.create({ name: gamma });
    const directory = sandbox.createOrganization({ name: beta });
    await syncOrganization(directory.id, client);
    sandbox.updateOrganization(directory.id, { name: gamma });

    // act
    const summary = await syncOrganization(directory.id, client);

    // assess
    expect(summary.applied).toBeGreaterThanOrEqual(1);
    const org = await Orgs.get(orgIdForDirectory(directory.id));
    expect(org).toMatchObject({ name: gamma, slug: Orgs.slugify(beta) });
    expect((await Orgs.get(gammaHolder.id)).slug).toBe(Orgs.slugify(gamma));
  });

  it("stale create, update and delete events are skipped and never move the cursor back", async () => {
    // prepare: the directory's history is create (t1), rename (t3); the rename is delivered first
    const directoryOrgId = uniqueName("org_stale");
    const t = Date.now();
    const create = directoryEvent(sandbox, "organization.created", directoryOrgId, t + 1_000, "Old Name");
    const rename = directoryEvent(sandbox, "organization.updated", directoryOrgId, t + 3_000, "New Name");
    const staleUpdate = directoryEvent(
      sandbox,
      "organization.updated",
      directoryOrgId,
      t + 2_000,
      "Stale Name",
    );
    const staleDelete = directoryEvent(
      sandbox,
      "organization.deleted",
      directoryOrgId,
      t + 2_500,
      "Stale Name",
    );
    const orgId = orgIdForDirectory(directoryOrgId);

    // act
    const first = await applyEvent(rename);
    const outcomes = [
      (await applyEvent(create)).outcome,
      (await applyEvent(staleUpdate)).outcome,
      (await applyEvent(staleDelete)).outcome,
      (await applyEvent(rename)).outcome,
    ];

    // assess
    expect(first.outcome).toBe("created");
    expect(outcomes).toEqual(["skipped", "skipped", "skipped", "skipped"]);
    expect(await Orgs.get(orgId)).toMatchObject({
      name: "New Name",
      status: "active",
      directoryId: directoryOrgId,
    });
    expect((await stored(orgId))?.lastEventId).toBe(rename.id);
    expect((await cursor(directoryOrgId))?.lastEventId).toBe(rename.id);
  });

  it("with no event id stored, the guard compares the directory's updated_at", () => {
    // prepare
    const event = {
      id: "event_01",
      data: { id: "org_x", name: "X", externalId: null, updatedAt: "2026-01-02T00:00:00.000Z" },
    };

    // act / assess
    expect(isNewer(event, { directoryUpdatedAt: "2026-01-03T00:00:00.000Z" })).toBe(false);
    expect(isNewer(event, { directoryUpdatedAt: "2026-01-02T00:00:00.000Z" })).toBe(true);
    expect(isNewer(event, { directoryUpdatedAt: "2026-01-01T00:00:00.000Z" })).toBe(true);
    expect(isNewer(event, {})).toBe(true);
    expect(isNewer(event, { lastEventId: "event_01" })).toBe(false);
    expect(isNewer(event, { lastEventId: "event_00" })).toBe(true);
  });

  it("once linked, later events follow the directory-id claim even when the directory changes external_id, and our id is pushed back", async () => {
    // prepare
    const { org: local } = await Orgs.create({ name: uniqueName("Relinked") });
    const directory = sandbox.createOrganization({
      name: uniqueName("Directory Side"),
      externalId: local.id,
    });
    await syncOrganization(directory.id, client);
    const strayId = randomUUID();
    const renamed = uniqueName("Renamed");
    sandbox.updateOrganization(directory.id, { name: renamed, externalId: strayId });
    sandbox.clearRequests();

    // act
    await syncOrganization(directory.id, client);

    // assess
    expect(await Orgs.get(local.id)).toMatchObject({
      name: renamed,
      directoryId: directory.id,
      slug: local.slug,
    });
    expect(await Orgs.find(strayId)).toBeUndefined();
    expect(await Orgs.find(orgIdForDirectory(directory.id))).toBeUndefined();
    expect(sandbox.organization(directory.id)?.external_id).toBe(local.id);
  });

  it("an external_id naming a missing org creates the org with that id and pushes nothing", async () => {
    // prepare
    const externalId = randomUUID();
    const directory = sandbox.createOrganization({ name: uniqueName("Preassigned"), externalId });

    // act
    await syncOrganization(directory.id, client);

    // assess
    expect(await Orgs.get(externalId)).toMatchObject({
      id: externalId,
      name: directory.name,
      status: "active",
      directoryId: directory.id,
    });
    expect(await Orgs.find(orgIdForDirectory(directory.id))).toBeUndefined();
    expect(sandbox.requests().filter((request) => request.method === "PUT")).toEqual([]);
  });

  it("a delete disables the org without removing it, and a later update does not re-enable it", async () => {
    // prepare
    const directory = sandbox.createOrganization({ name: uniqueName("Doomed") });
    const orgId = orgIdForDirectory(directory.id);
    await syncOrganization(directory.id, client);
    sandbox.deleteOrganization(directory.id);

    // act
    await syncOrganization(directory.id, client);
    const afterDelete = await Orgs.find(orgId);
    const deleted = eventsOf(sandbox, directory.id).at(-1) as RawEvent;
    sandbox.appendEvent({
      event: "organization.updated",
      data: { ...deleted.data, name: "Revived", updated_at: new Date(Date.now() + 60_000).toISOString() },
    });
    const summary = await syncOrganization(directory.id, client);

    // assess
    expect(deleted.event).toBe("organization.deleted");
    expect(afterDelete).toMatchObject({ id: orgId, status: "disabled", name: directory.name });
    expect(summary.applied).toBe(1);
    expect(await Orgs.get(orgId)).toMatchObject({ status: "disabled" });
  });

  it("a delete of an unknown organization leaves a disabled tombstone that an older create cannot resurrect", async () => {
    // prepare
    const directoryOrgId = uniqueName("org_tombstone");
    const t = Date.now();
    const create = directoryEvent(sandbox, "organization.created", directoryOrgId, t, "Ghost");
    const remove = directoryEvent(sandbox, "organization.deleted", directoryOrgId, t + 1_000, "Ghost");

    // act
    const deleted = await applyEvent(remove);
    const created = await applyEvent(create);

    // assess
    expect(deleted.outcome).toBe("created");
    expect(created.outcome).toBe("skipped");
    expect(await Orgs.get(orgIdForDirectory(directoryOrgId))).toMatchObject({
      status: "disabled",
      directoryId: directoryOrgId,
    });
  });

  it("the cursor advances and the next sync asks only for events after it", async () => {
    // prepare
    const directory = sandbox.createOrganization({ name: uniqueName("Cursor") });
    const first = await syncOrganization(directory.id, client);
    sandbox.updateOrganization(directory.id, { name: uniqueName("Cursor Second") });
    const latest = sandbox.updateOrganization(directory.id, { name: uniqueName("Cursor Third") });
    sandbox.clearRequests();

    // act
    const second = await syncOrganization(directory.id, client);

    // assess
    const created = eventsOf(sandbox, directory.id)[0] as RawEvent;
    expect(first.lastEventId).toBe(created.id);
    const listings = sandbox.requests().filter((request) => request.path === "/events");
    expect(listings[0]?.query).toMatchObject({ organization_id: directory.id, after: created.id });
    // Our push's echo and the two renames.
    expect(second).toMatchObject({ applied: 3, skipped: 0 });
    const last = eventsOf(sandbox, directory.id).at(-1) as RawEvent;
    expect(second.lastEventId).toBe(last.id);
    expect((await cursor(directory.id))?.lastEventId).toBe(last.id);
    expect((await Orgs.get(orgIdForDirectory(directory.id))).name).toBe(latest.name);
  });

  it("a failed external_id push is logged, the sync still succeeds, and the next event pushes again", async () => {
    // prepare
    const warn = vi.spyOn(logger, "warn");
    const directory = sandbox.createOrganization({ name: uniqueName("Flaky") });
    const orgId = orgIdForDirectory(directory.id);
    sandbox.failNext(/^PUT \/organizations\//, 500);

    // act
    const summary = await syncOrganization(directory.id, client);
    const externalIdAfterFailure = sandbox.organization(directory.id)?.external_id;
    sandbox.updateOrganization(directory.id, { name: uniqueName("Flaky Renamed") });
    await syncOrganization(directory.id, client);

    // assess
    expect(summary.applied).toBe(1);
    expect(await Orgs.find(orgId)).toBeDefined();
    expect(externalIdAfterFailure).toBeNull();
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/push/),
      expect.objectContaining({ directoryOrgId: directory.id, orgId }),
    );
    expect(sandbox.organization(directory.id)?.external_id).toBe(orgId);
  });

  it("a cursor older than the retention gets a full reconcile that applies a change whose event has expired", async () => {
    // prepare
    const t0 = Date.now();
    sandbox.setNow(t0);
    const directory = sandbox.createOrganization({ name: uniqueName("Dormant") });
    await syncOrganization(directory.id, client, new Date(t0));
    await syncOrganization(directory.id, client, new Date(t0));
    sandbox.setNow(t0 + DAY);
    const renamed = uniqueName("Renamed While Away");
    sandbox.updateOrganization(directory.id, { name: renamed });
    sandbox.setNow(t0 + 32 * DAY);
    sandbox.clearRequests();

    // act
    const summary = await syncOrganization(directory.id, client, new Date(t0 + 32 * DAY));

    // assess
    expect(summary.fullReconcile).toBe(true);
    expect((await Orgs.get(orgIdForDirectory(directory.id))).name).toBe(renamed);
    const requests = sandbox.requests();
    expect(requests).toContainEqual(
      expect.objectContaining({ method: "GET", path: `/organizations/${directory.id}` }),
    );
    expect(requests.find((request) => request.path === "/events")?.query.after).toBeUndefined();
  });

  it("a cursor naming an event near the end of retention is not sent back once expired, even if it was stored recently", async () => {
    // prepare: the create happened 29.5 days before our first sync, so the cursor names an old event
    const t = Date.now();
    sandbox.setNow(t - 29.5 * DAY);
    const directory = sandbox.createOrganization({ name: uniqueName("Late"), externalId: randomUUID() });
    sandbox.setNow(t);
    await syncOrganization(directory.id, client, new Date(t));
    sandbox.setNow(t + DAY);
    const renamed = uniqueName("Late Renamed");
    sandbox.updateOrganization(directory.id, { name: renamed });

    // act
    const result = await syncOrganization(directory.id, client, new Date(t + DAY)).then(
      (summary) => ({ summary }),
      (error: unknown) => ({ error: String(error) }),
    );

    // assess
    expect(result).toMatchObject({ summary: { applied: 1 } });
    expect((await Orgs.get(directory.external_id as string)).name).toBe(renamed);
  });

  it("reconcileAll nudges every directory organization once (those with a cursor and those the directory lists) and the user stream", async () => {
    // prepare
    const sqs = testSqsClient();
    const queueUrl = await createFifoQueue(sqs, "directory-events");
    process.env.KITH_QUEUE_URL_DIRECTORY_EVENTS = queueUrl;
    const synced = sandbox.createOrganization({ name: uniqueName("Synced") });
    await syncOrganization(synced.id, client);
    // More than one page of the directory's organizations (the client pages by 100).
    const listed = Array.from(
      { length: 105 },
      (_, n) => sandbox.createOrganization({ name: `Listed ${n}` }).id,
    );
    const cursorOnly = uniqueName("org_cursor_only");
    await applyEvent(directoryEvent(sandbox, "organization.created", cursorOnly, Date.now(), "Cursor Only"));
    const now = new Date();
    const expected = new Set([...(await knownDirectoryOrganizations()), synced.id, ...listed]);

    // act
    const count = await reconcileAll(client, now);

    // assess
    const messages = await drainQueue(sqs, queueUrl, 2);
    sqs.destroy();
    expect(expected.has(cursorOnly)).toBe(true);
    expect(count).toBe(expected.size + 1);
    const groups = messages.map((message) => message.Attributes?.MessageGroupId);
    expect([...groups].sort()).toEqual([...expected, USERS_GROUP].sort());
    const day = now.toISOString().slice(0, 10);
    const users = messages.find((message) => message.Attributes?.MessageGroupId === USERS_GROUP);
    expect(JSON.parse(users?.Body as string)).toEqual({ stream: "users", reason: "daily reconcile" });
    expect(users?.Attributes?.MessageDeduplicationId).toBe(`reconcile-users-${day}`);
    for (const message of messages) {
      const group = message.Attributes?.MessageGroupId as string;
      if (group === USERS_GROUP) continue;
      expect(JSON.parse(message.Body as string)).toEqual({
        directoryOrgId: group,
        reason: "daily reconcile",
      });
      expect(message.Attributes?.MessageDeduplicationId).toBe(`reconcile-${group}-${day}`);
    }
  });
});
