import "./quiet-logs";
import type { User } from "@kith/core/identity";
import type { Org } from "@kith/core/orgs";
import { beforeAll, describe, expect, it } from "vitest";
import { eventTypes, expectError, ISO_TIMESTAMP, OPERATOR_ACTOR, useRouteGateway } from "./support";

describe("routes: identities and merge", () => {
  const routes = useRouteGateway();
  let org: Org;

  beforeAll(async () => {
    org = await routes.createOrg("Identity Co");
  });

  const userPath = (userId: string) => `/v1/orgs/${org.id}/users/${userId}`;
  const identitiesPath = (userId: string) => `${userPath(userId)}/identities`;
  const identityPath = (userId: string, kind: string, externalId: string) =>
    `${identitiesPath(userId)}/${kind}/${encodeURIComponent(externalId)}`;

  describe("POST /v1/orgs/{orgId}/users/{userId}/identities", () => {
    it("links a new identity with 201, and the same identity again with 200 and no second write", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Linker" });

      // act
      const first = await routes.api("POST", identitiesPath(user.id), {
        body: { kind: "gitlab", externalId: "git.example.com:0042" },
      });
      const tableAfterFirst = await routes.tableItems();
      const second = await routes.api("POST", identitiesPath(user.id), {
        body: { kind: "gitlab", externalId: "GIT.example.com:42" },
      });

      // assess
      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        kind: "gitlab",
        externalId: "git.example.com:42",
        createdAt: expect.stringMatching(ISO_TIMESTAMP),
      });
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect(await routes.tableItems()).toEqual(tableAfterFirst);
      expect((await routes.getUser(org.id, user.id)).body.identities).toEqual([first.body]);
      const [latest] = await routes.events(org.id, user.id);
      expect(latest).toMatchObject({
        eventType: "identity_added",
        actor: OPERATOR_ACTOR,
        after: { kind: "gitlab", externalId: "git.example.com:42" },
      });
    });

    it.each([
      ["github ids with leading zeros", "github", "007", "7", "7"],
      ["slack ids in lower case", "slack", "t0abc123:u0def456", "T0ABC123:U0DEF456", "T0ABC123:U0DEF456"],
      [
        "linear uuids in upper case",
        "linear",
        "6FA459EA-EE8A-3CA4-894E-DB77E160355E",
        "6fa459ea-ee8a-3ca4-894e-db77e160355e",
        "6fa459ea-ee8a-3ca4-894e-db77e160355e",
      ],
      ["gitlab.com ids with the host prefix", "gitlab", "gitlab.com:0099", "99", "99"],
    ])(
      "%s are stored canonically and are the same identity as the canonical spelling",
      async (_, kind, raw, canonical, again) => {
        // prepare
        const user = await routes.createUser(org.id, { name: `Canonical ${kind}` });

        // act
        const linked = await routes.api("POST", identitiesPath(user.id), { body: { kind, externalId: raw } });
        const relinked = await routes.api("POST", identitiesPath(user.id), {
          body: { kind, externalId: again },
        });

        // assess
        expect(linked.status).toBe(201);
        expect(linked.body.externalId).toBe(canonical);
        expect(relinked.status).toBe(200);
        expect((await routes.getUser(org.id, user.id)).body.identities).toHaveLength(1);
        const resolved = await routes.api(
          "GET",
          `/v1/orgs/${org.id}/resolve?kind=${kind}&externalId=${encodeURIComponent(canonical)}`,
        );
        expect(resolved.body.id).toBe(user.id);
      },
    );

    it("an identity another user holds, in any spelling, is a 409 identity_taken and writes nothing", async () => {
      // prepare
      const holder = await routes.createUser(org.id, {
        name: "Holder",
        identities: [{ kind: "github", externalId: "31337" }],
      });
      const other = await routes.createUser(org.id, { name: "Other" });
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("POST", identitiesPath(other.id), {
        body: { kind: "github", externalId: "0031337" },
      });

      // assess
      expect(expectError(reply, 409, "identity_taken")).toEqual({ kind: "github", externalId: "31337" });
      expect(await routes.tableItems()).toEqual(tableBefore);
      expect((await routes.getUser(org.id, holder.id)).body.identities).toHaveLength(1);
    });

    it.each([
      ["an invalid externalId for its kind", { kind: "slack", externalId: "U0NOTEAM" }, "externalId"],
      ["an unknown kind", { kind: "myspace", externalId: "1" }, "kind"],
      ["no externalId", { kind: "github" }, "externalId"],
    ])("a body with %s is a 400 naming the field and writes nothing", async (_, body, field) => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Bad Link" });
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("POST", identitiesPath(user.id), { body });

      // assess
      expect(expectError(reply, 400, "invalid_input")).toHaveProperty(field);
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it("an unknown user is a 404 and writes nothing", async () => {
      // prepare
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("POST", identitiesPath("01JUNKNOWNUSER0000000000000"), {
        body: { kind: "github", externalId: "5" },
      });

      // assess
      expectError(reply, 404, "user_not_found");
      expect(await routes.tableItems()).toEqual(tableBefore);
    });
  });

  describe("DELETE /v1/orgs/{orgId}/users/{userId}/identities/{kind}/{externalId}", () => {
    it("unlinks with 204, frees the identity for another user, and a second unlink is a 404", async () => {
      // prepare
      const user = await routes.createUser(org.id, {
        name: "Unlinker",
        identities: [{ kind: "github", externalId: "70001" }],
      });
      const next = await routes.createUser(org.id, { name: "Next Owner" });

      // act
      const first = await routes.api("DELETE", identityPath(user.id, "github", "70001"));
      const second = await routes.api("DELETE", identityPath(user.id, "github", "70001"));

      // assess
      expect(first.status).toBe(204);
      expect(first.text).toBe("");
      expectError(second, 404, "identity_not_linked");
      expect((await routes.getUser(org.id, user.id)).body.identities).toEqual([]);
      const [latest] = await routes.events(org.id, user.id);
      expect(latest).toMatchObject({
        eventType: "identity_removed",
        actor: OPERATOR_ACTOR,
        before: { kind: "github", externalId: "70001" },
      });
      const relinked = await routes.api("POST", identitiesPath(next.id), {
        body: { kind: "github", externalId: "70001" },
      });
      expect(relinked.status).toBe(201);
    });

    it.each([
      ["github", "0070002", "70002"],
      ["slack", "t0unl:u0unl", "T0UNL:U0UNL"],
    ] as const)(
      "a %s identity is found by any spelling of its id in the path",
      async (kind, pathId, stored) => {
        // prepare
        const user = await routes.createUser(org.id, {
          name: "Spelling",
          identities: [{ kind, externalId: stored }],
        });

        // act
        const reply = await routes.api("DELETE", identityPath(user.id, kind, pathId));

        // assess
        expect(reply.status).toBe(204);
        expect((await routes.getUser(org.id, user.id)).body.identities).toEqual([]);
      },
    );

    it("an identity held by another user is a 404 here and stays with its owner", async () => {
      // prepare
      const owner = await routes.createUser(org.id, {
        name: "Keeper",
        identities: [{ kind: "github", externalId: "70003" }],
      });
      const other = await routes.createUser(org.id, { name: "Not Keeper" });
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("DELETE", identityPath(other.id, "github", "70003"));

      // assess
      expectError(reply, 404, "identity_not_linked");
      expect(await routes.tableItems()).toEqual(tableBefore);
      expect((await routes.getUser(org.id, owner.id)).body.identities).toHaveLength(1);
    });

    it.each([
      ["an externalId that cannot exist for its kind", "github", "octocat"],
      ["an unknown kind", "myspace", "1"],
    ])("%s is a 404", async (_, kind, externalId) => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Nothing Linked" });

      // act
      const reply = await routes.api("DELETE", identityPath(user.id, kind, externalId));

      // assess
      expectError(reply, 404, "identity_not_linked");
    });

    it("an unknown user is a 404", async () => {
      // act
      const reply = await routes.api("DELETE", identityPath("01JUNKNOWNUSER0000000000000", "github", "1"));

      // assess
      expect(reply.status).toBe(404);
    });
  });

  describe("POST /v1/orgs/{orgId}/users/{userId}/merge", () => {
    /** Two users with emails, identities and a token each; every test merges its own pair. */
    let pairs = 0;
    async function preparePair() {
      pairs += 1;
      const target = await routes.createUser(org.id, {
        name: "Merge Target",
        email: routes.email("target"),
        emailAliases: [routes.email("target-alias")],
        identities: [{ kind: "github", externalId: String(80_000 + pairs) }],
      });
      const sourceSlack = `T0MERGE:U0SOURCE${pairs}`;
      const source = await routes.createUser(org.id, {
        name: "Merge Source",
        email: routes.email("source"),
        emailAliases: [routes.email("source-alias")],
        identities: [{ kind: "slack", externalId: sourceSlack }],
      });
      const targetToken = (await routes.mintToken(org.id, target.id, "target")).token;
      const sourceToken = (await routes.mintToken(org.id, source.id, "source")).token;
      return { target, source, sourceSlack, targetToken, sourceToken };
    }

    const merge = (targetId: string, sourceUserId: string) =>
      routes.api("POST", `${userPath(targetId)}/merge`, { body: { sourceUserId } });

    it("answers 200 with the target holding both users' identities, the source's emails as aliases, and both tokens", async () => {
      // prepare
      const { target, source } = await preparePair();

      // act
      const reply = await merge(target.id, source.id);

      // assess
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({
        id: target.id,
        name: "Merge Target",
        email: target.email,
        emailAliases: [target.emailAliases[0], source.email, source.emailAliases[0]],
      });
      expect(reply.body.identities).toEqual(
        expect.arrayContaining([...target.identities, ...source.identities]),
      );
      expect(reply.body.identities).toHaveLength(2);
      expect(reply.body.tokens.map((token: { label: string }) => token.label).sort()).toEqual([
        "source",
        "target",
      ]);
      expect((await routes.getUser(org.id, target.id)).body).toEqual(reply.body);
    });

    it("deletes the source", async () => {
      // prepare
      const { target, source } = await preparePair();

      // act
      await merge(target.id, source.id);

      // assess
      expectError(await routes.getUser(org.id, source.id), 404, "user_not_found");
      const listed = await routes.api("GET", `/v1/orgs/${org.id}/users?limit=200`);
      expect(listed.body.items.map((user: User) => user.id)).not.toContain(source.id);
    });

    it("the source's token then authenticates as the target, and the target's token still works", async () => {
      // prepare
      const { target, source, targetToken, sourceToken } = await preparePair();

      // act
      await merge(target.id, source.id);

      // assess
      const viaSource = await routes.api("GET", "/v1/whoami", { token: sourceToken });
      const viaTarget = await routes.api("GET", "/v1/whoami", { token: targetToken });
      expect(viaSource.status).toBe(200);
      expect(viaSource.body).toMatchObject({ actor: `user:${target.id}`, kind: "user", orgId: org.id });
      expect(viaSource.body.user.id).toBe(target.id);
      expect(viaTarget.body.actor).toBe(`user:${target.id}`);
    });

    it("a member merged into an admin keeps a member's token: 403 on the user list, no admin token minted, and the merge audit names it", async () => {
      // prepare: the target is an admin, the source a member with a token
      pairs += 1;
      const admin = await routes.createUser(org.id, { name: "Admin Target", accessRole: "admin" });
      const member = await routes.createUser(org.id, { name: "Member Source", accessRole: "member" });
      const memberToken = (await routes.mintToken(org.id, member.id, "member")).token;
      const adminToken = (await routes.mintToken(org.id, admin.id, "admin")).token;

      // act
      const merged = await merge(admin.id, member.id);
      const list = await routes.api("GET", `/v1/orgs/${org.id}/users`, { token: memberToken });
      const mint = await routes.api("POST", `${userPath(admin.id)}/tokens`, { token: memberToken, body: {} });
      const self = await routes.api("GET", userPath(admin.id), { token: memberToken });
      const adminList = await routes.api("GET", `/v1/orgs/${org.id}/users`, { token: adminToken });

      // assess: the moved token acts for the admin user, but only as a member
      expect(merged.status).toBe(200);
      expectError(list, 403, "forbidden");
      expectError(mint, 403, "forbidden");
      expect(self.status).toBe(200);
      expect(adminList.status).toBe(200);
      const roles = Object.fromEntries(
        merged.body.tokens.map((token: { label: string; accessRole: string }) => [
          token.label,
          token.accessRole,
        ]),
      );
      expect(roles).toEqual({ member: "member", admin: "admin" });
      const [audit] = await routes.events(org.id, admin.id);
      expect(audit).toMatchObject({
        eventType: "manual_merge",
        after: { tokensMoved: [{ accessRole: "member", preview: memberToken.slice(-4) }] },
      });
    });

    it("the source's identities and emails then resolve to the target, and stay claimed", async () => {
      // prepare
      const { target, source, sourceSlack } = await preparePair();

      // act
      await merge(target.id, source.id);

      // assess
      const byIdentity = await routes.api(
        "GET",
        `/v1/orgs/${org.id}/resolve?kind=slack&externalId=${sourceSlack}`,
      );
      const byEmail = await routes.api(
        "GET",
        `/v1/orgs/${org.id}/resolve?email=${encodeURIComponent(source.emailAliases[0] as string)}`,
      );
      expect(byIdentity.body.id).toBe(target.id);
      expect(byEmail.body.id).toBe(target.id);
      const squatter = await routes.api("POST", `/v1/orgs/${org.id}/users`, {
        body: { name: "Squatter", email: source.email },
      });
      expectError(squatter, 409, "email_taken");
    });

    it("keeps both users' audit events, each newest with manual_merge", async () => {
      // prepare
      const { target, source } = await preparePair();

      // act
      await merge(target.id, source.id);

      // assess
      const targetEvents = await routes.events(org.id, target.id);
      const sourceEvents = await routes.events(org.id, source.id);
      expect(targetEvents[0]).toMatchObject({
        eventType: "manual_merge",
        actor: OPERATOR_ACTOR,
        userId: target.id,
        before: expect.objectContaining({ id: source.id, email: source.email }),
        after: expect.objectContaining({ id: target.id }),
      });
      expect(sourceEvents[0]).toMatchObject({
        eventType: "manual_merge",
        actor: OPERATOR_ACTOR,
        userId: source.id,
        after: { mergedInto: target.id },
      });
      expect(eventTypes(sourceEvents).slice(1)).toEqual(["token_minted", "identity_added", "user_created"]);
    });

    it("merging a user into itself is a 400 self_merge and writes nothing", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Narcissus" });
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("POST", `${userPath(user.id)}/merge`, {
        body: { sourceUserId: user.id },
      });

      // assess
      expect(expectError(reply, 400, "self_merge")).toEqual({ sourceUserId: "same_as_target" });
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it.each([
      ["an unknown source", "source"],
      ["an unknown target", "target"],
      ["a source from another org", "foreign"],
    ])("%s is a 404 and writes nothing", async (_, which) => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Lonely" });
      const foreignOrg = await routes.createOrg("Foreign Merge Co");
      const foreigner = await routes.createUser(foreignOrg.id, { name: "Foreigner" });
      const unknown = "01JUNKNOWNUSER0000000000000";
      const [targetId, sourceId] =
        which === "source"
          ? [user.id, unknown]
          : which === "target"
            ? [unknown, user.id]
            : [user.id, foreigner.id];
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("POST", `${userPath(targetId)}/merge`, {
        body: { sourceUserId: sourceId },
      });

      // assess
      expectError(reply, 404, "user_not_found");
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it("a body without sourceUserId is a 400 naming it", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Merge Body" });

      // act
      const reply = await routes.api("POST", `${userPath(user.id)}/merge`, { body: {} });

      // assess
      expect(expectError(reply, 400, "invalid_input")).toHaveProperty("sourceUserId");
    });
  });
});
