import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFreshTable } from "../../../../test/support/integration";
import * as Deliveries from "./deliveries";

function delivery() {
  return {
    orgId: `org-${randomUUID()}`,
    provider: "github",
    deliveryId: randomUUID(),
    eventType: "issues.opened",
  };
}

describe("webhook deliveries: each delivery id is processed once", () => {
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ drop } = await useFreshTable());
  });
  afterAll(async () => drop?.());

  it("records a delivery once: a replay of a recorded delivery is refused", async () => {
    // prepare
    const record = delivery();

    // act
    const first = await Deliveries.recordDone(record, "resolved");
    const again = await Deliveries.recordDone(record, "resolved");

    // assess
    expect([first, again]).toEqual([true, "done"]);
  });

  it("a delivery replayed 8 days later, past the old 7-day window, is still a duplicate; one 31 days later is not", async () => {
    // prepare: GitHub and GitLab sign no timestamp, so only the record stands between a replay and a second run
    const record = delivery();
    const received = new Date("2031-05-01T00:00:00Z");
    await Deliveries.recordDone(record, "resolved", received);

    // act
    const eightDaysLater = await Deliveries.recordDone(
      record,
      "resolved",
      new Date(received.getTime() + 8 * 86_400_000),
    );
    const monthLater = await Deliveries.recordDone(
      record,
      "resolved",
      new Date(received.getTime() + 31 * 86_400_000),
    );

    // assess
    expect(Deliveries.RETENTION_SECONDS).toBe(30 * 86_400);
    expect(eightDaysLater).toBe("done");
    expect(monthLater).toBe(true);
  });

  it("grants one lease among 20 concurrent attempts, and none while it is held or after completion", async () => {
    // prepare
    const record = delivery();

    // act
    const leases = await Promise.all(Array.from({ length: 20 }, () => Deliveries.lease(record)));
    const held = leases.filter((lease) => typeof lease !== "string");
    const whileHeld = await Deliveries.recordDone(record, "resolved");
    await Deliveries.complete(held[0] as Deliveries.Lease, "unmapped");
    const afterCompletion = await Deliveries.lease(record);

    // assess
    expect(held).toHaveLength(1);
    expect(leases.filter((lease) => lease === "in_flight")).toHaveLength(19);
    expect(whileHeld).toBe("in_flight");
    expect(afterCompletion).toBe("done");
  });

  it("lets the provider's retry run a released delivery", async () => {
    // prepare
    const record = delivery();
    const first = await Deliveries.lease(record);

    // act
    await Deliveries.release(first as Deliveries.Lease);
    const retry = await Deliveries.lease(record);

    // assess
    expect(typeof retry).toBe("object");
  });

  it("takes over a lease whose holder died once it runs out, and ignores the late holder's completion", async () => {
    // prepare
    const record = delivery();
    const start = new Date();
    const at = (ms: number) => new Date(start.getTime() + ms);
    const dead = (await Deliveries.lease(record, start)) as Deliveries.Lease;
    const tooEarly = await Deliveries.lease(record, at(Deliveries.LEASE_MS - 1));

    // act
    const takeover = await Deliveries.lease(record, at(Deliveries.LEASE_MS + 1));
    await Deliveries.complete(dead, "resolved");
    const stillHeld = await Deliveries.lease(record, at(Deliveries.LEASE_MS + 2));
    await Deliveries.release(dead);
    const afterLateRelease = await Deliveries.lease(record, at(Deliveries.LEASE_MS + 3));

    // assess
    expect(tooEarly).toBe("in_flight");
    expect(typeof takeover).toBe("object");
    expect(stillHeld).toBe("in_flight");
    expect(afterLateRelease).toBe("in_flight");
  });

  it("lets the known-sender path finish a delivery whose leasing attempt died (its user was created, then the function timed out)", async () => {
    // prepare
    const record = delivery();
    const start = new Date();
    await Deliveries.lease(record, start);

    // act
    const whileLive = await Deliveries.recordDone(record, "resolved", new Date(start.getTime() + 1_000));
    const afterExpiry = await Deliveries.recordDone(
      record,
      "resolved",
      new Date(start.getTime() + Deliveries.LEASE_MS + 1),
    );
    const replay = await Deliveries.recordDone(
      record,
      "resolved",
      new Date(start.getTime() + Deliveries.LEASE_MS + 2),
    );

    // assess
    expect([whileLive, afterExpiry, replay]).toEqual(["in_flight", true, "done"]);
  });

  it("forgets a delivery after its 7-day retention, so an id reused after that is processed", async () => {
    // prepare
    const record = delivery();
    const start = new Date();
    await Deliveries.recordDone(record, "resolved", start);

    // act
    const later = await Deliveries.recordDone(
      record,
      "resolved",
      new Date(start.getTime() + (Deliveries.RETENTION_SECONDS + 1) * 1000),
    );

    // assess
    expect(later).toBe(true);
  });
});
