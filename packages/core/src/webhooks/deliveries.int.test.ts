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
    expect([first, again]).toEqual([true, false]);
  });

  it("grants one lease among 20 concurrent attempts, and none while it is held or after completion", async () => {
    // prepare
    const record = delivery();

    // act
    const leases = await Promise.all(Array.from({ length: 20 }, () => Deliveries.lease(record)));
    const held = leases.filter((lease) => lease !== undefined);
    const whileHeld = await Deliveries.recordDone(record, "resolved");
    await Deliveries.complete(held[0] as Deliveries.Lease, "unmapped");
    const afterCompletion = await Deliveries.lease(record);

    // assess
    expect(held).toHaveLength(1);
    expect(whileHeld).toBe(false);
    expect(afterCompletion).toBeUndefined();
  });

  it("lets the provider's retry run a released delivery", async () => {
    // prepare
    const record = delivery();
    const first = await Deliveries.lease(record);

    // act
    await Deliveries.release(first as Deliveries.Lease);
    const retry = await Deliveries.lease(record);

    // assess
    expect(retry).toBeDefined();
  });

  it("takes over a lease whose holder died once it runs out, and ignores the late holder's completion", async () => {
    // prepare
    const record = delivery();
    const start = new Date();
    const dead = (await Deliveries.lease(record, start)) as Deliveries.Lease;
    const tooEarly = await Deliveries.lease(record, new Date(start.getTime() + Deliveries.LEASE_MS - 1));

    // act
    const takeover = await Deliveries.lease(record, new Date(start.getTime() + Deliveries.LEASE_MS + 1));
    await Deliveries.complete(dead, "resolved");
    const stillHeld = await Deliveries.lease(record, new Date(start.getTime() + Deliveries.LEASE_MS + 2));

    // assess
    expect(tooEarly).toBeUndefined();
    expect(takeover).toBeDefined();
    expect(stillHeld).toBeUndefined();
    await expect(Deliveries.release(dead)).resolves.toBeUndefined();
    expect(
      await Deliveries.lease(record, new Date(start.getTime() + Deliveries.LEASE_MS + 3)),
    ).toBeUndefined();
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
