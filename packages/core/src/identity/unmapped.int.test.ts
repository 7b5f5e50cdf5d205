import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { useFreshTable } from "../../../../test/support/integration";
import * as Orgs from "../orgs";
import { db } from "../storage";
import { resolveUnmapped } from "./admin";
import type { IdentityRef, UnmappedIdentity } from "./schemas";
import { keys } from "./store";
import * as Unmapped from "./unmapped";
import * as Users from "./users";

const DAY = 86_400_000;
const actor = "op:triage";

/** A tenant of its own for each test: unmapped entries need no org item, only a distinct key space. */
function freshOrgId(): string {
  return `org-${randomBytes(6).toString("hex")}`;
}

function github(id: number | string): IdentityRef {
  return { kind: "github", externalId: String(id) };
}

async function rawItem(orgId: string, ref: IdentityRef) {
  return (await db.get({ Key: keys.unmapped(orgId, ref.kind, ref.externalId), ConsistentRead: true })).Item;
}

async function listAll(
  orgId: string,
  input: { kind?: IdentityRef["kind"]; limit: number },
  now?: Date,
): Promise<{ items: UnmappedIdentity[]; pages: number }> {
  const items: UnmappedIdentity[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await Unmapped.list(orgId, { ...input, cursor }, now);
    items.push(...page.items);
    pages += 1;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { items, pages };
}

describe("unmapped identities", () => {
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ drop } = await useFreshTable());
  });
  afterAll(async () => drop());
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("20 concurrent sightings of one identity count to exactly 20, each seeing its own count", async () => {
    // prepare
    const orgId = freshOrgId();
    const ref = github(1);
    const now = new Date("2031-01-01T00:00:00.000Z");
    const later = new Date(now.getTime() + 60_000);

    // act
    const counts = await Promise.all(
      Array.from({ length: 20 }, () => Unmapped.recordSighting(orgId, ref, { eventType: "push" }, now)),
    );
    // One more entry, seen twice and more recently: it must still rank below the 20.
    await Unmapped.recordSighting(orgId, github(2), { eventType: "push" }, later);
    await Unmapped.recordSighting(orgId, github(2), { eventType: "push" }, later);

    // assess
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(await Unmapped.find(orgId, ref, later)).toMatchObject({ count: 20 });
    const page = await Unmapped.list(orgId, {}, later);
    expect(page.items.map((item) => [item.externalId, item.count])).toEqual([
      ["1", 20],
      ["2", 2],
    ]);
  });

  it("a later sighting keeps firstSeenAt, advances lastSeenAt and pushes expiry to 30 days after it", async () => {
    // prepare
    const orgId = freshOrgId();
    const ref = github(10);
    const first = new Date("2031-03-01T10:00:00.000Z");
    const second = new Date("2031-03-05T12:30:00.500Z");

    // act
    await Unmapped.recordSighting(
      orgId,
      ref,
      { eventType: "push", context: "first", candidates: ["u1"] },
      first,
    );
    const count = await Unmapped.recordSighting(
      orgId,
      ref,
      { eventType: "issue_comment", context: "second", candidates: ["u2", "u2"] },
      second,
    );

    // assess
    expect(count).toBe(2);
    expect(await Unmapped.find(orgId, ref, second)).toEqual({
      kind: "github",
      externalId: "10",
      count: 2,
      firstSeenAt: first.toISOString(),
      lastSeenAt: second.toISOString(),
      sampleEventType: "issue_comment",
      sampleContext: "second",
      candidates: expect.arrayContaining(["u2"]),
    });
    const candidates = (await Unmapped.find(orgId, ref, second))?.candidates ?? [];
    expect(new Set(candidates).size).toBe(candidates.length);
    expect((await rawItem(orgId, ref))?.expiresAt).toBe(Math.floor(second.getTime() / 1000) + 30 * 86_400);
  });

  it("the sample context is secret-scrubbed and at most 100 characters", async () => {
    // prepare
    const orgId = freshOrgId();
    const secret = `kith_${"S".repeat(43)}`;
    const context = `curl -H "Authorization: Bearer ghp_${"x".repeat(36)}" with ${secret} ${"padding ".repeat(40)}`;

    // act
    await Unmapped.recordSighting(orgId, github(20), { eventType: "push", context });
    await Unmapped.recordSighting(orgId, github(21), { eventType: "push", context: secret });

    // assess
    const long = await Unmapped.find(orgId, github(20));
    const short = await Unmapped.find(orgId, github(21));
    expect(long?.sampleContext.length).toBeLessThanOrEqual(100);
    expect(long?.sampleContext).not.toContain("ghp_");
    expect(long?.sampleContext).not.toContain("SSSSSSSS");
    expect(long?.sampleContext).toContain("[redacted]");
    expect(short?.sampleContext).toBe("[redacted]");
    expect(JSON.stringify(await rawItem(orgId, github(20)))).not.toContain("SSSSSSSS");
  });

  it("an expired entry is invisible to find and list, and a new sighting starts it over at 1", async () => {
    // prepare
    const orgId = freshOrgId();
    const ref = github(30);
    const old = new Date("2031-01-01T00:00:00.000Z");
    await Unmapped.recordSighting(orgId, ref, { eventType: "push" }, old);
    await Unmapped.recordSighting(orgId, ref, { eventType: "push" }, old);
    const justBefore = new Date(old.getTime() + 30 * DAY - 1_000);
    const atExpiry = new Date(old.getTime() + 30 * DAY);
    const later = new Date(old.getTime() + 31 * DAY);

    // act
    const visibleJustBefore = await Unmapped.find(orgId, ref, justBefore);
    const foundAtExpiry = await Unmapped.find(orgId, ref, atExpiry);
    const listedLater = await Unmapped.list(orgId, {}, later);
    const listedLaterByKind = await Unmapped.list(orgId, { kind: "github" }, later);
    const restarted = await Unmapped.recordSighting(orgId, ref, { eventType: "pull_request" }, later);

    // assess
    expect(visibleJustBefore).toMatchObject({ count: 2 });
    expect(foundAtExpiry).toBeUndefined();
    expect(listedLater.items).toEqual([]);
    expect(listedLaterByKind.items).toEqual([]);
    expect(restarted).toBe(1);
    expect(await Unmapped.find(orgId, ref, later)).toMatchObject({
      count: 1,
      firstSeenAt: later.toISOString(),
      lastSeenAt: later.toISOString(),
      sampleEventType: "pull_request",
    });
    expect((await Unmapped.list(orgId, {}, later)).items.map((item) => item.count)).toEqual([1]);
  });

  it("10 concurrent sightings of an expired entry start it over once and count to 10", async () => {
    // prepare
    const orgId = freshOrgId();
    const ref = github(31);
    const old = new Date("2031-01-01T00:00:00.000Z");
    for (let index = 0; index < 5; index++)
      await Unmapped.recordSighting(orgId, ref, { eventType: "x" }, old);
    const later = new Date(old.getTime() + 45 * DAY);

    // act
    const counts = await Promise.all(
      Array.from({ length: 10 }, () => Unmapped.recordSighting(orgId, ref, { eventType: "y" }, later)),
    );

    // assess
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, index) => index + 1));
    expect(await Unmapped.find(orgId, ref, later)).toMatchObject({
      count: 10,
      firstSeenAt: later.toISOString(),
    });
  });

  it("list sorts by count descending, then most recent sighting first", async () => {
    // prepare
    const orgId = freshOrgId();
    const t = (minutes: number) => new Date(Date.UTC(2031, 5, 1, 0, minutes));
    const sight = (id: number, at: Date) =>
      Unmapped.recordSighting(orgId, github(id), { eventType: "e" }, at);
    await sight(40, t(1));
    await sight(40, t(2));
    await sight(40, t(3)); // count 3, last seen 3
    await sight(41, t(10)); // count 1, last seen 10
    await sight(42, t(5)); // count 1, last seen 5
    await sight(43, t(4));
    await sight(43, t(6)); // count 2, last seen 6
    await sight(44, t(0));
    await sight(44, t(1)); // count 2, last seen 1

    // act
    const page = await Unmapped.list(orgId, {}, t(20));

    // assess
    expect(page.items.map((item) => [item.externalId, item.count])).toEqual([
      ["40", 3],
      ["43", 2],
      ["44", 2],
      ["41", 1],
      ["42", 1],
    ]);
    expect(page.nextCursor).toBeNull();
  });

  it("the kind filter is served by the per-kind index and returns only that kind", async () => {
    // prepare
    const orgId = freshOrgId();
    await Unmapped.recordSighting(orgId, github(50), { eventType: "push" });
    await Unmapped.recordSighting(
      orgId,
      { kind: "slack", externalId: "TUNM01:UONE0001" },
      { eventType: "message" },
    );
    await Unmapped.recordSighting(
      orgId,
      { kind: "slack", externalId: "TUNM01:UONE0001" },
      { eventType: "message" },
    );
    await Unmapped.recordSighting(
      orgId,
      { kind: "slack", externalId: "TUNM01:UTWO0002" },
      { eventType: "message" },
    );
    const query = vi.spyOn(db, "query");

    // act
    const slack = await Unmapped.list(orgId, { kind: "slack" });
    const linear = await Unmapped.list(orgId, { kind: "linear" });

    // assess
    expect(slack.items.map((item) => [item.kind, item.externalId, item.count])).toEqual([
      ["slack", "TUNM01:UONE0001", 2],
      ["slack", "TUNM01:UTWO0002", 1],
    ]);
    expect(linear.items).toEqual([]);
    expect(query).toHaveBeenCalled();
    for (const [input] of query.mock.calls) {
      expect(input.IndexName).toBe("gsi2");
      expect(input.FilterExpression).toContain("expiresAt");
    }
  });

  it("paging 2 at a time covers every live entry once, in order, skipping expired ones", async () => {
    // prepare
    const orgId = freshOrgId();
    const now = new Date("2031-09-01T00:00:00.000Z");
    const old = new Date(now.getTime() - 40 * DAY);
    // Expired entries with high counts rank first in the index and must be skipped, not returned.
    for (const id of [60, 61, 62]) {
      for (let index = 0; index < 4; index++)
        await Unmapped.recordSighting(orgId, github(id), { eventType: "e" }, old);
    }
    for (let id = 70; id < 77; id++) {
      for (let index = 0; index <= id % 3; index++) {
        await Unmapped.recordSighting(
          orgId,
          github(id),
          { eventType: "e" },
          new Date(now.getTime() - id * 1_000),
        );
      }
    }
    const whole = await Unmapped.list(orgId, { limit: 200 }, now);

    // act
    const paged = await listAll(orgId, { limit: 2 }, now);
    const pagedByKind = await listAll(orgId, { kind: "github", limit: 2 }, now);

    // assess
    expect(whole.items.map((item) => item.externalId).sort()).toEqual([
      "70",
      "71",
      "72",
      "73",
      "74",
      "75",
      "76",
    ]);
    expect(paged.items).toEqual(whole.items);
    expect(pagedByKind.items).toEqual(whole.items);
    expect(paged.pages).toBeGreaterThanOrEqual(4);
    for (let index = 1; index < paged.items.length; index++) {
      const previous = paged.items[index - 1] as UnmappedIdentity;
      const current = paged.items[index] as UnmappedIdentity;
      expect(
        previous.count > current.count ||
          (previous.count === current.count && previous.lastSeenAt >= current.lastSeenAt),
      ).toBe(true);
    }
  });

  describe("linking removes the entry", () => {
    let orgId: string;

    beforeAll(async () => {
      ({
        org: { id: orgId },
      } = await Orgs.create({ name: "Unmapped Co" }));
    });

    it("linking the identity to a user removes its entry in the same transaction", async () => {
      // prepare
      const ref = github(80);
      await Unmapped.recordSighting(orgId, ref, { eventType: "push" });
      const user = await Users.create(orgId, { name: "Linker" }, { actor });

      // act
      await Users.linkIdentity(orgId, user.id, ref, { actor, via: "manual" });

      // assess
      expect(await Unmapped.find(orgId, ref)).toBeUndefined();
      expect(await rawItem(orgId, ref)).toBeUndefined();
      expect((await Unmapped.list(orgId, {})).items.map((item) => item.externalId)).not.toContain("80");
    });

    it("creating a user with the identity removes its entry", async () => {
      // prepare
      const ref = { kind: "slack" as const, externalId: "TUNM02:UCREATE01" };
      await Unmapped.recordSighting(orgId, ref, { eventType: "message" });

      // act
      await Users.create(orgId, { name: "Created", identities: [ref] }, { actor });

      // assess
      expect(await rawItem(orgId, ref)).toBeUndefined();
    });

    it("resolving an entry to an existing user or to a new one links the identity and removes the entry", async () => {
      // prepare
      const existing = await Users.create(orgId, { name: "Existing" }, { actor });
      await Unmapped.recordSighting(orgId, github(81), { eventType: "push" });
      await Unmapped.recordSighting(orgId, github(82), { eventType: "push" });

      // act
      const toExisting = await resolveUnmapped(orgId, github("0081"), { userId: existing.id }, { actor });
      const toNew = await resolveUnmapped(
        orgId,
        github(82),
        { name: "Newbie", email: "newbie@unm.test" },
        { actor },
      );
      const again = await resolveUnmapped(orgId, github(82), { userId: existing.id }, { actor }).catch(
        (error: unknown) => error,
      );

      // assess
      expect(toExisting).toMatchObject({ created: false, user: { id: existing.id } });
      expect(toNew).toMatchObject({ created: true, user: { name: "Newbie", email: "newbie@unm.test" } });
      expect(await rawItem(orgId, github(81))).toBeUndefined();
      expect(await rawItem(orgId, github(82))).toBeUndefined();
      expect(again).toMatchObject({ code: "unmapped_not_found", status: 404 });
    });
  });
});
