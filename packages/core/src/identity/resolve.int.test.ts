import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFreshTableWithOrg } from "../../../../test/support/integration";
import { db } from "../storage";
import { resolve } from "./resolve";
import * as Users from "./users";

describe("identity resolution", () => {
  let drop: () => Promise<void>;
  let orgId: string;

  beforeAll(async () => {
    ({ drop, orgId } = await useFreshTableWithOrg("Resolve Co"));
  });
  afterAll(async () => drop());

  it("50 parallel resolutions of one new person with a verified email create exactly one user and one identity", async () => {
    // prepare
    const identity = { kind: "github" as const, externalId: "5550001" };
    const options = {
      email: "New.Person@Example.com",
      emailVerified: true,
      source: "webhook:github",
      allowCreate: true,
    };

    // act
    const results = await Promise.all(Array.from({ length: 50 }, () => resolve(orgId, identity, options)));

    // assess
    const userIds = new Set(
      results.map((result) => (result.outcome === "resolved" ? result.userId : "unresolved")),
    );
    expect(userIds.size).toBe(1);
    expect([...userIds][0]).not.toBe("unresolved");
    const page = await Users.list(orgId, { limit: 200 });
    const matching = page.items.filter((user) => user.email === "new.person@example.com");
    expect(matching).toHaveLength(1);
    expect(matching[0]?.identities).toEqual([
      expect.objectContaining({ kind: "github", externalId: "5550001" }),
    ]);
    const created = await db.query({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :audit)",
      ExpressionAttributeValues: { ":pk": `ORG#${orgId}#USER#${matching[0]?.id}`, ":audit": "AUDIT#" },
    });
    expect(created.Items?.filter((item) => item.eventType === "user_created")).toHaveLength(1);
  });

  it("20 parallel creates with one email in different letter case give exactly one user and 19 email_taken conflicts", async () => {
    // prepare
    const spellings = Array.from({ length: 20 }, (_, index) =>
      index % 2 ? "Race.Case@Example.COM" : ` race.case@example.com `,
    );

    // act
    const outcomes = await Promise.allSettled(
      spellings.map((email, index) =>
        Users.create(orgId, { name: `Racer ${index}`, email }, { actor: "op:test" }),
      ),
    );

    // assess
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    const codes = outcomes.flatMap((outcome) =>
      outcome.status === "rejected" ? [(outcome.reason as { code: string }).code] : [],
    );
    expect(codes).toEqual(Array(19).fill("email_taken"));
  });

  it("creates a user from any name hint a payload carries: control characters dropped, cut to 200 characters", async () => {
    // prepare
    const hint = `\u0007Ada\n\tLovelace ${"x".repeat(500)}`;

    // act
    const resolution = await resolve(
      orgId,
      { kind: "linear", externalId: "0b7e1d4c-5a3f-4e8b-a1c9-0d2e3f4a5b99" },
      {
        email: "long.name@example.com",
        emailVerified: true,
        nameHint: hint,
        source: "test",
        allowCreate: true,
      },
    );

    // assess
    expect(resolution.outcome).toBe("resolved");
    const user = await Users.get(orgId, (resolution as { userId: string }).userId);
    expect(user.name.startsWith("Ada Lovelace x")).toBe(true);
    expect(user.name).toHaveLength(200);
  });
});
