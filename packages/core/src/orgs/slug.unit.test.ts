import { describe, expect, it } from "vitest";
import { CreateOrgInputSchema, SLUG_PATTERN, slugify, suffixedSlug } from "./index";

describe("slugify", () => {
  it.each([
    ["Acme", "acme"],
    ["Acme Corp", "acme-corp"],
    ["  Acme   Corp  ", "acme-corp"],
    ["Café Crème", "cafe-creme"],
    ["Ångström Labs", "angstrom-labs"],
    ["Ñandú São Paulo", "nandu-sao-paulo"],
    ["Hello, World!!!", "hello-world"],
    ["--Acme--", "acme"],
    ["A.B.C. & Sons, Ltd.", "a-b-c-sons-ltd"],
    ["R2-D2 Robotics", "r2-d2-robotics"],
    ["ﬁnance", "finance"],
    ["Ｗｉｄｅ Co", "wide-co"],
    ["日本語の会社", ""],
    ["Компания", ""],
    ["🚀🚀🚀", ""],
    ["!!!", ""],
    ["", ""],
  ])("%j becomes %j", (name, expected) => {
    // act
    const slug = slugify(name);

    // assess
    expect(slug).toBe(expected);
  });

  it("keeps only the Latin part of a mixed-script name", () => {
    // act
    const slug = slugify("東京 Tokyo Office");

    // assess
    expect(slug).toBe("tokyo-office");
  });

  it.each([
    "a".repeat(100),
    `${"a".repeat(47)} b c d`,
    `${"word ".repeat(30)}`,
    `${"a".repeat(47)}-----bbbb`,
  ])("is at most 48 characters and never ends with a hyphen (%#)", (name) => {
    // act
    const slug = slugify(name);

    // assess
    expect(slug.length).toBeGreaterThan(0);
    expect(slug.length).toBeLessThanOrEqual(48);
    expect(slug).not.toMatch(/-$/);
    expect(slug).toMatch(SLUG_PATTERN);
  });

  it("a derived slug of maximum length still fits the slug pattern once suffixed", () => {
    // prepare
    const base = slugify("x".repeat(200));

    // act
    const suffixed = suffixedSlug(base);

    // assess
    expect(suffixed).toMatch(new RegExp(`^${base}-[0-9a-f]{4}$`));
    expect(suffixed).toMatch(SLUG_PATTERN);
  });

  it("every non-empty slugify output is a valid explicit slug", () => {
    // prepare
    const names = ["Acme", "Café Crème", "A.B.C. & Sons", "東京 Tokyo", "R2-D2", "x".repeat(80)];

    // act
    const slugs = names.map(slugify);

    // assess
    for (const slug of slugs) expect(CreateOrgInputSchema.safeParse({ name: "n", slug }).success).toBe(true);
  });
});

describe("suffixedSlug", () => {
  it("appends a random 4-hex suffix", () => {
    // act
    const suffixes = new Set(Array.from({ length: 200 }, () => suffixedSlug("acme")));

    // assess
    for (const slug of suffixes) expect(slug).toMatch(/^acme-[0-9a-f]{4}$/);
    expect(suffixes.size).toBeGreaterThan(150);
  });
});

describe("explicit slugs", () => {
  it.each([
    ["Acme", "acme"],
    [" acme-corp ", "acme-corp"],
  ])("%j is accepted as %j", (slug, expected) => {
    // act
    const parsed = CreateOrgInputSchema.parse({ name: "Acme", slug });

    // assess
    expect(parsed.slug).toBe(expected);
  });

  it.each(["-acme", "acme-", "ac me", "acmé", "a_b", "a".repeat(64), ""])("%j is rejected", (slug) => {
    // act
    const result = CreateOrgInputSchema.safeParse({ name: "Acme", slug });

    // assess
    expect(result.success).toBe(false);
  });
});
