import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineRoute } from "./route";

const base = {
  handler: "functions/http/x.handler",
  operationId: "doThing",
  summary: "Do a thing",
  tags: ["things"],
  responses: { 200: { description: "Done" } },
} as const;

describe("defineRoute", () => {
  it("derives a schema for the path parameters: every {name}, 1 to 128 characters", () => {
    // act
    const route = defineRoute({
      ...base,
      method: "GET",
      path: "/v1/orgs/{orgId}/things/{thingId}",
      auth: "bearer",
      access: { org: "member" },
    });

    // assess
    expect(z.safeParse(route.params, { orgId: "o", thingId: "t" }).success).toBe(true);
    expect(z.safeParse(route.params, { orgId: "o", thingId: "x".repeat(129) }).success).toBe(false);
    expect(z.safeParse(route.params, { orgId: "o" }).success).toBe(false);
  });

  it("refuses a bearer route without an access rule, and an access rule on another kind of route", () => {
    expect(() => defineRoute({ ...base, method: "GET", path: "/v1/x", auth: "bearer" })).toThrow(/access/);
    expect(() =>
      defineRoute({ ...base, method: "GET", path: "/v1/x", auth: "none", access: "operator" }),
    ).toThrow(/access/);
  });

  it("refuses params that do not name exactly the path's parameters", () => {
    expect(() =>
      defineRoute({
        ...base,
        method: "GET",
        path: "/v1/things/{thingId}",
        auth: "none",
        params: z.object({ id: z.string() }),
      }),
    ).toThrow(/exactly the path's parameters/);
  });

  it("refuses an org access rule on a path without {orgId}, and a self that is no path parameter", () => {
    expect(() =>
      defineRoute({ ...base, method: "GET", path: "/v1/things", auth: "bearer", access: { org: "admin" } }),
    ).toThrow(/orgId/);
    expect(() =>
      defineRoute({
        ...base,
        method: "GET",
        path: "/v1/orgs/{orgId}",
        auth: "bearer",
        access: { org: "admin", self: "userId" },
      }),
    ).toThrow(/self/);
  });

  it("refuses an operationId that is not camelCase", () => {
    expect(() =>
      defineRoute({ ...base, operationId: "do-thing", method: "GET", path: "/v1/x", auth: "none" }),
    ).toThrow(/camelCase/);
  });
});
