import { describe, expect, it } from "vitest";
import { InvalidInput } from "../util/errors";
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, MAX_PAGE_SIZE, pageSize } from "./cursor";

function rawCursor(json: string): string {
  return Buffer.from(json, "utf8").toString("base64url");
}

const SHAPE = { keys: ["pk", "sk"] } as const;

function thrown(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

describe("encodeCursor / decodeCursor", () => {
  it("a key survives the round trip unchanged", () => {
    // prepare
    const key = { pk: "JOURNAL#org_1", sk: "EV#2026-01-01T00:00:00.000Z#01ARZ3NDEKTSV4RRFFQ69G5FAV" };

    // act
    const cursor = encodeCursor(key);
    const decoded = decodeCursor(cursor, SHAPE);

    // assess
    expect(decoded).toEqual(key);
  });

  it("a cursor is URL-safe (base64url, no padding)", () => {
    // act
    const cursor = encodeCursor({ pk: "??>>~~", sk: "ÿÿÿ/+" });

    // assess
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("no key means no next page", () => {
    expect(encodeCursor(undefined)).toBeNull();
  });

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["an empty string", ""],
  ])("%s cursor means start from the beginning", (_, cursor) => {
    expect(decodeCursor(cursor, { keys: ["pk", "sk"], partition: { pk: "JOURNAL#org_1" } })).toBeUndefined();
  });

  it.each([
    ["garbage", "!!!not a cursor!!!"],
    ["base64 of non-JSON", rawCursor("not json at all")],
    ["an array", rawCursor('["JOURNAL#org_1","EV#1"]')],
    ["an empty object", rawCursor("{}")],
    ["a nested value", rawCursor('{"pk":{"S":"JOURNAL#org_1"}}')],
    ["a boolean value", rawCursor('{"pk":true}')],
    ["a null value", rawCursor('{"pk":null}')],
    ["JSON null", rawCursor("null")],
    ["a key with only the partition attribute", rawCursor('{"pk":"JOURNAL#org_1"}')],
    ["a key with an extra attribute", rawCursor('{"pk":"JOURNAL#org_1","sk":"EV#1","gsi1pk":"x"}')],
    ["a numeric sort key", rawCursor('{"pk":"JOURNAL#org_1","sk":7}')],
    ["a JSON number", rawCursor("42")],
    ["a JSON string", rawCursor('"JOURNAL#org_1"')],
  ])("%s is a 400 invalid_cursor, never a 500", (_, cursor) => {
    // act
    const error = thrown(() => decodeCursor(cursor, SHAPE));

    // assess
    expect(error).toBeInstanceOf(InvalidInput);
    expect(error).toMatchObject({ status: 400, code: "invalid_cursor", details: { cursor: "invalid" } });
  });

  it("a cursor from another partition is refused", () => {
    // prepare
    const cursor = encodeCursor({ pk: "JOURNAL#org_a", sk: "EV#1" });

    // act
    const error = thrown(() =>
      decodeCursor(cursor, { keys: ["pk", "sk"], partition: { pk: "JOURNAL#org_b" } }),
    );

    // assess
    expect(error).toMatchObject({ status: 400, code: "invalid_cursor" });
  });

  it("a cursor that lacks the expected partition attribute is refused", () => {
    // prepare
    const cursor = encodeCursor({ sk: "EV#1" });

    // act
    const error = thrown(() =>
      decodeCursor(cursor, { keys: ["pk", "sk"], partition: { pk: "JOURNAL#org_a" } }),
    );

    // assess
    expect(error).toMatchObject({ status: 400, code: "invalid_cursor" });
  });

  it("a cursor from the same partition is accepted", () => {
    // prepare
    const key = { pk: "JOURNAL#org_a", sk: "EV#1" };

    // act
    const decoded = decodeCursor(encodeCursor(key), {
      keys: ["pk", "sk"],
      partition: { pk: "JOURNAL#org_a" },
    });

    // assess
    expect(decoded).toEqual(key);
  });
});

describe("pageSize", () => {
  it.each([
    ["absent", undefined, DEFAULT_PAGE_SIZE],
    ["an empty string", "", DEFAULT_PAGE_SIZE],
    ["the string 1", "1", 1],
    ["the string 200", "200", 200],
    ["the number 200", 200, 200],
    ["the string 25", "25", 25],
  ] as const)("%s gives %s", (_, limit, expected) => {
    expect(pageSize(limit)).toBe(expected);
  });

  it("the contract's default is 50 and its maximum 200", () => {
    expect([DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE]).toEqual([50, 200]);
  });

  it.each([
    ["0", 0],
    ["the string 0", "0"],
    ["201", 201],
    ["the string 201", "201"],
    ["a word", "abc"],
    ["a fraction", 1.5],
    ["the string 1.5", "1.5"],
    ["a negative number", -1],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
  ] as const)("%s is a 400 naming limit", (_, limit) => {
    // act
    const error = thrown(() => pageSize(limit));

    // assess
    expect(error).toBeInstanceOf(InvalidInput);
    expect(error).toMatchObject({ status: 400, code: "invalid_input", details: { limit: "out_of_range" } });
  });
});
