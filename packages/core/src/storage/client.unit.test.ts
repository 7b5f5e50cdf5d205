import { describe, expect, it } from "vitest";
import { errorResponse } from "../http/response";
import { translateStorageError } from "./client";
import { ConditionFailed, StorageThrottled, StorageUnavailable, TransactionCancelled } from "./errors";

/** What the AWS SDK throws: an Error whose `name` is the service exception type. */
function sdkError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name}: simulated`), { name, $metadata: { httpStatusCode: 400 } }, extra);
}

function cancelled(codes: (string | undefined)[]): Error {
  return sdkError("TransactionCanceledException", {
    CancellationReasons: codes.map((code) =>
      code === undefined ? {} : { Code: code, Message: `${code} msg` },
    ),
  });
}

describe("translateStorageError", () => {
  it.each([
    [
      "a refused connection (the store is down)",
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8000"), { code: "ECONNREFUSED" }),
    ],
    ["a reset connection", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })],
    ["a request timeout", Object.assign(new Error("timed out"), { name: "TimeoutError" })],
    ["a 500 from DynamoDB", sdkError("InternalServerError", { $metadata: { httpStatusCode: 500 } })],
    ["a 503 from DynamoDB", sdkError("ServiceUnavailable", { $metadata: { httpStatusCode: 503 } })],
  ])("%s becomes a retryable 503 storage_unavailable with Retry-After, never a 500", (_, error) => {
    // act
    const translated = translateStorageError(error);
    const response = errorResponse(translated);

    // assess
    expect(translated).toBeInstanceOf(StorageUnavailable);
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe("storage_unavailable");
    expect(response.headers).toEqual({ "retry-after": "2" });
  });

  it("a validation error of our own making stays an unexposed failure, not a 503", () => {
    expect(translateStorageError(sdkError("ValidationException"))).not.toBeInstanceOf(StorageUnavailable);
  });

  it("ConditionalCheckFailedException becomes a 409 ConditionFailed that keeps the cause", () => {
    // prepare
    const original = sdkError("ConditionalCheckFailedException");

    // act
    const translated = translateStorageError(original);

    // assess
    expect(translated).toBeInstanceOf(ConditionFailed);
    expect(translated).toMatchObject({ status: 409, code: "condition_failed", cause: original });
  });

  it("a cancelled transaction names the items whose condition failed, in request order", () => {
    // prepare
    const original = cancelled(["None", "ConditionalCheckFailed", "None", "ConditionalCheckFailed"]);

    // act
    const translated = translateStorageError(original);

    // assess
    expect(translated).toBeInstanceOf(TransactionCancelled);
    const error = translated as TransactionCancelled;
    expect(error.failedConditions()).toEqual([1, 3]);
    expect(error.status).toBe(409);
    expect(error.code).toBe("condition_failed");
    expect(error.retryable).toBe(false);
    expect(error.cause).toBe(original);
    expect(error.reasons[1]).toEqual({
      index: 1,
      code: "ConditionalCheckFailed",
      message: "ConditionalCheckFailed msg",
    });
  });

  it("a transaction that lost a race is retryable and a 503 transaction_conflict", () => {
    // act
    const error = translateStorageError(cancelled(["None", "TransactionConflict"])) as TransactionCancelled;

    // assess
    expect(error.retryable).toBe(true);
    expect(error.failedConditions()).toEqual([]);
    expect(error).toMatchObject({ status: 503, code: "transaction_conflict", expose: true });
    expect(errorResponse(error).status).toBe(503);
  });

  it.each([
    ["ThrottlingError", ["ThrottlingError"]],
    ["ProvisionedThroughputExceeded", ["ProvisionedThroughputExceeded"]],
  ])("a transaction throttled with %s is retryable and a 503", (_, codes) => {
    // act
    const error = translateStorageError(cancelled(codes)) as TransactionCancelled;

    // assess
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(503);
  });

  it("a transaction rejected for ValidationError is our bug: an unexposed 500", () => {
    // act
    const error = translateStorageError(cancelled(["None", "ValidationError"])) as TransactionCancelled;

    // assess
    expect(error).toMatchObject({ status: 500, expose: false, retryable: false });
    expect(errorResponse(error).body.error.code).toBe("internal_error");
  });

  it("DynamoDB refusing a pagination key becomes a 400 invalid_cursor, not a 500", () => {
    // act
    const error = translateStorageError(
      sdkError("ValidationException", {
        message:
          "The provided starting key is invalid: Exclusive Start Key must have same size as table's key schema",
      }),
    );

    // assess
    expect(error).toMatchObject({ status: 400, code: "invalid_cursor" });
  });

  it.each([
    ["ValidationError", ["ValidationError"]],
    ["ItemCollectionSizeLimitExceeded", ["None", "ItemCollectionSizeLimitExceeded"]],
    ["only None", ["None", "None"]],
  ])("a transaction cancelled for %s is not retryable", (_, codes) => {
    // act
    const error = translateStorageError(cancelled(codes)) as TransactionCancelled;

    // assess
    expect(error.retryable).toBe(false);
  });

  it("a reason without a Code reads as None", () => {
    // act
    const error = translateStorageError(
      cancelled([undefined, "ConditionalCheckFailed"]),
    ) as TransactionCancelled;

    // assess
    expect(error.reasons.map((reason) => reason.code)).toEqual(["None", "ConditionalCheckFailed"]);
    expect(error.failedConditions()).toEqual([1]);
  });

  it("a cancellation without reasons still becomes a TransactionCancelled with none failed", () => {
    // act
    const error = translateStorageError(sdkError("TransactionCanceledException"));

    // assess
    expect(error).toBeInstanceOf(TransactionCancelled);
    expect((error as TransactionCancelled).failedConditions()).toEqual([]);
    expect((error as TransactionCancelled).retryable).toBe(false);
  });

  it.each(["ProvisionedThroughputExceededException", "ThrottlingException"])(
    "%s becomes a 429 StorageThrottled that callers see as throttled",
    (name) => {
      // prepare
      const original = sdkError(name);

      // act
      const translated = translateStorageError(original);

      // assess
      expect(translated).toBeInstanceOf(StorageThrottled);
      expect(translated).toMatchObject({ status: 429, code: "throttled", expose: true, cause: original });
      expect(errorResponse(translated).status).toBe(429);
    },
  );

  it.each([
    ["ResourceNotFoundException", sdkError("ResourceNotFoundException")],
    ["ValidationException", sdkError("ValidationException")],
    ["a plain Error", new Error("socket hang up")],
  ])("%s passes through as the very same object", (_, original) => {
    expect(translateStorageError(original)).toBe(original);
  });

  it.each([
    ["null", null],
    ["undefined", undefined],
    ["a string", "boom"],
    ["an object without a name", { message: "x" }],
  ])("%s passes through without throwing", (_, value) => {
    expect(translateStorageError(value)).toBe(value);
  });
});
