import fc from "fast-check";
import { monotonicFactory } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFreshTable } from "../../../../test/support/integration";
import * as Identity from "../identity";
import * as Orgs from "../orgs";
import { db } from "../storage";
import {
  applyEvent,
  applyMembershipEvent,
  type DirectoryClient,
  type MembershipEvent,
  type MembershipStatus,
  member,
  type OrganizationEvent,
  orgIdForDirectory,
} from "./index";

const nextEventId = monotonicFactory();
const NOW = new Date("2026-11-20T12:00:00.000Z");

/** A directory history: per organization a create, then updates (renames) and maybe a delete, in time order. */
function history(seed: number, organizations: number, total: number): OrganizationEvent[] {
  const random = fc.sample(fc.integer({ min: 0, max: 1_000_000 }), { seed, numRuns: total * 3 });
  let cursor = 0;
  const pick = (bound: number) => (random[cursor++ % random.length] as number) % bound;
  const events: OrganizationEvent[] = [];
  const alive = new Map<string, string>();
  const deleted = new Set<string>();
  const base = Date.parse("2026-11-01T00:00:00.000Z");
  for (let index = 0; index < total; index++) {
    const at = new Date(base + index * 60_000);
    // The directory sends nothing for an organization after deleting it.
    const open = Array.from({ length: organizations }, (_, n) => `org_${seed}_${n}`).filter(
      (id) => !deleted.has(id),
    );
    if (open.length === 0) break;
    const directoryOrgId = open[pick(open.length)] as string;
    const known = alive.has(directoryOrgId);
    const type = !known
      ? "organization.created"
      : pick(12) === 0
        ? "organization.deleted"
        : "organization.updated";
    const name = `Company ${pick(5)}`;
    if (type === "organization.created") alive.set(directoryOrgId, name);
    if (type === "organization.deleted") deleted.add(directoryOrgId);
    events.push({
      id: `event_${nextEventId(at.getTime())}`,
      event: type,
      createdAt: at.toISOString(),
      data: { id: directoryOrgId, name, externalId: null, updatedAt: at.toISOString() },
    });
  }
  return events;
}

async function stateOf(directoryOrgIds: Iterable<string>) {
  const state: Record<string, unknown> = {};
  for (const directoryOrgId of directoryOrgIds) {
    const org = (
      await db.get({ Key: Orgs.keys.org(orgIdForDirectory(directoryOrgId)), ConsistentRead: true })
    ).Item;
    // The slug is chosen once, from whichever event creates the org, so it is compared separately.
    state[directoryOrgId] = org && {
      id: org.id,
      name: org.name,
      status: org.status,
      directoryId: org.directoryId,
      lastEventId: org.lastEventId,
    };
  }
  return state;
}

describe("directory events: order and duplicates", () => {
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ drop } = await useFreshTable());
  });
  afterAll(async () => drop());

  it("the same 200 events, delivered shuffled and with duplicates, give the state in-order application gives", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (seed, shuffleSeed) => {
          // prepare: two disjoint copies of one history, so both runs share a table without touching each other
          const events = history(seed, 6, 200);
          const renamed = (suffix: string) =>
            events.map((event) => ({ ...event, data: { ...event.data, id: `${event.data.id}_${suffix}` } }));
          const ordered = renamed("ordered");
          const shuffledSource = renamed("shuffled");
          const duplicates = fc.sample(fc.integer({ min: 0, max: shuffledSource.length - 1 }), {
            seed: shuffleSeed,
            numRuns: 60,
          });
          const delivered = fc.sample(
            fc.shuffledSubarray(
              [...shuffledSource, ...duplicates.map((i) => shuffledSource[i] as OrganizationEvent)],
              {
                minLength: shuffledSource.length + duplicates.length,
              },
            ),
            { seed: shuffleSeed, numRuns: 1 },
          )[0] as OrganizationEvent[];

          // act
          for (const event of ordered) await applyEvent(event, NOW);
          for (const event of delivered) await applyEvent(event, NOW);

          // assess
          const orderedIds = [...new Set(ordered.map((event) => event.data.id))];
          const expected = await stateOf(orderedIds);
          const actual = await stateOf(orderedIds.map((id) => id.replace(/_ordered$/, "_shuffled")));
          const normalize = (state: Record<string, unknown>, suffix: string) =>
            JSON.parse(
              JSON.stringify(state)
                .replaceAll(`_${suffix}`, "")
                .replace(/"id":"[0-9a-f-]{36}"/g, '"id":"<uuid>"'),
            );
          expect(normalize(actual, "shuffled")).toEqual(normalize(expected, "ordered"));
          for (const id of orderedIds) {
            const org = (await db.get({ Key: Orgs.keys.org(orgIdForDirectory(id)) })).Item;
            expect(org?.id).toBe(orgIdForDirectory(id));
          }
        },
      ),
      // Two histories of 460 deliveries each: ~4 s alone, several times that under the full run.
      { numRuns: 2 },
    );
  });

  it("membership events delivered shuffled and with duplicates leave each member where in-order application does", async () => {
    // A directory that only knows users, each verified at <id>@example.com; memberships come from the events.
    const directory = {
      async getUser(id: string) {
        return {
          id,
          email: `${id}@example.com`,
          emailVerified: true,
          name: id,
          updatedAt: NOW.toISOString(),
        };
      },
    } as DirectoryClient;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (seed, shuffleSeed) => {
          // prepare: one history of 4 members, applied to two organizations, one in order, one shuffled
          const events = membershipHistory(seed, 4, 40);
          const copies = await Promise.all(
            ["ordered", "shuffled"].map(async (suffix) => {
              const directoryOrgId = `org_m${seed}_${shuffleSeed}_${suffix}`;
              await applyEvent(
                {
                  id: `event_${nextEventId(Date.parse("2026-10-31T00:00:00.000Z"))}`,
                  event: "organization.created",
                  createdAt: NOW.toISOString(),
                  data: {
                    id: directoryOrgId,
                    name: "Members",
                    externalId: null,
                    updatedAt: NOW.toISOString(),
                  },
                },
                NOW,
              );
              return {
                orgId: orgIdForDirectory(directoryOrgId),
                events: events.map((event) => ({
                  ...event,
                  data: { ...event.data, organizationId: directoryOrgId },
                })),
              };
            }),
          );
          const [ordered, shuffled] = copies as [(typeof copies)[0], (typeof copies)[0]];
          const duplicates = fc.sample(fc.integer({ min: 0, max: events.length - 1 }), {
            seed: shuffleSeed,
            numRuns: 12,
          });
          const delivered = fc.sample(
            fc.shuffledSubarray(
              [...shuffled.events, ...duplicates.map((i) => shuffled.events[i] as MembershipEvent)],
              { minLength: events.length + duplicates.length },
            ),
            { seed: shuffleSeed, numRuns: 1 },
          )[0] as MembershipEvent[];

          // act
          for (const event of ordered.events) await applyMembershipEvent(event, directory);
          for (const event of delivered) await applyMembershipEvent(event, directory);

          // assess
          const users = [...new Set(events.map((event) => event.data.userId))];
          expect(await membersState(shuffled.orgId, users)).toEqual(await membersState(ordered.orgId, users));
        },
      ),
      { numRuns: 3 },
    );
  });
});

/**
 * A membership history: per directory user a create (pending or active), then status changes
 * (active or inactive; pending only ever comes first) and maybe a delete, in time order.
 */
function membershipHistory(seed: number, members: number, total: number): MembershipEvent[] {
  const random = fc.sample(fc.integer({ min: 0, max: 1_000_000 }), { seed, numRuns: total * 3 });
  let cursor = 0;
  const pick = (bound: number) => (random[cursor++ % random.length] as number) % bound;
  const created = new Set<string>();
  const deleted = new Set<string>();
  const events: MembershipEvent[] = [];
  const base = Date.parse("2026-11-01T00:00:00.000Z");
  for (let index = 0; index < total; index++) {
    const at = new Date(base + index * 60_000).toISOString();
    const open = Array.from({ length: members }, (_, n) => `user_${seed}_${n}`).filter(
      (id) => !deleted.has(id),
    );
    if (open.length === 0) break;
    const userId = open[pick(open.length)] as string;
    let type: MembershipEvent["event"] = "organization_membership.updated";
    let status: MembershipStatus = pick(2) === 0 ? "active" : "inactive";
    if (!created.has(userId)) {
      type = "organization_membership.created";
      status = pick(4) === 0 ? "pending" : "active";
      created.add(userId);
    } else if (pick(10) === 0) {
      type = "organization_membership.deleted";
      deleted.add(userId);
    }
    events.push({
      id: `event_${nextEventId(Date.parse(at))}`,
      event: type,
      createdAt: at,
      data: { id: `om_${userId}`, userId, organizationId: "", status, updatedAt: at },
    });
  }
  return events;
}

/**
 * Where each member stands: the membership recorded, and whether they may work (an active user),
 * are invited, or not (suspended, or never created because they were gone before we saw them).
 */
async function membersState(orgId: string, directoryUserIds: string[]) {
  const state: Record<string, unknown> = {};
  for (const directoryUserId of directoryUserIds) {
    const item = await member(orgId, directoryUserId);
    const userId = await Identity.userIdForIdentity(orgId, { kind: "workos", externalId: directoryUserId });
    const status = userId ? (await Identity.get(orgId, userId)).status : undefined;
    state[directoryUserId] = {
      membership: item?.status,
      lastEventId: item?.lastEventId,
      access: status === "active" || status === "invited" ? status : "none",
    };
  }
  return state;
}
