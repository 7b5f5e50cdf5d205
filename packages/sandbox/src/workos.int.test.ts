import {
  BadRequestException,
  ConflictException,
  GenericServerException,
  NotFoundException,
  SignatureVerificationException,
  UnauthorizedException,
  UnprocessableEntityException,
  WorkOS,
} from "@workos-inc/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RawEvent, WORKOS_EVENT_RETENTION_MS, WorkOSSandbox } from "./workos";

// Everything here goes through the real @workos-inc/node client, so a drift between the sandbox's
// wire format and what the SDK sends or deserializes shows up as a failing test.

let sandbox: WorkOSSandbox;
let workos: WorkOS;

beforeEach(async () => {
  sandbox = await WorkOSSandbox.start();
  // maxRetries 0: an injected failure surfaces at once instead of after the SDK's backoff.
  workos = new WorkOS(sandbox.apiKey, {
    apiHostname: "127.0.0.1",
    port: sandbox.port,
    https: false,
    maxRetries: 0,
  });
});

afterEach(async () => {
  await sandbox.close();
});

function lastRequest() {
  const request = sandbox.requests().at(-1);
  if (!request) throw new Error("no request recorded");
  return request;
}

function lastEvent(): RawEvent {
  const event = sandbox.events().at(-1);
  if (!event) throw new Error("no event emitted");
  return event;
}

describe("client wiring", () => {
  it("is reached by the SDK at the sandbox url", async () => {
    expect(workos.baseURL).toBe(sandbox.url);
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new WorkOS(sandbox.apiKey, sandbox.clientOptions).baseURL).toBe(sandbox.url);
    const org = sandbox.createOrganization({ name: "Acme" });
    await expect(workos.organizations.getOrganization(org.id)).resolves.toMatchObject({ id: org.id });
  });

  it("rejects a wrong key with 401 and an unknown id with 404", async () => {
    const stranger = new WorkOS("sk_test_wrong", { ...sandbox.clientOptions, maxRetries: 0 });
    await expect(stranger.organizations.getOrganization("org_x")).rejects.toBeInstanceOf(
      UnauthorizedException,
    );
    await expect(workos.organizations.getOrganization("org_missing")).rejects.toBeInstanceOf(
      NotFoundException,
    );
    expect(sandbox.requests().map((request) => request.path)).toEqual([
      "/organizations/org_x",
      "/organizations/org_missing",
    ]);
  });
});

describe("GET /events", () => {
  it("pages with limit and after, filtered by type, in the SDK's camelCase shapes", async () => {
    const acme = sandbox.createOrganization({ name: "Acme", domains: ["acme.example"] });
    const globex = sandbox.createOrganization({ name: "Globex" });
    sandbox.createUser({ email: "maya@acme.example", firstName: "Maya", lastName: "Lin" });
    sandbox.updateOrganization(acme.id, { name: "Acme Corp" });
    const [acmeCreated, globexCreated, , acmeUpdated] = sandbox.events();

    const types = ["organization.created", "organization.updated"] as const;
    const first = await workos.events.listEvents({ events: [...types], limit: 2 });
    // The SDK puts the array through URLSearchParams, which joins it with commas.
    expect(lastRequest().rawQuery).toBe("events=organization.created%2Corganization.updated&limit=2");
    expect(first.data.map((event) => event.id)).toEqual([acmeCreated?.id, globexCreated?.id]);
    expect(first.listMetadata).toEqual({ after: globexCreated?.id });
    expect(first.data[0]).toEqual({
      id: acmeCreated?.id,
      createdAt: acmeCreated?.created_at,
      context: undefined,
      event: "organization.created",
      data: {
        object: "organization",
        id: acme.id,
        name: "Acme",
        allowProfilesOutsideOrganization: false,
        domains: [
          {
            object: "organization_domain",
            id: acme.domains[0]?.id,
            domain: "acme.example",
            organizationId: acme.id,
            state: "verified",
            verificationStrategy: "dns",
            createdAt: acme.created_at,
            updatedAt: acme.created_at,
          },
        ],
        createdAt: acme.created_at,
        updatedAt: acme.updated_at,
        externalId: null,
        metadata: {},
      },
    });
    expect(globex.id > acme.id).toBe(true);

    const second = await workos.events.listEvents({
      events: [...types],
      limit: 2,
      after: first.listMetadata.after ?? "",
    });
    expect(second.data.map((event) => event.id)).toEqual([acmeUpdated?.id]);
    expect(second.data[0]).toMatchObject({ event: "organization.updated", data: { name: "Acme Corp" } });
    expect(second.listMetadata.after).toBeNull();
  });

  it("filters by organization: organization events by id, membership events by organization_id, no user events", async () => {
    const acme = sandbox.createOrganization({ name: "Acme" });
    const globex = sandbox.createOrganization({ name: "Globex" });
    const user = sandbox.createUser({ email: "diego@acme.example", firstName: "Diego", lastName: null });
    const membership = sandbox.createMembership(acme.id, user.id, { role: "admin" });
    sandbox.createMembership(globex.id, user.id);
    const all = ["organization.created", "user.created", "organization_membership.created"] as const;

    const forAcme = await workos.events.listEvents({ events: [...all], organizationId: acme.id });
    expect(lastRequest().query).toMatchObject({ organization_id: acme.id });
    expect(forAcme.data.map((event) => event.event)).toEqual([
      "organization.created",
      "organization_membership.created",
    ]);
    expect(forAcme.data[1]?.data).toEqual({
      object: "organization_membership",
      id: membership.id,
      userId: user.id,
      organizationId: acme.id,
      organizationName: "Acme",
      status: "active",
      directoryManaged: false,
      createdAt: membership.created_at,
      updatedAt: membership.updated_at,
      role: { slug: "admin" },
      customAttributes: {},
    });

    const everything = await workos.events.listEvents({ events: [...all] });
    expect(everything.data.map((event) => event.event)).toEqual([
      "organization.created",
      "organization.created",
      "user.created",
      "organization_membership.created",
      "organization_membership.created",
    ]);
    expect(everything.data[2]?.data).toEqual({
      object: "user",
      id: user.id,
      email: "diego@acme.example",
      emailVerified: true,
      name: null,
      firstName: "Diego",
      lastName: null,
      profilePictureUrl: null,
      lastSignInAt: null,
      locale: null,
      createdAt: user.created_at,
      updatedAt: user.updated_at,
      externalId: null,
      metadata: {},
    });
  });

  it("accepts events as a comma list, repeated or bracketed, and defaults to 10 per page", async () => {
    for (let i = 0; i < 12; i++) sandbox.createOrganization({ name: `Org ${i}` });
    sandbox.createUser({ email: "a@example.com" });
    const get = async (query: string) => {
      const response = await fetch(`${sandbox.url}/events?${query}`, {
        headers: { authorization: `Bearer ${sandbox.apiKey}` },
      });
      expect(response.headers.get("content-type")).toContain("application/json");
      return (await response.json()) as { data: RawEvent[]; list_metadata: { after: string | null } };
    };
    const repeated = await get("events=user.created&events=organization.updated&limit=100");
    const bracketed = await get("events[]=user.created&limit=100");
    expect(repeated.data.map((event) => event.event)).toEqual(["user.created"]);
    expect(bracketed.data.map((event) => event.event)).toEqual(["user.created"]);

    const firstPage = await workos.events.listEvents({ events: ["organization.created"] });
    expect(firstPage.data).toHaveLength(10);
    expect(firstPage.listMetadata.after).toBe(firstPage.data[9]?.id);
    await expect(
      workos.events.listEvents({ events: ["organization.created"], limit: 101 }),
    ).rejects.toBeInstanceOf(UnprocessableEntityException);
  });

  it("drops events older than 30 days and rejects a cursor that points at one", async () => {
    const start = new Date("2030-01-01T00:00:00.000Z");
    sandbox.setNow(start);
    sandbox.createOrganization({ name: "Old" });
    const old = lastEvent();
    sandbox.setNow(start.getTime() + WORKOS_EVENT_RETENTION_MS - 1);
    sandbox.createOrganization({ name: "Recent" });
    const recent = lastEvent();

    const before = await workos.events.listEvents({ events: ["organization.created"], after: old.id });
    expect(before.data.map((event) => event.id)).toEqual([recent.id]);

    sandbox.advanceTime(1);
    const now = await workos.events.listEvents({ events: ["organization.created"] });
    expect(now.data.map((event) => event.id)).toEqual([recent.id]);
    const stale = workos.events.listEvents({ events: ["organization.created"], after: old.id });
    await expect(stale).rejects.toBeInstanceOf(BadRequestException);
    await expect(stale).rejects.toMatchObject({ status: 400, code: "invalid_cursor" });
    await expect(
      workos.events.listEvents({ events: ["organization.created"], after: "not-an-event" }),
    ).rejects.toBeInstanceOf(BadRequestException);
    // Everything stays visible to the test itself.
    expect(sandbox.events().map((event) => event.id)).toEqual([old.id, recent.id]);
  });

  it("filters by range_start and range_end, which exclude after", async () => {
    sandbox.setNow("2030-01-01T00:00:00.000Z");
    sandbox.createOrganization({ name: "January" });
    sandbox.setNow("2030-01-10T00:00:00.000Z");
    sandbox.createOrganization({ name: "Later" });
    const later = lastEvent();
    const page = await workos.events.listEvents({
      events: ["organization.created"],
      rangeStart: "2030-01-05T00:00:00.000Z",
      rangeEnd: "2030-01-11T00:00:00.000Z",
    });
    expect(page.data.map((event) => event.id)).toEqual([later.id]);
    await expect(
      workos.events.listEvents({
        events: ["organization.created"],
        rangeStart: "2030-01-05T00:00:00.000Z",
        after: later.id,
      }),
    ).rejects.toBeInstanceOf(UnprocessableEntityException);
  });

  it("lists appended events in id order: out of order, stale and duplicate deliveries", async () => {
    const org = sandbox.createOrganization({ name: "Acme" });
    const created = lastEvent();
    const renamed = sandbox.updateOrganization(org.id, { name: "Acme Corp" });
    // A stale copy of the original state under a new, later id.
    const stale = sandbox.appendEvent({ event: "organization.updated", data: { ...org } });
    // An id from before the first event sorts first, behind any cursor a consumer already holds.
    const early = sandbox.appendEvent({
      id: sandbox.eventIdAt(Date.parse(org.created_at) - 1000),
      event: "organization.updated",
      data: { ...renamed },
    });
    const duplicate = sandbox.appendEvent({ ...stale });
    expect(duplicate.id).toBe(stale.id);

    const ids = sandbox.events().map((event) => event.id);
    expect(ids[0]).toBe(early.id);
    expect(ids.filter((id) => id === stale.id)).toHaveLength(2);
    const listed = await workos.events.listEvents({
      events: ["organization.created", "organization.updated"],
      after: created.id,
    });
    expect(listed.data.map((event) => event.id)).toEqual([ids[2], stale.id, stale.id]);
    expect(listed.data[1]).toMatchObject({ data: { name: "Acme", updatedAt: org.updated_at } });
  });
});

describe("organizations", () => {
  it("updateOrganization sends external_id, updates the organization and emits organization.updated", async () => {
    const org = sandbox.createOrganization({ name: "Acme" });
    const cursor = lastEvent().id;

    const updated = await workos.organizations.updateOrganization({
      organization: org.id,
      externalId: "kith_org_1",
    });
    expect(lastRequest()).toMatchObject({
      method: "PUT",
      path: `/organizations/${org.id}`,
      body: { external_id: "kith_org_1" },
    });
    expect(updated).toMatchObject({ id: org.id, name: "Acme", externalId: "kith_org_1" });
    expect(updated.updatedAt > org.updated_at).toBe(true);
    expect(sandbox.organization(org.id)?.external_id).toBe("kith_org_1");

    const events = await workos.events.listEvents({ events: ["organization.updated"], after: cursor });
    expect(events.data).toHaveLength(1);
    expect((events.data[0]?.id ?? "") > cursor).toBe(true);
    expect(events.data[0]).toMatchObject({
      event: "organization.updated",
      data: { externalId: "kith_org_1" },
    });

    await expect(workos.organizations.getOrganizationByExternalId("kith_org_1")).resolves.toMatchObject({
      id: org.id,
    });
    const cleared = await workos.organizations.updateOrganization({ organization: org.id, externalId: null });
    expect(lastRequest().body).toEqual({ external_id: null });
    expect(cleared.externalId).toBeNull();
  });

  it("refuses an external_id another organization holds", async () => {
    sandbox.createOrganization({ name: "Acme", externalId: "taken" });
    const other = sandbox.createOrganization({ name: "Globex" });
    await expect(
      workos.organizations.updateOrganization({ organization: other.id, externalId: "taken" }),
    ).rejects.toBeInstanceOf(ConflictException);
    expect(sandbox.organization(other.id)?.external_id).toBeNull();
  });

  it("failNext makes the SDK call throw and leaves state untouched", async () => {
    const org = sandbox.createOrganization({ name: "Acme" });
    const eventCount = sandbox.events().length;
    sandbox.failNext(/^PUT \/organizations\//, 500);

    const failed = workos.organizations.updateOrganization({
      organization: org.id,
      externalId: "kith_org_1",
    });
    await expect(failed).rejects.toBeInstanceOf(GenericServerException);
    await expect(failed).rejects.toMatchObject({ status: 500 });
    expect(sandbox.organization(org.id)?.external_id).toBeNull();
    expect(sandbox.events()).toHaveLength(eventCount);
    // The pattern names PUT, so reads are unaffected; the fault was used up by the one call.
    await expect(workos.organizations.getOrganization(org.id)).resolves.toMatchObject({ externalId: null });
    await expect(
      workos.organizations.updateOrganization({ organization: org.id, externalId: "kith_org_1" }),
    ).resolves.toMatchObject({ externalId: "kith_org_1" });
  });

  it("lets the SDK's own retries absorb transient failures", async () => {
    const org = sandbox.createOrganization({ name: "Acme" });
    const retrying = new WorkOS(sandbox.apiKey, sandbox.clientOptions);
    sandbox.failNext(/\/organizations\//, 503, 2, { retryAfterSeconds: 0 });
    await expect(retrying.organizations.getOrganization(org.id)).resolves.toMatchObject({ id: org.id });
    expect(sandbox.requests().map((request) => request.method)).toEqual(["GET", "GET", "GET"]);
  });

  it("pages listOrganizations newest first, as the SDK asks, and filters by domain", async () => {
    const orgs = ["One", "Two", "Three", "Four", "Five"].map((name, i) =>
      sandbox.createOrganization({ name, domains: i % 2 === 0 ? [`${name.toLowerCase()}.example`] : [] }),
    );
    const ids = orgs.map((org) => org.id).reverse();

    const first = await workos.organizations.listOrganizations({ limit: 2 });
    expect(lastRequest().query).toEqual({ limit: "2", order: "desc" });
    expect(first.data.map((org) => org.id)).toEqual(ids.slice(0, 2));
    expect(first.listMetadata).toEqual({ before: null, after: ids[1] });
    const second = await workos.organizations.listOrganizations({
      limit: 2,
      after: first.listMetadata.after,
    });
    expect(second.data.map((org) => org.id)).toEqual(ids.slice(2, 4));
    expect(second.listMetadata).toEqual({ before: ids[2], after: ids[3] });
    const third = await workos.organizations.listOrganizations({
      limit: 2,
      after: second.listMetadata.after,
    });
    expect(third.data.map((org) => org.id)).toEqual(ids.slice(4));
    expect(third.listMetadata.after).toBeNull();

    const all = await (await workos.organizations.listOrganizations()).autoPagination();
    expect(all.map((org) => org.id)).toEqual(ids);
    const byDomain = await workos.organizations.listOrganizations({
      domains: ["one.example", "five.example"],
    });
    expect(byDomain.data.map((org) => org.name)).toEqual(["Five", "One"]);
  });
});

describe("organization memberships and users", () => {
  it("pages listOrganizationMemberships, active only unless statuses says otherwise", async () => {
    const acme = sandbox.createOrganization({ name: "Acme" });
    const other = sandbox.createOrganization({ name: "Globex" });
    const users = ["a", "b", "c", "d"].map((name) => sandbox.createUser({ email: `${name}@acme.example` }));
    const memberships = users.map((user, i) =>
      sandbox.createMembership(acme.id, user.id, { status: i === 3 ? "inactive" : "active" }),
    );
    sandbox.createMembership(other.id, users[0]?.id ?? "");
    const activeIds = memberships
      .slice(0, 3)
      .map((membership) => membership.id)
      .reverse();

    const first = await workos.userManagement.listOrganizationMemberships({
      organizationId: acme.id,
      limit: 2,
    });
    expect(lastRequest().query).toEqual({ organization_id: acme.id, limit: "2", order: "desc" });
    expect(first.data.map((membership) => membership.id)).toEqual(activeIds.slice(0, 2));
    expect(first.data[0]).toMatchObject({
      organizationId: acme.id,
      organizationName: "Acme",
      status: "active",
    });
    const second = await workos.userManagement.listOrganizationMemberships({
      organizationId: acme.id,
      limit: 2,
      after: first.listMetadata.after,
    });
    expect(second.data.map((membership) => membership.id)).toEqual(activeIds.slice(2));
    expect(second.listMetadata.after).toBeNull();

    const everyStatus = await workos.userManagement.listOrganizationMemberships({
      organizationId: acme.id,
      statuses: ["active", "inactive", "pending"],
    });
    expect(lastRequest().query.statuses).toBe("active,inactive,pending");
    expect(everyStatus.data).toHaveLength(4);
    const auto = await (
      await workos.userManagement.listOrganizationMemberships({ organizationId: acme.id })
    ).autoPagination();
    expect(auto).toHaveLength(3);
  });

  it("serves users and membership events for a full reconcile", async () => {
    const org = sandbox.createOrganization({ name: "Acme" });
    const user = sandbox.createUser({
      email: "priya@acme.example",
      firstName: "Priya",
      lastName: "Rao",
      externalId: "p1",
    });
    const membership = sandbox.createMembership(org.id, user.id, { status: "pending" });
    sandbox.updateMembership(membership.id, { status: "active" });
    sandbox.deleteMembership(membership.id);

    await expect(workos.userManagement.getUser(user.id)).resolves.toMatchObject({
      object: "user",
      id: user.id,
      email: "priya@acme.example",
      firstName: "Priya",
      lastName: "Rao",
      externalId: "p1",
    });
    const events = await workos.events.listEvents({
      events: [
        "organization_membership.created",
        "organization_membership.updated",
        "organization_membership.deleted",
      ],
      organizationId: org.id,
    });
    expect(events.data.map((event) => [event.event, (event.data as { status: string }).status])).toEqual([
      ["organization_membership.created", "pending"],
      ["organization_membership.updated", "active"],
      ["organization_membership.deleted", "active"],
    ]);
    const response = await fetch(`${sandbox.url}/user_management/organization_memberships`, {
      headers: { authorization: `Bearer ${sandbox.apiKey}` },
    });
    expect(response.status).toBe(422);
  });
});

describe("deletions", () => {
  it("emits organization.deleted with the last state and forgets the organization and its memberships", async () => {
    const org = sandbox.createOrganization({ name: "Acme", externalId: "kith_1" });
    const user = sandbox.createUser({ email: "a@acme.example" });
    const membership = sandbox.createMembership(org.id, user.id);
    sandbox.deleteOrganization(org.id);

    expect(lastEvent()).toMatchObject({
      event: "organization.deleted",
      data: { id: org.id, external_id: "kith_1" },
    });
    await expect(workos.organizations.getOrganization(org.id)).rejects.toBeInstanceOf(NotFoundException);
    expect(sandbox.membership(membership.id)).toBeUndefined();
    const deleted = await workos.events.listEvents({
      events: ["organization.deleted"],
      organizationId: org.id,
    });
    expect(deleted.data[0]).toMatchObject({
      event: "organization.deleted",
      data: { id: org.id, externalId: "kith_1" },
    });
  });
});

describe("webhook signatures", () => {
  const secret = "whsec_sandbox_test_secret";

  it("signs deliveries the SDK's own verifier accepts", async () => {
    sandbox.createOrganization({ name: "Acme" });
    const event = lastEvent();
    const { body, headers } = sandbox.signWebhook(event, secret);
    const sigHeader = headers["workos-signature"] ?? "";
    expect(sigHeader).toMatch(/^t=\d{13}, v1=[0-9a-f]{64}$/);

    await expect(workos.webhooks.verifyHeader({ payload: body, sigHeader, secret })).resolves.toBe(true);
    const verified = await workos.webhooks.constructEvent({ payload: body, sigHeader, secret });
    const listed = await workos.events.listEvents({ events: ["organization.created"] });
    expect(verified).toEqual(listed.data[0]);
  });

  it("fails with a wrong secret or a timestamp outside the SDK's tolerance", async () => {
    const payload = { id: "event_01", event: "user.created", data: {}, created_at: new Date().toISOString() };
    const wrong = sandbox.signWebhook(payload, "whsec_other");
    await expect(
      workos.webhooks.constructEvent({
        payload: wrong.body,
        sigHeader: wrong.headers["workos-signature"] ?? "",
        secret,
      }),
    ).rejects.toBeInstanceOf(SignatureVerificationException);

    // The SDK's default tolerance is 180 s, compared in milliseconds against its own clock.
    const stale = sandbox.signWebhook(payload, secret, Date.now() - 181_000);
    const sigHeader = stale.headers["workos-signature"] ?? "";
    await expect(workos.webhooks.constructEvent({ payload: stale.body, sigHeader, secret })).rejects.toThrow(
      /tolerance/,
    );
    await expect(
      workos.webhooks.verifyHeader({ payload: stale.body, sigHeader, secret, tolerance: 300_000 }),
    ).resolves.toBe(true);

    const tampered = sandbox.signWebhook(payload, secret);
    await expect(
      workos.webhooks.verifyHeader({
        payload: tampered.body.replace("user.created", "user.deleted"),
        sigHeader: tampered.headers["workos-signature"] ?? "",
        secret,
      }),
    ).rejects.toBeInstanceOf(SignatureVerificationException);
  });
});
