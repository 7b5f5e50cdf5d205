import { describe, expect, it } from "vitest";
import { committedSchema, generateSchema, REGENERATE_COMMAND } from "./schema";

describe("the console's generated API types", () => {
  it("match a fresh generation from the core's OpenAPI document", async () => {
    // act
    const [committed, fresh] = await Promise.all([committedSchema(), generateSchema()]);

    // assess
    expect(
      committed === fresh,
      `packages/console/src/api/schema.d.ts is ${committed === undefined ? "missing" : "stale"}: run \`${REGENERATE_COMMAND}\` and commit it`,
    ).toBe(true);
  });
});
