import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { manifest } from "../../../../manifest";
import { document, operations } from "./index";

const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

describe("the Kith OpenAPI document", () => {
  it("documents exactly the HTTP routes the manifest deploys, with the same auth kind", () => {
    // prepare
    const deployed = new Map(manifest.routes.map((route) => [routeKey(route), route.auth]));

    // act
    const documented = new Map(operations.map((operation) => [routeKey(operation), operation.auth]));

    // assess
    expect([...documented.keys()].sort()).toEqual([...deployed.keys()].sort());
    for (const [key, auth] of documented) expect({ key, auth }).toEqual({ key, auth: deployed.get(key) });
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    // prepare
    const validator = new Validator();

    // act
    const result = await validator.validate(structuredClone(document()));

    // assess
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document().openapi).toBe("3.1.0");
  });

  it("describes the User from its zod schema, lower-cased emails and identities included", () => {
    // act
    const schemas = (
      document().components as { schemas: Record<string, { properties?: Record<string, unknown> }> }
    ).schemas;

    // assess
    expect(Object.keys(schemas.User?.properties ?? {})).toEqual(
      expect.arrayContaining(["id", "orgId", "email", "emailAliases", "identities", "tokens", "status"]),
    );
    expect(schemas.CreateUserInput).toBeDefined();
  });
});
