import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { manifest } from "../../../../manifest";
import { domainEvents } from "../catalog";
import { document } from "./index";

const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

describe("the Kith OpenAPI document", () => {
  it("documents exactly the HTTP routes the manifest deploys, each under its declared operationId", () => {
    // prepare
    const deployed = new Map(manifest.routes.map((route) => [routeKey(route), route.operationId]));

    // act
    const paths = document().paths as Record<string, Record<string, { operationId: string }>>;
    const documented = new Map(
      Object.entries(paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => [
          routeKey({ method: method.toUpperCase(), path }),
          operation.operationId,
        ]),
      ),
    );

    // assess
    expect(documented).toEqual(deployed);
  });

  it("lists every domain event Kith publishes, each with the schema of its definition", () => {
    // act
    const listed = document()["x-domain-events"] as { type: string; schema: { $ref: string } }[];
    const schemas = (document().components as { schemas: Record<string, unknown> }).schemas;

    // assess
    expect(listed.map((event) => event.type)).toEqual(domainEvents.definitions.map((event) => event.type));
    for (const event of listed) {
      expect(event.schema.$ref).toBe(`#/components/schemas/Event.${event.type}`);
      expect(schemas[`Event.${event.type}`]).toBeDefined();
    }
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
