import { describe, expect, it } from "vitest";
import { z } from "zod";
import { committedEvents, outboxItem, outboxValue } from "../storage/outbox";
import { defineEvent, eventUnion, UnknownEvent } from "./define";

const Created = defineEvent("thing.created", z.object({ thingId: z.string() }), "A thing was created.");
const Renamed = defineEvent("thing.renamed", z.object({ thingId: z.string(), name: z.string() }), "Renamed.");

describe("event definitions", () => {
  it("create checks the data against the definition and stamps a time-ordered id", () => {
    // act
    const first = Created.create("org-1", { thingId: "t1" }, new Date("2030-01-01T00:00:00Z"));
    const second = Created.create("org-1", { thingId: "t2" }, new Date("2030-01-01T00:00:01Z"));

    // assess
    expect(first).toEqual({
      id: expect.any(String),
      type: "thing.created",
      occurredAt: "2030-01-01T00:00:00.000Z",
      orgId: "org-1",
      data: { thingId: "t1" },
    });
    expect(second.id > first.id).toBe(true);
    expect(() => Created.create("org-1", { thingId: 42 } as never)).toThrow();
  });

  it("a type that is not noun.verb is refused when the event is defined", () => {
    expect(() => defineEvent("ThingCreated", z.object({}), "no")).toThrow(/noun\.verb/);
  });

  it("a union parses each detail with the definition its type names, and refuses unknown types and bad data", () => {
    // prepare
    const union = eventUnion([Created, Renamed]);
    const renamed = Renamed.create(null, { thingId: "t", name: "New" });

    // act
    const parsed = union.parse(JSON.parse(JSON.stringify(renamed)));

    // assess
    expect(parsed).toEqual(renamed);
    expect(() => union.parse({ ...renamed, type: "thing.deleted" })).toThrow(UnknownEvent);
    expect(() => union.parse({ ...renamed, data: { thingId: "t" } })).toThrow();
    expect(() => eventUnion([Created, Created])).toThrow(/share a type/);
  });
});

describe("the outbox attribute", () => {
  const a = Created.create("o", { thingId: "a" });
  const b = Created.create("o", { thingId: "b" });

  it("a new image's events are committed when the old image did not carry them", () => {
    expect(committedEvents(outboxValue([a, b]), undefined)).toEqual(JSON.parse(JSON.stringify([a, b])));
  });

  it("a write that leaves an item's outbox as it was commits nothing again", () => {
    expect(committedEvents(outboxValue([a]), outboxValue([a]))).toEqual([]);
  });

  it("only the events the old image lacked are committed", () => {
    expect(committedEvents(outboxValue([a, b]), outboxValue([a]))).toEqual([JSON.parse(JSON.stringify(b))]);
  });

  it("a delete or a write without an outbox commits nothing", () => {
    expect(committedEvents(undefined, outboxValue([a]))).toEqual([]);
    expect(committedEvents(undefined, undefined)).toEqual([]);
  });

  it("an outbox item is keyed by its first event, carries the events and expires in a week", () => {
    // act
    const item = outboxItem([a, b], new Date("2030-01-01T00:00:00Z")).Put?.Item ?? {};

    // assess
    expect(item).toMatchObject({ pk: `OUTBOX#${a.id}`, sk: "#OUTBOX", entity: "outbox" });
    expect(JSON.parse(item.outbox as string)).toHaveLength(2);
    expect(item.expiresAt).toBe(Date.parse("2030-01-08T00:00:00Z") / 1000);
  });
});
