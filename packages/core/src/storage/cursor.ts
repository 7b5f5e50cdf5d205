import * as z from "zod/mini";
import type * as core from "zod/v4/core";
import { InvalidInput } from "../util/errors";

/**
 * Opaque pagination cursors: DynamoDB's `LastEvaluatedKey`, as base64url JSON. A cursor is only
 * ever a key of the list that produced it; anything else is a 400, never a 500.
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  if (!key) return null;
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/** The one error for a cursor that does not belong to the list it is used with. */
export function invalidCursor(): InvalidInput {
  return new InvalidInput("cursor is not valid for this list", { cursor: "invalid" }, "invalid_cursor");
}

/** What a list's cursor must look like: exactly the key attributes of the table or index it pages. */
export interface CursorShape {
  /** Every key attribute DynamoDB returns in `LastEvaluatedKey` for this query (table keys, plus the index's). */
  keys: readonly string[];
  /** Attributes whose value is fixed for this list, so a cursor from another list or tenant is refused. */
  partition?: Record<string, string>;
  /** Attributes that must start with a prefix, for lists bounded by `begins_with` on the sort key. */
  prefixes?: Record<string, string>;
}

export function decodeCursor(
  cursor: string | undefined | null,
  shape: CursorShape,
): Record<string, string> | undefined {
  if (cursor === undefined || cursor === null || cursor === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  // Every key attribute is a string (see table.ts); anything else would reach DynamoDB as a
  // ValidationException, i.e. a 500, so it is refused here.
  const wellFormed =
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === shape.keys.length &&
    shape.keys.every((key) => typeof (value as Record<string, unknown>)[key] === "string") &&
    Object.entries(shape.partition ?? {}).every(
      ([key, expected]) => (value as Record<string, unknown>)[key] === expected,
    ) &&
    Object.entries(shape.prefixes ?? {}).every(([key, prefix]) =>
      String((value as Record<string, unknown>)[key]).startsWith(prefix),
    );
  if (!wellFormed)
    throw new InvalidInput("cursor is not valid for this list", { cursor: "invalid" }, "invalid_cursor");
  return value as Record<string, string>;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** The contract's `?limit=`: default 50, at most 200. */
export function pageSize(limit: string | number | undefined): number {
  if (limit === undefined || limit === "") return DEFAULT_PAGE_SIZE;
  const value = typeof limit === "number" ? limit : Number(limit);
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new InvalidInput(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, { limit: "out_of_range" });
  }
  return value;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The contract's list query: `?limit=&cursor=`; `limit` is checked by `pageSize`. */
/**
 * The contract's list shape: one page of items and the cursor for the next. Create each page
 * schema once, at module scope: every call registers `id` in zod's global registry, and two
 * different schemas under one id are refused when the API document is built.
 */
export function pageSchema<T extends core.$ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z
        .nullable(z.string())
        .check(z.describe("Pass as `cursor` to get the next page; null on the last.")),
    })
    .register(z.globalRegistry, { id });
}

export const PageQuerySchema = z.object({
  limit: z.optional(z.string().check(z.maxLength(8))),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
});
