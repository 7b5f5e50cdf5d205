import { describe, expect, it } from "vitest";
import { matches } from "./bus";

function envelope(source: string, detailType: string) {
  return { source, "detail-type": detailType };
}

describe("matches", () => {
  it("an empty pattern matches every event", () => {
    expect(matches({}, envelope("anything", "any.type"))).toBe(true);
  });

  it("a source list matches an event from one of its sources", () => {
    // act
    const results = [
      matches({ source: ["kith", "other"] }, envelope("kith", "person.created")),
      matches({ source: ["kith", "other"] }, envelope("other", "person.created")),
    ];

    // assess
    expect(results).toEqual([true, true]);
  });

  it("a source list refuses an event from another source", () => {
    expect(matches({ source: ["kith"] }, envelope("aws.events", "Scheduled Event"))).toBe(false);
  });

  it("a detail-type list matches only the listed types", () => {
    // act
    const results = [
      matches({ detailType: ["person.created"] }, envelope("kith", "person.created")),
      matches({ detailType: ["person.created"] }, envelope("kith", "person.deleted")),
    ];

    // assess
    expect(results).toEqual([true, false]);
  });

  it("both fields must match when both are given", () => {
    // prepare
    const pattern = { source: ["kith"], detailType: ["person.created"] };

    // act
    const results = [
      matches(pattern, envelope("kith", "person.created")),
      matches(pattern, envelope("kith", "org.created")),
      matches(pattern, envelope("other", "person.created")),
    ];

    // assess
    expect(results).toEqual([true, false, false]);
  });

  it("matching is exact: case and prefixes matter", () => {
    // act
    const results = [
      matches({ source: ["kith"] }, envelope("Kith", "x.y")),
      matches({ detailType: ["person"] }, envelope("kith", "person.created")),
      matches({ detailType: ["person.created"] }, envelope("kith", "person.created ")),
    ];

    // assess
    expect(results).toEqual([false, false, false]);
  });

  it("an empty list matches nothing", () => {
    expect(matches({ source: [] }, envelope("kith", "x.y"))).toBe(false);
  });
});
