import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { countRequests } from "../storage";
import { authenticate, hashToken, randomBase62, TOKEN_PREFIX } from "./tokens";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

describe("randomBase62", () => {
  it.each([0, 1, 4, 43, 64, 500])("returns exactly %i base62 characters", (length) => {
    // act
    const value = randomBase62(length);

    // assess
    expect(value).toHaveLength(length);
    expect(value).toMatch(/^[0-9A-Za-z]*$/);
  });

  it("never repeats a 43-character value", () => {
    // act
    const values = new Set(Array.from({ length: 2_000 }, () => randomBase62(43)));

    // assess
    expect(values.size).toBe(2_000);
  });

  it("uses every one of the 62 characters about equally often (no modulo bias)", () => {
    // prepare
    const samples = 248_000;
    const counts = new Map<string, number>(Array.from(BASE62, (char) => [char, 0]));

    // act
    for (let drawn = 0; drawn < samples; drawn += 1_000) {
      for (const char of randomBase62(1_000)) counts.set(char, (counts.get(char) ?? 0) + 1);
    }

    // assess
    expect(counts.size).toBe(62);
    const expected = samples / 62;
    let chiSquare = 0;
    for (const count of counts.values()) chiSquare += (count - expected) ** 2 / expected;
    // 61 degrees of freedom: mean 61, sd ≈ 11. 200 is beyond any honest draw (p < 1e-15), while a
    // plain `byte % 62` (8 characters 25 % too frequent) scores in the thousands here.
    expect(chiSquare).toBeLessThan(200);
  });
});

describe("token shape and hashing", () => {
  it("a token is kith_ plus 43 base62 characters, which authenticate accepts as well-formed", () => {
    // act
    const token = `${TOKEN_PREFIX}${randomBase62(43)}`;

    // assess
    expect(TOKEN_PREFIX).toBe("kith_");
    expect(token).toMatch(/^kith_[0-9A-Za-z]{43}$/);
  });

  it("hashToken is the sha256 of the token, as lower-case hex", () => {
    // prepare
    const token = `kith_${"a".repeat(43)}`;

    // act
    const hash = hashToken(token);

    // assess
    expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    "",
    "kith_",
    "kith_short",
    `kith_${"a".repeat(31)}`,
    `Bearer kith_${"a".repeat(43)}`,
    `kith_${"a".repeat(42)}!`,
    `ghp_${"a".repeat(43)}`,
    `kith_${"a".repeat(129)}`,
  ])("a malformed token %j is refused without touching storage", async (token) => {
    // act
    const { result, requests } = await countRequests(() => authenticate(token));

    // assess
    expect(result).toBeUndefined();
    expect(requests.total).toBe(0);
  });
});
