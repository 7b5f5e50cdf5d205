import { describe, expect, it } from "vitest";
import {
  CreateUserInputSchema,
  canonicalExternalId,
  EmailSchema,
  type IdentityKind,
  IdentityRefSchema,
  UpdateUserInputSchema,
} from "./schemas";

describe("canonicalExternalId", () => {
  it.each<[IdentityKind, string, string]>([
    ["slack", "T0123ABC:U0456DEF", "T0123ABC:U0456DEF"],
    ["slack", "t0123abc:u0456def", "T0123ABC:U0456DEF"],
    ["slack", "  T0123ABC:W0456DEF  ", "T0123ABC:W0456DEF"],
    ["github", "42", "42"],
    ["github", "0042", "42"],
    ["github", "0", "0"],
    ["github", "000", "0"],
    ["github", " 42 ", "42"],
    ["gitlab", "42", "42"],
    ["gitlab", "0042", "42"],
    ["gitlab", "gitlab.example.com:42", "gitlab.example.com:42"],
    ["gitlab", "GitLab.Example.COM:0042", "gitlab.example.com:42"],
    ["gitlab", "gitlab.example.com.:42", "gitlab.example.com:42"],
    ["gitlab", "git.example.com:8443:7", "git.example.com:8443:7"],
    ["gitlab", "GitLab.com:42", "42"],
    ["gitlab", "gitlab.com:0042", "42"],
    ["linear", "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"],
    ["workos", "directory_user_01HXYZ", "directory_user_01HXYZ"],
    ["workos", "Directory-User_01hxyz", "Directory-User_01hxyz"],
  ])("%s %j is canonically %j", (kind, raw, expected) => {
    // act
    const canonical = canonicalExternalId(kind, raw);

    // assess
    expect(canonical).toBe(expected);
  });

  it.each<[IdentityKind, string]>([
    ["slack", "U0456DEF"],
    ["slack", "T0123ABC"],
    ["slack", "T0123ABC:X0456DEF"],
    ["slack", "T1:U1"],
    ["slack", "T0123ABC:U0456DEF:extra"],
    ["github", "octocat"],
    ["github", "-42"],
    ["github", "4.2"],
    ["github", "123456789012345678901"],
    ["github", ""],
    ["gitlab", ":42"],
    ["gitlab", "gitlab.example.com:"],
    ["gitlab", "gitlab.example.com:abc"],
    ["gitlab", "bad_host.example.com:42"],
    ["gitlab", "-gitlab.example.com:42"],
    ["gitlab", "gitlab.example.com"],
    ["linear", "not-a-uuid"],
    ["linear", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"],
    ["workos", "has space"],
    ["workos", "x".repeat(129)],
    ["workos", ""],
  ])("%s %j is not a valid id", (kind, raw) => {
    // act
    const canonical = canonicalExternalId(kind, raw);

    // assess
    expect(canonical).toBeUndefined();
  });

  it("two spellings of one account share one canonical id, so they can never be claimed twice", () => {
    // act
    const spellings = [
      canonicalExternalId("gitlab", "42"),
      canonicalExternalId("gitlab", "GitLab.com:42"),
      canonicalExternalId("gitlab", "gitlab.com:00042"),
    ];

    // assess
    expect(new Set(spellings)).toEqual(new Set(["42"]));
    expect(canonicalExternalId("gitlab", "gitlab.example.com:42")).not.toBe("42");
  });

  it("IdentityRefSchema canonicalizes, and names externalId when the id is invalid", () => {
    // act
    const valid = IdentityRefSchema.safeParse({ kind: "github", externalId: "0042" });
    const invalid = IdentityRefSchema.safeParse({ kind: "github", externalId: "octocat" });
    const unknownKind = IdentityRefSchema.safeParse({ kind: "myspace", externalId: "42" });

    // assess
    expect(valid.success && valid.data).toEqual({ kind: "github", externalId: "42" });
    expect(invalid.success).toBe(false);
    expect(invalid.error?.issues.map((issue) => issue.path)).toEqual([["externalId"]]);
    expect(unknownKind.success).toBe(false);
  });
});

describe("EmailSchema", () => {
  it.each([
    ["  Ada.Lovelace@Example.COM ", "ada.lovelace@example.com"],
    ["ADA@EXAMPLE.ORG", "ada@example.org"],
    ["a+tag@sub.example.io", "a+tag@sub.example.io"],
  ])("%j is stored as %j", (raw, expected) => {
    // act
    const parsed = EmailSchema.parse(raw);

    // assess
    expect(parsed).toBe(expected);
  });

  it.each([
    "",
    "   ",
    "not-an-email",
    "@example.com",
    "ada@",
    "ada@@example.com",
    "ada lovelace@example.com",
    `${"a".repeat(250)}@example.com`,
  ])("%j is rejected", (raw) => {
    // act
    const result = EmailSchema.safeParse(raw);

    // assess
    expect(result.success).toBe(false);
  });
});

describe("CreateUserInputSchema", () => {
  it("applies the email and identity canonical forms to a valid input", () => {
    // act
    const parsed = CreateUserInputSchema.parse({
      name: "  Ada  ",
      email: "Ada@Example.com",
      emailAliases: ["ADA.L@Example.com"],
      timezone: "Europe/London",
      identities: [{ kind: "github", externalId: "007" }],
    });

    // assess
    expect(parsed).toEqual({
      name: "Ada",
      email: "ada@example.com",
      emailAliases: ["ada.l@example.com"],
      timezone: "Europe/London",
      identities: [{ kind: "github", externalId: "7" }],
    });
  });

  it("rejects a field it does not know, naming it", () => {
    // act
    const result = CreateUserInputSchema.safeParse({ name: "Ada", isAdmin: true });

    // assess
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ code: "unrecognized_keys", keys: ["isAdmin"] }),
    ]);
  });

  it.each(["Mars/Olympus_Mons", "Europe/Nowhere", "", "+25:00"])("rejects the time zone %j", (timezone) => {
    // act
    const result = CreateUserInputSchema.safeParse({ name: "Ada", timezone });

    // assess
    expect(result.success).toBe(false);
    expect(new Set(result.error?.issues.map((issue) => issue.path.join(".")))).toEqual(new Set(["timezone"]));
  });

  it("accepts a null time zone and a real IANA one", () => {
    // act
    const none = CreateUserInputSchema.safeParse({ name: "Ada", timezone: null });
    const tokyo = CreateUserInputSchema.safeParse({ name: "Ada", timezone: "Asia/Tokyo" });

    // assess
    expect(none.success).toBe(true);
    expect(tokyo.success).toBe(true);
  });

  it("rejects an invalid identity, naming its position", () => {
    // act
    const result = CreateUserInputSchema.safeParse({
      name: "Ada",
      identities: [
        { kind: "github", externalId: "1" },
        { kind: "slack", externalId: "nope" },
      ],
    });

    // assess
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([["identities", 1, "externalId"]]);
  });

  it("rejects more than the per-user caps of aliases and identities", () => {
    // act
    const aliases = CreateUserInputSchema.safeParse({
      name: "Ada",
      emailAliases: Array.from({ length: 11 }, (_, index) => `alias${index}@example.com`),
    });
    const identities = CreateUserInputSchema.safeParse({
      name: "Ada",
      identities: Array.from({ length: 26 }, (_, index) => ({ kind: "github", externalId: String(index) })),
    });

    // assess
    expect(aliases.success).toBe(false);
    expect(identities.success).toBe(false);
  });

  it("rejects an empty name and metadata over 16 KiB", () => {
    // act
    const blank = CreateUserInputSchema.safeParse({ name: "   " });
    const heavy = CreateUserInputSchema.safeParse({ name: "Ada", metadata: { blob: "x".repeat(16_384) } });

    // assess
    expect(blank.success).toBe(false);
    expect(heavy.success).toBe(false);
  });
});

describe("UpdateUserInputSchema", () => {
  it("does not accept identities: they change only through the identity endpoints", () => {
    // act
    const result = UpdateUserInputSchema.safeParse({ identities: [{ kind: "github", externalId: "1" }] });

    // assess
    expect(result.success).toBe(false);
  });
});
