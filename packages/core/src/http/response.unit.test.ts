import { describe, expect, it } from "vitest";
import {
  Conflict,
  Forbidden,
  InvalidInput,
  KithError,
  NotFound,
  PayloadTooLarge,
  Throttled,
  Unauthenticated,
} from "../util/errors";
import { errorResponse } from "./response";

const OPAQUE = {
  status: 500,
  body: { error: { code: "internal_error", message: "Something went wrong. It has been logged." } },
};

describe("errorResponse", () => {
  it.each([
    ["InvalidInput", new InvalidInput("The body is invalid", { name: "Required" }), 400, "invalid_input"],
    ["Unauthenticated", new Unauthenticated(), 401, "unauthenticated"],
    ["Forbidden", new Forbidden(), 403, "forbidden"],
    ["NotFound", new NotFound("Org"), 404, "not_found"],
    ["Conflict", new Conflict("email_taken", "That email is taken"), 409, "email_taken"],
    ["PayloadTooLarge", new PayloadTooLarge(1024), 413, "payload_too_large"],
    ["Throttled", new Throttled(), 429, "throttled"],
    [
      "a 415 KithError",
      new KithError(415, "unsupported_media_type", "Send JSON"),
      415,
      "unsupported_media_type",
    ],
  ] as const)("%s maps to %i with code %s and keeps its message and details", (_, error, status, code) => {
    // act
    const response = errorResponse(error);

    // assess
    expect(response.status).toBe(status);
    expect(response.body).toEqual({
      error: { code, message: error.message, details: error.details },
    });
  });

  it("an InvalidInput's details name the invalid fields in the body", () => {
    // act
    const response = errorResponse(new InvalidInput("The body is invalid", { email: "Invalid email" }));

    // assess
    expect(response.body.error.details).toEqual({ email: "Invalid email" });
  });

  it("a 429 with retryAfterSeconds sets the retry-after header", () => {
    // act
    const response = errorResponse(new Throttled("slow down", 30));

    // assess
    expect(response.status).toBe(429);
    expect(response.headers).toEqual({ "retry-after": "30" });
    expect(response.body.error.details).toEqual({ retryAfterSeconds: 30 });
  });

  it("a 429 without retryAfterSeconds has no retry-after header", () => {
    // act
    const response = errorResponse(new Throttled());

    // assess
    expect(response.headers).toEqual({});
  });

  it("retryAfterSeconds on a status other than 429 sets no header", () => {
    // act
    const response = errorResponse(new InvalidInput("bad", { retryAfterSeconds: 5 }));

    // assess
    expect(response.headers?.["retry-after"]).toBeUndefined();
  });

  it("an unexpected Error is an opaque 500 that reveals nothing internal", () => {
    // prepare
    const error = new Error("connect ECONNREFUSED 10.0.0.5:8000 table kith-prod password=hunter2");

    // act
    const response = errorResponse(error);

    // assess
    expect(response).toEqual(OPAQUE);
    expect(JSON.stringify(response)).not.toContain("ECONNREFUSED");
    expect(JSON.stringify(response)).not.toContain("hunter2");
  });

  it("a 4xx KithError with expose false keeps its status and code but hides its message and details", () => {
    // prepare
    const error = new KithError(404, "not_found", "internal detail: row 42 of kith-prod", {
      expose: false,
      details: { table: "kith-prod" },
    });

    // act
    const response = errorResponse(error);

    // assess
    expect(response).toEqual({ status: 404, body: { error: { code: "not_found", message: "Not found" } } });
    expect(JSON.stringify(response)).not.toContain("kith-prod");
  });

  it("a 5xx KithError with expose false is an opaque 500", () => {
    // act
    const response = errorResponse(
      new KithError(503, "upstream", "internal detail: kith-prod", {
        expose: false,
        details: { table: "kith-prod" },
      }),
    );

    // assess
    expect(response).toEqual(OPAQUE);
  });

  it("a 5xx KithError is unexposed by default and so becomes an opaque 500", () => {
    // act
    const response = errorResponse(new KithError(503, "dependency_down", "dynamo at 10.0.0.5 is down"));

    // assess
    expect(response).toEqual(OPAQUE);
  });

  it("a 503 KithError that is explicitly exposed keeps its status", () => {
    // act
    const response = errorResponse(new KithError(503, "transaction_conflict", "retry", { expose: true }));

    // assess
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe("transaction_conflict");
  });

  it.each([
    ["a string", "boom"],
    ["null", null],
    ["undefined", undefined],
    ["a number", 42],
    ["a look-alike object", { status: 400, code: "invalid_input", message: "leak", expose: true }],
  ])("%s thrown is an opaque 500", (_, thrown) => {
    expect(errorResponse(thrown)).toEqual(OPAQUE);
  });
});
