import * as z from "zod/mini";

/**
 * Text that people read (names, labels) must look like what it is: no control characters (NUL
 * included) and no bidirectional overrides or isolates, which can make "Alice‮ecila" render as
 * someone else's name in an admin list or an audit trail.
 */
const UNSAFE_TEXT = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/** Whether a string holds a control character or a bidirectional override or isolate. */
export function hasUnsafeCharacters(value: string): boolean {
  return UNSAFE_TEXT.test(value);
}

/** A trimmed name or label of 1 to `max` characters, refused (400) when it holds unsafe characters. */
export function nameSchema(max: number) {
  return z.string().check(
    z.trim(),
    z.minLength(1),
    z.maxLength(max),
    z.refine(
      (value) => !hasUnsafeCharacters(value),
      "control characters and bidirectional overrides are not allowed",
    ),
  );
}

/**
 * A display name from a provider (a webhook payload, the directory), made fit to keep: unsafe
 * characters become spaces, whitespace collapses, and it is cut to `max` code points. A name is a
 * hint from someone else's system; it must never be the reason a sync or a resolution fails.
 */
export function cleanDisplayName(raw: string | undefined, max = 200): string {
  const cleaned = (raw ?? "").replace(new RegExp(UNSAFE_TEXT.source, "gu"), " ").replace(/\s+/g, " ").trim();
  return Array.from(cleaned).slice(0, max).join("").trim();
}

/** How deep a JSON value nests: its containers counted, iteratively (a hostile depth cannot overflow the stack). */
export function jsonDepth(value: unknown, stopAt = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop() as [unknown, number];
    if (node === null || typeof node !== "object") continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > stopAt) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) pending.push([child, level]);
  }
  return deepest;
}

/** Every object key in a JSON value, iteratively. */
export function* jsonKeys(value: unknown): Generator<string> {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== "object") continue;
    if (Array.isArray(node)) pending.push(...node);
    else
      for (const [key, child] of Object.entries(node)) {
        yield key;
        pending.push(child);
      }
  }
}

/** Every leaf of a JSON value, iteratively. */
export function* jsonLeaves(value: unknown): Generator<unknown> {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node !== null && typeof node === "object")
      pending.push(...(Array.isArray(node) ? node : Object.values(node)));
    else yield node;
  }
}
