import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFreshTableWithOrg } from "../../../../test/support/integration";
import { countRequests, db } from "../storage";
import { type ResolveOptions, resolve } from "./resolve";
import { keys } from "./store";
import * as Unmapped from "./unmapped";
import * as Users from "./users";

const actor = "op:resolver";
const webhook: ResolveOptions = { emailVerified: false, source: "webhook:github", allowCreate: false };

async function claimOwner(key: { pk: string; sk: string }): Promise<unknown> {
  return (await db.get({ Key: key, ConsistentRead: true })).Item?.userId;
}

describe("identity resolution: the rules", () => {
  let drop: () => Promise<void>;
  let orgId: string;

  beforeAll(async () => {
    ({ drop, orgId } = await useFreshTableWithOrg("Resolution Co"));
  });
  afterAll(async () => drop());

  it("a known identity resolves with exactly one DynamoDB request", async () => {
    // prepare
    const user = await Users.create(
      orgId,
      { name: "Known", identities: [{ kind: "github", externalId: "1001" }] },
      { actor },
    );

    // act
    const { result, requests } = await countRequests(() =>
      resolve(
        orgId,
        { kind: "github", externalId: "1001" },
        { ...webhook, email: "x@y.test", emailVerified: true },
      ),
    );

    // assess
    expect(result).toEqual({
      outcome: "resolved",
      userId: user.id,
      status: "active",
      suspended: false,
      via: "identity",
    });
    expect(requests.total).toBe(1);
  });

  it("a suspended user still resolves, flagged suspended", async () => {
    // prepare
    const user = await Users.create(
      orgId,
      { name: "Benched", identities: [{ kind: "slack", externalId: "TRES01:UBENCH01" }] },
      { actor },
    );
    await Users.update(orgId, user.id, { status: "suspended" }, { actor });

    // act
    const result = await resolve(orgId, { kind: "slack", externalId: "tres01:ubench01" }, webhook);

    // assess
    expect(result).toEqual({
      outcome: "resolved",
      userId: user.id,
      status: "suspended",
      suspended: true,
      via: "identity",
    });
  });

  it("an invited user resolves with its status and is not flagged suspended", async () => {
    // prepare
    const user = await Users.create(
      orgId,
      { name: "Invited", status: "invited", identities: [{ kind: "github", externalId: "1002" }] },
      { actor },
    );

    // act
    const result = await resolve(orgId, { kind: "github", externalId: "1002" }, webhook);

    // assess
    expect(result).toMatchObject({ userId: user.id, status: "invited", suspended: false });
  });

  it("re-activating a suspended user is seen by the next resolution", async () => {
    // prepare
    const user = await Users.create(
      orgId,
      { name: "Back", status: "suspended", identities: [{ kind: "github", externalId: "1003" }] },
      { actor },
    );

    // act
    await Users.update(orgId, user.id, { status: "active" }, { actor });
    const result = await resolve(orgId, { kind: "github", externalId: "1003" }, webhook);

    // assess
    expect(result).toMatchObject({ userId: user.id, status: "active", suspended: false });
  });

  it("a verified email that is one of a user's aliases links the identity to that user (auto_link)", async () => {
    // prepare
    const user = await Users.create(
      orgId,
      { name: "Aliased", email: "primary@res.test", emailAliases: ["alias@res.test"] },
      { actor },
    );

    // act
    const result = await resolve(
      orgId,
      { kind: "github", externalId: "2001" },
      { ...webhook, email: " Alias@RES.test ", emailVerified: true },
    );
    const again = await resolve(orgId, { kind: "github", externalId: "2001" }, webhook);

    // assess
    expect(result).toMatchObject({ outcome: "resolved", userId: user.id, via: "auto_link" });
    expect(again).toMatchObject({ outcome: "resolved", userId: user.id, via: "identity" });
    expect(await claimOwner(keys.identityClaim(orgId, "github", "2001"))).toBe(user.id);
    expect((await Users.get(orgId, user.id)).identities).toEqual([
      expect.objectContaining({ kind: "github", externalId: "2001" }),
    ]);
  });

  it("an unverified email never links: the identity is recorded unmapped with the email's owner as candidate", async () => {
    // prepare
    const owner = await Users.create(orgId, { name: "Owner", email: "owner@res.test" }, { actor });

    // act
    const first = await resolve(
      orgId,
      { kind: "github", externalId: "3001" },
      {
        ...webhook,
        email: "OWNER@res.test",
        emailVerified: false,
        allowCreate: true,
        sighting: { eventType: "push", context: "pushed to main" },
      },
    );
    const second = await resolve(
      orgId,
      { kind: "github", externalId: "3001" },
      { ...webhook, email: "owner@res.test", emailVerified: false, allowCreate: true },
    );

    // assess
    expect(first).toEqual({ outcome: "unresolved", candidates: [owner.id], count: 1 });
    expect(second).toEqual({ outcome: "unresolved", candidates: [owner.id], count: 2 });
    expect(await claimOwner(keys.identityClaim(orgId, "github", "3001"))).toBeUndefined();
    expect((await Users.get(orgId, owner.id)).identities).toEqual([]);
    expect(await Unmapped.find(orgId, { kind: "github", externalId: "3001" })).toMatchObject({
      count: 2,
      candidates: [owner.id],
    });
  });

  it("an unverified email of nobody never creates a user, even when creation is allowed", async () => {
    // prepare
    const before = (await Users.list(orgId, { limit: 200 })).items.length;

    // act
    const result = await resolve(
      orgId,
      { kind: "github", externalId: "3002" },
      { ...webhook, email: "stranger@res.test", emailVerified: false, allowCreate: true },
    );

    // assess
    expect(result).toEqual({ outcome: "unresolved", candidates: [], count: 1 });
    expect((await Users.list(orgId, { limit: 200 })).items).toHaveLength(before);
  });

  it("a verified email nobody owns, with creation not allowed, leaves the identity unmapped and creates nobody", async () => {
    // prepare
    const before = (await Users.list(orgId, { limit: 200 })).items.length;

    // act
    const result = await resolve(
      orgId,
      { kind: "gitlab", externalId: "gitlab.res.test:77" },
      {
        ...webhook,
        email: "newcomer@res.test",
        emailVerified: true,
        allowCreate: false,
        sighting: { eventType: "merge_request" },
      },
    );

    // assess
    expect(result).toEqual({ outcome: "unresolved", candidates: [], count: 1 });
    expect((await Users.list(orgId, { limit: 200 })).items).toHaveLength(before);
    expect(await claimOwner(keys.emailClaim(orgId, "newcomer@res.test"))).toBeUndefined();
    expect(await Unmapped.find(orgId, { kind: "gitlab", externalId: "gitlab.res.test:77" })).toMatchObject({
      sampleEventType: "merge_request",
      candidates: [],
    });
  });

  it("a verified email nobody owns, with creation allowed, creates the user with that email and identity", async () => {
    // act
    const result = await resolve(
      orgId,
      { kind: "github", externalId: "3003" },
      {
        ...webhook,
        email: "Fresh@Res.test",
        emailVerified: true,
        allowCreate: true,
        nameHint: " Fresh Person ",
      },
    );

    // assess
    expect(result).toMatchObject({ outcome: "resolved", via: "created", status: "active", suspended: false });
    const userId = result.outcome === "resolved" ? result.userId : "";
    expect(await Users.get(orgId, userId)).toMatchObject({
      name: "Fresh Person",
      email: "fresh@res.test",
      identities: [expect.objectContaining({ kind: "github", externalId: "3003" })],
    });
    const events = await Users.listEvents(orgId, userId, {});
    expect(events.items.every((event) => event.actor === "system:webhook:github")).toBe(true);
  });

  it("an identity resolves under any spelling of its canonical id (github 0042 is 42)", async () => {
    // prepare
    const user = await Users.create(
      orgId,
      {
        name: "Canonical",
        identities: [
          { kind: "github", externalId: "42" },
          { kind: "gitlab", externalId: "4242" },
        ],
      },
      { actor },
    );

    // act
    const github = await countRequests(() =>
      resolve(orgId, { kind: "github", externalId: " 0042 " }, webhook),
    );
    const gitlab = await resolve(orgId, { kind: "gitlab", externalId: "GitLab.com:004242" }, webhook);

    // assess
    expect(github.result).toMatchObject({ outcome: "resolved", userId: user.id, via: "identity" });
    expect(github.requests.total).toBe(1);
    expect(gitlab).toMatchObject({ outcome: "resolved", userId: user.id, via: "identity" });
    expect(await Unmapped.find(orgId, { kind: "github", externalId: "0042" })).toBeUndefined();
  });

  it("an external id that is not valid for its kind is a 400 and records nothing", async () => {
    // act
    const attempt = resolve(orgId, { kind: "github", externalId: "octocat" }, webhook);

    // assess
    await expect(attempt).rejects.toMatchObject({ status: 400, code: "invalid_input" });
    expect(
      (await db.get({ Key: keys.unmapped(orgId, "github", "octocat"), ConsistentRead: true })).Item,
    ).toBeUndefined();
  });

  it("an identity held by one user wins over a verified email of another", async () => {
    // prepare
    const holder = await Users.create(
      orgId,
      { name: "Holder", identities: [{ kind: "github", externalId: "5001" }] },
      { actor },
    );
    const emailOwner = await Users.create(
      orgId,
      { name: "Email Owner", email: "emailowner@res.test" },
      { actor },
    );

    // act
    const result = await resolve(
      orgId,
      { kind: "github", externalId: "5001" },
      { ...webhook, email: "emailowner@res.test", emailVerified: true, allowCreate: true },
    );

    // assess
    expect(result).toMatchObject({ outcome: "resolved", userId: holder.id, via: "identity" });
    expect((await Users.get(orgId, emailOwner.id)).identities).toEqual([]);
    expect(await claimOwner(keys.identityClaim(orgId, "github", "5001"))).toBe(holder.id);
    const ownerEvents = await Users.listEvents(orgId, emailOwner.id, {});
    expect(ownerEvents.items.map((event) => event.eventType)).toEqual(["user_created"]);
  });

  it("a malformed email is ignored: no link, no creation, recorded unmapped", async () => {
    // act
    const result = await resolve(
      orgId,
      { kind: "github", externalId: "6001" },
      { ...webhook, email: "not an email", emailVerified: true, allowCreate: true },
    );

    // assess
    expect(result).toEqual({ outcome: "unresolved", candidates: [], count: 1 });
  });
});
