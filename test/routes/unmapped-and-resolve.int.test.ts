import "./quiet-logs";
import type { UnmappedIdentity, User } from "@kith/core/identity";
import * as Identity from "@kith/core/identity";
import type { Org } from "@kith/core/orgs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  expectError,
  ISO_TIMESTAMP,
  OPERATOR_ACTOR,
  type Page,
  type Reply,
  useRouteGateway,
} from "./support";

/** A webhook sighting of an identity nobody holds, recorded the way the webhook pipeline does. */
async function sight(
  orgId: string,
  kind: Identity.IdentityKind,
  externalId: string,
  options: { email?: string; context?: string; eventType?: string } = {},
): Promise<Identity.Resolution> {
  return Identity.resolve(
    orgId,
    { kind, externalId },
    {
      emailVerified: false,
      ...(options.email === undefined ? {} : { email: options.email }),
      source: "webhook:github",
      allowCreate: false,
      sighting: {
        eventType: options.eventType ?? "push",
        context: options.context ?? "commit pushed to main",
      },
    },
  );
}

describe("routes: resolve and unmapped identities", () => {
  const routes = useRouteGateway();
  let org: Org;

  beforeAll(async () => {
    org = await routes.createOrg("Resolve Co");
  });

  const unmappedPath = (orgId: string, query = "") => `/v1/orgs/${orgId}/unmapped${query}`;
  const resolveEntryPath = (kind: string, externalId: string) =>
    `/v1/orgs/${org.id}/unmapped/${kind}/${encodeURIComponent(externalId)}/resolve`;
  const entryKeys = (page: Page<UnmappedIdentity>) =>
    page.items.map((item) => `${item.kind}:${item.externalId}`);

  describe("GET /v1/orgs/{orgId}/resolve", () => {
    let user: User;

    beforeAll(async () => {
      user = await routes.createUser(org.id, {
        name: "Findable",
        email: routes.email("findable"),
        emailAliases: [routes.email("findable-alias")],
        identities: [
          { kind: "github", externalId: "123001" },
          { kind: "slack", externalId: "T0RES:U0FIND" },
        ],
      });
    });

    it.each([
      ["github by its numeric id", "github", "123001"],
      ["github with leading zeros", "github", "000123001"],
      ["slack in lower case", "slack", "t0res:u0find"],
    ])("finds the user by %s (200 User) and writes nothing", async (_, kind, externalId) => {
      // prepare
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api(
        "GET",
        `/v1/orgs/${org.id}/resolve?kind=${kind}&externalId=${encodeURIComponent(externalId)}`,
      );

      // assess
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual((await routes.getUser(org.id, user.id)).body);
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it.each([
      ["its primary email", () => user.email as string],
      ["an alias in upper case", () => (user.emailAliases[0] as string).toUpperCase()],
      ["an alias with surrounding spaces", () => ` ${user.emailAliases[0]} `],
    ])("finds the user by %s", async (_, email) => {
      // act
      const reply = await routes.api(
        "GET",
        `/v1/orgs/${org.id}/resolve?email=${encodeURIComponent(email())}`,
      );

      // assess
      expect(reply.status).toBe(200);
      expect(reply.body.id).toBe(user.id);
    });

    it.each([
      ["an identity nobody holds", "?kind=github&externalId=999999001"],
      ["an email nobody owns", "?email=nobody%40example.com"],
    ])("%s is a 404 and records nothing (not even an unmapped entry)", async (_, query) => {
      // prepare
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("GET", `/v1/orgs/${org.id}/resolve${query}`);

      // assess
      expectError(reply, 404, "user_not_found");
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it.each([
      ["neither form", "", "query"],
      ["only kind", "?kind=github", "query"],
      ["only externalId", "?externalId=123001", "query"],
      ["an invalid email", "?email=not-an-email", "email"],
      ["an externalId invalid for its kind", "?kind=github&externalId=octocat", "externalId"],
      ["an unknown kind", "?kind=myspace&externalId=1", "kind"],
    ])("%s is a 400 naming the problem", async (_, query, field) => {
      // act
      const reply = await routes.api("GET", `/v1/orgs/${org.id}/resolve${query}`);

      // assess
      expect(expectError(reply, 400, "invalid_input")).toHaveProperty(field);
    });

    it("both forms at once is a 400, not an answer to one of them", async () => {
      // act
      const reply = await routes.api(
        "GET",
        `/v1/orgs/${org.id}/resolve?kind=github&externalId=123001&email=${encodeURIComponent("someone@example.com")}`,
      );

      // assess
      expectError(reply, 400, "invalid_input");
    });
  });

  describe("GET /v1/orgs/{orgId}/unmapped", () => {
    let listed: Org;
    let candidate: User;

    beforeAll(async () => {
      listed = await routes.createOrg("Unmapped List Co");
      candidate = await routes.createUser(listed.id, { name: "Candidate", email: routes.email("candidate") });
      for (let i = 0; i < 3; i++) await sight(listed.id, "github", "2001", { eventType: `push-${i}` });
      await sight(listed.id, "slack", "T0LIST:U0TWICE");
      await sight(listed.id, "slack", "T0LIST:U0TWICE");
      await sight(listed.id, "linear", "a1b2c3d4-0000-4000-8000-000000000001");
      await sight(listed.id, "linear", "a1b2c3d4-0000-4000-8000-000000000001");
      await sight(listed.id, "github", "2002", {
        email: ` ${(candidate.email as string).toUpperCase()} `,
        eventType: "pull_request",
        context: "opened PR #7",
      });
    });

    it("lists entries by count descending, then by last sighting descending, with the contract's fields", async () => {
      // act
      const reply: Reply<Page<UnmappedIdentity>> = await routes.api("GET", unmappedPath(listed.id));

      // assess
      expect(reply.status).toBe(200);
      expect(reply.body.nextCursor).toBeNull();
      expect(entryKeys(reply.body)).toEqual([
        "github:2001",
        "linear:a1b2c3d4-0000-4000-8000-000000000001",
        "slack:T0LIST:U0TWICE",
        "github:2002",
      ]);
      expect(reply.body.items.map((item) => item.count)).toEqual([3, 2, 2, 1]);
      expect(reply.body.items[0]).toEqual({
        kind: "github",
        externalId: "2001",
        count: 3,
        firstSeenAt: expect.stringMatching(ISO_TIMESTAMP),
        lastSeenAt: expect.stringMatching(ISO_TIMESTAMP),
        sampleEventType: "push-2",
        sampleContext: "commit pushed to main",
        candidates: [],
      });
      for (const item of reply.body.items) expect(item.firstSeenAt <= item.lastSeenAt).toBe(true);
      const [, linear, slack] = reply.body.items;
      expect((linear?.lastSeenAt ?? "") > (slack?.lastSeenAt ?? "")).toBe(true);
    });

    it("lists the owner of an unverified matching email as a candidate, without linking", async () => {
      // act
      const reply: Reply<Page<UnmappedIdentity>> = await routes.api("GET", unmappedPath(listed.id));

      // assess
      const entry = reply.body.items.find((item) => item.externalId === "2002");
      expect(entry).toMatchObject({
        count: 1,
        sampleEventType: "pull_request",
        sampleContext: "opened PR #7",
        candidates: [candidate.id],
      });
      expect((await routes.getUser(listed.id, candidate.id)).body.identities).toEqual([]);
    });

    it("?kind= keeps only that kind, still by count then recency", async () => {
      // act
      const github = await routes.api("GET", unmappedPath(listed.id, "?kind=github"));
      const slack = await routes.api("GET", unmappedPath(listed.id, "?kind=slack"));
      const gitlab = await routes.api("GET", unmappedPath(listed.id, "?kind=gitlab"));

      // assess
      expect(entryKeys(github.body)).toEqual(["github:2001", "github:2002"]);
      expect(entryKeys(slack.body)).toEqual(["slack:T0LIST:U0TWICE"]);
      expect(gitlab.body).toEqual({ items: [], nextCursor: null });
    });

    it("pages with limit and cursor, without repeats", async () => {
      // prepare
      const seen: string[] = [];
      let cursor: string | null = null;

      // act
      do {
        const query: string = `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const reply: Reply<Page<UnmappedIdentity>> = await routes.api("GET", unmappedPath(listed.id, query));
        expect(reply.status).toBe(200);
        expect(reply.body.items.length).toBeLessThanOrEqual(3);
        seen.push(...entryKeys(reply.body));
        cursor = reply.body.nextCursor;
      } while (cursor);

      // assess
      expect(seen).toEqual([
        "github:2001",
        "linear:a1b2c3d4-0000-4000-8000-000000000001",
        "slack:T0LIST:U0TWICE",
        "github:2002",
      ]);
    });

    it.each([
      ["an unknown kind", "?kind=myspace", "kind"],
      ["limit=0", "?limit=0", "limit"],
      ["limit=500", "?limit=500", "limit"],
      ["a forged cursor", "?cursor=eyJwayI6IngifQ", "cursor"],
    ])("%s is a 400 naming it", async (_, query, field) => {
      // act
      const reply = await routes.api("GET", unmappedPath(listed.id, query));

      // assess
      expect(reply.status).toBe(400);
      expect(reply.body.error.details).toHaveProperty(field);
    });

    it("never returns an expired entry, and an expired entry cannot be resolved", async () => {
      // prepare
      const expiredOrg = await routes.createOrg("Expired Co");
      const longAgo = new Date(Date.now() - (Identity.Unmapped.RETENTION_DAYS + 1) * 86_400_000);
      await Identity.Unmapped.recordSighting(
        expiredOrg.id,
        { kind: "github", externalId: "3001" },
        { eventType: "push" },
        longAgo,
      );
      await sight(expiredOrg.id, "github", "3002");

      // act
      const reply = await routes.api("GET", unmappedPath(expiredOrg.id));
      const resolved = await routes.api("POST", `/v1/orgs/${expiredOrg.id}/unmapped/github/3001/resolve`, {
        body: { name: "Too Late" },
      });

      // assess
      expect(entryKeys(reply.body)).toEqual(["github:3002"]);
      expectError(resolved, 404, "unmapped_not_found");
    });

    it("keeps a sample context of at most 100 characters with secrets scrubbed", async () => {
      // prepare
      const slackToken = "xoxb-123456789012-abcdefghijkl";
      const githubToken = `ghp_${"A1b2C3d4E5".repeat(3)}F6g7H8`;
      const cutSecret = `ghp_${"Z9y8X7w6V5".repeat(3)}U4t3S2`;
      const context = `push by bot ${slackToken} using ${githubToken}; ${"x".repeat(12)} ${cutSecret} ${"tail ".repeat(30)}`;
      const secretOrg = await routes.createOrg("Secret Co");
      await sight(secretOrg.id, "github", "4001", { context });

      // act
      const reply: Reply<Page<UnmappedIdentity>> = await routes.api("GET", unmappedPath(secretOrg.id));

      // assess
      const sample = reply.body.items[0]?.sampleContext ?? "";
      expect(githubToken).toHaveLength(40);
      expect(context.length).toBeGreaterThan(200);
      expect(sample.length).toBeGreaterThan(0);
      expect(sample.length).toBeLessThanOrEqual(100);
      expect(sample.startsWith("push by bot")).toBe(true);
      for (const secret of [slackToken, githubToken, cutSecret]) {
        // Not the secret, nor any 12-character piece of it (a truncation must not leave half a token).
        for (let start = 0; start + 12 <= secret.length; start++) {
          expect(sample).not.toContain(secret.slice(start, start + 12));
        }
      }
      expect(reply.text).not.toContain("abcdefghijkl");
    });
  });

  describe("POST /v1/orgs/{orgId}/unmapped/{kind}/{externalId}/resolve", () => {
    it("{userId} links the identity to that user (200) and removes the entry", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Claimant" });
      await sight(org.id, "github", "5001");
      await sight(org.id, "github", "5001");

      // act
      const reply = await routes.api("POST", resolveEntryPath("github", "5001"), {
        body: { userId: user.id },
      });

      // assess
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ id: user.id, name: "Claimant" });
      expect(reply.body.identities).toEqual([
        { kind: "github", externalId: "5001", createdAt: expect.stringMatching(ISO_TIMESTAMP) },
      ]);
      const list: Reply<Page<UnmappedIdentity>> = await routes.api("GET", unmappedPath(org.id));
      expect(entryKeys(list.body)).not.toContain("github:5001");
      const resolved = await routes.api("GET", `/v1/orgs/${org.id}/resolve?kind=github&externalId=5001`);
      expect(resolved.body.id).toBe(user.id);
      const [latest] = await routes.events(org.id, user.id);
      expect(latest).toMatchObject({ eventType: "identity_added", actor: OPERATOR_ACTOR });
    });

    it("{name, email} creates a user holding the identity (201) and removes the entry", async () => {
      // prepare
      const email = routes.email("newcomer");
      await sight(org.id, "slack", "T0NEW:U0COMER");

      // act
      const reply = await routes.api("POST", resolveEntryPath("slack", "t0new:u0comer"), {
        body: { name: "Newcomer", email: email.toUpperCase() },
      });

      // assess
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({
        orgId: org.id,
        name: "Newcomer",
        email,
        accessRole: "member",
        status: "active",
      });
      expect(reply.body.identities).toEqual([
        { kind: "slack", externalId: "T0NEW:U0COMER", createdAt: expect.stringMatching(ISO_TIMESTAMP) },
      ]);
      expect((await routes.getUser(org.id, reply.body.id)).status).toBe(200);
      const list: Reply<Page<UnmappedIdentity>> = await routes.api("GET", unmappedPath(org.id));
      expect(entryKeys(list.body)).not.toContain("slack:T0NEW:U0COMER");
    });

    it("{name} alone creates a user without an email", async () => {
      // prepare
      await sight(org.id, "linear", "b1b2c3d4-0000-4000-8000-000000000002");

      // act
      const reply = await routes.api(
        "POST",
        resolveEntryPath("linear", "B1B2C3D4-0000-4000-8000-000000000002"),
        {
          body: { name: "Nameless Email" },
        },
      );

      // assess
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ name: "Nameless Email", email: null });
    });

    it("an entry that does not exist is a 404 and writes nothing", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Nobody's Claimant" });
      const tableBefore = await routes.tableItems();

      // act
      const byUser = await routes.api("POST", resolveEntryPath("github", "5999"), {
        body: { userId: user.id },
      });
      const byName = await routes.api("POST", resolveEntryPath("github", "5999"), {
        body: { name: "Ghost" },
      });
      const badId = await routes.api("POST", resolveEntryPath("github", "octocat"), {
        body: { name: "Ghost" },
      });

      // assess
      expectError(byUser, 404, "unmapped_not_found");
      expectError(byName, 404, "unmapped_not_found");
      expectError(badId, 404, "unmapped_not_found");
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it("{userId} of an unknown user is a 404 and the entry stays", async () => {
      // prepare
      await sight(org.id, "github", "5002");
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("POST", resolveEntryPath("github", "5002"), {
        body: { userId: "01JUNKNOWNUSER0000000000000" },
      });

      // assess
      expectError(reply, 404, "user_not_found");
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it("{name, email} with an email another user owns is a 409 email_taken and the entry stays", async () => {
      // prepare
      const owner = await routes.createUser(org.id, { name: "Owner", email: routes.email("owner") });
      await sight(org.id, "github", "5003");
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("POST", resolveEntryPath("github", "5003"), {
        body: { name: "Twin", email: owner.email },
      });

      // assess
      expect(expectError(reply, 409, "email_taken")).toEqual({ email: owner.email });
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it.each([
      ["an empty body", {}],
      ["both userId and name", { userId: "x", name: "Y" }],
      ["an invalid email", { name: "Y", email: "nope" }],
    ])("%s is a 400 and writes nothing", async (_, body) => {
      // prepare
      await sight(org.id, "github", "5004");
      const tableBefore = await routes.tableItems();

      // act
      const reply = await routes.api("POST", resolveEntryPath("github", "5004"), { body });

      // assess
      expectError(reply, 400, "invalid_input");
      expect(await routes.tableItems()).toEqual(tableBefore);
    });

    it("linking the identity through POST …/identities also removes the entry", async () => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Direct Linker" });
      await sight(org.id, "github", "5005");

      // act
      const reply = await routes.api("POST", `/v1/orgs/${org.id}/users/${user.id}/identities`, {
        body: { kind: "github", externalId: "5005" },
      });

      // assess
      expect(reply.status).toBe(201);
      const list: Reply<Page<UnmappedIdentity>> = await routes.api(
        "GET",
        unmappedPath(org.id, "?kind=github"),
      );
      expect(entryKeys(list.body)).not.toContain("github:5005");
    });
  });
});
