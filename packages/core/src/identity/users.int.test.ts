import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { useFreshTable, useFreshTableWithOrg } from "../../../../test/support/integration";
import * as Orgs from "../orgs";
import { countRequests, db, type TransactItem } from "../storage";
import { resolve } from "./resolve";
import type { AuditEvent, User } from "./schemas";
import { keys } from "./store";
import * as Tokens from "./tokens";
import * as Users from "./users";

const actor = "op:auditor";

/** Runs `fn` and returns every transaction it sent, passing each through to DynamoDB unchanged. */
async function transactionsDuring<T>(fn: () => Promise<T>): Promise<{ result: T; sent: TransactItem[][] }> {
  const original = db.transactWrite;
  const sent: TransactItem[][] = [];
  const spy = vi.spyOn(db, "transactWrite").mockImplementation((items, token) => {
    sent.push([...items]);
    return original(items, token);
  });
  try {
    return { result: await fn(), sent };
  } finally {
    spy.mockRestore();
  }
}

function auditPuts(items: readonly TransactItem[]): Record<string, unknown>[] {
  return items.flatMap((item) => (item.Put?.Item?.entity === "audit" ? [item.Put.Item] : []));
}

/** True when the transaction writes (puts or deletes) the user item itself. */
function writesUser(items: readonly TransactItem[], orgId: string, userId: string): boolean {
  const { pk, sk } = keys.user(orgId, userId);
  return items.some(
    (item) =>
      (item.Put?.Item?.pk === pk && item.Put.Item.sk === sk) ||
      (item.Delete?.Key?.pk === pk && item.Delete.Key.sk === sk),
  );
}

async function allEvents(orgId: string, userId: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await Users.listEvents(orgId, userId, { limit: 200, cursor });
    events.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return events;
}

async function claimOwner(key: { pk: string; sk: string }): Promise<unknown> {
  return (await db.get({ Key: key, ConsistentRead: true })).Item?.userId;
}

async function newOrg(name: string): Promise<string> {
  return (await Orgs.create({ name })).org.id;
}

describe("users: audit trail", () => {
  let drop: () => Promise<void>;
  let orgId: string;

  beforeAll(async () => {
    ({ drop, orgId } = await useFreshTableWithOrg("Audit Co"));
  });
  afterAll(async () => drop());
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("create writes the user, its claims and user_created plus identity_added in one transaction", async () => {
    // act
    const { result: user, sent } = await transactionsDuring(() =>
      Users.create(
        orgId,
        { name: "Ada", email: "ada@audit.test", identities: [{ kind: "github", externalId: "101" }] },
        { actor },
      ),
    );

    // assess
    expect(sent).toHaveLength(1);
    const [transaction = []] = sent;
    expect(writesUser(transaction, orgId, user.id)).toBe(true);
    expect(auditPuts(transaction).map((event) => event.eventType)).toEqual([
      "user_created",
      "identity_added",
    ]);
    const events = await allEvents(orgId, user.id);
    const created = events.find((event) => event.eventType === "user_created");
    const { tokens: _tokens, ...snapshot } = user;
    expect(created).toMatchObject({ actor, userId: user.id, before: null, after: snapshot });
    expect(events.find((event) => event.eventType === "identity_added")).toMatchObject({
      actor,
      after: { kind: "github", externalId: "101" },
    });
  });

  it("one PATCH changing emails, status, budget and profile writes each event, with before and after, in its transaction", async () => {
    // prepare
    const user = await Users.create(
      orgId,
      { name: "Grace", email: "grace@audit.test", emailAliases: ["old.grace@audit.test"] },
      { actor },
    );

    // act
    const { sent } = await transactionsDuring(() =>
      Users.update(
        orgId,
        user.id,
        {
          emailAliases: ["New.Grace@Audit.test"],
          status: "suspended",
          dailyBudgetUsd: 7.5,
          role: "Admiral",
          timezone: "America/New_York",
        },
        { actor: "user:grace" },
      ),
    );

    // assess
    expect(sent).toHaveLength(1);
    const [transaction = []] = sent;
    expect(writesUser(transaction, orgId, user.id)).toBe(true);
    const written = auditPuts(transaction);
    expect(written.map((event) => event.eventType).sort()).toEqual(
      ["budget_changed", "email_added", "email_removed", "profile_changed", "status_changed"].sort(),
    );
    const events = await allEvents(orgId, user.id);
    const byType = (type: string) => events.filter((event) => event.eventType === type);
    expect(byType("email_added")).toEqual([
      expect.objectContaining({
        actor: "user:grace",
        before: null,
        after: { email: "new.grace@audit.test" },
      }),
    ]);
    expect(byType("email_removed")).toEqual([
      expect.objectContaining({ before: { email: "old.grace@audit.test" }, after: null }),
    ]);
    expect(byType("status_changed")).toEqual([
      expect.objectContaining({ before: { status: "active" }, after: { status: "suspended" } }),
    ]);
    expect(byType("budget_changed")).toEqual([
      expect.objectContaining({ before: { dailyBudgetUsd: null }, after: { dailyBudgetUsd: 7.5 } }),
    ]);
    // The email change has its own events; whether profile_changed repeats the alias list is not
    // specified, so only the profile fields are pinned here.
    expect(byType("profile_changed")).toEqual([
      expect.objectContaining({
        before: expect.objectContaining({ role: null, timezone: null }),
        after: expect.objectContaining({ role: "Admiral", timezone: "America/New_York" }),
      }),
    ]);
    const profile = byType("profile_changed")[0];
    expect(Object.keys(profile?.after ?? {})).not.toContain("status");
    expect(Object.keys(profile?.after ?? {})).not.toContain("dailyBudgetUsd");
  });

  it("an update commits its alongside writes in its own transaction: when one of their conditions fails, nothing changes", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Alongside", email: "alongside@audit.test" }, { actor });
    const marker = { pk: `TEST#${user.id}`, sk: "#MARKER" };
    const stale = {
      Put: { Item: { ...marker, note: "written" }, ConditionExpression: "attribute_exists(pk)" },
      onConditionFailed: () => new Error("the caller's item moved"),
    };
    const fresh = { Put: { Item: { ...marker, note: "written" } } };

    // act
    const refused = await Users.update(
      orgId,
      user.id,
      { status: "suspended" },
      { actor, alongside: [stale] },
    ).catch((error: Error) => error);
    const unchanged = await Users.get(orgId, user.id);
    await Users.update(orgId, user.id, { status: "suspended" }, { actor, alongside: [fresh] });
    const noChange = await Users.update(
      orgId,
      user.id,
      { status: "suspended" },
      { actor, alongside: [stale] },
    ).catch((error: Error) => error);

    // assess
    expect((refused as Error).message).toBe("the caller's item moved");
    expect(unchanged.status).toBe("active");
    expect((await Users.get(orgId, user.id)).status).toBe("suspended");
    expect(noChange).toMatchObject({ status: "suspended" });
    expect((await db.get({ Key: marker, ConsistentRead: true })).Item?.note).toBe("written");
  });

  it("a profile-only PATCH writes exactly one profile_changed event", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Linus" }, { actor });

    // act
    const { sent } = await transactionsDuring(() =>
      Users.update(orgId, user.id, { name: "Linus T", notes: "kernel" }, { actor }),
    );

    // assess
    expect(sent.flatMap(auditPuts)).toEqual([
      expect.objectContaining({
        eventType: "profile_changed",
        before: { name: "Linus", notes: null },
        after: { name: "Linus T", notes: "kernel" },
      }),
    ]);
  });

  it("link and unlink write identity_added and identity_removed in their transactions", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Margaret" }, { actor });
    const ref = { kind: "linear" as const, externalId: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0" };

    // act
    const linking = await transactionsDuring(() =>
      Users.linkIdentity(orgId, user.id, ref, { actor, via: "manual" }),
    );
    const relinking = await transactionsDuring(() =>
      Users.linkIdentity(orgId, user.id, ref, { actor, via: "manual" }),
    );
    const unlinking = await transactionsDuring(() => Users.unlinkIdentity(orgId, user.id, ref, { actor }));

    // assess
    expect(linking.sent).toHaveLength(1);
    expect(writesUser(linking.sent[0] ?? [], orgId, user.id)).toBe(true);
    expect(auditPuts(linking.sent[0] ?? []).map((event) => event.eventType)).toEqual(["identity_added"]);
    expect(linking.result.linked).toBe(true);
    expect(relinking.result.linked).toBe(false);
    expect(relinking.sent).toEqual([]);
    expect(unlinking.sent).toHaveLength(1);
    expect(auditPuts(unlinking.sent[0] ?? [])).toEqual([
      expect.objectContaining({ eventType: "identity_removed", before: ref, after: null }),
    ]);
    expect(await claimOwner(keys.identityClaim(orgId, ref.kind, ref.externalId))).toBeUndefined();
  });

  it("unlinking an identity the user does not hold is identity_not_linked and writes nothing", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Nobody Linked" }, { actor });

    // act
    const { result, sent } = await transactionsDuring(() =>
      Users.unlinkIdentity(orgId, user.id, { kind: "github", externalId: "999999" }, { actor }).catch(
        (error: unknown) => error,
      ),
    );

    // assess
    expect(result).toMatchObject({ code: "identity_not_linked", status: 404 });
    expect(sent).toEqual([]);
  });

  it("resolution by a verified email writes auto_link and identity_added as system:webhook:github, in one transaction", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Hedy", email: "hedy@audit.test" }, { actor });

    // act
    const { result, sent } = await transactionsDuring(() =>
      resolve(
        orgId,
        { kind: "github", externalId: "4242" },
        { email: "HEDY@audit.test", emailVerified: true, source: "webhook:github", allowCreate: false },
      ),
    );

    // assess
    expect(result).toMatchObject({ outcome: "resolved", userId: user.id, via: "auto_link" });
    expect(sent).toHaveLength(1);
    expect(writesUser(sent[0] ?? [], orgId, user.id)).toBe(true);
    expect(auditPuts(sent[0] ?? []).map((event) => [event.eventType, event.actor])).toEqual([
      ["auto_link", "system:webhook:github"],
      ["identity_added", "system:webhook:github"],
    ]);
    const events = await allEvents(orgId, user.id);
    expect(events.find((event) => event.eventType === "auto_link")?.after).toMatchObject({
      kind: "github",
      externalId: "4242",
    });
  });

  it("minting and revoking a token write token_minted and token_revoked in their transactions, without the secret", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Radia" }, { actor });

    // act
    const minting = await transactionsDuring(() => Tokens.mint(orgId, user.id, { label: "cli" }, { actor }));
    const revoking = await transactionsDuring(() =>
      Tokens.revoke(orgId, user.id, minting.result.id, { actor }),
    );

    // assess
    const minted = minting.result;
    expect(minting.sent).toHaveLength(1);
    expect(writesUser(minting.sent[0] ?? [], orgId, user.id)).toBe(true);
    expect(auditPuts(minting.sent[0] ?? [])).toEqual([
      expect.objectContaining({
        eventType: "token_minted",
        after: { tokenId: minted.id, preview: minted.preview, label: "cli", accessRole: "member" },
      }),
    ]);
    expect(revoking.sent).toHaveLength(1);
    expect(auditPuts(revoking.sent[0] ?? [])).toEqual([
      expect.objectContaining({
        eventType: "token_revoked",
        before: { tokenId: minted.id, preview: minted.preview, label: "cli" },
      }),
    ]);
    expect(JSON.stringify(await allEvents(orgId, user.id))).not.toContain(minted.token.slice(5));
  });

  it("delete writes user_deleted with the last snapshot, and the whole history stays readable afterwards", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Barbara", email: "barbara@audit.test" }, { actor });
    await Users.update(orgId, user.id, { role: "Chief" }, { actor });
    const last = await Users.get(orgId, user.id);
    const { tokens: _tokens, ...snapshot } = last;

    // act
    const { sent } = await transactionsDuring(() => Users.remove(orgId, user.id, { actor }));

    // assess
    expect(sent).toHaveLength(1);
    expect(writesUser(sent[0] ?? [], orgId, user.id)).toBe(true);
    const events = await allEvents(orgId, user.id);
    expect(events.map((event) => event.eventType)).toEqual([
      "user_deleted",
      "profile_changed",
      "user_created",
    ]);
    expect(events[0]).toMatchObject({ actor, before: snapshot, after: null });
    await expect(Users.get(orgId, user.id)).rejects.toMatchObject({ code: "user_not_found" });
    await expect(Users.remove(orgId, user.id, { actor })).rejects.toMatchObject({ code: "user_not_found" });
  });

  it("paging events newest first with a cursor never skips or repeats events of the same millisecond", async () => {
    // prepare
    const now = new Date("2030-07-07T07:07:07.007Z");
    const user = await Users.create(orgId, { name: "Same Millisecond 0" }, { actor, now });
    for (let index = 1; index < 25; index++) {
      await Users.update(orgId, user.id, { name: `Same Millisecond ${index}` }, { actor, now });
    }
    const all = await Users.listEvents(orgId, user.id, { limit: 200 });

    // act
    const pages: AuditEvent[][] = [];
    let cursor: string | undefined;
    do {
      const page = await Users.listEvents(orgId, user.id, { limit: 4, cursor });
      pages.push(page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    // assess
    expect(all.items).toHaveLength(25);
    expect(all.items.every((event) => event.createdAt === now.toISOString())).toBe(true);
    const paged = pages.flat();
    expect(pages.slice(0, 6).every((page) => page.length === 4)).toBe(true);
    expect(paged.map((event) => event.id)).toEqual(all.items.map((event) => event.id));
    expect(new Set(paged.map((event) => event.id)).size).toBe(25);
    // Strictly newest first: the last rename comes first and ids strictly decrease.
    expect(paged[0]?.after).toEqual({ name: "Same Millisecond 24" });
    expect(paged.at(-1)?.eventType).toBe("user_created");
    for (let index = 1; index < paged.length; index++) {
      expect((paged[index - 1]?.id ?? "") > (paged[index]?.id ?? "")).toBe(true);
    }
  });

  it("a PATCH that changes nothing writes nothing: no transaction, no event, same updatedAt", async () => {
    // prepare
    const user = await Users.create(
      orgId,
      { name: "Steady", email: "steady@audit.test", emailAliases: ["steady.alias@audit.test"], role: "Dev" },
      { actor },
    );

    // act
    const { result, sent } = await transactionsDuring(() =>
      Users.update(
        orgId,
        user.id,
        {
          name: "Steady",
          email: " STEADY@audit.test ",
          emailAliases: ["Steady.Alias@Audit.test", "steady@audit.test"],
          role: "Dev",
          status: "active",
        },
        { actor, now: new Date("2032-01-01T00:00:00.000Z") },
      ),
    );

    // assess
    expect(sent).toEqual([]);
    expect(result).toEqual(user);
    expect(await Users.get(orgId, user.id)).toEqual(user);
    expect((await allEvents(orgId, user.id)).map((event) => event.eventType)).toEqual(["user_created"]);
  });

  it("a user's events survive its merge into another user", async () => {
    // prepare
    const target = await Users.create(orgId, { name: "Keeper" }, { actor });
    const source = await Users.create(orgId, { name: "Merged Away", email: "away@audit.test" }, { actor });
    await Users.update(orgId, source.id, { dailyBudgetUsd: 3 }, { actor });
    const before = await allEvents(orgId, source.id);

    // act
    await Users.merge(orgId, target.id, source.id, { actor });

    // assess
    const after = await allEvents(orgId, source.id);
    expect(after.slice(1)).toEqual(before);
    expect(after[0]?.eventType).toBe("manual_merge");
  });
});

describe("users: email and identity claims", () => {
  let drop: () => Promise<void>;
  let orgId: string;

  beforeAll(async () => {
    ({ drop, orgId } = await useFreshTableWithOrg("Claims Co"));
  });
  afterAll(async () => drop());

  it("primary emails and aliases share one claim space across users, whatever the letter case", async () => {
    // prepare
    const ada = await Users.create(
      orgId,
      { name: "Ada", email: "ada@claims.test", emailAliases: ["countess@claims.test"] },
      { actor },
    );

    // act
    const aliasOfPrimary = Users.create(
      orgId,
      { name: "Bob", email: "bob@claims.test", emailAliases: ["ADA@Claims.Test"] },
      { actor },
    ).catch((error: unknown) => error);
    const primaryOfAlias = Users.create(
      orgId,
      { name: "Cy", email: " Countess@CLAIMS.test" },
      { actor },
    ).catch((error: unknown) => error);

    // assess
    expect(await aliasOfPrimary).toMatchObject({ code: "email_taken", status: 409 });
    expect(await primaryOfAlias).toMatchObject({ code: "email_taken", status: 409 });
    // Nothing of the refused users was written, not even their other, free email.
    expect(await claimOwner(keys.emailClaim(orgId, "bob@claims.test"))).toBeUndefined();
    expect(await claimOwner(keys.emailClaim(orgId, "ada@claims.test"))).toBe(ada.id);
    expect(await claimOwner(keys.emailClaim(orgId, "countess@claims.test"))).toBe(ada.id);
    const names = (await Users.list(orgId, { limit: 200 })).items.map((user) => user.name);
    expect(names).not.toContain("Bob");
    expect(names).not.toContain("Cy");
  });

  it("a PATCH adding another user's email in another case is email_taken and changes nothing", async () => {
    // prepare
    await Users.create(orgId, { name: "Owner", email: "owner@claims.test" }, { actor });
    const other = await Users.create(orgId, { name: "Other", email: "other@claims.test" }, { actor });

    // act
    const attempt = Users.update(
      orgId,
      other.id,
      { emailAliases: ["free@claims.test", "OWNER@claims.test"], role: "x" },
      { actor },
    );

    // assess
    await expect(attempt).rejects.toMatchObject({ code: "email_taken" });
    expect(await Users.get(orgId, other.id)).toEqual(other);
    expect(await claimOwner(keys.emailClaim(orgId, "free@claims.test"))).toBeUndefined();
    expect((await allEvents(orgId, other.id)).map((event) => event.eventType)).toEqual(["user_created"]);
  });

  it("an alias equal to the primary (in any case) is dropped, on create and on update", async () => {
    // act
    const created = await Users.create(
      orgId,
      {
        name: "Dup",
        email: "dup@claims.test",
        emailAliases: ["DUP@claims.test", "dup.two@claims.test", "Dup.Two@claims.test"],
      },
      { actor },
    );
    const updated = await Users.update(
      orgId,
      created.id,
      { email: "dup.two@claims.test", emailAliases: ["dup.two@claims.test", "dup@claims.test"] },
      { actor },
    );

    // assess
    expect(created.email).toBe("dup@claims.test");
    expect(created.emailAliases).toEqual(["dup.two@claims.test"]);
    expect(updated.email).toBe("dup.two@claims.test");
    expect(updated.emailAliases).toEqual(["dup@claims.test"]);
    expect(await claimOwner(keys.emailClaim(orgId, "dup@claims.test"))).toBe(created.id);
    expect(await claimOwner(keys.emailClaim(orgId, "dup.two@claims.test"))).toBe(created.id);
  });

  it("changing the primary frees the old address for anyone", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Mover", email: "mover.old@claims.test" }, { actor });

    // act
    await Users.update(orgId, user.id, { email: "mover.new@claims.test" }, { actor });
    const taker = await Users.create(orgId, { name: "Taker", email: "Mover.Old@claims.test" }, { actor });

    // assess
    expect(await claimOwner(keys.emailClaim(orgId, "mover.old@claims.test"))).toBe(taker.id);
    expect(await claimOwner(keys.emailClaim(orgId, "mover.new@claims.test"))).toBe(user.id);
  });

  it("deleting a user frees its emails and identities: another user can take them", async () => {
    // prepare
    const githubIdentity = { kind: "github" as const, externalId: "20001" };
    const identities = [githubIdentity, { kind: "slack" as const, externalId: "TCLAIMS:UFREED01" }];
    const leaver = await Users.create(
      orgId,
      { name: "Leaver", email: "leaver@claims.test", emailAliases: ["leaver.alias@claims.test"], identities },
      { actor },
    );
    const blocked = Users.create(orgId, { name: "Too Early", identities: [githubIdentity] }, { actor }).catch(
      (error: unknown) => error,
    );
    expect(await blocked).toMatchObject({ code: "identity_taken" });

    // act
    await Users.remove(orgId, leaver.id, { actor });
    const successor = await Users.create(
      orgId,
      {
        name: "Successor",
        email: "LEAVER.ALIAS@claims.test",
        emailAliases: ["leaver@claims.test"],
        identities: [
          { kind: "github", externalId: "0020001" },
          { kind: "slack", externalId: "tclaims:ufreed01" },
        ],
      },
      { actor },
    );

    // assess
    expect(successor.identities.map((identity) => identity.externalId)).toEqual([
      "20001",
      "TCLAIMS:UFREED01",
    ]);
    for (const email of ["leaver@claims.test", "leaver.alias@claims.test"]) {
      expect(await claimOwner(keys.emailClaim(orgId, email))).toBe(successor.id);
    }
    for (const identity of identities) {
      expect(await claimOwner(keys.identityClaim(orgId, identity.kind, identity.externalId))).toBe(
        successor.id,
      );
    }
  });

  it("linking an identity another user holds is identity_taken and writes nothing", async () => {
    // prepare
    const holder = await Users.create(
      orgId,
      { name: "Holder", identities: [{ kind: "workos", externalId: "directory_user_01" }] },
      { actor },
    );
    const other = await Users.create(orgId, { name: "Grabber" }, { actor });

    // act
    const attempt = Users.linkIdentity(
      orgId,
      other.id,
      { kind: "workos", externalId: "directory_user_01" },
      { actor, via: "manual" },
    );

    // assess
    await expect(attempt).rejects.toMatchObject({ code: "identity_taken", status: 409 });
    expect(await claimOwner(keys.identityClaim(orgId, "workos", "directory_user_01"))).toBe(holder.id);
    expect((await Users.get(orgId, other.id)).identities).toEqual([]);
  });

  it("linking a 26th identity is limit_exceeded and writes nothing", async () => {
    // prepare
    const user = await Users.create(
      orgId,
      {
        name: "Collector",
        identities: Array.from({ length: 25 }, (_, index) => ({
          kind: "github",
          externalId: String(90_000 + index),
        })),
      },
      { actor },
    );

    // act
    const attempt = await Users.linkIdentity(
      orgId,
      user.id,
      { kind: "github", externalId: "90100" },
      { actor, via: "manual" },
    ).catch((error: unknown) => error);

    // assess
    expect(attempt).toMatchObject({ code: "limit_exceeded", status: 409 });
    expect(await claimOwner(keys.identityClaim(orgId, "github", "90100"))).toBeUndefined();
    expect((await Users.get(orgId, user.id)).identities).toHaveLength(25);
  });

  it("updating, linking to or deleting a user that does not exist is user_not_found", async () => {
    // act
    const outcomes = await Promise.all([
      Users.update(orgId, "01NOSUCHUSER", { name: "x" }, { actor }).catch((error: unknown) => error),
      Users.linkIdentity(
        orgId,
        "01NOSUCHUSER",
        { kind: "github", externalId: "1" },
        { actor, via: "manual" },
      ).catch((error: unknown) => error),
      Users.remove(orgId, "01NOSUCHUSER", { actor }).catch((error: unknown) => error),
      Users.get(orgId, "01NOSUCHUSER").catch((error: unknown) => error),
    ]);

    // assess
    for (const outcome of outcomes) expect(outcome).toMatchObject({ code: "user_not_found", status: 404 });
  });

  it("creating a user in an org that does not exist is org_not_found and writes nothing", async () => {
    // act
    const attempt = Users.create(
      "no-such-org",
      { name: "Orphan", email: "orphan@claims.test", identities: [{ kind: "github", externalId: "31337" }] },
      { actor },
    );

    // assess
    await expect(attempt).rejects.toMatchObject({ code: "org_not_found" });
    expect(await claimOwner(keys.emailClaim("no-such-org", "orphan@claims.test"))).toBeUndefined();
    expect(await claimOwner(keys.identityClaim("no-such-org", "github", "31337"))).toBeUndefined();
  });

  it("a status change is stamped onto the user's identity claims in the same transaction", async () => {
    // prepare
    const user = await Users.create(
      orgId,
      { name: "Stamped", identities: [{ kind: "github", externalId: "40404" }] },
      { actor },
    );

    // act
    const { sent } = await transactionsDuring(() =>
      Users.update(orgId, user.id, { status: "suspended" }, { actor }),
    );

    // assess
    expect(sent).toHaveLength(1);
    const claim = await db.get({ Key: keys.identityClaim(orgId, "github", "40404"), ConsistentRead: true });
    expect(claim.Item).toMatchObject({ userId: user.id, status: "suspended" });
  });
});

describe("users: concurrency", () => {
  let drop: () => Promise<void>;
  let orgId: string;

  beforeAll(async () => {
    ({ drop, orgId } = await useFreshTableWithOrg("Race Co"));
  });
  afterAll(async () => drop());

  it("10 concurrent PATCHes of different fields all apply, each with its own event", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Busy", email: "busy@race.test" }, { actor });
    const patches = [
      { name: "Busy Bee" },
      { role: "Queen" },
      { timezone: "Europe/Berlin" },
      { preferredChannel: "email" },
      { notes: "buzz" },
      { metadata: { hive: 3 } },
      { dailyBudgetUsd: 42 },
      { accessRole: "admin" as const },
      { status: "invited" as const },
      { emailAliases: ["busy.alias@race.test"] },
    ];

    // act
    const outcomes = await Promise.allSettled(
      patches.map((patch) => Users.update(orgId, user.id, patch, { actor })),
    );

    // assess
    expect(outcomes.filter((outcome) => outcome.status === "rejected")).toEqual([]);
    const final = await Users.get(orgId, user.id);
    expect(final).toMatchObject({
      name: "Busy Bee",
      role: "Queen",
      timezone: "Europe/Berlin",
      preferredChannel: "email",
      notes: "buzz",
      metadata: { hive: 3 },
      dailyBudgetUsd: 42,
      accessRole: "admin",
      status: "invited",
      emailAliases: ["busy.alias@race.test"],
    });
    const events = await allEvents(orgId, user.id);
    expect(events).toHaveLength(11);
    expect(await claimOwner(keys.emailClaim(orgId, "busy.alias@race.test"))).toBe(user.id);
  });

  it("10 concurrent PATCHes each replacing the alias list all commit and leave exactly one alias claimed", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Fickle", email: "fickle@race.test" }, { actor });
    const aliases = Array.from({ length: 10 }, (_, index) => `fickle.${index}@race.test`);

    // act
    const outcomes = await Promise.allSettled(
      aliases.map((alias) => Users.update(orgId, user.id, { emailAliases: [alias] }, { actor })),
    );

    // assess
    expect(outcomes.filter((outcome) => outcome.status === "rejected")).toEqual([]);
    const final = await Users.get(orgId, user.id);
    expect(final.emailAliases).toHaveLength(1);
    const owners = await Promise.all(aliases.map((alias) => claimOwner(keys.emailClaim(orgId, alias))));
    expect(owners.filter((owner) => owner !== undefined)).toEqual([user.id]);
    expect(owners[aliases.indexOf(final.emailAliases[0] ?? "")]).toBe(user.id);
    const events = await allEvents(orgId, user.id);
    expect(events.filter((event) => event.eventType === "email_added")).toHaveLength(10);
    expect(events.filter((event) => event.eventType === "email_removed")).toHaveLength(9);
  });
});

describe("users: listing", () => {
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ drop } = await useFreshTable());
  });
  afterAll(async () => drop());

  /** Sorted as the contract says: by name, ignoring case; equal names in id order. */
  function byName(a: User, b: User): number {
    const left = a.name.toLowerCase();
    const right = b.name.toLowerCase();
    if (left !== right) return left < right ? -1 : 1;
    return a.id < b.id ? -1 : 1;
  }

  it("60 users come back ordered by name ignoring case, in one DynamoDB request for a page of 200", async () => {
    // prepare
    const orgId = await newOrg("List Co");
    await Users.create(await newOrg("Other List Co"), { name: "Outsider" }, { actor });
    const letters = "abcdefghijklmnopqrstuvwxyz";
    const names = Array.from({ length: 60 }, (_, index) => {
      const word = Array.from({ length: 6 }, (_, position) => letters[(index * 7 + position * 11) % 26]).join(
        "",
      );
      return index % 3 === 0
        ? word.toUpperCase()
        : index % 3 === 1
          ? word
          : `${word[0]?.toUpperCase()}${word.slice(1)}`;
    });
    names.push("ABCDEF", "abcdef");
    const created: User[] = [];
    for (let start = 0; start < names.length; start += 10) {
      created.push(
        ...(await Promise.all(
          names.slice(start, start + 10).map((name) => Users.create(orgId, { name }, { actor })),
        )),
      );
    }

    // act
    const { result: page, requests } = await countRequests(() => Users.list(orgId, { limit: 200 }));

    // assess
    expect(requests.total).toBe(1);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((user) => user.id)).toEqual([...created].sort(byName).map((user) => user.id));
  });

  it("paging through users 7 at a time covers everyone once, in order, one request per page", async () => {
    // prepare
    const orgId = await newOrg("Paged Co");
    const created = await Promise.all(
      Array.from({ length: 23 }, (_, index) =>
        Users.create(
          orgId,
          { name: `${index % 2 ? "p" : "P"}erson ${String(index).padStart(2, "0")}` },
          { actor },
        ),
      ),
    );

    // act
    const seen: User[] = [];
    const requestsPerPage: number[] = [];
    let cursor: string | undefined;
    do {
      const { result: page, requests } = await countRequests(() => Users.list(orgId, { limit: 7, cursor }));
      requestsPerPage.push(requests.total);
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    // assess
    expect(requestsPerPage.every((count) => count === 1)).toBe(true);
    expect(seen.map((user) => user.id)).toEqual([...created].sort(byName).map((user) => user.id));
  });

  it("a name sorts before the longer names it begins with (Ann before Ann Lee)", async () => {
    // prepare
    const orgId = await newOrg("Prefix Co");
    for (const name of ["Ann Lee", "ann", "Ann-Marie", "Anna"]) {
      await Users.create(orgId, { name }, { actor });
    }

    // act
    const page = await Users.list(orgId, { limit: 200 });

    // assess
    expect(page.items.map((user) => user.name)).toEqual(["ann", "Ann Lee", "Ann-Marie", "Anna"]);
  });

  it("a cursor from another org's list is refused as invalid_cursor", async () => {
    // prepare
    const first = await newOrg("Cursor One");
    const second = await newOrg("Cursor Two");
    for (const name of ["a", "b", "c"]) await Users.create(first, { name }, { actor });
    const page = await Users.list(first, { limit: 1 });

    // act
    const attempt = Users.list(second, { limit: 1, cursor: page.nextCursor ?? undefined });

    // assess
    expect(page.nextCursor).not.toBeNull();
    await expect(attempt).rejects.toMatchObject({ code: "invalid_cursor", status: 400 });
  });
});
