import "./quiet-logs";
import type { Org } from "@kith/core/orgs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectError, OPERATOR_KEY, useRouteGateway } from "./support";

describe("routes: inputs that must be a 4xx, never a 500", () => {
  const routes = useRouteGateway();
  let org: Org;
  let other: Org;

  beforeAll(async () => {
    org = await routes.createOrg("Hardening Co");
    other = await routes.createOrg("Other Hardening Co");
  });

  it("an audit-events cursor whose sort key is outside the audit range is a 400 invalid_cursor", async () => {
    // prepare
    const user = await routes.createUser(org.id, { name: "Cursor Target" });
    const forged = Buffer.from(
      JSON.stringify({ pk: `ORG#${org.id}#USER#${user.id}`, sk: "#PROFILE" }),
      "utf8",
    ).toString("base64url");

    // act
    const reply = await routes.api("GET", `/v1/orgs/${org.id}/users/${user.id}/events?cursor=${forged}`);

    // assess
    expect(expectError(reply, 400, "invalid_cursor")).toEqual({ cursor: "invalid" });
  });

  it.each([
    ["a metadata number beyond 2^53", { metadata: { n: 1e20 } }, "metadata"],
    ["a metadata number below DynamoDB's 1e-130 floor", { metadata: { deep: [{ n: 1e-200 }] } }, "metadata"],
    ["a sub-cent daily budget", { dailyBudgetUsd: 1e-200 }, "dailyBudgetUsd"],
  ])("%s is a 400 naming the field, and nothing is written", async (_, fields, field) => {
    // prepare
    const before = await routes.tableItems();

    // act
    const reply = await routes.api("POST", `/v1/orgs/${org.id}/users`, {
      body: { name: "Numbers", ...fields },
    });

    // assess
    expect(Object.keys(expectError(reply, 400, "invalid_input"))).toEqual([field]);
    expect(await routes.tableItems()).toEqual(before);
  });

  it("malformed JSON sent with another org's admin token is a 404, not a 400: access is checked before the body is read", async () => {
    // prepare
    const admin = await routes.createUser(other.id, { name: "Other Admin", accessRole: "admin" });
    const { token } = await routes.mintToken(other.id, admin.id);

    // act
    const reply = await routes.api("POST", `/v1/orgs/${org.id}/users`, { token, raw: "{not json" });

    // assess
    expectError(reply, 404, "org_not_found");
  });

  /** A metadata object nested `depth` levels deep (the metadata object itself is level 1), as raw JSON. */
  const nested = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${"}".repeat(depth - 1)}`;

  it.each([
    ["nested 31 levels", 31],
    ["nested 10,000 levels", 10_000],
    ["nested 11 levels, one more than the documented 10", 11],
  ])("metadata %s is a 400 naming metadata, and nothing is written", async (_, depth) => {
    // prepare
    const before = await routes.tableItems();

    // act
    const reply = await routes.api("POST", `/v1/orgs/${org.id}/users`, {
      raw: `{"name":"Deep","metadata":${nested(depth)}}`,
    });

    // assess
    expect(expectError(reply, 400, "invalid_input")).toEqual({
      metadata: expect.stringMatching(/10 levels/),
    });
    expect(await routes.tableItems()).toEqual(before);
  });

  it("metadata nested exactly 10 levels is stored, and read back as sent", async () => {
    const reply = await routes.api("POST", `/v1/orgs/${org.id}/users`, {
      raw: `{"name":"Deep Enough","metadata":${nested(10)}}`,
    });

    expect(reply.status).toBe(201);
    expect(JSON.stringify(reply.body.metadata)).toBe(nested(10));
  });

  it.each([
    ["an empty key", { "": 1 }],
    ["an empty key deep inside", { a: [{ b: { "": "x" } }] }],
  ])("metadata with %s is a 400 naming metadata, and nothing is written", async (_, metadata) => {
    // prepare
    const before = await routes.tableItems();

    // act
    const reply = await routes.api("POST", `/v1/orgs/${org.id}/users`, { body: { name: "Keys", metadata } });

    // assess
    expect(expectError(reply, 400, "invalid_input")).toEqual({ metadata: "keys may not be empty" });
    expect(await routes.tableItems()).toEqual(before);
  });

  it.each([
    ["a NUL", "Mallory\\u0000"],
    ["a control character", "Mal\\u0007lory"],
    ["a right-to-left override", "Ali\\u202Ece"],
    ["a bidirectional isolate", "\\u2067Bob\\u2069"],
  ])(
    "a name with %s is a 400 for users, orgs and token labels, and nothing is written",
    async (_, escaped) => {
      // prepare
      const user = await routes.createUser(org.id, { name: "Label Holder" });
      const before = await routes.tableItems();

      // act
      const userReply = await routes.api("POST", `/v1/orgs/${org.id}/users`, {
        raw: `{"name":"${escaped}"}`,
      });
      const orgReply = await routes.api("POST", "/v1/orgs", { raw: `{"name":"${escaped}"}` });
      const tokenReply = await routes.api("POST", `/v1/orgs/${org.id}/users/${user.id}/tokens`, {
        raw: `{"label":"${escaped}"}`,
      });
      const renameReply = await routes.api("PATCH", `/v1/orgs/${org.id}/users/${user.id}`, {
        raw: `{"name":"${escaped}"}`,
      });

      // assess
      expect(expectError(userReply, 400, "invalid_input")).toHaveProperty("name");
      expect(expectError(orgReply, 400, "invalid_input")).toHaveProperty("name");
      expect(expectError(tokenReply, 400, "invalid_input")).toHaveProperty("label");
      expect(expectError(renameReply, 400, "invalid_input")).toHaveProperty("name");
      expect(await routes.tableItems()).toEqual(before);
    },
  );

  it("a JSON body that is not valid UTF-8 is a 400, never stored with replacement characters", async () => {
    // prepare
    const before = await routes.tableItems();
    const body = Buffer.concat([Buffer.from('{"name":"Bad '), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);

    // act
    const response = await fetch(`http://127.0.0.1:${routes.port}/v1/orgs/${org.id}/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${OPERATOR_KEY}`, "content-type": "application/json" },
      body,
    });

    // assess
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: "invalid_json",
        message: "The body is not valid UTF-8",
        details: { body: "invalid_utf8" },
      },
    });
    expect(await routes.tableItems()).toEqual(before);
  });
});
