import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanTable, useFreshTable } from "../../../../test/support/integration";
import { db } from "../storage";
import * as Orgs from "./index";

async function slugOwner(slug: string): Promise<unknown> {
  return (await db.get({ Key: Orgs.keys.slugClaim(slug), ConsistentRead: true })).Item?.orgId;
}

describe("orgs", () => {
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ drop } = await useFreshTable());
  });
  afterAll(async () => drop());

  it("create writes the org, claims its slug, and commits org.created in the same write (the outbox)", async () => {
    // prepare
    const now = new Date("2031-01-02T03:04:05.000Z");

    // act
    const { org, events } = await Orgs.create({ name: "  Acme Rockets  " }, now);

    // assess
    expect(org).toEqual({
      id: expect.any(String),
      name: "Acme Rockets",
      slug: "acme-rockets",
      status: "active",
      directoryId: null,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    expect(await Orgs.get(org.id)).toEqual(org);
    expect(await slugOwner("acme-rockets")).toBe(org.id);
    expect(events).toEqual([
      expect.objectContaining({
        type: "org.created",
        orgId: org.id,
        data: { orgId: org.id, slug: "acme-rockets", directoryOrgId: null },
      }),
    ]);
    const outbox = (await scanTable()).filter((item) => item.entity === "outbox");
    const carried = outbox.flatMap((item) => JSON.parse(item.outbox as string) as { id: string }[]);
    expect(carried.map((event) => event.id)).toContain(events[0]?.id);
  });

  it("an explicit slug is lower-cased and used as given", async () => {
    // act
    const { org } = await Orgs.create({ name: "Whatever Name", slug: " Explicit-Slug " });

    // assess
    expect(org.slug).toBe("explicit-slug");
    expect(await slugOwner("explicit-slug")).toBe(org.id);
  });

  it("an explicit slug that is taken is slug_taken and no org item is written", async () => {
    // prepare
    const { org: first } = await Orgs.create({ name: "First", slug: "contested" });
    const orgsBefore = (await scanTable()).filter((item) => item.entity === "org");

    // act
    const attempt = Orgs.create({ name: "Second", slug: "contested" });

    // assess
    await expect(attempt).rejects.toMatchObject({ name: "SlugTaken", code: "slug_taken", status: 409 });
    const orgsAfter = (await scanTable()).filter((item) => item.entity === "org");
    expect(orgsAfter).toEqual(orgsBefore);
    expect(orgsAfter.some((item) => item.name === "Second")).toBe(false);
    expect(await slugOwner("contested")).toBe(first.id);
  });

  it("a derived slug that is taken gets a random 4-hex suffix", async () => {
    // prepare
    const { org: first } = await Orgs.create({ name: "Globex" });

    // act
    const { org: second } = await Orgs.create({ name: "Globex!" });
    const { org: third } = await Orgs.create({ name: "GLOBEX" });

    // assess
    expect(first.slug).toBe("globex");
    expect(second.slug).toMatch(/^globex-[0-9a-f]{4}$/);
    expect(third.slug).toMatch(/^globex-[0-9a-f]{4}$/);
    expect(new Set([first.slug, second.slug, third.slug]).size).toBe(3);
    expect(await slugOwner(second.slug)).toBe(second.id);
    expect(await slugOwner(third.slug)).toBe(third.id);
  });

  it("a name that yields no slug and no explicit slug is a 400 that writes nothing", async () => {
    // prepare
    const before = await scanTable();

    // act
    const attempt = Orgs.create({ name: "日本語" });

    // assess
    await expect(attempt).rejects.toMatchObject({ status: 400, code: "invalid_input" });
    expect(await scanTable()).toEqual(before);
  });

  it("a non-Latin name with an explicit slug is created", async () => {
    // act
    const { org } = await Orgs.create({ name: "株式会社", slug: "kabushiki" });

    // assess
    expect(org).toMatchObject({ name: "株式会社", slug: "kabushiki" });
  });

  it("10 parallel creates with one explicit slug: exactly one succeeds, the others are slug_taken", async () => {
    // act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) => Orgs.create({ name: `Racer ${index}`, slug: "race-slug" })),
    );

    // assess
    const winners = outcomes.flatMap((outcome) =>
      outcome.status === "fulfilled" ? [outcome.value.org] : [],
    );
    expect(winners).toHaveLength(1);
    const codes = outcomes.flatMap((outcome) =>
      outcome.status === "rejected" ? [(outcome.reason as { code?: string }).code] : [],
    );
    expect(codes).toEqual(Array(9).fill("slug_taken"));
    expect(await slugOwner("race-slug")).toBe(winners[0]?.id);
    const racers = (await scanTable()).filter(
      (item) => item.entity === "org" && String(item.name).startsWith("Racer "),
    );
    expect(racers.map((item) => item.id)).toEqual([winners[0]?.id]);
  });

  it("10 parallel creates with one derived slug all succeed with distinct slugs", async () => {
    // act
    const results = await Promise.all(Array.from({ length: 10 }, () => Orgs.create({ name: "Initech" })));

    // assess
    const slugs = results.map(({ org }) => org.slug);
    expect(new Set(slugs).size).toBe(10);
    expect(slugs.filter((slug) => slug === "initech")).toHaveLength(1);
    for (const slug of slugs) expect(slug).toMatch(/^initech(-[0-9a-f]{4})?$/);
  });

  it("get of an unknown org is org_not_found; find returns undefined", async () => {
    // act
    const found = await Orgs.find("no-such-org");
    const attempt = Orgs.get("no-such-org");

    // assess
    expect(found).toBeUndefined();
    await expect(attempt).rejects.toMatchObject({ code: "org_not_found", status: 404 });
  });

  it("list returns every org ordered by slug, and paging 3 at a time covers each once", async () => {
    // prepare
    for (const slug of ["zeta-co", "alpha-co", "mid-co", "beta-co"]) {
      await Orgs.create({ name: slug.toUpperCase(), slug });
    }
    const all = await Orgs.list({ limit: 200 });

    // act
    const paged: Orgs.Org[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await Orgs.list({ limit: 3, cursor });
      expect(page.items.length).toBeLessThanOrEqual(3);
      paged.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);

    // assess
    const slugs = all.items.map((org) => org.slug);
    expect(slugs).toEqual([...slugs].sort());
    expect(slugs).toEqual(expect.arrayContaining(["alpha-co", "beta-co", "mid-co", "zeta-co"]));
    const stored = (await scanTable()).filter((item) => item.entity === "org");
    expect(all.items).toHaveLength(stored.length);
    expect(all.nextCursor).toBeNull();
    expect(paged).toEqual(all.items);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(stored.length / 3));
  });

  it("a forged list cursor is invalid_cursor, not a server error", async () => {
    // prepare
    const forged = Buffer.from(
      JSON.stringify({ pk: "ORG#x", sk: "#ORG", gsi1pk: "OTHER", gsi1sk: "x" }),
    ).toString("base64url");

    // act
    const attempt = Orgs.list({ limit: 2, cursor: forged });

    // assess
    await expect(attempt).rejects.toMatchObject({ code: "invalid_cursor", status: 400 });
  });
});
