import { randomBytes } from "node:crypto";

/**
 * A URL-safe slug from a display name: ASCII letters and digits, hyphen-separated, at most 48
 * characters so a suffix still fits. Empty when nothing usable remains (e.g. a name in another
 * script); callers then fall back to another source.
 */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/g, "");
}

/** `acme` → `acme-3f9a`: the suffix used when a derived slug is already claimed. */
export function suffixedSlug(base: string): string {
  return `${base}-${randomBytes(2).toString("hex")}`;
}

/** How many differently-suffixed slugs are tried before giving up with `slug_taken`. */
export const SLUG_ATTEMPTS = 10;
