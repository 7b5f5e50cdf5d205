import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useFreshTable } from "../../../../test/support/integration";
import type { DomainEvent } from "../events";
import { UserCreated, UserUpdated } from "../identity/events";
import { db } from "../storage";
import { list, RETENTION_DAYS, record } from "./index";

function domainEvent(type: "user.created" | "user.updated", orgId: string | null, at: Date): DomainEvent {
  const userId = `u-${at.getTime()}`;
  return type === "user.created"
    ? UserCreated.create(orgId, { userId }, at)
    : UserUpdated.create(orgId, { userId, changes: ["profile_changed"] }, at);
}

describe("domain-event journal", () => {
  let drop: () => Promise<void>;
  beforeEach(async () => {
    ({ drop } = await useFreshTable());
  });
  afterEach(() => drop());

  it("a redelivered event is recorded once: the second call reports a duplicate and changes nothing", async () => {
    const event = domainEvent("user.created", "org-dup", new Date("2026-01-01T00:00:00Z"));
    const now = new Date("2026-01-01T00:00:01Z");

    const first = await record(event, now);
    const second = await record(event, new Date("2026-01-01T00:05:00Z"));

    expect([first, second]).toEqual([true, false]);
    const page = await list({ orgId: "org-dup", now });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]?.recordedAt).toBe(now.toISOString());
  });

  it("lists newest first, per org, and pages with a cursor without skipping or repeating", async () => {
    const base = Date.parse("2026-02-01T00:00:00Z");
    for (let i = 0; i < 5; i++)
      await record(domainEvent("user.updated", "org-page", new Date(base + i * 1000)), new Date(base));
    await record(domainEvent("user.updated", "org-other", new Date(base)), new Date(base));
    const now = new Date(base + 10_000);

    const first = await list({ orgId: "org-page", limit: 2, now });
    const second = await list({ orgId: "org-page", limit: 2, cursor: first.nextCursor ?? undefined, now });
    const third = await list({ orgId: "org-page", limit: 2, cursor: second.nextCursor ?? undefined, now });

    const times = [...first.items, ...second.items, ...third.items].map(
      (item) => Date.parse(item.occurredAt) - base,
    );
    expect(times).toEqual([4000, 3000, 2000, 1000, 0]);
  });

  it("a cursor from another org's journal is refused with a 400, not used", async () => {
    const base = new Date("2026-03-01T00:00:00Z");
    await record(domainEvent("user.updated", "org-a", base), base);
    await record(domainEvent("user.updated", "org-a", new Date(base.getTime() + 1)), base);
    const page = await list({ orgId: "org-a", limit: 1, now: base });

    const attempt = list({ orgId: "org-b", cursor: page.nextCursor ?? undefined, now: base });

    await expect(attempt).rejects.toMatchObject({ status: 400, code: "invalid_cursor" });
  });

  it("entries past their TTL are never returned, even though DynamoDB has not deleted them yet", async () => {
    const recordedAt = new Date("2026-04-01T00:00:00Z");
    await record(domainEvent("user.created", "org-ttl", recordedAt), recordedAt);
    const justBefore = new Date(recordedAt.getTime() + RETENTION_DAYS * 86_400_000 - 1000);
    const after = new Date(recordedAt.getTime() + RETENTION_DAYS * 86_400_000 + 1000);

    const visible = await list({ orgId: "org-ttl", now: justBefore });
    const expired = await list({ orgId: "org-ttl", now: after });
    const raw = await db.query({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": "JOURNAL#org-ttl" },
    });

    expect(visible.items).toHaveLength(1);
    expect(expired.items).toHaveLength(0);
    expect(raw.Items).toHaveLength(1);
  });

  it("a page is filled past expired entries, so it is short only when the journal has no more", async () => {
    const base = Date.parse("2026-05-01T00:00:00Z");
    const longAgo = new Date(base - (RETENTION_DAYS + 1) * 86_400_000);
    await record(domainEvent("user.updated", "org-gap", new Date(base + 4000)), new Date(base));
    await record(domainEvent("user.updated", "org-gap", new Date(base + 3000)), longAgo);
    await record(domainEvent("user.updated", "org-gap", new Date(base + 2000)), longAgo);
    await record(domainEvent("user.updated", "org-gap", new Date(base + 1000)), new Date(base));
    await record(domainEvent("user.updated", "org-gap", new Date(base)), new Date(base));
    const now = new Date(base + 10_000);

    const first = await list({ orgId: "org-gap", limit: 2, now });
    const second = await list({ orgId: "org-gap", limit: 2, cursor: first.nextCursor ?? undefined, now });

    expect(first.items.map((item) => Date.parse(item.occurredAt) - base)).toEqual([4000, 1000]);
    expect(second.items.map((item) => Date.parse(item.occurredAt) - base)).toEqual([0]);
    expect(second.nextCursor).toBeNull();
  });
});
