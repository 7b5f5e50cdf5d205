import "./quiet-logs";
import type { Org } from "@kith/core/orgs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectError, useRouteGateway } from "./support";

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
});
