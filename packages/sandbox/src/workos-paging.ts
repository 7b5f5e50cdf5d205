import { invalid } from "./workos-wire";

/** WorkOS's list endpoints: their query parameters and cursor pagination. */

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

export interface ListQuery {
  limit: number;
  after: string | undefined;
  before: string | undefined;
  order: "asc" | "desc";
}

export interface Page<T> {
  data: T[];
  before: string | null;
  after: string | null;
}

/**
 * Cursor pagination over items sorted ascending by id. Cursors compare by id rather than by
 * position, so a cursor naming an item deleted since still works, as with WorkOS's ULID ids.
 */
export function paginate<T extends { id: string }>(sortedAsc: readonly T[], query: ListQuery): Page<T> {
  const ordered = query.order === "desc" ? [...sortedAsc].reverse() : [...sortedAsc];
  // True when id `a` comes after id `b` in the requested order.
  const follows = (a: string, b: string) => (query.order === "desc" ? a < b : a > b);
  const { after, before } = query;
  let window = ordered;
  if (after !== undefined) window = window.filter((item) => follows(item.id, after));
  if (before !== undefined) window = window.filter((item) => follows(before, item.id));
  // `before` alone asks for the page just before the cursor, so take the window's tail.
  const data =
    before !== undefined && after === undefined ? window.slice(-query.limit) : window.slice(0, query.limit);
  const first = data[0];
  const last = data.at(-1);
  return {
    data,
    before: first && ordered.some((item) => follows(first.id, item.id)) ? first.id : null,
    after: last && ordered.some((item) => follows(item.id, last.id)) ? last.id : null,
  };
}

/** Values of a list parameter, accepting `name=a,b` (what the node SDK sends), `name=a&name=b` and `name[]=a`. */
export function multiValue(params: URLSearchParams, name: string): string[] {
  return [...params.getAll(name), ...params.getAll(`${name}[]`)]
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

function parseLimit(params: URLSearchParams): number {
  const raw = params.get("limit");
  if (raw === null) return DEFAULT_LIMIT;
  const limit = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) {
    throw invalid("limit", "limit_out_of_range", `limit must be between 1 and ${MAX_LIMIT}`);
  }
  return limit;
}

export function parseListQuery(params: URLSearchParams, defaultOrder: "asc" | "desc"): ListQuery {
  const order = params.get("order") ?? defaultOrder;
  if (order !== "asc" && order !== "desc")
    throw invalid("order", "invalid_order", "order must be asc or desc");
  return {
    limit: parseLimit(params),
    after: params.get("after") || undefined,
    before: params.get("before") || undefined,
    order,
  };
}

export function parseTime(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === "") return undefined;
  const time = Date.parse(raw);
  if (Number.isNaN(time)) throw invalid(name, "invalid_date", `${name} must be an ISO 8601 timestamp`);
  return time;
}
