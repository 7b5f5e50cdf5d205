import { InvalidInput } from "../util/errors";

/**
 * Opaque pagination cursors: DynamoDB's `LastEvaluatedKey`, as base64url JSON. A cursor is only
 * ever a key of the list that produced it; anything else is a 400, never a 500.
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  if (!key) return null;
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

export function decodeCursor(
  cursor: string | undefined | null,
  /** Key attributes the cursor must carry, so a cursor from another list or tenant is refused. */
  expected: Record<string, string> = {},
): Record<string, unknown> | undefined {
  if (cursor === undefined || cursor === null || cursor === "") return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const entries = Object.entries(value);
      const wellFormed = entries.every(([, v]) => typeof v === "string" || typeof v === "number");
      const matches = Object.entries(expected).every(([k, v]) => (value as Record<string, unknown>)[k] === v);
      if (entries.length > 0 && wellFormed && matches) {
        return value as Record<string, unknown>;
      }
    }
  } catch {
    // fall through to the typed error
  }
  throw new InvalidInput("cursor is not valid for this list", { cursor: "invalid" }, "invalid_cursor");
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
