import { describe, expect, it } from "vitest";
import {
  Conflict,
  Forbidden,
  InvalidInput,
  isKithError,
  KithError,
  NotFound,
  PayloadTooLarge,
  Throttled,
  Unauthenticated,
} from "./errors";

describe("typed errors", () => {
  it.each([
    ["InvalidInput", new InvalidInput("bad"), 400, "invalid_input"],
    ["Unauthenticated", new Unauthenticated(), 401, "unauthenticated"],
    ["Forbidden", new Forbidden(), 403, "forbidden"],
    ["NotFound", new NotFound("Org"), 404, "not_found"],
    ["Conflict", new Conflict("email_taken", "That email is taken"), 409, "email_taken"],
    ["PayloadTooLarge", new PayloadTooLarge(1024), 413, "payload_too_large"],
    ["Throttled", new Throttled(), 429, "throttled"],
  ] as const)("%s carries status %i and code %s, and is exposable", (name, error, status, code) => {
    // assess
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error.expose).toBe(true);
    expect(error).toBeInstanceOf(KithError);
    expect(error).toBeInstanceOf(Error);
    expect(isKithError(error)).toBe(true);
  });

  it("custom codes replace the defaults", () => {
    // act
    const errors = [
      new InvalidInput("bad cursor", { cursor: "invalid" }, "invalid_cursor"),
      new Unauthenticated("nope", "token_expired"),
      new Forbidden("nope", "not_an_admin"),
      new NotFound("Person", "person_not_found"),
    ];

    // assess
    expect(errors.map((error) => error.code)).toEqual([
      "invalid_cursor",
      "token_expired",
      "not_an_admin",
      "person_not_found",
    ]);
  });

  it("NotFound names what was not found", () => {
    expect(new NotFound("Org").message).toBe("Org not found");
  });

  it("InvalidInput and Conflict carry their details", () => {
    // act
    const invalid = new InvalidInput("bad", { email: "Invalid email" });
    const conflict = new Conflict("slug_taken", "taken", { slug: "acme" });

    // assess
    expect(invalid.details).toEqual({ email: "Invalid email" });
    expect(conflict.details).toEqual({ slug: "acme" });
  });

  it("PayloadTooLarge names the limit in its details and message", () => {
    // act
    const error = new PayloadTooLarge(1_048_576);

    // assess
    expect(error.details).toEqual({ limitBytes: 1_048_576 });
    expect(error.message).toContain("1048576");
  });

  it("Throttled carries retryAfterSeconds only when given", () => {
    // act
    const withRetry = new Throttled("slow down", 30);
    const withoutRetry = new Throttled();

    // assess
    expect(withRetry.details).toEqual({ retryAfterSeconds: 30 });
    expect(withoutRetry.details).toBeUndefined();
  });

  it("exposure defaults to true below 500 and false from 500", () => {
    // act
    const client = new KithError(422, "unprocessable", "m");
    const server = new KithError(500, "boom", "m");
    const unavailable = new KithError(503, "unavailable", "m");

    // assess
    expect(client.expose).toBe(true);
    expect(server.expose).toBe(false);
    expect(unavailable.expose).toBe(false);
  });

  it("an explicit expose overrides the default", () => {
    // act
    const hidden = new KithError(400, "hidden", "m", { expose: false });
    const shown = new KithError(503, "shown", "m", { expose: true });

    // assess
    expect(hidden.expose).toBe(false);
    expect(shown.expose).toBe(true);
  });

  it("the cause is kept for logs, and absent when not given", () => {
    // prepare
    const cause = new Error("root");

    // act
    const withCause = new KithError(500, "x", "m", { cause });
    const withoutCause = new KithError(500, "x", "m");

    // assess
    expect(withCause.cause).toBe(cause);
    expect("cause" in withoutCause).toBe(false);
  });

  it.each([
    ["a plain Error", new Error("x")],
    ["a look-alike object", { status: 400, code: "invalid_input", message: "x", expose: true }],
    ["a string", "invalid_input"],
    ["null", null],
    ["undefined", undefined],
  ])("%s is not a KithError", (_, value) => {
    expect(isKithError(value)).toBe(false);
  });
});
