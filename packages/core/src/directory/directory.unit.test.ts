import { describe, expect, it } from "vitest";
import { DIRECTORY_NAMESPACE, isNewer, NudgeSchema, nudgeFor, orgIdForDirectory } from "./index";

describe("directory ids and ordering (pure)", () => {
  it("derives the same UUIDv5 org id for a directory organization every time, from the fixed namespace", () => {
    // act
    const first = orgIdForDirectory("org_01HXYZ");
    const again = orgIdForDirectory("org_01HXYZ");

    // assess
    expect(first).toBe(again);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(orgIdForDirectory("org_01HXYZ_other")).not.toBe(first);
    // Changing the namespace would re-key every directory-created org; pin it.
    expect(DIRECTORY_NAMESPACE).toBe("6f1c2b4e-8a3d-5e7f-9b0a-1c2d3e4f5a6b");
  });

  it("applies an event only when its id is greater than the last applied one", () => {
    const event = (id: string, updatedAt = "2026-01-01T00:00:00.000Z") => ({
      id,
      data: { id: "org_1", name: "A", externalId: null, updatedAt },
    });

    expect(isNewer(event("event_02"), { lastEventId: "event_01" })).toBe(true);
    expect(isNewer(event("event_01"), { lastEventId: "event_01" })).toBe(false);
    expect(isNewer(event("event_00"), { lastEventId: "event_01" })).toBe(false);
  });

  it("with no event id stored, compares the directory's updated_at instead (equal is applied)", () => {
    const event = (updatedAt: string) => ({
      id: "event_01",
      data: { id: "o", name: "A", externalId: null, updatedAt },
    });

    expect(
      isNewer(event("2026-01-02T00:00:00.000Z"), { directoryUpdatedAt: "2026-01-01T00:00:00.000Z" }),
    ).toBe(true);
    expect(
      isNewer(event("2026-01-01T00:00:00.000Z"), { directoryUpdatedAt: "2026-01-01T00:00:00.000Z" }),
    ).toBe(true);
    expect(
      isNewer(event("2025-12-31T00:00:00.000Z"), { directoryUpdatedAt: "2026-01-01T00:00:00.000Z" }),
    ).toBe(false);
    expect(isNewer(event("2025-12-31T00:00:00.000Z"), {})).toBe(true);
  });

  it("a webhook nudges the organization it concerns: data.id for organization events, data.organization_id for memberships", () => {
    expect(nudgeFor({ id: "event_1", event: "organization.updated", data: { id: "org_A" } })).toEqual({
      nudge: { directoryOrgId: "org_A", reason: "webhook organization.updated" },
      eventId: "event_1",
    });
    expect(
      nudgeFor({
        id: "event_2",
        event: "organization_membership.created",
        data: { organization_id: "org_B" },
      })?.nudge,
    ).toEqual({ directoryOrgId: "org_B", reason: "webhook organization_membership.created" });
    expect(nudgeFor({ id: "event_4", event: "dsync.user.created", data: { id: "x" } })).toBeUndefined();
    expect(nudgeFor({ event: "organization.updated" })).toBeUndefined();
    expect(nudgeFor("not an object")).toBeUndefined();
  });

  it("a user.* webhook nudges the user stream, not an organization (user events concern none)", () => {
    for (const type of ["user.created", "user.updated", "user.deleted"]) {
      expect(nudgeFor({ id: "event_3", event: type, data: { id: "user_1" } })).toEqual({
        nudge: { stream: "users", reason: `webhook ${type}` },
        eventId: "event_3",
      });
    }
    expect(NudgeSchema.parse({ stream: "users", reason: "r" })).toEqual({ stream: "users", reason: "r" });
    expect(NudgeSchema.parse({ directoryOrgId: "org_1", reason: "r" })).toEqual({
      directoryOrgId: "org_1",
      reason: "r",
    });
    expect(NudgeSchema.safeParse({ stream: "orgs", reason: "r" }).success).toBe(false);
  });
});
