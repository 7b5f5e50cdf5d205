import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { scanTable, useFreshTableWithOrg } from "../../../../test/support/integration";
import { db, type TransactItem, TransactionCancelled } from "../storage";
import type { CreateUserInput, IdentityKind, User } from "./schemas";
import { keys } from "./store";
import * as Tokens from "./tokens";
import * as Users from "./users";

function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** The user item and every claim item guarding what the user holds, keyed as in store.ts. */
function claimKeys(orgId: string, user: User, plaintexts: readonly string[]) {
  return [
    keys.user(orgId, user.id),
    ...[user.email, ...user.emailAliases]
      .filter((email): email is string => email !== null)
      .map((email) => keys.emailClaim(orgId, email)),
    ...user.identities.map((identity) => keys.identityClaim(orgId, identity.kind, identity.externalId)),
    ...plaintexts.map((plaintext) => keys.token(sha256Hex(plaintext))),
  ];
}

async function readByKey(itemKeys: readonly { pk: string; sk: string }[]) {
  return Promise.all(itemKeys.map(async (Key) => (await db.get({ Key, ConsistentRead: true })).Item));
}

async function allEvents(orgId: string, userId: string) {
  const page = await Users.listEvents(orgId, userId, { limit: 200 });
  return page.items;
}

/** A deterministic PRNG, so a failing random case can be replayed from its seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

let sequence = 0;
/** A github id nobody else in this file uses. */
function nextGithubId(): string {
  sequence += 1;
  return String(7_000_000 + sequence);
}

describe("merging users", () => {
  let drop: () => Promise<void>;
  let orgId: string;
  const actor = "op:merger";

  beforeAll(async () => {
    ({ drop, orgId } = await useFreshTableWithOrg("Merge Co"));
  });
  afterAll(async () => drop());
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Two users with emails, identities, tokens and some audit history, as the merge tests need. */
  async function pair(label: string, options: { sourceStatus?: "active" | "suspended" } = {}) {
    const target = await Users.create(
      orgId,
      {
        name: `${label} Target`,
        email: `${label}.target@merge.test`,
        emailAliases: [`${label}.target.alias@merge.test`],
        identities: [
          { kind: "github", externalId: nextGithubId() },
          { kind: "slack", externalId: `T${label.toUpperCase()}01:UTARGET01` },
        ],
      },
      { actor },
    );
    const source = await Users.create(
      orgId,
      {
        name: `${label} Source`,
        email: `${label}.source@merge.test`,
        emailAliases: [`${label}.source.alias@merge.test`, `${label}.source.other@merge.test`],
        identities: [
          { kind: "github", externalId: nextGithubId() },
          { kind: "gitlab", externalId: `gitlab.${label}.test:${nextGithubId()}` },
        ],
      },
      { actor },
    );
    const targetToken = await Tokens.mint(orgId, target.id, { label: "target" }, { actor });
    const sourceTokens = [
      await Tokens.mint(orgId, source.id, { label: "source-1" }, { actor }),
      await Tokens.mint(orgId, source.id, { label: "source-2" }, { actor }),
    ];
    await Users.update(orgId, source.id, { role: "Engineer", dailyBudgetUsd: 12 }, { actor });
    if (options.sourceStatus === "suspended") {
      await Users.update(orgId, source.id, { status: "suspended" }, { actor });
    }
    return {
      target: await Users.get(orgId, target.id),
      source: await Users.get(orgId, source.id),
      targetToken,
      sourceTokens,
    };
  }

  it.each([
    ["in the middle", 0.5],
    ["last", 1],
  ])(
    "a merge that DynamoDB cancels (failing item placed %s) leaves every user, claim, token and audit item exactly as it was",
    async (label, position) => {
      // prepare
      const { target, source, targetToken, sourceTokens } = await pair(`fault${label.length}`);
      const guarded = [...claimKeys(orgId, target, [targetToken.token]), ...claimKeys(orgId, source, [])];
      for (const token of sourceTokens) guarded.push(keys.token(sha256Hex(token.token)));
      const tableBefore = await scanTable();
      const claimsBefore = await readByKey(guarded);
      const eventsBefore = [await allEvents(orgId, target.id), await allEvents(orgId, source.id)];
      const original = db.transactWrite;
      const impossible: TransactItem = {
        ConditionCheck: {
          Key: { pk: `FAULT#${orgId}#does-not-exist`, sk: "#NONE" },
          ConditionExpression: "attribute_exists(pk)",
        },
      };
      const sent: TransactItem[][] = [];
      const spy = vi.spyOn(db, "transactWrite").mockImplementation((items, token) => {
        const withFault = [...items];
        withFault.splice(Math.floor(items.length * position), 0, impossible);
        sent.push(withFault);
        return original(withFault, token);
      });

      // act
      const outcome = await Users.merge(orgId, target.id, source.id, { actor }).catch(
        (error: unknown) => error,
      );

      // assess
      expect(outcome).toMatchObject({ status: 409 });
      if (position === 1) {
        // Nothing in the merge's own items failed, so it is not mistaken for a lost race: no retry.
        expect(outcome).toBeInstanceOf(TransactionCancelled);
        expect(spy).toHaveBeenCalledTimes(1);
      } else {
        // The shifted index blames one of the merge's items, so it is retried; every attempt is cancelled.
        expect(spy.mock.calls.length).toBeGreaterThanOrEqual(1);
      }
      // It really was the merge's transaction that DynamoDB cancelled: it deletes the source user.
      for (const items of sent) {
        expect(items.some((item) => item.Delete?.Key?.pk === keys.userPartition(orgId, source.id))).toBe(
          true,
        );
      }
      spy.mockRestore();
      expect(await scanTable()).toStrictEqual(tableBefore);
      expect(await readByKey(guarded)).toStrictEqual(claimsBefore);
      expect(claimsBefore.every((item) => item !== undefined)).toBe(true);
      expect([await allEvents(orgId, target.id), await allEvents(orgId, source.id)]).toStrictEqual(
        eventsBefore,
      );
      expect(await Users.get(orgId, source.id)).toEqual(source);
      expect(await Users.get(orgId, target.id)).toEqual(target);
      for (const token of sourceTokens) {
        expect(await Tokens.authenticate(token.token)).toMatchObject({ userId: source.id });
      }
    },
  );

  it("a merge moves identities, emails (as aliases) and tokens to the target, deletes the source and audits both", async () => {
    // prepare
    const { target, source, targetToken, sourceTokens } = await pair("ok", { sourceStatus: "suspended" });
    const usedAt = new Date("2020-05-05T05:05:05.000Z");
    const sourceToken = sourceTokens[0];
    if (!sourceToken) throw new Error("unreachable");
    await db.update({
      Key: keys.token(sha256Hex(sourceToken.token)),
      UpdateExpression: "SET lastUsedAt = :at",
      ExpressionAttributeValues: { ":at": usedAt.toISOString() },
    });
    expect(await Tokens.authenticate(sourceToken.token)).toBeUndefined();
    const { tokens: _tokens, ...sourceSnapshot } = source;
    const now = new Date("2031-06-01T00:00:00.000Z");

    const writes = {
      transactWrite: vi.spyOn(db, "transactWrite"),
      put: vi.spyOn(db, "put"),
      update: vi.spyOn(db, "update"),
      delete: vi.spyOn(db, "delete"),
    };

    // act
    const merged = await Users.merge(orgId, target.id, source.id, { actor, now });

    // assess
    // Atomic by construction: the whole merge is one TransactWriteItems and no other write.
    expect(writes.transactWrite).toHaveBeenCalledTimes(1);
    expect(writes.put).not.toHaveBeenCalled();
    expect(writes.update).not.toHaveBeenCalled();
    expect(writes.delete).not.toHaveBeenCalled();
    const [transaction = []] = writes.transactWrite.mock.calls[0] ?? [];
    const touched = new Set(
      transaction.map(
        (item) => (item.Put?.Item?.pk ?? item.Update?.Key?.pk ?? item.Delete?.Key?.pk) as string,
      ),
    );
    for (const key of claimKeys(
      orgId,
      source,
      sourceTokens.map((token) => token.token),
    )) {
      expect(touched.has(key.pk), key.pk).toBe(true);
    }
    expect(touched.has(keys.userPartition(orgId, target.id))).toBe(true);
    const audits = transaction.filter((item) => item.Put?.Item?.entity === "audit");
    expect(audits.map((item) => [item.Put?.Item?.userId, item.Put?.Item?.eventType])).toEqual([
      [target.id, "manual_merge"],
      [source.id, "manual_merge"],
    ]);
    vi.restoreAllMocks();
    const expectedAliases = [...target.emailAliases, source.email, ...source.emailAliases];
    expect(merged.email).toBe(target.email);
    expect([...merged.emailAliases].sort()).toEqual([...expectedAliases].sort());
    expect(merged.identities.map((identity) => `${identity.kind}#${identity.externalId}`).sort()).toEqual(
      [...target.identities, ...source.identities]
        .map((identity) => `${identity.kind}#${identity.externalId}`)
        .sort(),
    );
    expect(merged.tokens.map((token) => token.id).sort()).toEqual(
      [targetToken.id, ...sourceTokens.map((token) => token.id)].sort(),
    );
    expect(merged.status).toBe("active");
    expect(await Users.get(orgId, target.id)).toMatchObject({
      emailAliases: merged.emailAliases,
      identities: merged.identities,
    });
    await expect(Users.get(orgId, source.id)).rejects.toMatchObject({ code: "user_not_found" });

    for (const email of [source.email, ...source.emailAliases] as string[]) {
      const claim = await db.get({ Key: keys.emailClaim(orgId, email), ConsistentRead: true });
      expect(claim.Item?.userId).toBe(target.id);
    }
    for (const identity of source.identities) {
      const claim = await db.get({
        Key: keys.identityClaim(orgId, identity.kind, identity.externalId),
        ConsistentRead: true,
      });
      // The claim now names the target and carries the target's status, not the suspended source's.
      expect(claim.Item).toMatchObject({
        userId: target.id,
        status: "active",
        createdAt: identity.createdAt,
      });
    }
    const movedTokenItem = await db.get({
      Key: keys.token(sha256Hex(sourceToken.token)),
      ConsistentRead: true,
    });
    // The move is an update, not a put: when the token was last used survives it.
    expect(movedTokenItem.Item?.lastUsedAt).toBe(usedAt.toISOString());
    for (const token of sourceTokens) {
      const item = await db.get({ Key: keys.token(sha256Hex(token.token)), ConsistentRead: true });
      expect(item.Item).toMatchObject({ userId: target.id, status: "active" });
      expect(await Tokens.authenticate(token.token)).toEqual({
        userId: target.id,
        orgId,
        accessRole: target.accessRole,
      });
    }
    expect(await Tokens.authenticate(targetToken.token)).toMatchObject({ userId: target.id });

    const targetEvents = await allEvents(orgId, target.id);
    expect(targetEvents[0]).toMatchObject({
      eventType: "manual_merge",
      actor,
      userId: target.id,
      createdAt: now.toISOString(),
      before: sourceSnapshot,
    });
    expect(targetEvents[0]?.after).toMatchObject({ id: target.id, emailAliases: merged.emailAliases });
    const sourceEvents = await allEvents(orgId, source.id);
    expect(sourceEvents[0]).toMatchObject({
      eventType: "manual_merge",
      actor,
      userId: source.id,
      before: sourceSnapshot,
      after: { mergedInto: target.id },
    });
    // The source's whole history stays readable, newest first, after the source is gone.
    expect(sourceEvents.map((event) => event.eventType)).toEqual([
      "manual_merge",
      "status_changed",
      "profile_changed",
      "budget_changed",
      "token_minted",
      "token_minted",
      "identity_added",
      "identity_added",
      "user_created",
    ]);

    const leftovers = (await scanTable()).filter(
      (item) => item.userId === source.id && item.entity !== "audit",
    );
    expect(leftovers).toEqual([]);
  });

  it("after a merge, the source's emails and identities cannot be claimed by anyone else", async () => {
    // prepare
    const { target, source } = await pair("claims");
    await Users.merge(orgId, target.id, source.id, { actor });
    const identity = source.identities[0];
    if (!identity) throw new Error("unreachable");

    // act
    const byEmail = await Users.create(
      orgId,
      { name: "Squatter", email: source.email ?? "" },
      { actor },
    ).catch((error: unknown) => error);
    const byIdentity = await Users.create(
      orgId,
      { name: "Squatter", identities: [{ kind: identity.kind, externalId: identity.externalId }] },
      { actor },
    ).catch((error: unknown) => error);

    // assess
    expect(byEmail).toMatchObject({ code: "email_taken" });
    expect(byIdentity).toMatchObject({ code: "identity_taken" });
  });

  it("merging a user into itself is a self_merge 400 and writes nothing", async () => {
    // prepare
    const { target } = await pair("self");
    const before = await scanTable();

    // act
    const outcome = Users.merge(orgId, target.id, target.id, { actor });

    // assess
    await expect(outcome).rejects.toMatchObject({ name: "SelfMerge", code: "self_merge", status: 400 });
    expect(await scanTable()).toStrictEqual(before);
  });

  it("merging a source that does not exist is user_not_found and writes nothing", async () => {
    // prepare
    const { target } = await pair("ghost");
    const before = await scanTable();

    // act
    const outcome = Users.merge(orgId, target.id, "01GHOSTUSER00000000000000", { actor });

    // assess
    await expect(outcome).rejects.toMatchObject({ code: "user_not_found" });
    expect(await scanTable()).toStrictEqual(before);
  });

  it.each<[string, (side: "target" | "source") => Partial<CreateUserInput>]>([
    [
      "identities",
      () => ({
        identities: Array.from({ length: 13 }, () => ({ kind: "github", externalId: nextGithubId() })),
      }),
    ],
    [
      "emailAliases",
      (side) => ({
        emailAliases: Array.from(
          { length: side === "target" ? 6 : 5 },
          (_, index) => `${side}${index}.${nextGithubId()}@limits.test`,
        ),
      }),
    ],
  ])(
    "a merge whose combined %s exceed the per-user cap is limit_exceeded and writes nothing",
    async (what, shape) => {
      // prepare
      const target = await Users.create(orgId, { name: `Cap ${what} T`, ...shape("target") }, { actor });
      const source = await Users.create(
        orgId,
        { name: `Cap ${what} S`, email: `cap.${nextGithubId()}@limits.test`, ...shape("source") },
        { actor },
      );
      const before = await scanTable();

      // act
      const outcome = Users.merge(orgId, target.id, source.id, { actor });

      // assess
      await expect(outcome).rejects.toMatchObject({
        code: "limit_exceeded",
        details: { [what]: expect.any(Number) },
      });
      expect(await scanTable()).toStrictEqual(before);
    },
  );

  it("a merge whose combined tokens exceed the cap is limit_exceeded and writes nothing", async () => {
    // prepare
    const target = await Users.create(orgId, { name: "Cap tokens T" }, { actor });
    const source = await Users.create(orgId, { name: "Cap tokens S" }, { actor });
    for (let index = 0; index < 6; index++) await Tokens.mint(orgId, target.id, {}, { actor });
    for (let index = 0; index < 5; index++) await Tokens.mint(orgId, source.id, {}, { actor });
    const before = await scanTable();

    // act
    const outcome = Users.merge(orgId, target.id, source.id, { actor });

    // assess
    await expect(outcome).rejects.toMatchObject({ code: "limit_exceeded" });
    expect(await scanTable()).toStrictEqual(before);
  });

  it("random merges (seeded) always leave every claim owned by the target and nothing owned by the source", async () => {
    const kinds: IdentityKind[] = ["github", "gitlab", "slack"];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      // prepare
      const random = mulberry32(seed);
      const pick = (max: number) => Math.floor(random() * (max + 1));
      const make = (side: string): CreateUserInput => {
        const hasEmail = random() < 0.7;
        return {
          name: `Seed ${seed} ${side}`,
          email: hasEmail ? `s${seed}.${side}@random.test` : null,
          emailAliases: Array.from(
            { length: pick(3) },
            (_, index) => `s${seed}.${side}.${index}@random.test`,
          ),
          identities: Array.from({ length: pick(4) }, () => {
            const kind = kinds[pick(kinds.length - 1)] ?? "github";
            const id = nextGithubId();
            return {
              kind,
              externalId: kind === "slack" ? `TSEED${seed}:U${id}` : kind === "gitlab" ? `gl.test:${id}` : id,
            };
          }),
        };
      };
      const target = await Users.create(orgId, make("t"), { actor });
      const source = await Users.create(orgId, make("s"), { actor });
      const plaintexts: Record<string, string[]> = { [target.id]: [], [source.id]: [] };
      for (const user of [target, source]) {
        for (let index = pick(2); index > 0; index--) {
          plaintexts[user.id]?.push((await Tokens.mint(orgId, user.id, {}, { actor })).token);
        }
      }

      // act
      const merged = await Users.merge(orgId, target.id, source.id, { actor });

      // assess
      const context = `seed ${seed}`;
      const emails = [target.email, ...target.emailAliases, source.email, ...source.emailAliases].filter(
        (email): email is string => email !== null,
      );
      expect(new Set([merged.email, ...merged.emailAliases].filter(Boolean)), context).toEqual(
        new Set(emails),
      );
      expect(merged.emailAliases, context).not.toContain(merged.email);
      expect(new Set(merged.emailAliases).size, context).toBe(merged.emailAliases.length);
      expect(merged.identities, context).toHaveLength(target.identities.length + source.identities.length);
      const everyToken = [...(plaintexts[target.id] ?? []), ...(plaintexts[source.id] ?? [])];
      expect(merged.tokens, context).toHaveLength(everyToken.length);
      const claims = await readByKey([...claimKeys(orgId, merged, everyToken).slice(1)]);
      for (const claim of claims) expect(claim?.userId, context).toBe(merged.id);
      for (const token of everyToken) {
        expect(await Tokens.authenticate(token), context).toMatchObject({ userId: merged.id });
      }
      const sourceItems = (await scanTable()).filter(
        (item) => item.userId === source.id && item.entity !== "audit",
      );
      expect(sourceItems, context).toEqual([]);
      expect(await readByKey([keys.user(orgId, source.id)]), context).toEqual([undefined]);
    }
  });
});
