import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type ApiOperation, buildDocument, ErrorBodySchema, pageSchema } from "./index";

const INFO = { title: "Kith API", version: "1.2.3", description: "Test document" };

const Address = z.object({ city: z.string(), country: z.string() }).meta({ id: "Address" });
const Role = z.enum(["admin", "member"]).meta({ id: "Role" });
const User = z
  .object({
    userId: z.string(),
    email: z.email(),
    role: Role,
    address: Address.optional(),
    // A default makes the field optional to send but always present in a response.
    teams: z.array(z.string()).default([]),
  })
  .meta({ id: "User" });
const UserPage = pageSchema(User, "UserPage");
const CreateUser = z.object({ email: z.email(), address: Address.optional() }).meta({ id: "CreateUser" });

const listUsers: ApiOperation = {
  method: "GET",
  path: "/v1/orgs/{orgId}/users",
  operationId: "listUsers",
  summary: "List users",
  tags: ["users"],
  auth: "bearer",
  query: z.object({ cursor: z.string().optional(), limit: z.string().optional().describe("1 to 200") }),
  responses: { 200: { description: "One page of users", schema: UserPage } },
};
const getUser: ApiOperation = {
  method: "GET",
  path: "/v1/orgs/{orgId}/users/{userId}",
  operationId: "getUser",
  summary: "Get a user",
  tags: ["users"],
  auth: "bearer",
  responses: { 200: { description: "The user", schema: User } },
  errors: [404],
};
const updateUser: ApiOperation = {
  method: "PUT",
  path: "/v1/orgs/{orgId}/users/{userId}",
  operationId: "updateUser",
  summary: "Replace a user",
  tags: ["users"],
  auth: "bearer",
  body: User,
  responses: { 200: { description: "The stored user", schema: User }, 409: { description: "Email in use" } },
  errors: [404],
};
const createUser: ApiOperation = {
  method: "POST",
  path: "/v1/orgs/{orgId}/users",
  operationId: "createUser",
  summary: "Create a user",
  tags: ["users"],
  auth: "bearer",
  body: CreateUser,
  responses: { 201: { description: "Created", schema: User } },
};
const receiveWebhook: ApiOperation = {
  method: "POST",
  path: "/webhooks/{source}",
  operationId: "receiveWebhook",
  summary: "Receive a webhook",
  tags: ["webhooks"],
  auth: "webhook",
  body: z.record(z.string(), z.unknown()),
  responses: { 202: { description: "Accepted" } },
};
const health: ApiOperation = {
  method: "GET",
  path: "/health",
  operationId: "getHealth",
  summary: "Liveness",
  auth: "none",
  responses: { 200: { description: "Alive", schema: z.object({ ok: z.literal(true) }) } },
};

const ALL = [listUsers, getUser, updateUser, createUser, receiveWebhook, health] as const;

// biome-ignore lint/suspicious/noExplicitAny: tests walk the document by path; its shape is what they check
type Obj = Record<string, any>;
const build = (operations: readonly ApiOperation[] = ALL): Obj => buildDocument(operations, INFO) as Obj;
const errorRef = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };

function refsIn(value: unknown): string[] {
  return JSON.stringify(value).match(/"\$ref":"[^"]*"/g) ?? [];
}

describe("buildDocument", () => {
  it("is an OpenAPI 3.1 document with the given info", () => {
    const doc = build();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toEqual(INFO);
    expect(doc.tags).toEqual([{ name: "users" }, { name: "webhooks" }]);
  });

  it("validates against the official OpenAPI 3.1 schema, $refs included", async () => {
    const result = await new Validator().validate(structuredClone(build()));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it("derives required string path parameters from {name} segments, in path order", () => {
    const parameters = build().paths["/v1/orgs/{orgId}/users/{userId}"].get.parameters;
    expect(parameters).toEqual([
      { name: "orgId", in: "path", required: true, schema: { type: "string" } },
      { name: "userId", in: "path", required: true, schema: { type: "string" } },
    ]);
    expect(build().paths["/health"].get.parameters).toBeUndefined();
  });

  it("turns each query field into a parameter, required unless the field is optional", () => {
    const operation: ApiOperation = {
      ...listUsers,
      query: z.object({ q: z.string().min(2), cursor: z.string().optional() }),
    };
    const parameters = build([operation]).paths["/v1/orgs/{orgId}/users"].get.parameters;
    expect(parameters.slice(1)).toEqual([
      { name: "q", in: "query", required: true, schema: { type: "string", minLength: 2 } },
      { name: "cursor", in: "query", required: false, schema: { type: "string" } },
    ]);
    const described = build([listUsers]).paths["/v1/orgs/{orgId}/users"].get.parameters[2];
    expect(described).toMatchObject({ name: "limit", description: "1 to 200" });
  });

  it("puts schemas with a meta id in components.schemas and references them", () => {
    const doc = build();
    const get = doc.paths["/v1/orgs/{orgId}/users/{userId}"].get;
    expect(get.responses["200"].content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/User",
    });
    const user = doc.components.schemas.User;
    expect(user.properties.address).toEqual({ $ref: "#/components/schemas/Address" });
    expect(user.required).toEqual(["userId", "email", "role", "teams"]);
    expect(user.properties.role).toEqual({ $ref: "#/components/schemas/Role" });
    expect(doc.components.schemas.Address.properties.city).toEqual({ type: "string" });
    expect(doc.components.schemas.UserPage.properties).toEqual({
      items: { type: "array", items: { $ref: "#/components/schemas/User" } },
      nextCursor: expect.objectContaining({ type: ["string", "null"] }),
    });
    // Unnamed schemas stay inline, and nothing of zod's own layout leaks into the document.
    const health = doc.paths["/health"].get.responses["200"].content["application/json"].schema;
    expect(health).toMatchObject({ type: "object", properties: { ok: { const: true } } });
    const json = JSON.stringify(doc);
    expect(json).not.toContain("$defs");
    expect(json).not.toContain("$schema");
    for (const ref of refsIn(doc)) expect(ref).toMatch(/^"\$ref":"#\/components\/schemas\/[A-Za-z]+"$/);
  });

  it("lists exactly the components the paths reach, sorted", () => {
    expect(Object.keys(build().components.schemas)).toEqual([
      "Address",
      "AddressInput",
      "CreateUser",
      "Error",
      "Role",
      "User",
      "UserInput",
      "UserPage",
    ]);
    expect(Object.keys(build([getUser]).components.schemas)).toEqual(["Address", "Error", "Role", "User"]);
  });

  it("describes a body in its input shape, as <id>Input when the schema's response shape differs", () => {
    const doc = build();
    const put = doc.paths["/v1/orgs/{orgId}/users/{userId}"].put;
    expect(put.requestBody).toEqual({
      required: true,
      content: { "application/json": { schema: { $ref: "#/components/schemas/UserInput" } } },
    });
    const { User: output, UserInput: input } = doc.components.schemas;
    // teams has a default: optional to send, always present in a response.
    expect(input.required).toEqual(["userId", "email", "role"]);
    expect(output.required).toEqual(["userId", "email", "role", "teams"]);
    // Unknown keys are stripped from a request but never appear in a response.
    expect(input.additionalProperties).toBeUndefined();
    expect(output.additionalProperties).toBe(false);
    expect(input.properties.address).toEqual({ $ref: "#/components/schemas/AddressInput" });
    // An enum reads the same both ways, so one component serves both.
    expect(input.properties.role).toEqual({ $ref: "#/components/schemas/Role" });
    expect(doc.components.schemas.RoleInput).toBeUndefined();
  });

  it("keeps the id of a named schema that is only ever sent", () => {
    const doc = build([{ ...createUser, responses: { 201: { description: "Created" } } }]);
    expect(doc.paths["/v1/orgs/{orgId}/users"].post.requestBody.content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/CreateUser",
    });
    expect(doc.components.schemas.CreateUser.properties.address).toEqual({
      $ref: "#/components/schemas/Address",
    });
    expect(Object.keys(doc.components.schemas)).toEqual(["Address", "CreateUser", "Error"]);
  });

  it("gives a named schema an input variant when a schema it references has one", () => {
    const Team = z.object({ lead: User }).strict().meta({ id: "Team" });
    const doc = build([
      { ...createUser, body: Team, responses: { 201: { description: "Created", schema: Team } } },
    ]);
    expect(doc.paths["/v1/orgs/{orgId}/users"].post.requestBody.content["application/json"].schema.$ref).toBe(
      "#/components/schemas/TeamInput",
    );
    expect(doc.components.schemas.TeamInput.properties.lead).toEqual({
      $ref: "#/components/schemas/UserInput",
    });
    expect(doc.components.schemas.Team.properties.lead).toEqual({ $ref: "#/components/schemas/User" });
  });

  it("secures bearer operations with bearerAuth and leaves the others open", () => {
    const doc = build();
    expect(doc.paths["/v1/orgs/{orgId}/users"].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths["/health"].get.security).toBeUndefined();
    expect(doc.paths["/webhooks/{source}"].post.security).toBeUndefined();
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: { type: "http", scheme: "bearer", description: expect.stringContaining("kith_") },
    });
    expect(build([health]).components.securitySchemes).toBeUndefined();
  });

  it("documents the error responses each operation can produce, all with the Error schema", () => {
    const doc = build();
    const statuses = (operation: Obj) => Object.keys(operation.responses);
    expect(statuses(doc.paths["/health"].get)).toEqual(["200", "500"]);
    expect(statuses(doc.paths["/v1/orgs/{orgId}/users"].get)).toEqual(["200", "400", "401", "403", "500"]);
    expect(statuses(doc.paths["/v1/orgs/{orgId}/users/{userId}"].get)).toEqual([
      "200",
      "401",
      "403",
      "404",
      "500",
    ]);
    const put = doc.paths["/v1/orgs/{orgId}/users/{userId}"].put;
    expect(statuses(put)).toEqual(["200", "400", "401", "403", "404", "409", "500"]);
    // A webhook's signature check answers 401.
    expect(statuses(doc.paths["/webhooks/{source}"].post)).toEqual(["202", "400", "401", "500"]);
    expect(put.responses["409"]).toEqual({ description: "Email in use", content: errorRef });
    for (const path of Object.values<Obj>(doc.paths)) {
      for (const operation of Object.values<Obj>(path)) {
        for (const [status, response] of Object.entries<Obj>(operation.responses)) {
          if (Number(status) >= 400) expect(response.content).toEqual(errorRef);
        }
      }
    }
    expect(doc.paths["/webhooks/{source}"].post.responses["202"]).toEqual({ description: "Accepted" });
  });

  it("describes the contract's error body as the Error component", () => {
    expect(build([health]).components.schemas.Error).toMatchObject({
      type: "object",
      required: ["error"],
      properties: {
        error: {
          type: "object",
          required: ["code", "message"],
          properties: { code: { type: "string" }, message: { type: "string" }, details: { type: "object" } },
        },
      },
    });
    expect(
      ErrorBodySchema.safeParse({ error: { code: "not_found", message: "User not found" } }).success,
    ).toBe(true);
  });

  it("is deterministic and independent of the order operations are listed in", () => {
    const first = JSON.stringify(build());
    expect(JSON.stringify(build())).toBe(first);
    expect(JSON.stringify(build([...ALL].reverse()))).toBe(first);
  });

  it("is plain JSON with no undefined values", () => {
    const doc = build();
    const undefinedAt: string[] = [];
    const visit = (value: unknown, at: string): void => {
      if (value === undefined) undefinedAt.push(at);
      else if (typeof value === "object" && value !== null) {
        for (const [key, item] of Object.entries(value)) visit(item, `${at}/${key}`);
      }
    };
    visit(doc, "#");
    expect(undefinedAt).toEqual([]);
    expect(JSON.parse(JSON.stringify(doc))).toStrictEqual(doc);
  });

  it("reflects a change to a zod schema", () => {
    const before = z.object({ name: z.string() }).meta({ id: "Widget" });
    const after = z
      .object({ name: z.string(), colour: z.enum(["red", "blue"]).optional() })
      .meta({ id: "Widget" });
    const withSchema = (schema: z.ZodType): Obj =>
      build([{ ...health, responses: { 200: { description: "A widget", schema } } }]).components.schemas
        .Widget;
    expect(withSchema(before).properties.colour).toBeUndefined();
    expect(withSchema(after).properties.colour).toEqual({ type: "string", enum: ["red", "blue"] });
    expect(withSchema(after).required).toEqual(["name"]);
  });

  it("documents a recursive schema through its named component", () => {
    const Tree = z
      .object({
        name: z.string(),
        get children(): z.ZodArray<typeof Tree> {
          return z.array(Tree);
        },
      })
      .meta({ id: "Tree" });
    const doc = build([{ ...health, responses: { 200: { description: "A tree", schema: Tree } } }]);
    expect(doc.components.schemas.Tree.properties.children.items).toEqual({
      $ref: "#/components/schemas/Tree",
    });
  });

  it("refuses what it cannot document faithfully", () => {
    const Node = z.object({
      name: z.string(),
      get next(): z.ZodOptional<typeof Node> {
        return Node.optional();
      },
    });
    const recursive = { ...health, responses: { 200: { description: "A node", schema: Node } } };
    expect(() => build([recursive])).toThrow(/recursive schema needs an id in z\.globalRegistry/);

    const one = z.object({ a: z.string() }).meta({ id: "Twin" });
    const other = z.object({ b: z.string() }).meta({ id: "Twin" });
    const twins = [
      { ...health, responses: { 200: { description: "One", schema: one } } },
      { ...getUser, responses: { 200: { description: "Other", schema: other } } },
    ];
    expect(() => build(twins)).toThrow(/two different schemas use the id "Twin"/);

    expect(() => build([health, { ...getUser, operationId: "getHealth" }])).toThrow(/duplicate operationId/);
    expect(() => build([health, { ...health, operationId: "getHealthAgain" }])).toThrow(/duplicate route/);
    expect(() => build([{ ...health, operationId: "get_health" }])).toThrow(/camelCase/);
    const customError = { 404: { description: "Gone", schema: z.object({ reason: z.string() }) } };
    expect(() => build([{ ...health, responses: customError }])).toThrow(/must use ErrorBodySchema/);
    expect(() => build([{ ...health, errors: [200] }])).toThrow(/not an error status/);
  });
});
