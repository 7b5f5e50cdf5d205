import { afterEach, describe, expect, it } from "vitest";
import { env } from "./index";

/** The runtime configuration names every function reads; a missing one fails loudly, by name. */

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

describe("env", () => {
  it("names the variable that is missing, never answering with an empty table or bus name", () => {
    delete process.env.KITH_TABLE_NAME;
    process.env.KITH_EVENT_BUS_NAME = "";
    expect(() => env.tableName()).toThrow("environment variable KITH_TABLE_NAME is not set");
    expect(() => env.eventBusName()).toThrow("environment variable KITH_EVENT_BUS_NAME is not set");
  });

  it("reads the table, the bus and the stage, which is `local` when unset", () => {
    Object.assign(process.env, { KITH_TABLE_NAME: "t", KITH_EVENT_BUS_NAME: "b" });
    delete process.env.KITH_STAGE;
    expect([env.tableName(), env.eventBusName(), env.stage()]).toEqual(["t", "b", "local"]);
    process.env.KITH_STAGE = "prod";
    expect(env.stage()).toBe("prod");
  });
});
