import { describe, expect, it } from "vitest";
import { MonotonicUlid, ulidAt, ulidTime } from "./ulid";

describe("ulid", () => {
  it("encodes the time so it can be read back", () => {
    const time = Date.parse("2030-01-01T00:00:00.000Z");
    const id = ulidAt(time);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ulidTime(id)).toBe(time);
    expect(ulidTime("not-a-ulid")).toBeUndefined();
  });

  it("sorts in issue order within a millisecond and when the clock goes back", () => {
    const ids = new MonotonicUlid();
    const issued = [ids.next(1_000), ids.next(1_000), ids.next(1_000), ids.next(500), ids.next(2_000)];
    expect([...issued].sort()).toEqual(issued);
    expect(new Set(issued).size).toBe(issued.length);
    expect(ulidTime(issued[3] ?? "")).toBe(1_000);
  });
});
