import fc from "fast-check";
import { monotonicFactory } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFreshTable } from "../../../../test/support/integration";
import * as Orgs from "../orgs";
import { db } from "../storage";
import { applyEvent, type DirectoryEvent, orgIdForDirectory } from "./index";

const nextEventId = monotonicFactory();
const NOW = new Date("2026-11-20T12:00:00.000Z");

/** A directory history: per organization a create, then updates (renames) and maybe a delete, in time order. */
function history(seed: number, organizations: number, total: number): DirectoryEvent[] {
  const random = fc.sample(fc.integer({ min: 0, max: 1_000_000 }), { seed, numRuns: total * 3 });
  let cursor = 0;
  const pick = (bound: number) => (random[cursor++ % random.length] as number) % bound;
  const events: DirectoryEvent[] = [];
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
              [...shuffledSource, ...duplicates.map((i) => shuffledSource[i] as DirectoryEvent)],
              {
                minLength: shuffledSource.length + duplicates.length,
              },
            ),
            { seed: shuffleSeed, numRuns: 1 },
          )[0] as DirectoryEvent[];

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
      { numRuns: 3 },
    );
  });
});
