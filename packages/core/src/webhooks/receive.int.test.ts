import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFreshTable } from "../../../../test/support/integration";
import * as Identity from "../identity";
import type { ActiveIntegration } from "../integrations";
import * as Orgs from "../orgs";
import { countRequests } from "../storage";
import { type Delivery, receive, type SenderInput } from "./receive";

function integrationFor(orgId: string): ActiveIntegration {
  return {
    id: randomUUID(),
    orgId,
    provider: "agentmail",
    externalTenantId: "inbox",
    settings: {},
  };
}

function mail(email: string, trusted: boolean): Delivery {
  const sender: SenderInput = {
    ref: { kind: "email", externalId: email },
    email,
    emailVerified: trusted,
    allowCreate: trusted,
    trusted,
  };
  return {
    deliveryId: randomUUID(),
    eventType: "message.received",
    occurredAt: new Date().toISOString(),
    summary: "mail",
    sender,
  };
}

describe("webhooks: receive", () => {
  let drop: (() => Promise<void>) | undefined;
  let orgId: string;
  beforeAll(async () => {
    ({ drop } = await useFreshTable());
    orgId = (await Orgs.create({ name: "Receive Co" })).org.id;
  });
  afterAll(async () => drop?.());

  it("never attributes an untrusted sender to the user its identity is linked to", async () => {
    // prepare
    const email = `ceo.${randomUUID().slice(0, 8)}@example.com`;
    const ceo = await Identity.create(
      orgId,
      { name: "CEO", email, identities: [{ kind: "email", externalId: email }] },
      { actor: "op:test" },
    );

    // act
    const forged = await receive("agentmail", integrationFor(orgId), mail(email, false));
    const authentic = await receive("agentmail", integrationFor(orgId), mail(email, true));

    // assess
    expect(forged).toEqual({ outcome: "processed", actorUserId: null, unmapped: true });
    expect(authentic).toEqual({ outcome: "processed", actorUserId: ceo.id, unmapped: false });
  });

  it("costs a known sender exactly 2 requests once the tenant is known: the identity claim and the delivery record", async () => {
    // prepare
    const email = `known.${randomUUID().slice(0, 8)}@example.com`;
    await Identity.create(
      orgId,
      { name: "Known", email, identities: [{ kind: "email", externalId: email }] },
      { actor: "op:test" },
    );

    // act
    const { result, requests } = await countRequests(() =>
      receive("agentmail", integrationFor(orgId), mail(email, true)),
    );

    // assess
    expect(result.outcome).toBe("processed");
    expect(requests).toMatchObject({ total: 2, byCommand: { GetItemCommand: 1, PutItemCommand: 1 } });
  });
});
