import "./quiet-logs";
import type { Org } from "@kith/core/orgs";
import { applyEventChanges } from "@kith/core/rollup";
import { recomputeTargets } from "@kith/core/scoring";
import { beforeAll, describe, expect, it } from "vitest";
import { DAY, interaction, storeEvents } from "../support/rollup";
import { expectError, useRouteGateway } from "./support";

/**
 * Strength's routes over HTTP: overrides (who may set them, what they answer, their audit), the
 * key-connection opt-out, and the rules (read, tuned, refused), behind the local gateway.
 */

const routes = useRouteGateway();
let org: Org;
let adminToken: string;
let selfToken: string;
let otherToken: string;
let self: { id: string };
let other: { id: string };
let outsider: { id: string };
let collectionId: string;
let contactId: string;

beforeAll(async () => {
  org = await routes.createOrg("Strength Routes Co");
  const admin = await routes.createUser(org.id, { name: "Admin", accessRole: "admin" });
  adminToken = (await routes.mintToken(org.id, admin.id)).token;
  self = await routes.createUser(org.id, { name: "Self", email: routes.email("self") });
  selfToken = (await routes.mintToken(org.id, self.id)).token;
  other = await routes.createUser(org.id, { name: "Other", email: routes.email("other") });
  otherToken = (await routes.mintToken(org.id, other.id)).token;
  outsider = await routes.createUser(org.id, { name: "Outsider", email: routes.email("outsider") });
  collectionId = (await routes.api("POST", `/v1/orgs/${org.id}/collections`, { body: { name: "Team" } })).body
    .id;
  for (const member of [self, other]) {
    await routes.api("POST", `/v1/orgs/${org.id}/collections/${collectionId}/members`, {
      body: { userId: member.id },
    });
  }
  contactId = (
    await routes.api("POST", `/v1/orgs/${org.id}/collections/${collectionId}/contacts`, {
      body: { name: "Vera", emails: ["vera@ext.example"] },
    })
  ).body.id;
  // Self received one message from Vera: a cold connection.
  const event = interaction({ orgId: org.id, userId: self.id }, "vera@ext.example", {
    at: new Date(Date.now() - 2 * DAY),
    direction: "inbound",
  });
  await storeEvents([event]);
  await applyEventChanges([{ op: "insert", event }]);
  await recomputeTargets(org.id, [{ userId: self.id, collectionId, contactId }], { source: "pairs" });
});

const strengthPath = (userId: string) =>
  `/v1/orgs/${org.id}/collections/${collectionId}/contacts/${contactId}/strength/${userId}`;

describe("PUT …/contacts/{contactId}/strength/{userId}", () => {
  it("the member themself sets an override: 200 Connection with the computed tier beside it, audited, reachability moved", async () => {
    // act
    const reply = await routes.api("PUT", strengthPath(self.id), {
      token: selfToken,
      body: { override: "known" },
    });

    // assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      userId: self.id,
      tier: "known",
      computedTier: "cold",
      override: "known",
      reasons: [{ code: "inbound_only_24mo", tier: "cold", detail: expect.any(String) }],
      ruleSetVersion: 1,
    });
    const detail = await routes.api(
      "GET",
      `/v1/orgs/${org.id}/collections/${collectionId}/contacts/${contactId}`,
      {
        token: otherToken,
      },
    );
    expect(detail.body.reachability).toMatchObject({ tier: "medium", known: 1, cold: 0, keyUserId: self.id });
    expect(detail.body.connections.map((connection: { userId: string }) => connection.userId)).toEqual([
      self.id,
    ]);
    const audit = (await routes.events(org.id, self.id)).find(
      (event) => event.eventType === "strength_overridden",
    );
    expect(audit).toMatchObject({
      actor: `user:${self.id}`,
      before: { override: null, computedTier: "cold" },
      after: { override: "known", computedTier: "cold" },
    });
  });

  it("an admin may set anyone's; another member gets 403, a non-member of the team 404, a bad tier 400, and nothing is written", async () => {
    const before = await routes.tableItems();
    expectError(
      await routes.api("PUT", strengthPath(self.id), { token: otherToken, body: { override: "warm" } }),
      403,
      "forbidden",
    );
    expectError(
      await routes.api("PUT", strengthPath(outsider.id), { token: adminToken, body: { override: "warm" } }),
      404,
      "member_not_found",
    );
    expect(
      Object.keys(
        expectError(
          await routes.api("PUT", strengthPath(self.id), { token: adminToken, body: { override: "hot" } }),
          400,
          "invalid_input",
        ),
      ),
    ).toContain("override");
    expect((await routes.tableItems()).length).toBe(before.length);

    const cleared = await routes.api("PUT", strengthPath(self.id), {
      token: adminToken,
      body: { override: null },
    });
    expect(cleared.body).toMatchObject({ tier: "cold", override: null });
  });
});

describe("PUT /v1/orgs/{orgId}/users/{userId}/key-connection", () => {
  it("the member or an admin sets it, audited; another member gets 403", async () => {
    const path = (userId: string) => `/v1/orgs/${org.id}/users/${userId}/key-connection`;
    const reply = await routes.api("PUT", path(self.id), { token: selfToken, body: { optOut: true } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ userId: self.id, optOut: true });
    expectError(
      await routes.api("PUT", path(self.id), { token: otherToken, body: { optOut: false } }),
      403,
      "forbidden",
    );
    const back = await routes.api("PUT", path(self.id), { token: adminToken, body: { optOut: false } });
    expect(back.body.optOut).toBe(false);
    const audits = (await routes.events(org.id, self.id)).filter(
      (event) => event.eventType === "key_connection_changed",
    );
    expect(audits.map((event) => event.after)).toEqual([{ optOut: false }, { optOut: true }]);
  });
});

describe("GET and PATCH /v1/orgs/{orgId}/rules", () => {
  it("lists the 16 clauses with 8 active; an admin tunes a threshold into a new version; bad changes are 400 naming the field; a member may not tune", async () => {
    const path = `/v1/orgs/${org.id}/rules`;
    const rules = await routes.api("GET", path, { token: selfToken });
    expect(rules.status).toBe(200);
    expect(rules.body.version).toBe(1);
    expect(rules.body.clauses).toHaveLength(16);
    expect(rules.body.clauses.filter((clause: { active: boolean }) => clause.active)).toHaveLength(8);
    expect(rules.body.clauses[1]).toMatchObject({
      code: "sustained_2yr",
      tier: "warm",
      weight: 2.5,
      requires: "email",
      thresholds: { minQuarters: 8 },
      active: true,
    });

    expectError(
      await routes.api("PATCH", path, {
        token: selfToken,
        body: { thresholds: { sustained_2yr: { minQuarters: 6 } } },
      }),
      403,
      "forbidden",
    );
    const bad = expectError(
      await routes.api("PATCH", path, {
        token: adminToken,
        body: { thresholds: { sustained_2yr: { minQuarters: 0 }, nope: { x: 1 } } },
      }),
      400,
      "invalid_input",
    );
    expect(Object.keys(bad)).toEqual(expect.arrayContaining(["thresholds.sustained_2yr.minQuarters"]));
    expect((await routes.api("GET", path, { token: adminToken })).body.version).toBe(1);

    const tuned = await routes.api("PATCH", path, {
      token: adminToken,
      body: { thresholds: { sustained_2yr: { minQuarters: 6 } } },
    });
    expect(tuned.status).toBe(200);
    expect(tuned.body.version).toBe(2);
    expect(tuned.body.clauses[1].thresholds).toEqual({ minQuarters: 6 });
    expect((await routes.api("GET", path, { token: selfToken })).body.version).toBe(2);
    expectError(await routes.api("GET", "/v1/orgs/no-such-org/rules"), 404, "org_not_found");
  });
});
