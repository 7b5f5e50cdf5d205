import "./quiet-logs";
import { createHash } from "node:crypto";
import type { User } from "@kith/core/identity";
import type { Org } from "@kith/core/orgs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  eventTypes,
  expectError,
  ISO_TIMESTAMP,
  OPERATOR_ACTOR,
  type Page,
  type Reply,
  useRouteGateway,
} from "./support";

describe("routes: users", () => {
  const routes = useRouteGateway();
  let org: Org;

  beforeAll(async () => {
    org = await routes.createOrg("Users Co");
  });

  const usersPath = () => `/v1/orgs/${org.id}/users`;
  const userPath = (userId: string) => `/v1/orgs/${org.id}/users/${userId}`;

  async function listAll(orgId: string, limit: number): Promise<{ pages: Page<User>[]; users: User[] }> {
    const pages: Page<User>[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const reply: Reply<Page<User>> = await routes.api("GET", `/v1/orgs/${orgId}/users${query}`);
      expect(reply.status).toBe(200);
      pages.push(reply.body);
      cursor = reply.body.nextCursor;
    } while (cursor && pages.length < 50);
    return { pages, users: pages.flatMap((page) => page.items) };
  }

  describe("POST /v1/orgs/{orgId}/users", () => {
    it("creates a user with the contract's defaults, lower-cased trimmed emails and deduplicated aliases", async () => {
      // prepare
      const tag = routes.email("ada").split("@")[0];

      // act
      const reply = await routes.api("POST", usersPath(), {
        body: {
          name: "  Ada Lovelace ",
          email: `  ${tag?.toUpperCase()}@Example.COM `,
          emailAliases: [`ALIAS.${tag}@example.com`, `alias.${tag}@EXAMPLE.com`, `${tag}@example.com`],
        },
      });

      // assess
      expect(reply.status).toBe(201);
      const { tokens, ...user } = reply.body;
      expect(user).toEqual({
        id: expect.any(String),
        orgId: org.id,
        name: "Ada Lovelace",
        email: `${tag}@example.com`,
        emailAliases: [`alias.${tag}@example.com`],
        role: null,
        accessRole: "member",
        status: "active",
        timezone: null,
        preferredChannel: "slack",
        notes: null,
        metadata: null,
        dailyBudgetUsd: null,
        identities: [],
        createdAt: expect.stringMatching(ISO_TIMESTAMP),
        updatedAt: expect.stringMatching(ISO_TIMESTAMP),
      });
      expect(tokens ?? []).toEqual([]);
      expect((await routes.getUser(org.id, user.id)).body).toEqual(reply.body);
      const events = await routes.events(org.id, user.id);
      expect(events).toEqual([
        {
          id: expect.any(String),
          userId: user.id,
          eventType: "user_created",
          actor: OPERATOR_ACTOR,
          before: null,
          after: expect.objectContaining({ id: user.id, email: `${tag}@example.com` }),
          createdAt: expect.stringMatching(ISO_TIMESTAMP),
        },
      ]);
    });

    it("keeps every optional field given and stores identities in canonical form", async () => {
      // prepare
      const profile = {
        name: "Full Profile",
        email: routes.email("full"),
        role: "Engineer",
        accessRole: "admin",
        status: "invited",
        timezone: "Europe/Paris",
        preferredChannel: "email",
        notes: "likes tea",
        metadata: { team: "core", level: 3 },
        dailyBudgetUsd: 12.5,
      };

      // act
      const reply = await routes.api("POST", usersPath(), {
        body: {
          ...profile,
          identities: [
            { kind: "github", externalId: "0077001" },
            { kind: "slack", externalId: "t0full:u0full" },
          ],
        },
      });

      // assess
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject(profile);
      expect(reply.body.identities).toEqual(
        expect.arrayContaining([
          { kind: "github", externalId: "77001", createdAt: expect.stringMatching(ISO_TIMESTAMP) },
          { kind: "slack", externalId: "T0FULL:U0FULL", createdAt: expect.stringMatching(ISO_TIMESTAMP) },
        ]),
      );
      expect(reply.body.identities).toHaveLength(2);
      expect(eventTypes(await routes.events(org.id, reply.body.id)).sort()).toEqual([
        "identity_added",
        "identity_added",
        "user_created",
      ]);
    });

    describe("email conflicts", () => {
      let holder: User;

      beforeAll(async () => {
        holder = await routes.createUser(org.id, {
          name: "Email Holder",
          email: routes.email("holder"),
          emailAliases: [routes.email("holder-alias")],
          identities: [{ kind: "github", externalId: "4242" }],
        });
      });

      it.each([
        ["the new primary is another user's primary", "email", "primary"],
        ["the new primary is another user's alias", "email", "alias"],
        ["a new alias is another user's primary", "emailAliases", "primary"],
        ["a new alias is another user's alias", "emailAliases", "alias"],
      ] as const)(
        "%s (in another letter case) is a 409 email_taken and writes nothing",
        async (_, field, taken) => {
          // prepare
          const takenEmail = taken === "primary" ? holder.email : holder.emailAliases[0];
          const shouted = ` ${takenEmail?.toUpperCase()} `;
          const body =
            field === "email"
              ? { name: "Copycat", email: shouted }
              : { name: "Copycat", email: routes.email("copycat"), emailAliases: [shouted] };
          const tableBefore = await routes.tableItems();
          const listBefore = await routes.api("GET", `${usersPath()}?limit=200`);

          // act
          const reply = await routes.api("POST", usersPath(), { body });

          // assess
          expect(expectError(reply, 409, "email_taken")).toEqual({ email: takenEmail });
          expect(await routes.tableItems()).toEqual(tableBefore);
          expect((await routes.api("GET", `${usersPath()}?limit=200`)).body).toEqual(listBefore.body);
        },
      );

      it("an identity another user holds (in another spelling) is a 409 identity_taken and writes nothing", async () => {
        // prepare
        const tableBefore = await routes.tableItems();

        // act
        const reply = await routes.api("POST", usersPath(), {
          body: {
            name: "Identity Thief",
            email: routes.email("thief"),
            identities: [{ kind: "github", externalId: "004242" }],
          },
        });

        // assess
        expect(expectError(reply, 409, "identity_taken")).toEqual({ kind: "github", externalId: "4242" });
        expect(await routes.tableItems()).toEqual(tableBefore);
      });
    });

    it.each([
      ["slack without a team", "slack", "U0123ABC"],
      ["slack with a team but no user", "slack", "T0123ABC"],
      ["slack with a bad user part", "slack", "T0123ABC:X0123"],
      ["github as a login", "github", "octocat"],
      ["github negative", "github", "-5"],
      ["gitlab with a bad id", "gitlab", "gitlab.example.com:abc"],
      ["linear that is not a uuid", "linear", "not-a-uuid"],
      ["linear uuid with a bad character", "linear", "zzzzzzzz-0000-4000-8000-000000000000"],
      ["workos with a space", "workos", "directory user"],
    ])(
      "an identity that is %s is a 400 naming its externalId, and writes nothing",
      async (_, kind, externalId) => {
        // prepare
        const tableBefore = await routes.tableItems();

        // act
        const reply = await routes.api("POST", usersPath(), {
          body: { name: "Bad Identity", identities: [{ kind, externalId }] },
        });

        // assess
        expect(expectError(reply, 400, "invalid_input")).toHaveProperty(["identities.0.externalId"]);
        expect(await routes.tableItems()).toEqual(tableBefore);
      },
    );

    it.each([
      ["no name", {}, "name"],
      ["a blank name", { name: "  " }, "name"],
      ["an invalid email", { name: "X", email: "not-an-email" }, "email"],
      ["an invalid alias", { name: "X", emailAliases: ["ok@example.com", "nope"] }, "emailAliases.1"],
      [
        "more than 10 aliases",
        { name: "X", emailAliases: Array.from({ length: 11 }, (_, i) => `a${i}@x.io`) },
        "emailAliases",
      ],
      ["an unknown access role", { name: "X", accessRole: "owner" }, "accessRole"],
      ["an unknown status", { name: "X", status: "deleted" }, "status"],
      ["a time zone that does not exist", { name: "X", timezone: "Mars/Olympus_Mons" }, "timezone"],
      ["a negative budget", { name: "X", dailyBudgetUsd: -1 }, "dailyBudgetUsd"],
      ["a budget given as a string", { name: "X", dailyBudgetUsd: "5" }, "dailyBudgetUsd"],
      ["metadata over 16 KiB", { name: "X", metadata: { blob: "x".repeat(17_000) } }, "metadata"],
      [
        "an unknown identity kind",
        { name: "X", identities: [{ kind: "twitter", externalId: "1" }] },
        "identities.0.kind",
      ],
    ])("a body with %s is a 400 naming %s, and writes nothing", async (_, body, field) => {
      // prepare
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("POST", usersPath(), { body });

      // assess
      expect(expectError(reply, 400, "invalid_input")).toHaveProperty([field as string]);
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it("an unknown field is a 400 whose details name that field, and writes nothing", async () => {
      // prepare
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("POST", usersPath(), { body: { name: "Extra", nickname: "xx" } });

      // assess
      expect(expectError(reply, 400, "invalid_input")).toHaveProperty("nickname");
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it("malformed JSON is a 400 and writes nothing", async () => {
      // prepare
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("POST", usersPath(), { raw: "{name: 'no quotes'}" });

      // assess
      expect(expectError(reply, 400, "invalid_json")).toEqual({ body: "malformed_json" });
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it("an unknown org is a 404 and writes nothing", async () => {
      // prepare
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("POST", "/v1/orgs/00000000-0000-4000-8000-000000000000/users", {
        body: { name: "Orphan", email: routes.email("orphan") },
      });

      // assess
      expectError(reply, 404, "org_not_found");
      expect(await routes.tableItems()).toEqual(tableBefore);
    });
  });

  describe("GET /v1/orgs/{orgId}/users", () => {
    it("lists users ordered by name regardless of case, page by page without repeats", async () => {
      // prepare
      const listed = await routes.createOrg("Ordering Co");
      for (const name of ["delta", "Charlie", "bravo", "Alpha", "echo", "ECHO"]) {
        await routes.createUser(listed.id, { name });
      }

      // act
      const { pages, users } = await listAll(listed.id, 2);

      // assess
      expect(pages[0]?.items).toHaveLength(2);
      expect(pages.at(-1)?.nextCursor).toBeNull();
      expect(users.map((user) => user.name.toLowerCase())).toEqual([
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
        "echo",
      ]);
      expect(new Set(users.map((user) => user.id)).size).toBe(6);
      for (const user of users) expect(user.orgId).toBe(listed.id);
    });

    it("a name that is a prefix of another comes first ('Al' before 'Al Green' before 'Alan')", async () => {
      // prepare
      const listed = await routes.createOrg("Prefix Co");
      for (const name of ["Alan", "Al Green", "Al"]) await routes.createUser(listed.id, { name });

      // act
      const reply = await routes.api("GET", `/v1/orgs/${listed.id}/users`);

      // assess
      expect(reply.status).toBe(200);
      expect(reply.body.items.map((user: User) => user.name)).toEqual(["Al", "Al Green", "Alan"]);
    });

    it("an org without users lists nothing", async () => {
      // prepare
      const empty = await routes.createOrg("Empty Co");

      // act
      const reply = await routes.api("GET", `/v1/orgs/${empty.id}/users`);

      // assess
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ items: [], nextCursor: null });
    });

    it.each([["0"], ["500"], ["x"]])("limit=%s is a 400 naming limit", async (limit) => {
      // act
      const reply = await routes.api("GET", `${usersPath()}?limit=${limit}`);

      // assess
      expect(expectError(reply, 400, "invalid_input")).toHaveProperty("limit");
    });

    it("a cursor from another org's user list is a 400 invalid_cursor, so tenants cannot page into each other", async () => {
      // prepare
      const other = await routes.createOrg("Cursor Co");
      await routes.createUser(other.id, { name: "One" });
      await routes.createUser(other.id, { name: "Two" });
      const page = await routes.api("GET", `/v1/orgs/${other.id}/users?limit=1`);
      const cursor = page.body.nextCursor as string;

      // act
      const reply = await routes.api("GET", `${usersPath()}?cursor=${encodeURIComponent(cursor)}`);

      // assess
      expect(cursor).toEqual(expect.any(String));
      expect(expectError(reply, 400, "invalid_cursor")).toEqual({ cursor: "invalid" });
    });

    it("a forged cursor is a 400 invalid_cursor", async () => {
      // act
      const reply = await routes.api("GET", `${usersPath()}?cursor=eyJub3QiOiJhIGtleSJ9`);

      // assess
      expect(expectError(reply, 400, "invalid_cursor")).toEqual({ cursor: "invalid" });
    });
  });

  describe("GET /v1/orgs/{orgId}/users/{userId}", () => {
    it("returns identities and token metadata, never a token's hash or plaintext", async () => {
      // prepare
      const user = await routes.createUser(org.id, {
        name: "Token Holder",
        identities: [{ kind: "linear", externalId: "3F2504E0-4F89-41D3-9A0C-0305E82C3301" }],
      });
      const minted = await routes.mintToken(org.id, user.id, "laptop");

      // act
      const reply = await routes.getUser(org.id, user.id);

      // assess
      expect(reply.status).toBe(200);
      expect(reply.body.identities).toEqual([
        {
          kind: "linear",
          externalId: "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
          createdAt: expect.stringMatching(ISO_TIMESTAMP),
        },
      ]);
      expect(reply.body.tokens).toEqual([
        {
          id: minted.id,
          preview: minted.token.slice(-4),
          label: "laptop",
          accessRole: "member",
          createdAt: minted.createdAt,
          lastUsedAt: null,
        },
      ]);
      const hash = createHash("sha256").update(minted.token).digest("hex");
      expect(reply.text).not.toContain(minted.token);
      expect(reply.text).not.toContain(minted.token.slice(5));
      expect(reply.text).not.toContain(hash);
    });

    it("records when a token was last used", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Token User" });
      const minted = await routes.mintToken(org.id, user.id);
      await routes.api("GET", "/v1/whoami", { token: minted.token });

      // act
      const reply = await routes.getUser(org.id, user.id);

      // assess
      expect(reply.body.tokens).toEqual([
        expect.objectContaining({ id: minted.id, lastUsedAt: expect.stringMatching(ISO_TIMESTAMP) }),
      ]);
    });

    it("an unknown user is a 404", async () => {
      // act
      const reply = await routes.getUser(org.id, "01JUNKNOWNUSER0000000000000");

      // assess
      expectError(reply, 404, "user_not_found");
    });

    it("a user of another org is a 404 under this org", async () => {
      // prepare
      const other = await routes.createOrg("Elsewhere Co");
      const stranger = await routes.createUser(other.id, { name: "Stranger" });

      // act
      const reply = await routes.getUser(org.id, stranger.id);

      // assess
      expectError(reply, 404, "user_not_found");
    });
  });

  describe("PATCH /v1/orgs/{orgId}/users/{userId}", () => {
    it("updates only the fields given and records one audit event per kind of change", async () => {
      // prepare
      const [primary, keptAlias, droppedAlias, addedAlias] = [
        routes.email("patch"),
        routes.email("kept"),
        routes.email("dropped"),
        routes.email("added"),
      ];
      const user = await routes.createUser(org.id, {
        name: "Before Name",
        email: primary,
        emailAliases: [keptAlias, droppedAlias],
        timezone: "UTC",
        notes: "unchanged",
      });

      // act
      const reply = await routes.api("PATCH", userPath(user.id), {
        body: {
          name: "After Name",
          emailAliases: [keptAlias, addedAlias.toUpperCase()],
          status: "suspended",
          dailyBudgetUsd: 7.5,
        },
      });

      // assess
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({
        id: user.id,
        name: "After Name",
        email: primary,
        emailAliases: [keptAlias, addedAlias],
        status: "suspended",
        dailyBudgetUsd: 7.5,
        timezone: "UTC",
        notes: "unchanged",
        accessRole: "member",
        createdAt: user.createdAt,
      });
      expect(reply.body.updatedAt >= user.updatedAt).toBe(true);
      expect((await routes.getUser(org.id, user.id)).body).toEqual(reply.body);
      const events = await routes.events(org.id, user.id);
      const byType = Object.fromEntries(events.map((event) => [event.eventType, event]));
      expect(eventTypes(events).sort()).toEqual([
        "budget_changed",
        "email_added",
        "email_removed",
        "profile_changed",
        "status_changed",
        "user_created",
      ]);
      for (const event of events) expect(event.actor).toBe(OPERATOR_ACTOR);
      expect(byType.email_added).toMatchObject({ before: null, after: { email: addedAlias } });
      expect(byType.email_removed).toMatchObject({ before: { email: droppedAlias }, after: null });
      expect(byType.status_changed).toMatchObject({
        before: { status: "active" },
        after: { status: "suspended" },
      });
      expect(byType.budget_changed).toMatchObject({
        before: { dailyBudgetUsd: null },
        after: { dailyBudgetUsd: 7.5 },
      });
      expect(byType.profile_changed).toMatchObject({
        before: { name: "Before Name" },
        after: { name: "After Name" },
      });
      expect(events[events.length - 1]?.eventType).toBe("user_created");
    });

    it("frees a dropped alias and claims an added one", async () => {
      // prepare
      const [dropped, added] = [routes.email("free-me"), routes.email("claim-me")];
      const user = await routes.createUser(org.id, { name: "Alias Mover", emailAliases: [dropped] });

      // act
      const reply = await routes.api("PATCH", userPath(user.id), { body: { emailAliases: [added] } });

      // assess
      expect(reply.status).toBe(200);
      const freed = await routes.api("POST", usersPath(), { body: { name: "Taker", email: dropped } });
      expect(freed.status).toBe(201);
      const claimed = await routes.api("POST", usersPath(), { body: { name: "Loser", email: added } });
      expectError(claimed, 409, "email_taken");
    });

    it("a profile-only change records profile_changed with before and after", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Profile Only", role: "Intern" });

      // act
      const reply = await routes.api("PATCH", userPath(user.id), {
        body: { role: "Engineer", timezone: "America/New_York" },
      });

      // assess
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({
        role: "Engineer",
        timezone: "America/New_York",
        name: "Profile Only",
      });
      const [latest] = await routes.events(org.id, user.id);
      expect(latest).toMatchObject({
        eventType: "profile_changed",
        actor: OPERATOR_ACTOR,
        before: { role: "Intern", timezone: null },
        after: { role: "Engineer", timezone: "America/New_York" },
      });
    });

    it.each([
      ["primary email", "email"],
      ["alias", "emailAliases"],
    ] as const)(
      "moving the %s onto another user's email is a 409 email_taken and changes nothing",
      async (_, field) => {
        // prepare
        const owner = await routes.createUser(org.id, { name: "Owner", email: routes.email("owner") });
        const user = await routes.createUser(org.id, { name: "Mover", email: routes.email("mover") });
        const taken = (owner.email as string).toUpperCase();
        const tableBefore = await routes.tableItems();

        // act
        const reply = await routes.api("PATCH", userPath(user.id), {
          body:
            field === "email"
              ? { email: taken, name: "Renamed" }
              : { emailAliases: [taken], name: "Renamed" },
        });

        // assess
        expect(expectError(reply, 409, "email_taken")).toEqual({ email: owner.email });
        expect((await routes.getUser(org.id, user.id)).body).toEqual(user);
        expect(await routes.tableItems()).toEqual(tableBefore);
      },
    );

    it.each([
      ["identities (not patchable)", { identities: [{ kind: "github", externalId: "1" }] }, "identities"],
      ["a blank name", { name: "" }, "name"],
      ["an unknown status", { status: "gone" }, "status"],
      ["a budget over the cap", { dailyBudgetUsd: 2_000_000 }, "dailyBudgetUsd"],
    ])("a body with %s is a 400 naming the field and changes nothing", async (_, body, field) => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Patch Target" });
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("PATCH", userPath(user.id), { body });

      // assess
      expect(expectError(reply, 400, "invalid_input")).toHaveProperty(field);
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it("an unknown user is a 404 and writes nothing", async () => {
      // prepare
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("PATCH", userPath("01JUNKNOWNUSER0000000000000"), {
        body: { name: "X" },
      });

      // assess
      expectError(reply, 404, "user_not_found");
      expect(await routes.tableItems()).toEqual(tableBefore);
    });
  });

  describe("DELETE /v1/orgs/{orgId}/users/{userId}", () => {
    it("deletes the user, frees its email and identity, and keeps its audit events ending with user_deleted", async () => {
      // prepare
      const email = routes.email("leaver");
      const user = await routes.createUser(org.id, {
        name: "Leaver",
        email,
        identities: [{ kind: "github", externalId: "990001" }],
      });
      await routes.api("PATCH", userPath(user.id), { body: { dailyBudgetUsd: 1 } });

      // act
      const reply = await routes.api("DELETE", userPath(user.id));

      // assess
      expect(reply.status).toBe(204);
      expect(reply.text).toBe("");
      expectError(await routes.getUser(org.id, user.id), 404, "user_not_found");
      const listed = await routes.api("GET", `${usersPath()}?limit=200`);
      expect(listed.body.items.map((item: User) => item.id)).not.toContain(user.id);
      const events = await routes.events(org.id, user.id);
      expect(eventTypes(events)).toEqual([
        "user_deleted",
        "budget_changed",
        "identity_added",
        "user_created",
      ]);
      expect(events[0]).toMatchObject({
        userId: user.id,
        actor: OPERATOR_ACTOR,
        before: expect.objectContaining({ id: user.id, email }),
      });
      const successor = await routes.api("POST", usersPath(), {
        body: {
          name: "Successor",
          email: email.toUpperCase(),
          identities: [{ kind: "github", externalId: "990001" }],
        },
      });
      expect(successor.status).toBe(201);
    });

    it("deleting again, or an unknown user, is a 404", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Twice" });
      await routes.api("DELETE", userPath(user.id));

      // act
      const again = await routes.api("DELETE", userPath(user.id));
      const unknown = await routes.api("DELETE", userPath("01JUNKNOWNUSER0000000000000"));

      // assess
      expectError(again, 404, "user_not_found");
      expectError(unknown, 404, "user_not_found");
    });
  });

  describe("GET /v1/orgs/{orgId}/users/{userId}/events", () => {
    it("pages newest first with limit and cursor, never skipping or repeating one", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Busy" });
      for (const budget of [1, 2, 3, 4]) {
        await routes.api("PATCH", userPath(user.id), { body: { dailyBudgetUsd: budget } });
      }

      // act
      const seen: Record<string, unknown>[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const reply: Reply<Page<Record<string, unknown>>> = await routes.api(
          "GET",
          `${userPath(user.id)}/events${query}`,
        );
        expect(reply.status).toBe(200);
        expect(reply.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...reply.body.items);
        cursor = reply.body.nextCursor;
      } while (cursor);

      // assess
      expect(seen.map((event) => event.eventType)).toEqual([
        "budget_changed",
        "budget_changed",
        "budget_changed",
        "budget_changed",
        "user_created",
      ]);
      expect(seen.map((event) => (event.after as { dailyBudgetUsd?: number }).dailyBudgetUsd)).toEqual([
        4,
        3,
        2,
        1,
        null,
      ]);
      expect(seen[0]).toEqual({
        id: expect.any(String),
        userId: user.id,
        eventType: "budget_changed",
        actor: OPERATOR_ACTOR,
        before: { dailyBudgetUsd: 3 },
        after: { dailyBudgetUsd: 4 },
        createdAt: expect.stringMatching(ISO_TIMESTAMP),
      });
    });

    it("a cursor of another user's events is a 400 invalid_cursor", async () => {
      // prepare
      const a = await routes.createUser(org.id, { name: "Events A" });
      const b = await routes.createUser(org.id, { name: "Events B" });
      await routes.api("PATCH", userPath(a.id), { body: { dailyBudgetUsd: 1 } });
      const page = await routes.api("GET", `${userPath(a.id)}/events?limit=1`);

      // act
      const reply = await routes.api(
        "GET",
        `${userPath(b.id)}/events?cursor=${encodeURIComponent(page.body.nextCursor)}`,
      );

      // assess
      expectError(reply, 400, "invalid_cursor");
    });
  });
});
