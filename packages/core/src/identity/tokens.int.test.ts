import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanTable, useFreshTableWithOrg } from "../../../../test/support/integration";
import { countRequests, db } from "../storage";
import { keys } from "./store";
import * as Tokens from "./tokens";
import * as Users from "./users";

function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

async function tokenItem(plaintext: string) {
  return (await db.get({ Key: keys.token(sha256Hex(plaintext)), ConsistentRead: true })).Item;
}

async function eventTypes(orgId: string, userId: string): Promise<string[]> {
  const page = await Users.listEvents(orgId, userId, { limit: 200 });
  return page.items.map((event) => event.eventType);
}

describe("user API tokens", () => {
  let drop: () => Promise<void>;
  let orgId: string;
  const actor = "op:test";

  beforeAll(async () => {
    ({ drop, orgId } = await useFreshTableWithOrg("Token Co"));
  });
  afterAll(async () => drop());

  it("no item anywhere in the table holds a plaintext token or its random body; only its sha256 and a 4-character preview", async () => {
    // prepare
    const ada = await Users.create(orgId, { name: "Ada", email: "ada@tokens.test" }, { actor });
    const bob = await Users.create(orgId, { name: "Bob" }, { actor });

    // act
    const minted = [
      await Tokens.mint(orgId, ada.id, { label: "laptop" }, { actor }),
      await Tokens.mint(orgId, ada.id, {}, { actor }),
      await Tokens.mint(orgId, bob.id, { label: "ci" }, { actor }),
      await Tokens.mint(orgId, bob.id, { label: "cli" }, { actor }),
    ];
    const revoked = minted[3];
    if (!revoked) throw new Error("unreachable");
    await Tokens.revoke(orgId, bob.id, revoked.id, { actor });

    // assess
    const dump = JSON.stringify(await scanTable());
    for (const { token, preview, id } of minted) {
      expect(token).toMatch(/^kith_[0-9A-Za-z]{43}$/);
      const body = token.slice("kith_".length);
      expect(dump).not.toContain(token);
      expect(dump).not.toContain(body);
      // Not even a long prefix or suffix of the secret part is kept.
      expect(dump).not.toContain(body.slice(0, 16));
      expect(dump).not.toContain(body.slice(-16));
      expect(preview).toBe(token.slice(-4));
      expect(id).not.toContain(body.slice(0, 8));
    }
    for (const { token, id } of minted.slice(0, 3)) {
      const item = await tokenItem(token);
      expect(item).toMatchObject({
        pk: `TOKEN#${sha256Hex(token)}`,
        sk: "#TOKEN",
        tokenId: id,
        orgId,
      });
      expect(item?.pk).toMatch(/^TOKEN#[0-9a-f]{64}$/);
    }
    const adaView = await Users.get(orgId, ada.id);
    expect(adaView.tokens.map((token) => token.preview)).toEqual(
      minted.slice(0, 2).map((token) => token.token.slice(-4)),
    );
    expect(JSON.stringify(adaView)).not.toContain(sha256Hex(minted[0]?.token ?? ""));
  });

  it("the mint response has the contract's shape and the user lists the token's metadata only", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Shape" }, { actor });
    const now = new Date("2031-03-04T05:06:07.000Z");

    // act
    const minted = await Tokens.mint(orgId, user.id, { label: "laptop" }, { actor, now });

    // assess
    expect(minted).toEqual({
      id: expect.any(String),
      token: expect.stringMatching(/^kith_[0-9A-Za-z]{43}$/),
      preview: minted.token.slice(-4),
      label: "laptop",
      accessRole: "member",
      createdAt: now.toISOString(),
    });
    const view = await Users.get(orgId, user.id);
    expect(view.tokens).toEqual([
      {
        id: minted.id,
        preview: minted.preview,
        label: "laptop",
        accessRole: "member",
        createdAt: now.toISOString(),
        lastUsedAt: null,
      },
    ]);
  });

  it("minting an 11th token is limit_exceeded and writes nothing", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Hoarder" }, { actor });
    for (let index = 0; index < 10; index++) await Tokens.mint(orgId, user.id, {}, { actor });
    const before = await scanTable();

    // act
    const attempt = Tokens.mint(orgId, user.id, {}, { actor });

    // assess
    await expect(attempt).rejects.toMatchObject({ code: "limit_exceeded" });
    expect(await scanTable()).toEqual(before);
  });

  it("minting for a user that does not exist is user_not_found", async () => {
    // act
    const attempt = Tokens.mint(orgId, "01NOSUCHUSER", {}, { actor });

    // assess
    await expect(attempt).rejects.toMatchObject({ code: "user_not_found" });
  });

  it("revoking is idempotent: twice, an unknown token and an unknown user all succeed, with one token_revoked event", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Revoker" }, { actor });
    const minted = await Tokens.mint(orgId, user.id, {}, { actor });

    // act
    await Tokens.revoke(orgId, user.id, minted.id, { actor });
    await Tokens.revoke(orgId, user.id, minted.id, { actor });
    await Tokens.revoke(orgId, user.id, "01UNKNOWNTOKEN", { actor });
    await Tokens.revoke(orgId, "01UNKNOWNUSER", minted.id, { actor });

    // assess
    const types = await eventTypes(orgId, user.id);
    expect(types.filter((type) => type === "token_revoked")).toHaveLength(1);
    expect(types.filter((type) => type === "token_minted")).toHaveLength(1);
    expect(await tokenItem(minted.token)).toBeUndefined();
    expect((await Users.get(orgId, user.id)).tokens).toEqual([]);
    expect(await Tokens.authenticate(minted.token)).toBeUndefined();
  });

  it("revoking one token leaves the user's other tokens working", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Two Tokens" }, { actor });
    const keep = await Tokens.mint(orgId, user.id, { label: "keep" }, { actor });
    const drop = await Tokens.mint(orgId, user.id, { label: "drop" }, { actor });

    // act
    await Tokens.revoke(orgId, user.id, drop.id, { actor });

    // assess
    expect(await Tokens.authenticate(drop.token)).toBeUndefined();
    expect(await Tokens.authenticate(keep.token)).toEqual({ userId: user.id, orgId, accessRole: "member" });
    expect((await Users.get(orgId, user.id)).tokens.map((token) => token.label)).toEqual(["keep"]);
  });

  it("authentication is one GetItem while lastUsedAt is fresh, and writes lastUsedAt at most once a minute", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Frequent", accessRole: "admin" }, { actor });
    const { token, id } = await Tokens.mint(orgId, user.id, {}, { actor });
    const now = new Date("2031-01-01T12:00:00.000Z");
    const at = (ms: number) => new Date(now.getTime() + ms);

    // act
    const first = await countRequests(() => Tokens.authenticate(token, now));
    const within = await countRequests(() => Tokens.authenticate(token, at(30_000)));
    const stillWithin = await countRequests(() => Tokens.authenticate(token, at(59_999)));
    const storedAfterWithin = (await tokenItem(token))?.lastUsedAt;
    const after = await countRequests(() => Tokens.authenticate(token, at(61_000)));

    // assess
    const owner = { userId: user.id, orgId, accessRole: "admin" };
    expect(first.result).toEqual(owner);
    expect(first.requests.total).toBe(2);
    expect(within.result).toEqual(owner);
    expect(within.requests.total).toBe(1);
    expect(Object.values(within.requests.byCommand)).toEqual([1]);
    expect(Object.keys(within.requests.byCommand)[0]).toMatch(/^Get/);
    expect(stillWithin.requests.total).toBe(1);
    expect(storedAfterWithin).toBe(now.toISOString());
    expect(after.result).toEqual(owner);
    expect(after.requests.total).toBe(2);
    expect((await tokenItem(token))?.lastUsedAt).toBe(at(61_000).toISOString());
    const view = await Users.get(orgId, user.id);
    expect(view.tokens).toEqual([expect.objectContaining({ id, lastUsedAt: at(61_000).toISOString() })]);
  });

  it("20 concurrent authentications of a stale token all succeed and record one use", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Burst" }, { actor });
    const { token } = await Tokens.mint(orgId, user.id, {}, { actor });
    const now = new Date("2031-02-01T00:00:00.000Z");

    // act
    const results = await Promise.all(Array.from({ length: 20 }, () => Tokens.authenticate(token, now)));

    // assess
    expect(results.every((result) => result?.userId === user.id)).toBe(true);
    expect((await tokenItem(token))?.lastUsedAt).toBe(now.toISOString());
  });

  it("a suspended user's token fails, and works again once the user is re-activated", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Suspendable" }, { actor });
    const { token } = await Tokens.mint(orgId, user.id, {}, { actor });
    expect(await Tokens.authenticate(token)).toMatchObject({ userId: user.id });

    // act
    await Users.update(orgId, user.id, { status: "suspended" }, { actor });
    const whileSuspended = await Tokens.authenticate(token);
    await Users.update(orgId, user.id, { status: "active" }, { actor });
    const afterReactivation = await Tokens.authenticate(token);

    // assess
    expect(whileSuspended).toBeUndefined();
    expect(afterReactivation).toEqual({ userId: user.id, orgId, accessRole: "member" });
  });

  it("an invited user's token fails until the user is active", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Invitee", status: "invited" }, { actor });
    const { token } = await Tokens.mint(orgId, user.id, {}, { actor });

    // act
    const whileInvited = await Tokens.authenticate(token);
    await Users.update(orgId, user.id, { status: "active" }, { actor });
    const onceActive = await Tokens.authenticate(token);

    // assess
    expect(whileInvited).toBeUndefined();
    expect(onceActive).toMatchObject({ userId: user.id });
  });

  it("a demotion is seen by the next authentication; a promotion never lifts a token minted as a member", async () => {
    // prepare
    const admin = await Users.create(orgId, { name: "Demoted", accessRole: "admin" }, { actor });
    const adminToken = (await Tokens.mint(orgId, admin.id, {}, { actor })).token;
    const member = await Users.create(orgId, { name: "Promoted" }, { actor });
    const memberToken = (await Tokens.mint(orgId, member.id, {}, { actor })).token;

    // act
    await Users.update(orgId, admin.id, { accessRole: "member" }, { actor });
    await Users.update(orgId, member.id, { accessRole: "admin" }, { actor });
    const freshToken = (await Tokens.mint(orgId, member.id, {}, { actor })).token;

    // assess: a token acts with the lesser of its own role and its user's
    expect(await Tokens.authenticate(adminToken)).toEqual({ userId: admin.id, orgId, accessRole: "member" });
    expect(await Tokens.authenticate(memberToken)).toEqual({
      userId: member.id,
      orgId,
      accessRole: "member",
    });
    expect(await Tokens.authenticate(freshToken)).toEqual({ userId: member.id, orgId, accessRole: "admin" });
  });

  it("a token that was never minted, or one character off, fails", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Typo" }, { actor });
    const { token } = await Tokens.mint(orgId, user.id, {}, { actor });
    const last = token.at(-1) === "a" ? "b" : "a";

    // act
    const offByOne = await Tokens.authenticate(`${token.slice(0, -1)}${last}`);
    const random = await Tokens.authenticate(`kith_${"Z".repeat(43)}`);

    // assess
    expect(offByOne).toBeUndefined();
    expect(random).toBeUndefined();
  });

  it("deleting the user removes its token items, so its tokens fail", async () => {
    // prepare
    const user = await Users.create(orgId, { name: "Leaver" }, { actor });
    const { token } = await Tokens.mint(orgId, user.id, {}, { actor });

    // act
    await Users.remove(orgId, user.id, { actor });

    // assess
    expect(await tokenItem(token)).toBeUndefined();
    expect(await Tokens.authenticate(token)).toBeUndefined();
  });
});
