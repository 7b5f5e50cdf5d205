import "./quiet-logs";
import { createHash } from "node:crypto";
import type { User } from "@kith/core/identity";
import * as Identity from "@kith/core/identity";
import type { Org } from "@kith/core/orgs";
import { beforeAll, describe, expect, it } from "vitest";
import { manifest } from "../../manifest";
import {
  expectError,
  fillPath,
  ISO_TIMESTAMP,
  type Item,
  OPERATOR_ACTOR,
  type Reply,
  USER_TOKEN,
  useRouteGateway,
} from "./support";

/** Items other than token items: token items legitimately gain `lastUsedAt` when a token is used. */
function withoutTokenItems(items: Item[]): Item[] {
  return items.filter((item) => item.entity !== "token");
}

describe("routes: tokens and authorization", () => {
  const routes = useRouteGateway();
  let org: Org;
  let admin: User;
  let adminToken: string;
  let member: User;
  let memberToken: string;

  beforeAll(async () => {
    org = await routes.createOrg("Auth Co");
    admin = await routes.createUser(org.id, {
      name: "Admin",
      accessRole: "admin",
      email: routes.email("admin"),
    });
    member = await routes.createUser(org.id, { name: "Member", email: routes.email("member") });
    adminToken = (await routes.mintToken(org.id, admin.id, "admin")).token;
    memberToken = (await routes.mintToken(org.id, member.id, "member")).token;
  });

  const userPath = (userId: string) => `/v1/orgs/${org.id}/users/${userId}`;
  const tokensPath = (userId: string) => `${userPath(userId)}/tokens`;

  describe("POST /v1/orgs/{orgId}/users/{userId}/tokens", () => {
    it("returns 201 {id, token, preview, label, accessRole, createdAt} with a kith_ token, once, and uncacheable", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Minter" });

      // act
      const reply = await routes.api("POST", tokensPath(user.id), { body: { label: "  ci  " } });

      // assess
      expect(reply.status).toBe(201);
      expect(reply.body).toEqual({
        id: expect.any(String),
        token: expect.stringMatching(USER_TOKEN),
        preview: reply.body.token.slice(-4),
        label: "ci",
        accessRole: "member",
        createdAt: expect.stringMatching(ISO_TIMESTAMP),
      });
      expect(reply.body.preview).toHaveLength(4);
      expect(reply.headers.get("cache-control")).toBe("no-store");
      const [latest] = await routes.events(org.id, user.id);
      expect(latest).toMatchObject({
        eventType: "token_minted",
        actor: OPERATOR_ACTOR,
        after: { tokenId: reply.body.id, preview: reply.body.preview, label: "ci" },
      });
      const stored = JSON.stringify(await routes.tableItems());
      expect(stored).not.toContain(reply.body.token);
      expect(stored).toContain(createHash("sha256").update(reply.body.token).digest("hex"));
    });

    it("mints without a body, with a null label, and every token is different", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Bodyless" });

      // act
      const first = await routes.api("POST", tokensPath(user.id));
      const second = await routes.api("POST", tokensPath(user.id));

      // assess
      expect(first.status).toBe(201);
      expect(first.body.label).toBeNull();
      expect(second.body.token).not.toBe(first.body.token);
      expect(second.body.id).not.toBe(first.body.id);
    });

    it.each([
      ["a blank label", { label: "   " }, "label"],
      ["an over-long label", { label: "l".repeat(101) }, "label"],
    ])("a body with %s is a 400 naming the field and writes nothing", async (_, body, field) => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Bad Label" });
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("POST", tokensPath(user.id), { body });

      // assess
      expect(expectError(reply, 400, "invalid_input")).toHaveProperty(field);
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it("an unknown user is a 404 and writes nothing", async () => {
      // prepare
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("POST", tokensPath("01JUNKNOWNUSER0000000000000"), { body: {} });

      // assess
      expectError(reply, 404, "user_not_found");
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it("the user then lists the token's metadata, never its plaintext", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Lister" });
      const minted = await routes.mintToken(org.id, user.id, "phone");

      // act
      const reply = await routes.getUser(org.id, user.id);

      // assess
      expect(reply.body.tokens).toEqual([
        {
          id: minted.id,
          preview: minted.preview,
          label: "phone",
          accessRole: "member",
          createdAt: minted.createdAt,
          lastUsedAt: null,
        },
      ]);
      expect(reply.text).not.toContain(minted.token);
    });
  });

  describe("GET /v1/whoami", () => {
    it("a user token is {actor: user:<id>, kind: user, orgId, user}", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Who", email: routes.email("who") });
      const { token } = await routes.mintToken(org.id, user.id);

      // act
      const reply = await routes.api("GET", "/v1/whoami", { token });

      // assess
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        actor: `user:${user.id}`,
        kind: "user",
        orgId: org.id,
        user: expect.any(Object),
      });
      expect(reply.body.user).toEqual((await routes.getUser(org.id, user.id)).body);
      expect(reply.body.user).toMatchObject({ id: user.id, name: "Who", email: user.email });
    });

    it("the operator key is {actor: op:<16 hex>, kind: operator, orgId: null, user: null}", async () => {
      // act
      const reply = await routes.api("GET", "/v1/whoami");

      // assess
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ actor: OPERATOR_ACTOR, kind: "operator", orgId: null, user: null });
      expect(OPERATOR_ACTOR).toMatch(/^op:[0-9a-f]{16}$/);
    });

    it.each([
      ["no Authorization header", null],
      ["a wrong operator key", "routes-test-operator-key-0123456788"],
      ["an unknown, well-formed user token", `kith_${"Z".repeat(43)}`],
      ["a user token that is too short", "kith_abc"],
    ])("%s is a 401 unauthenticated", async (_, token) => {
      // act
      const reply = await routes.api("GET", "/v1/whoami", { token });

      // assess
      expectError(reply, 401, "unauthenticated");
    });
  });

  describe("DELETE /v1/orgs/{orgId}/users/{userId}/tokens/{tokenId}", () => {
    it("revokes with 204, again with 204 (idempotent), and the revoked token is then a 401", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Revoker" });
      const minted = await routes.mintToken(org.id, user.id, "old");
      const kept = await routes.mintToken(org.id, user.id, "kept");

      // act
      const first = await routes.api("DELETE", `${tokensPath(user.id)}/${minted.id}`);
      const tableAfterFirst = await routes.tableItems();
      const second = await routes.api("DELETE", `${tokensPath(user.id)}/${minted.id}`);

      // assess
      expect(first.status).toBe(204);
      expect(first.text).toBe("");
      expect(second.status).toBe(204);
      expect(await routes.tableItems()).toEqual(tableAfterFirst);
      expectError(await routes.api("GET", "/v1/whoami", { token: minted.token }), 401, "unauthenticated");
      expect((await routes.api("GET", "/v1/whoami", { token: kept.token })).status).toBe(200);
      const listed = (await routes.getUser(org.id, user.id)).body.tokens;
      expect(listed.map((token: { id: string }) => token.id)).toEqual([kept.id]);
      const [latest] = await routes.events(org.id, user.id);
      expect(latest).toMatchObject({
        eventType: "token_revoked",
        actor: OPERATOR_ACTOR,
        before: { tokenId: minted.id, preview: minted.preview, label: "old" },
      });
    });

    it("revoking a token id that never existed is a 204 and writes nothing", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "No Such Token" });
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("DELETE", `${tokensPath(user.id)}/01JNOSUCHTOKEN000000000000`);

      // assess
      expect(reply.status).toBe(204);
      expect(await routes.tableItems()).toEqual(tableBefore);
    });
  });

  describe("a token works only while its user is active", () => {
    it("a suspended user's token is a 401, and works again once the user is active", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Suspendee" });
      const { token } = await routes.mintToken(org.id, user.id);
      expect((await routes.api("GET", "/v1/whoami", { token })).status).toBe(200);

      // act
      await routes.api("PATCH", userPath(user.id), { body: { status: "suspended" } });
      const whileSuspended = await routes.api("GET", "/v1/whoami", { token });
      const ownUserWhileSuspended = await routes.api("GET", userPath(user.id), { token });
      await routes.api("PATCH", userPath(user.id), { body: { status: "active" } });
      const afterReactivation = await routes.api("GET", "/v1/whoami", { token });

      // assess
      expectError(whileSuspended, 401, "unauthenticated");
      expectError(ownUserWhileSuspended, 401, "unauthenticated");
      expect(afterReactivation.status).toBe(200);
    });

    it("an invited user's token is a 401", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Invitee", status: "invited" });
      const { token } = await routes.mintToken(org.id, user.id);

      // act
      const reply = await routes.api("GET", "/v1/whoami", { token });

      // assess
      expectError(reply, 401, "unauthenticated");
    });

    it("a deleted user's token is a 401", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Departed" });
      const { token } = await routes.mintToken(org.id, user.id);
      await routes.api("DELETE", userPath(user.id));

      // act
      const reply = await routes.api("GET", "/v1/whoami", { token });

      // assess
      expectError(reply, 401, "unauthenticated");
    });
  });

  describe("a member token", () => {
    it("may read itself: its own user and whoami", async () => {
      // act
      const own = await routes.api("GET", userPath(member.id), { token: memberToken });
      const whoami = await routes.api("GET", "/v1/whoami", { token: memberToken });

      // assess
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ id: member.id, name: "Member" });
      expect(whoami.body).toMatchObject({ actor: `user:${member.id}`, kind: "user", orgId: org.id });
    });

    it.each([
      ["read another user", "GET", "other", undefined],
      ["list users", "GET", "list", undefined],
      ["update itself", "PATCH", "self", { name: "Promoted Me" }],
      ["promote itself to admin", "PATCH", "self", { accessRole: "admin" }],
      ["mint a token for itself", "POST", "self/tokens", {}],
      ["mint a token for another user", "POST", "other/tokens", {}],
      ["revoke another user's token", "DELETE", "other/tokens/admin", undefined],
      ["delete another user", "DELETE", "other", undefined],
      ["delete itself", "DELETE", "self", undefined],
      ["create a user", "POST", "list", { name: "Friend" }],
      ["link an identity to itself", "POST", "self/identities", { kind: "github", externalId: "424242" }],
      ["read its own audit events", "GET", "self/events", undefined],
      ["merge another user into itself", "POST", "self/merge", { sourceUserId: "other" }],
      ["resolve an identity", "GET", "resolve", undefined],
      ["list unmapped identities", "GET", "unmapped", undefined],
    ])("may not %s (403) and writes nothing", async (_, method, target, body) => {
      // prepare
      const other = await routes.createUser(org.id, { name: "Other Person" });
      const adminTokenId = (await routes.getUser(org.id, admin.id)).body.tokens[0]?.id as string;
      const path = {
        other: userPath(other.id),
        list: `/v1/orgs/${org.id}/users`,
        self: userPath(member.id),
        "self/tokens": tokensPath(member.id),
        "other/tokens": tokensPath(other.id),
        "other/tokens/admin": `${tokensPath(admin.id)}/${adminTokenId}`,
        "self/identities": `${userPath(member.id)}/identities`,
        "self/events": `${userPath(member.id)}/events`,
        "self/merge": `${userPath(member.id)}/merge`,
        resolve: `/v1/orgs/${org.id}/resolve?email=${encodeURIComponent(admin.email as string)}`,
        unmapped: `/v1/orgs/${org.id}/unmapped`,
      }[target] as string;
      const payload = body && "sourceUserId" in body ? { sourceUserId: other.id } : body;
      const before = withoutTokenItems(await routes.tableItems());

      // act
      const reply = await routes.api(method, path, { token: memberToken, body: payload });

      // assess
      expectError(reply, 403, "forbidden");
      expect(withoutTokenItems(await routes.tableItems())).toEqual(before);
    });
  });

  describe("an admin token", () => {
    it("manages the users of its own org, and the audit log names it as the actor", async () => {
      // prepare
      const email = routes.email("managed");

      // act
      const created = await routes.api("POST", `/v1/orgs/${org.id}/users`, {
        token: adminToken,
        body: { name: "Managed", email },
      });
      const userId = created.body.id as string;
      const listed = await routes.api("GET", `/v1/orgs/${org.id}/users?limit=200`, { token: adminToken });
      const read = await routes.api("GET", userPath(userId), { token: adminToken });
      const patched = await routes.api("PATCH", userPath(userId), {
        token: adminToken,
        body: { role: "Ops" },
      });
      const linked = await routes.api("POST", `${userPath(userId)}/identities`, {
        token: adminToken,
        body: { kind: "github", externalId: "6060" },
      });
      const minted = await routes.api("POST", tokensPath(userId), {
        token: adminToken,
        body: { label: "x" },
      });
      const revoked = await routes.api("DELETE", `${tokensPath(userId)}/${minted.body.id}`, {
        token: adminToken,
      });
      const events = await routes.api("GET", `${userPath(userId)}/events`, { token: adminToken });
      const resolved = await routes.api("GET", `/v1/orgs/${org.id}/resolve?kind=github&externalId=6060`, {
        token: adminToken,
      });
      const unmapped = await routes.api("GET", `/v1/orgs/${org.id}/unmapped`, { token: adminToken });
      const deleted = await routes.api("DELETE", userPath(userId), { token: adminToken });

      // assess
      expect(
        [created, listed, read, patched, linked, minted, revoked, events, resolved, unmapped, deleted].map(
          (reply) => reply.status,
        ),
      ).toEqual([201, 200, 200, 200, 201, 201, 204, 200, 200, 200, 204]);
      expect(listed.body.items.map((user: User) => user.id)).toContain(userId);
      expect(resolved.body.id).toBe(userId);
      const audit = await routes.events(org.id, userId);
      expect(audit.length).toBeGreaterThanOrEqual(6);
      for (const event of audit) expect(event.actor).toBe(`user:${admin.id}`);
    });

    it("may not create or list orgs (403)", async () => {
      // act
      const created = await routes.api("POST", "/v1/orgs", { token: adminToken, body: { name: "Mine" } });
      const listed = await routes.api("GET", "/v1/orgs", { token: adminToken });

      // assess
      expectError(created, 403, "forbidden");
      expectError(listed, 403, "forbidden");
    });

    it("loses admin rights as soon as it is demoted to member", async () => {
      // prepare
      const demoted = await routes.createUser(org.id, { name: "Soon Member", accessRole: "admin" });
      const { token } = await routes.mintToken(org.id, demoted.id);
      expect((await routes.api("GET", `/v1/orgs/${org.id}/users`, { token })).status).toBe(200);

      // act
      await routes.api("PATCH", userPath(demoted.id), { body: { accessRole: "member" } });
      const reply = await routes.api("GET", `/v1/orgs/${org.id}/users`, { token });

      // assess
      expectError(reply, 403, "forbidden");
    });
  });

  describe("cross-org isolation", () => {
    // Operator-only routes (a full stats rebuild) refuse every user token with 403 whatever the org;
    // their own tests cover them.
    const orgRoutes = manifest.routes.filter(
      (route) =>
        route.path.startsWith("/v1/orgs/{orgId}") && (route as { access?: unknown }).access !== "operator",
    );

    /** A valid body and query for each org route, so only authorization can refuse the call. */
    function requestFor(
      method: string,
      path: string,
      ids: { otherUserId: string; email: string; githubId: string },
    ): { body?: unknown; query?: string } {
      switch (`${method} ${path}`) {
        case "POST /v1/orgs/{orgId}/users":
          return { body: { name: "Intruder", email: ids.email } };
        case "PATCH /v1/orgs/{orgId}/users/{userId}":
          return { body: { name: "Hijacked", status: "suspended" } };
        case "POST /v1/orgs/{orgId}/users/{userId}/identities":
          return { body: { kind: "github", externalId: "99999999" } };
        case "POST /v1/orgs/{orgId}/users/{userId}/merge":
          return { body: { sourceUserId: ids.otherUserId } };
        case "POST /v1/orgs/{orgId}/users/{userId}/tokens":
          return { body: { label: "stolen" } };
        case "POST /v1/orgs/{orgId}/unmapped/{kind}/{externalId}/resolve":
          return { body: { name: "Claimed", email: ids.email } };
        case "POST /v1/orgs/{orgId}/integrations":
          return { body: { provider: "slack", externalTenantId: "T0INTRUDER" } };
        case "POST /v1/orgs/{orgId}/users/{userId}/mailbox/{provider}/connect":
        case "PATCH /v1/orgs/{orgId}/users/{userId}/mailbox/{provider}":
          return { body: { scopes: { mail: true, calendar: true } } };
        case "GET /v1/orgs/{orgId}/resolve":
          return { query: `?kind=github&externalId=${ids.githubId}` };
        case "POST /v1/orgs/{orgId}/collections":
          return { body: { name: "Intruded" } };
        case "POST /v1/orgs/{orgId}/collections/{collectionId}/members":
          return { body: { userId: ids.otherUserId } };
        case "POST /v1/orgs/{orgId}/collections/{collectionId}/contacts":
          return { body: { name: "Intruder", emails: [ids.email] } };
        case "PATCH /v1/orgs/{orgId}/collections/{collectionId}/contacts/{contactId}":
          return { body: { name: "Hijacked", emails: [ids.email] } };
        case "GET /v1/orgs/{orgId}/users":
        case "GET /v1/orgs/{orgId}/unmapped":
        case "GET /v1/orgs/{orgId}/users/{userId}/events":
        case "GET /v1/orgs/{orgId}/collections":
        case "GET /v1/orgs/{orgId}/collections/{collectionId}/members":
        case "GET /v1/orgs/{orgId}/collections/{collectionId}/contacts":
          return { query: "?limit=10" };
        default:
          return method === "POST" || method === "PUT" || method === "PATCH" ? { body: {} } : {};
      }
    }

    it.each([
      ["an admin", "admin"],
      ["a member", "member"],
    ] as const)(
      "%s token of org A gets 404 on every org-B route in the manifest, and nothing in org B changes",
      async (_, role) => {
        // prepare
        const orgB = await routes.createOrg("Org B");
        const victim = await routes.createUser(orgB.id, {
          name: "Victim",
          email: routes.email("victim"),
          accessRole: "admin",
          identities: [{ kind: "github", externalId: "5150001" }],
        });
        const bystander = await routes.createUser(orgB.id, {
          name: "Bystander",
          email: routes.email("bystander"),
        });
        const victimToken = await routes.mintToken(orgB.id, victim.id, "victim");
        const integration = await routes.api("POST", `/v1/orgs/${orgB.id}/integrations`, {
          body: { provider: "github", externalTenantId: `installation:${Date.now()}${role.length}` },
        });
        await Identity.resolve(
          orgB.id,
          { kind: "github", externalId: "5150002" },
          {
            emailVerified: false,
            source: "webhook:github",
            allowCreate: false,
            sighting: { eventType: "push" },
          },
        );
        const collection = await routes.api("POST", `/v1/orgs/${orgB.id}/collections`, {
          body: { name: "Org B List" },
        });
        await routes.api("POST", `/v1/orgs/${orgB.id}/collections/${collection.body.id}/members`, {
          body: { userId: victim.id },
        });
        const contact = await routes.api(
          "POST",
          `/v1/orgs/${orgB.id}/collections/${collection.body.id}/contacts`,
          {
            body: { name: "Org B Contact", emails: [routes.email("orgb-contact")] },
          },
        );
        const token = role === "admin" ? adminToken : memberToken;
        const unknownOrgId = "00000000-0000-4000-8000-000000000000";
        const orgBBefore = await routes.orgItems(orgB.id);

        // act
        const replies: { route: string; reply: Reply; unknownOrgReply: Reply }[] = [];
        for (const route of orgRoutes) {
          const onUnmapped = route.path.includes("/unmapped/");
          const parameters = {
            userId: victim.id,
            kind: "github",
            externalId: onUnmapped ? "5150002" : "5150001",
            tokenId: victimToken.id,
            integrationId: integration.body.id,
            provider: "google",
            collectionId: collection.body.id,
            contactId: contact.body.id,
          };
          const { body, query = "" } = requestFor(route.method, route.path, {
            otherUserId: bystander.id,
            email: routes.email("intruder"),
            githubId: "5150001",
          });
          const reply = await routes.api(
            route.method,
            fillPath(route.path, { ...parameters, orgId: orgB.id }) + query,
            {
              token,
              body,
            },
          );
          const unknownOrgReply = await routes.api(
            route.method,
            fillPath(route.path, { ...parameters, orgId: unknownOrgId }) + query,
            { token, body },
          );
          replies.push({ route: `${route.method} ${route.path}`, reply, unknownOrgReply });
        }

        // assess
        expect(orgRoutes.length).toBeGreaterThanOrEqual(15);
        for (const { route, reply, unknownOrgReply } of replies) {
          expect({ route, status: reply.status }).toEqual({ route, status: 404 });
          // Exactly what an org that does not exist answers: nothing to probe.
          expect({ route, body: reply.body }).toEqual({ route, body: unknownOrgReply.body });
        }
        expect(await routes.orgItems(orgB.id)).toEqual(orgBBefore);
      },
    );
  });

  describe("every bearer route", () => {
    const bearerRoutes = manifest.routes.filter((route) => route.auth === "bearer");

    it.each([
      ["no Authorization header", null],
      ["an unknown user token", `kith_${"Q".repeat(40)}`],
      ["a wrong operator key", "nope"],
    ])(
      "answers 401 unauthenticated to %s, before looking at the body, and writes nothing",
      async (_, token) => {
        // prepare
        const before = await routes.tableItems();
        const parameters = {
          orgId: org.id,
          userId: member.id,
          kind: "github",
          externalId: "1",
          tokenId: "01JNOSUCHTOKEN000000000000",
          integrationId: "00000000-0000-4000-8000-000000000001",
          provider: "google",
          collectionId: "01JNOSUCHCOLLECTION0000000",
          contactId: "01JNOSUCHCONTACT0000000000",
        };

        // act
        const replies: { route: string; status: number; code: string }[] = [];
        for (const route of bearerRoutes) {
          const reply = await routes.api(route.method, fillPath(route.path, parameters), {
            token,
            raw: route.method === "GET" || route.method === "DELETE" ? undefined : "{not json",
          });
          replies.push({
            route: `${route.method} ${route.path}`,
            status: reply.status,
            code: reply.body?.error?.code,
          });
        }

        // assess
        expect(replies).toEqual(
          bearerRoutes.map((route) => ({
            route: `${route.method} ${route.path}`,
            status: 401,
            code: "unauthenticated",
          })),
        );
        expect(await routes.tableItems()).toEqual(before);
      },
    );
  });
});
