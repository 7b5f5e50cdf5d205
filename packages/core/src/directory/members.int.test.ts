import "../../../../test/routes/quiet-logs";
import type { RawEvent, RawUser, WorkOSSandbox } from "@kith/sandbox";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { scanTable, uniqueName } from "../../../../test/support/integration";
import { useDirectorySandbox } from "../../../../test/support/workos";
import * as Identity from "../identity";
import * as Orgs from "../orgs";
import { db } from "../storage";
import { logger } from "../util/logger";
import {
  applyMembershipEvent,
  type DirectoryClient,
  type MembershipEvent,
  member,
  orgIdForDirectory,
  syncOrganization,
  syncUsers,
  usersCursor,
} from "./index";

const DAY = 86_400_000;
const ACTOR = "system:directory:workos";

function workosRef(directoryUserId: string) {
  return { kind: "workos" as const, externalId: directoryUserId };
}

/** The Kith user holding a directory user's `workos` identity in an org, if any. */
async function userOf(orgId: string, directoryUserId: string): Promise<Identity.User | undefined> {
  const userId = await Identity.userIdForIdentity(orgId, workosRef(directoryUserId));
  return userId === undefined ? undefined : Identity.get(orgId, userId);
}

function newEmail(prefix: string): string {
  return `${uniqueName(prefix)}@example.com`.toLowerCase();
}

/** A membership event as the sync sees it, from a sandbox event (for delivering events out of order). */
function asMembershipEvent(raw: RawEvent): MembershipEvent {
  const data = raw.data as Record<string, string>;
  return {
    id: raw.id,
    event: raw.event as MembershipEvent["event"],
    createdAt: raw.created_at,
    data: {
      id: data.id as string,
      userId: data.user_id as string,
      organizationId: data.organization_id as string,
      status: data.status as MembershipEvent["data"]["status"],
      updatedAt: data.updated_at as string,
    },
  };
}

describe("directory members and users against the WorkOS sandbox", () => {
  const directory = useDirectorySandbox();
  let sandbox: WorkOSSandbox;
  let client: DirectoryClient;
  beforeEach(() => {
    ({ sandbox, client } = directory);
  });

  /** A directory organization already synced into an org (and the echo of our external_id push too). */
  async function syncedOrganization(name = uniqueName("Members Org")) {
    const directory = sandbox.createOrganization({ name });
    await syncOrganization(directory.id, client);
    await syncOrganization(directory.id, client);
    return { directoryOrgId: directory.id, orgId: orgIdForDirectory(directory.id) };
  }

  function directoryUser(overrides: Partial<Parameters<WorkOSSandbox["createUser"]>[0]> = {}): RawUser {
    return sandbox.createUser({
      email: newEmail("member"),
      firstName: "Maya",
      lastName: uniqueName("Lopez"),
      ...overrides,
    });
  }

  it("a membership creates a user with the workos identity, the directory's verified email and name", async () => {
    // prepare
    const { directoryOrgId, orgId } = await syncedOrganization();
    const person = directoryUser();
    sandbox.createMembership(directoryOrgId, person.id);

    // act
    const summary = await syncOrganization(directoryOrgId, client);

    // assess
    expect(summary).toMatchObject({ applied: 1, skipped: 0 });
    const user = await userOf(orgId, person.id);
    expect(user).toMatchObject({
      orgId,
      name: `${person.first_name} ${person.last_name}`,
      email: person.email,
      status: "active",
      identities: [expect.objectContaining({ kind: "workos", externalId: person.id })],
    });
    const events = await Identity.listEvents(orgId, user?.id as string, {});
    expect(events.items.map((event) => event.actor)).toContain(ACTOR);
    expect(await member(orgId, person.id)).toMatchObject({
      userId: user?.id,
      status: "active",
      email: person.email,
      emailVerified: true,
    });
  });

  it("a member whose verified email an existing user holds is linked to that user, not duplicated", async () => {
    // prepare
    const { directoryOrgId, orgId } = await syncedOrganization();
    const email = newEmail("existing");
    const existing = await Identity.create(orgId, { name: "Existing Person", email }, { actor: "op:test" });
    const person = directoryUser({ email: email.toUpperCase(), name: "Directory Name" });
    sandbox.createMembership(directoryOrgId, person.id);

    // act
    await syncOrganization(directoryOrgId, client);

    // assess
    const user = await userOf(orgId, person.id);
    expect(user?.id).toBe(existing.id);
    expect(user?.name).toBe("Directory Name");
    expect(user?.identities.map((identity) => identity.externalId)).toEqual([person.id]);
    const items = await scanTable();
    expect(items.filter((item) => item.entity === "user" && item.orgId === orgId)).toHaveLength(1);
  });

  it("an unverified email neither links nor creates: the identity is unmapped with the email's owner as candidate", async () => {
    // prepare
    const { directoryOrgId, orgId } = await syncedOrganization();
    const email = newEmail("claimed");
    const owner = await Identity.create(orgId, { name: "Owner", email }, { actor: "op:test" });
    const person = directoryUser({ email, emailVerified: false });
    sandbox.createMembership(directoryOrgId, person.id);

    // act
    await syncOrganization(directoryOrgId, client);

    // assess
    expect(await userOf(orgId, person.id)).toBeUndefined();
    expect((await Identity.get(orgId, owner.id)).identities).toEqual([]);
    expect(await Identity.Unmapped.find(orgId, workosRef(person.id))).toMatchObject({
      kind: "workos",
      externalId: person.id,
      candidates: [owner.id],
    });
  });

  it("an email verified later links on the next user event, and the unmapped entry goes", async () => {
    // prepare
    const { directoryOrgId, orgId } = await syncedOrganization();
    const person = directoryUser({ emailVerified: false });
    sandbox.createMembership(directoryOrgId, person.id);
    await syncOrganization(directoryOrgId, client);
    await syncUsers(client);
    sandbox.updateUser(person.id, { emailVerified: true });

    // act
    const summary = await syncUsers(client);

    // assess
    expect(summary.applied).toBe(1);
    expect(await userOf(orgId, person.id)).toMatchObject({ email: person.email, status: "active" });
    expect(await Identity.Unmapped.find(orgId, workosRef(person.id))).toBeUndefined();
  });

  it("an inactive membership suspends the user and reactivation makes them active again", async () => {
    // prepare
    const { directoryOrgId, orgId } = await syncedOrganization();
    const person = directoryUser();
    const membership = sandbox.createMembership(directoryOrgId, person.id);
    await syncOrganization(directoryOrgId, client);
    sandbox.updateMembership(membership.id, { status: "inactive" });

    // act
    await syncOrganization(directoryOrgId, client);
    const suspended = await userOf(orgId, person.id);
    sandbox.updateMembership(membership.id, { status: "active" });
    await syncOrganization(directoryOrgId, client);

    // assess
    expect(suspended?.status).toBe("suspended");
    expect(await member(orgId, person.id)).toMatchObject({ status: "active" });
    const user = await userOf(orgId, person.id);
    expect(user?.status).toBe("active");
    const audit = await Identity.listEvents(orgId, user?.id as string, {});
    const statusChanges = audit.items.filter((event) => event.eventType === "status_changed");
    expect(statusChanges.map((event) => [event.after, event.actor])).toEqual(
      expect.arrayContaining([
        [{ status: "suspended" }, ACTOR],
        [{ status: "active" }, ACTOR],
      ]),
    );
  });

  it("a reactivation that races user.deleted from the user stream never leaves the deleted person active", async () => {
    // prepare: active, then suspended by an inactive membership, then reactivated in the directory
    const { directoryOrgId, orgId } = await syncedOrganization();
    const person = directoryUser();
    const membership = sandbox.createMembership(directoryOrgId, person.id);
    await syncOrganization(directoryOrgId, client);
    sandbox.updateMembership(membership.id, { status: "inactive" });
    await syncOrganization(directoryOrgId, client);
    sandbox.updateMembership(membership.id, { status: "active" });
    // While the org stream converges the reactivation (right after it reads the user), the user
    // stream applies user.deleted for the same member.
    const read = db.get.bind(db);
    let raced = false;
    vi.spyOn(db, "get").mockImplementation(async (input) => {
      const key = input.Key as { pk: string; sk: string };
      if (!raced && key.sk === "#PROFILE" && key.pk.startsWith(`ORG#${orgId}#USER#`)) {
        raced = true;
        const result = await read(input);
        sandbox.deleteUser(person.id);
        await syncUsers(client);
        return result;
      }
      return read(input);
    });

    // act
    await syncOrganization(directoryOrgId, client);

    // assess
    expect(raced).toBe(true);
    expect(await member(orgId, person.id)).toMatchObject({ userDeleted: true });
    expect(await userOf(orgId, person.id)).toMatchObject({ status: "suspended" });
  });

  it("reactivation does not lift a suspension an admin made by hand", async () => {
    // prepare
    const { directoryOrgId, orgId } = await syncedOrganization();
    const person = directoryUser();
    const membership = sandbox.createMembership(directoryOrgId, person.id);
    await syncOrganization(directoryOrgId, client);
    const user = (await userOf(orgId, person.id)) as Identity.User;
    await Identity.update(orgId, user.id, { status: "suspended" }, { actor: "op:admin" });
    sandbox.updateMembership(membership.id, { status: "inactive" });
    await syncOrganization(directoryOrgId, client);
    sandbox.updateMembership(membership.id, { status: "active" });

    // act
    await syncOrganization(directoryOrgId, client);

    // assess
    expect((await Identity.get(orgId, user.id)).status).toBe("suspended");
    expect((await member(orgId, person.id))?.directoryStatus).toBeUndefined();
  });

  it("a deleted membership suspends the user without deleting them", async () => {
    // prepare
    const { directoryOrgId, orgId } = await syncedOrganization();
    const person = directoryUser();
    const membership = sandbox.createMembership(directoryOrgId, person.id);
    await syncOrganization(directoryOrgId, client);
    sandbox.deleteMembership(membership.id);

    // act
    await syncOrganization(directoryOrgId, client);

    // assess
    expect(await userOf(orgId, person.id)).toMatchObject({ status: "suspended", email: person.email });
    expect(await member(orgId, person.id)).toMatchObject({ status: "deleted", directoryStatus: "suspended" });
  });

  it("a pending membership makes an invited user (created so), and accepting it makes them active", async () => {
    // prepare
    const { directoryOrgId, orgId } = await syncedOrganization();
    const person = directoryUser();
    const membership = sandbox.createMembership(directoryOrgId, person.id, { status: "pending" });

    // act
    await syncOrganization(directoryOrgId, client);
    const invited = await userOf(orgId, person.id);
    sandbox.updateMembership(membership.id, { status: "active" });
    await syncOrganization(directoryOrgId, client);

    // assess
    expect(invited?.status).toBe("invited");
    expect((await userOf(orgId, person.id))?.status).toBe("active");
    // Created invited in the create itself: never active in between, so a crash there cannot leave it active.
    const audit = await Identity.listEvents(orgId, invited?.id as string, {});
    const statuses = audit.items
      .filter((event) => event.eventType === "status_changed")
      .map((event) => (event.after as { status: string }).status);
    expect(statuses).toEqual(["active"]);
  });

  it("stale and replayed membership events are skipped and change nothing", async () => {
    // prepare: created (active), then inactive; the sync applies both
    const { directoryOrgId, orgId } = await syncedOrganization();
    const person = directoryUser();
    const membership = sandbox.createMembership(directoryOrgId, person.id);
    sandbox.updateMembership(membership.id, { status: "inactive" });
    await syncOrganization(directoryOrgId, client);
    const [created, deactivated] = sandbox
      .events()
      .filter((event) => event.data.id === membership.id)
      .map(asMembershipEvent) as [MembershipEvent, MembershipEvent];
    const before = await member(orgId, person.id);
    sandbox.clearRequests();

    // act
    const outcomes = [
      await applyMembershipEvent(created, client),
      await applyMembershipEvent(deactivated, client),
    ];

    // assess
    expect(outcomes).toEqual(["skipped", "skipped"]);
    expect((await userOf(orgId, person.id))?.status).toBe("suspended");
    expect(await member(orgId, person.id)).toEqual(before);
    expect(before?.lastEventId).toBe(deactivated.id);
    // Skipping costs no directory call.
    expect(sandbox.requests()).toEqual([]);
  });

  it("a failure after the membership is recorded is finished by the next sync, which re-reads the same event", async () => {
    // prepare
    const { directoryOrgId, orgId } = await syncedOrganization();
    const person = directoryUser();
    sandbox.createMembership(directoryOrgId, person.id);
    sandbox.failNext(/^GET \/user_management\/users\//, 500);

    // act
    const failed = await syncOrganization(directoryOrgId, client).then(
      () => "succeeded",
      () => "failed",
    );
    const recordedButNotConverged = await member(orgId, person.id);
    const retried = await syncOrganization(directoryOrgId, client);

    // assess
    expect(failed).toBe("failed");
    expect(recordedButNotConverged?.convergedEventId).toBeUndefined();
    expect(retried).toMatchObject({ applied: 1, skipped: 0 });
    expect(await userOf(orgId, person.id)).toMatchObject({ email: person.email, status: "active" });
  });

  it("user.updated renames the user and changes their email in every org the directory user belongs to", async () => {
    // prepare
    const first = await syncedOrganization();
    const second = await syncedOrganization();
    const person = directoryUser();
    sandbox.createMembership(first.directoryOrgId, person.id);
    sandbox.createMembership(second.directoryOrgId, person.id);
    await syncOrganization(first.directoryOrgId, client);
    await syncOrganization(second.directoryOrgId, client);
    await syncUsers(client);
    const email = newEmail("renamed");
    sandbox.updateUser(person.id, { firstName: "Maya", lastName: "Renamed", email });

    // act
    const summary = await syncUsers(client);

    // assess
    expect(summary).toMatchObject({ applied: 1, skipped: 0 });
    for (const { orgId } of [first, second]) {
      expect(await userOf(orgId, person.id)).toMatchObject({ name: "Maya Renamed", email });
    }
  });

  it("the user stream reads user events across organizations from its own forward-only cursor", async () => {
    // prepare
    const { directoryOrgId } = await syncedOrganization();
    const person = directoryUser();
    sandbox.createMembership(directoryOrgId, person.id);
    await syncOrganization(directoryOrgId, client);
    const first = await syncUsers(client);
    const cursorAfterFirst = (await usersCursor())?.lastEventId;
    sandbox.updateUser(person.id, { lastName: "Second" });
    sandbox.clearRequests();

    // act
    const second = await syncUsers(client);

    // assess
    const userCreated = sandbox
      .events()
      .find((event) => event.event === "user.created" && event.data.id === person.id);
    expect(first.lastEventId).toBeDefined();
    expect(cursorAfterFirst).toBe(first.lastEventId);
    expect(userCreated && userCreated.id <= (cursorAfterFirst as string)).toBe(true);
    const listing = sandbox.requests().find((request) => request.path === "/events");
    expect(listing?.query.organization_id).toBeUndefined();
    expect(listing?.query.after).toBe(cursorAfterFirst);
    expect(listing?.query.events?.split(",").sort()).toEqual([
      "user.created",
      "user.deleted",
      "user.updated",
    ]);
    expect(second.applied).toBe(1);
    expect((await usersCursor())?.lastEventId).toBe(second.lastEventId);
  });

  it("a user.updated to an email another user holds is logged and skipped; the name still changes", async () => {
    // prepare
    const { directoryOrgId, orgId } = await syncedOrganization();
    const taken = newEmail("taken");
    const holder = await Identity.create(orgId, { name: "Holder", email: taken }, { actor: "op:test" });
    const person = directoryUser();
    sandbox.createMembership(directoryOrgId, person.id);
    await syncOrganization(directoryOrgId, client);
    await syncUsers(client);
    sandbox.updateUser(person.id, { email: taken, firstName: "Conflicted", lastName: "Person" });
    const warn = vi.spyOn(logger, "warn");

    // act
    const first = await syncUsers(client);
    const again = await syncUsers(client);

    // assess
    expect(first.applied).toBe(1);
    expect(again).toMatchObject({ applied: 0, skipped: 0 });
    expect(await userOf(orgId, person.id)).toMatchObject({ name: "Conflicted Person", email: person.email });
    expect((await Identity.get(orgId, holder.id)).email).toBe(taken);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/email/),
      expect.objectContaining({ orgId, directoryUserId: person.id }),
    );
  });

  it("user.deleted suspends the user in every org", async () => {
    // prepare
    const first = await syncedOrganization();
    const second = await syncedOrganization();
    const person = directoryUser();
    sandbox.createMembership(first.directoryOrgId, person.id);
    sandbox.createMembership(second.directoryOrgId, person.id);
    await syncOrganization(first.directoryOrgId, client);
    await syncOrganization(second.directoryOrgId, client);
    sandbox.deleteUser(person.id);

    // act
    await syncUsers(client);

    // assess
    for (const { orgId } of [first, second]) {
      expect(await userOf(orgId, person.id)).toMatchObject({ status: "suspended" });
      expect(await member(orgId, person.id)).toMatchObject({ userDeleted: true });
    }
  });

  it("a first sync of an organization created longer ago than events are kept takes it from a snapshot, so its members are not skipped", async () => {
    // prepare: the organization's creation event has expired; only today's membership remains
    const now = Date.now();
    sandbox.setNow(now - 40 * DAY);
    const organization = sandbox.createOrganization({ name: uniqueName("Old Org") });
    sandbox.setNow(now);
    const person = directoryUser();
    sandbox.createMembership(organization.id, person.id);

    // act
    const summary = await syncOrganization(organization.id, client, new Date(now));

    // assess
    const orgId = orgIdForDirectory(organization.id);
    expect(summary).toMatchObject({ fullReconcile: true });
    expect(await Orgs.get(orgId)).toMatchObject({ name: organization.name, directoryId: organization.id });
    expect(await userOf(orgId, person.id)).toMatchObject({ email: person.email, status: "active" });
  });

  it("a membership the identity core refuses (the user holds 25 identities) is passed over, not retried for ever, and the stream moves on", async () => {
    // prepare
    const { directoryOrgId, orgId } = await syncedOrganization();
    const email = newEmail("full");
    await Identity.create(
      orgId,
      {
        name: "Full House",
        email,
        identities: Array.from({ length: Identity.LIMITS.identities }, (_, index) => ({
          kind: "github" as const,
          externalId: String(770_000 + index),
        })),
      },
      { actor: "op:test" },
    );
    const refused = directoryUser({ email });
    const next = directoryUser();
    sandbox.createMembership(directoryOrgId, refused.id);
    sandbox.createMembership(directoryOrgId, next.id);

    // act
    const summary = await syncOrganization(directoryOrgId, client);
    const again = await syncOrganization(directoryOrgId, client);

    // assess
    expect(summary).toMatchObject({ applied: 1, skipped: 1 });
    expect(again).toMatchObject({ applied: 0, skipped: 0 });
    expect(await userOf(orgId, refused.id)).toBeUndefined();
    expect(await userOf(orgId, next.id)).toMatchObject({ email: next.email });
  });

  it("a stale cursor's full reconcile applies memberships whose events expired, including removals", async () => {
    // prepare
    const t0 = Date.now();
    sandbox.setNow(t0);
    const { directoryOrgId, orgId } = await syncedOrganization();
    const stays = directoryUser();
    const leaves = directoryUser();
    const staysMembership = sandbox.createMembership(directoryOrgId, stays.id);
    const leavesMembership = sandbox.createMembership(directoryOrgId, leaves.id);
    await syncOrganization(directoryOrgId, client, new Date(t0));
    sandbox.setNow(t0 + DAY);
    const joins = directoryUser();
    sandbox.createMembership(directoryOrgId, joins.id);
    sandbox.updateMembership(staysMembership.id, { status: "inactive" });
    sandbox.deleteMembership(leavesMembership.id);
    sandbox.setNow(t0 + 32 * DAY);

    // act
    const summary = await syncOrganization(directoryOrgId, client, new Date(t0 + 32 * DAY));

    // assess
    expect(summary.fullReconcile).toBe(true);
    expect(await userOf(orgId, joins.id)).toMatchObject({ status: "active", email: joins.email });
    expect(await userOf(orgId, stays.id)).toMatchObject({ status: "suspended" });
    expect(await userOf(orgId, leaves.id)).toMatchObject({ status: "suspended" });
    expect(await member(orgId, leaves.id)).toMatchObject({ status: "deleted" });
    expect(sandbox.requests()).toContainEqual(
      expect.objectContaining({
        path: "/user_management/organization_memberships",
        query: expect.objectContaining({ organization_id: directoryOrgId }),
      }),
    );
  });

  it("five concurrent syncs of one new member all succeed and make exactly one user", async () => {
    // prepare
    const { directoryOrgId, orgId } = await syncedOrganization();
    const person = directoryUser();
    sandbox.createMembership(directoryOrgId, person.id);
    const arrived: Array<() => void> = [];
    const racing: DirectoryClient = {
      ...client,
      async getUser(id) {
        const user = await client.getUser(id);
        // Every sync holds the user until all five have it, so all five resolve together.
        await new Promise<void>((resolve) => {
          arrived.push(resolve);
          if (arrived.length === 5) for (const release of arrived) release();
        });
        return user;
      },
    };

    // act
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => syncOrganization(directoryOrgId, racing)),
    );

    // assess
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    const items = await scanTable();
    const users = items.filter((item) => item.entity === "user" && item.orgId === orgId);
    expect(users).toHaveLength(1);
    expect(await userOf(orgId, person.id)).toMatchObject({ id: users[0]?.id, status: "active" });
  });
});
