import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFreshTableWithOrg } from "../../../../test/support/integration";
import { countRequests } from "../storage";
import * as Integrations from "./index";

describe("integrations: finding a webhook's tenant", () => {
  let drop: () => Promise<void>;
  let orgId: string;
  beforeAll(async () => {
    ({ drop, orgId } = await useFreshTableWithOrg("Tenant Co"));
  });
  afterAll(async () => drop());

  it("routes a busy tenant from the process cache after the first read, and stops routing it at once when deleted here", async () => {
    // prepare
    const created = await Integrations.create(
      orgId,
      { provider: "slack", externalTenantId: "T0CACHED" },
      { actor: "op:test" },
    );

    // act
    const first = await countRequests(() => Integrations.forTenant("slack", "t0cached"));
    const second = await countRequests(() => Integrations.forTenant("slack", "T0CACHED"));
    await Integrations.remove(orgId, created.id, { actor: "op:test" });
    const afterDelete = await Integrations.forTenant("slack", "T0CACHED");

    // assess
    expect(first.result?.id).toBe(created.id);
    expect(first.requests.total).toBe(1);
    expect(second.result?.id).toBe(created.id);
    expect(second.requests.total).toBe(0);
    expect(afterDelete).toBeUndefined();
  });

  it("never caches a miss: a tenant connected right after an unknown delivery is found at once", async () => {
    // prepare
    const before = await Integrations.forTenant("linear", "3f6c2a1e-8b4d-4c1a-9e2f-7a5b6c8d9e77");

    // act
    const created = await Integrations.create(
      orgId,
      { provider: "linear", externalTenantId: "3f6c2a1e-8b4d-4c1a-9e2f-7a5b6c8d9e77" },
      { actor: "op:test" },
    );
    const after = await Integrations.forTenant("linear", "3f6c2a1e-8b4d-4c1a-9e2f-7a5b6c8d9e77");

    // assess
    expect(before).toBeUndefined();
    expect(after?.id).toBe(created.id);
  });

  it("reads every GitHub candidate (installation, organization, owner; typed and plain) in one request, preferring the installation", async () => {
    // prepare
    const byOrganization = await Integrations.create(
      orgId,
      { provider: "github", externalTenantId: "organization:7001" },
      { actor: "op:test" },
    );
    const byInstallation = await Integrations.create(
      orgId,
      { provider: "github", externalTenantId: "7002" },
      { actor: "op:test" },
    );

    // act
    const { result, requests } = await countRequests(() =>
      Integrations.forGitHub({ installation: "7002", organization: "7001", account: "7003" }),
    );
    const typedOnly = await Integrations.forGitHub({ installation: "7001" });

    // assess
    expect(result?.id).toBe(byInstallation.id);
    expect(requests).toMatchObject({ total: 1, byCommand: { BatchGetItemCommand: 1 } });
    expect(typedOnly).toBeUndefined();
    expect(byOrganization.externalTenantId).toBe("organization:7001");
  });
});
