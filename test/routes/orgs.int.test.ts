import "./quiet-logs";
import type { Org } from "@kith/core/orgs";
import { describe, expect, it } from "vitest";
import { expectError, ISO_TIMESTAMP, OPERATOR_KEY, type Page, useRouteGateway } from "./support";

describe("routes: orgs", () => {
  const routes = useRouteGateway();

  async function allOrgs(limit: number): Promise<{ pages: Page<Org>[]; orgs: Org[] }> {
    const pages: Page<Org>[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const reply = await routes.api<Page<Org>>("GET", `/v1/orgs${query}`);
      expect(reply.status).toBe(200);
      pages.push(reply.body);
      cursor = reply.body.nextCursor;
    } while (cursor && pages.length < 50);
    return { pages, orgs: pages.flatMap((page) => page.items) };
  }

  describe("POST /v1/orgs", () => {
    it("creates an active org with the contract's Org shape and a slug derived from the name", async () => {
      // act
      const reply = await routes.api("POST", "/v1/orgs", { body: { name: "  Acme Widgets, Inc.  " } });

      // assess
      expect(reply.status).toBe(201);
      expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
      expect(reply.body).toEqual({
        id: expect.any(String),
        name: "Acme Widgets, Inc.",
        slug: "acme-widgets-inc",
        status: "active",
        directoryId: null,
        createdAt: expect.stringMatching(ISO_TIMESTAMP),
        updatedAt: expect.stringMatching(ISO_TIMESTAMP),
      });
      expect(reply.body.updatedAt).toBe(reply.body.createdAt);
      const fetched = await routes.api("GET", `/v1/orgs/${reply.body.id}`);
      expect(fetched.body).toEqual(reply.body);
    });

    it("takes an explicit slug, lower-cased", async () => {
      // act
      const reply = await routes.api("POST", "/v1/orgs", {
        body: { name: "Explicit", slug: "Explicit-Slug" },
      });

      // assess
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ name: "Explicit", slug: "explicit-slug" });
    });

    it("a derived slug that is already taken gets a suffix instead of a conflict", async () => {
      // prepare
      const first = await routes.createOrg("Derived Twin");

      // act
      const reply = await routes.api("POST", "/v1/orgs", { body: { name: "Derived Twin" } });

      // assess
      expect(first.slug).toBe("derived-twin");
      expect(reply.status).toBe(201);
      expect(reply.body.slug).toMatch(/^derived-twin-[0-9a-f]{4}$/);
      expect(reply.body.id).not.toBe(first.id);
    });

    it("an explicit slug that is taken is a 409 slug_taken and writes nothing", async () => {
      // prepare
      await routes.createOrg("Original Owner", "taken-slug");
      const before = await routes.tableItems();

      // act
      const reply = await routes.api("POST", "/v1/orgs", { body: { name: "Latecomer", slug: "Taken-Slug" } });

      // assess
      expect(expectError(reply, 409, "slug_taken")).toEqual({ slug: "taken-slug" });
      expect(await routes.tableItems()).toEqual(before);
    });

    it.each([
      ["a missing name", { slug: "no-name" }, "name"],
      ["an empty name", { name: "   " }, "name"],
      ["a slug with an outer hyphen", { name: "Bad Slug", slug: "-bad-" }, "slug"],
      ["a slug with an underscore", { name: "Bad Slug", slug: "bad_slug" }, "slug"],
      ["a slug over 63 characters", { name: "Long Slug", slug: "a".repeat(64) }, "slug"],
      ["a name over 200 characters", { name: "n".repeat(201) }, "name"],
      ["a name that yields no slug and no slug given", { name: "日本語" }, "slug"],
    ])("%s is a 400 whose details name the field, and writes nothing", async (_, body, field) => {
      // prepare
      const before = await routes.tableItems();

      // act
      const reply = await routes.api("POST", "/v1/orgs", { body });

      // assess
      expect(expectError(reply, 400, "invalid_input")).toHaveProperty(field);
      expect(await routes.tableItems()).toEqual(before);
    });

    it("an unknown field is a 400 whose details name that field, and writes nothing", async () => {
      // prepare
      const before = await routes.tableItems();

      // act
      const reply = await routes.api("POST", "/v1/orgs", { body: { name: "Extra", plan: "gold" } });

      // assess
      const details = expectError(reply, 400, "invalid_input");
      expect(details).toHaveProperty("plan");
      expect(await routes.tableItems()).toEqual(before);
    });

    it("malformed JSON is a 400 and writes nothing", async () => {
      // prepare
      const before = await routes.tableItems();

      // act
      const reply = await routes.api("POST", "/v1/orgs", { raw: '{"name": "Broken",' });

      // assess
      expect(expectError(reply, 400, "invalid_json")).toEqual({ body: "malformed_json" });
      expect(await routes.tableItems()).toEqual(before);
    });

    it("a body that is not an object is a 400", async () => {
      // act
      const reply = await routes.api("POST", "/v1/orgs", { raw: '["Acme"]' });

      // assess
      expectError(reply, 400, "invalid_input");
    });
  });

  describe("GET /v1/orgs", () => {
    it("pages through every org in slug order with limit and cursor, without repeats", async () => {
      // prepare
      const created = [
        await routes.createOrg("Page Alpha"),
        await routes.createOrg("Page Bravo"),
        await routes.createOrg("Page Charlie"),
      ];

      // act
      const { pages, orgs } = await allOrgs(2);

      // assess
      expect(pages[0]?.items).toHaveLength(2);
      expect(pages[0]?.nextCursor).toEqual(expect.any(String));
      expect(pages.at(-1)?.nextCursor).toBeNull();
      const slugs = orgs.map((org) => org.slug);
      expect(slugs).toEqual([...slugs].sort());
      expect(new Set(orgs.map((org) => org.id)).size).toBe(orgs.length);
      for (const org of created) expect(orgs).toContainEqual(org);
    });

    it("without a limit returns one page of at most 50 with the list shape", async () => {
      // act
      const reply = await routes.api("GET", "/v1/orgs");

      // assess
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ items: expect.any(Array), nextCursor: null });
      expect(reply.body.items.length).toBeGreaterThan(0);
      expect(reply.body.items.length).toBeLessThanOrEqual(50);
    });

    it.each([["0"], ["201"], ["500"], ["-1"], ["2.5"], ["ten"]])(
      "limit=%s is a 400 naming limit",
      async (limit) => {
        // act
        const reply = await routes.api("GET", `/v1/orgs?limit=${limit}`);

        // assess
        expect(expectError(reply, 400, "invalid_input")).toHaveProperty("limit");
      },
    );

    it("limit=200 is accepted", async () => {
      // act
      const reply = await routes.api("GET", "/v1/orgs?limit=200");

      // assess
      expect(reply.status).toBe(200);
    });

    it.each([
      ["not base64 JSON", "%%%not-a-cursor"],
      ["JSON of the wrong shape", Buffer.from('{"pk":"ORG#x"}').toString("base64url")],
      [
        "a forged key of another partition",
        Buffer.from(
          JSON.stringify({ pk: "ORG#x", sk: "#PROFILE", gsi1pk: "ORG#x#USERS", gsi1sk: "a#b" }),
        ).toString("base64url"),
      ],
    ])("a cursor that is %s is a 400 invalid_cursor", async (_, cursor) => {
      // act
      const reply = await routes.api("GET", `/v1/orgs?cursor=${encodeURIComponent(cursor)}`);

      // assess
      expect(expectError(reply, 400, "invalid_cursor")).toEqual({ cursor: "invalid" });
    });
  });

  describe("GET /v1/orgs/{orgId}", () => {
    it("returns the org to the operator", async () => {
      // prepare
      const org = await routes.createOrg("Fetch Me");

      // act
      const reply = await routes.api("GET", `/v1/orgs/${org.id}`);

      // assess
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual(org);
    });

    it("an unknown org is a 404", async () => {
      // act
      const reply = await routes.api("GET", "/v1/orgs/00000000-0000-4000-8000-000000000000");

      // assess
      expectError(reply, 404, "org_not_found");
    });

    it("an id longer than any id is a 404, not a 500", async () => {
      // act
      const reply = await routes.api("GET", `/v1/orgs/${"x".repeat(300)}`);

      // assess
      expect(reply.status).toBe(404);
    });
  });

  describe("user tokens on org routes", () => {
    it("a member token may read its own org but another org looks absent (404)", async () => {
      // prepare
      const org = await routes.createOrg("Home Org");
      const other = await routes.createOrg("Other Org");
      const member = await routes.createUser(org.id, { name: "Member" });
      const { token } = await routes.mintToken(org.id, member.id);

      // act
      const own = await routes.api("GET", `/v1/orgs/${org.id}`, { token });
      const foreign = await routes.api("GET", `/v1/orgs/${other.id}`, { token });
      const unknown = await routes.api("GET", "/v1/orgs/00000000-0000-4000-8000-000000000000", { token });

      // assess
      expect(own.status).toBe(200);
      expect(own.body).toEqual(org);
      expectError(foreign, 404, "org_not_found");
      // Indistinguishable from an org that does not exist at all.
      expect(foreign.body).toEqual(unknown.body);
    });

    it("neither a member nor an admin token may create or list orgs (403), and nothing is written", async () => {
      // prepare
      const org = await routes.createOrg("Token Org");
      const member = await routes.createUser(org.id, { name: "Plain Member" });
      const admin = await routes.createUser(org.id, { name: "Org Admin", accessRole: "admin" });
      const memberToken = (await routes.mintToken(org.id, member.id)).token;
      const adminToken = (await routes.mintToken(org.id, admin.id)).token;
      const before = (await routes.tableItems()).filter((item) => item.entity !== "token");

      // act
      const replies = [
        await routes.api("POST", "/v1/orgs", { token: memberToken, body: { name: "Sneaky" } }),
        await routes.api("POST", "/v1/orgs", { token: adminToken, body: { name: "Sneaky" } }),
        await routes.api("GET", "/v1/orgs", { token: memberToken }),
        await routes.api("GET", "/v1/orgs", { token: adminToken }),
      ];

      // assess
      for (const reply of replies) expectError(reply, 403, "forbidden");
      // Token items only gain lastUsedAt; everything else is as it was.
      expect((await routes.tableItems()).filter((item) => item.entity !== "token")).toEqual(before);
    });

    it.each([
      ["no Authorization header", null],
      ["a wrong operator key", "not-the-operator-key"],
      ["a well-formed but unknown user token", `kith_${"A".repeat(43)}`],
      ["an empty bearer", ""],
    ])("%s is a 401 on every org route and writes nothing", async (_, token) => {
      // prepare
      const org = await routes.createOrg("Locked Org");
      const before = await routes.tableItems();
      const headers = token === "" ? { authorization: "Bearer " } : undefined;
      const options = token === "" ? { token: null, headers } : { token };

      // act
      const replies = [
        await routes.api("POST", "/v1/orgs", { ...options, body: { name: "Anonymous" } }),
        await routes.api("GET", "/v1/orgs", options),
        await routes.api("GET", `/v1/orgs/${org.id}`, options),
      ];

      // assess
      for (const reply of replies) expectError(reply, 401, "unauthenticated");
      expect(await routes.tableItems()).toEqual(before);
    });

    it("a Basic Authorization header is a 401 even with the operator key", async () => {
      // act
      const reply = await routes.api("GET", "/v1/orgs", {
        token: null,
        headers: { authorization: `Basic ${OPERATOR_KEY}` },
      });

      // assess
      expectError(reply, 401, "unauthenticated");
    });
  });
});
