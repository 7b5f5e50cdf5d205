import type { IncomingMessage } from "node:http";
import { readBody } from "./http";
import { listEvents } from "./workos-api-events";
import type { UpdateOrganizationInput, WorkOSDirectory } from "./workos-directory";
import { multiValue, paginate, parseListQuery } from "./workos-paging";
import {
  ApiError,
  clone,
  invalid,
  isRecord,
  MEMBERSHIP_STATUSES,
  notFound,
  type RawOrganization,
} from "./workos-wire";

/**
 * The REST routes the sandbox serves, answered from a {@link WorkOSDirectory}. Authentication
 * and fault injection happen before a request gets here; see the `WorkOSSandbox` module comment
 * for where these routes model behaviour WorkOS does not document.
 */

export interface ApiRequest {
  method: string;
  url: URL;
  /** The body as sent; empty when there was none. */
  text: string;
  /** The parsed JSON body, or the raw text when `bodyIsJson` is false; `undefined` when there was none. */
  body: unknown;
  bodyIsJson: boolean;
}

/** One request the sandbox received, recorded before authentication and fault injection. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** Query parameters; a repeated parameter's values are joined with ",". */
  query: Record<string, string>;
  /** The query string exactly as sent, for asserting how a list was serialized. */
  rawQuery: string;
  /** The parsed JSON body (the raw text when it was not JSON); absent when there was none. */
  body?: unknown;
}

export interface ApiReply {
  status: number;
  body: unknown;
}

export async function readRequest(req: IncomingMessage): Promise<ApiRequest> {
  const method = (req.method ?? "GET").toUpperCase();
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const text = await readBody(req);
  if (text.length === 0) return { method, url, text, body: undefined, bodyIsJson: true };
  try {
    return { method, url, text, body: JSON.parse(text), bodyIsJson: true };
  } catch {
    return { method, url, text, body: text, bodyIsJson: false };
  }
}

export function recordOf({ method, url, text, body }: ApiRequest): RecordedRequest {
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(",");
  return {
    method,
    path: url.pathname,
    query,
    rawQuery: url.search.slice(1),
    ...(text.length > 0 ? { body } : {}),
  };
}

/** Answers an authenticated request; errors other than {@link ApiError} are the sandbox's own bugs. */
export function respond(directory: WorkOSDirectory, request: ApiRequest): ApiReply {
  try {
    if (!request.bodyIsJson)
      throw new ApiError(400, { code: "invalid_json", message: "The request body is not JSON." });
    return { status: 200, body: route(directory, request.method, request.url, request.body) };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { status: error.status, body: error.body };
  }
}

function route(directory: WorkOSDirectory, method: string, url: URL, body: unknown): unknown {
  const segments = url.pathname
    .split("/")
    .filter((segment) => segment.length > 0)
    .map(decodeSegment);
  const params = url.searchParams;
  const [first, second, third] = segments;
  if (method === "GET" && segments.length === 1 && first === "events")
    return listEvents(directory.events.entries, directory.clock.nowMs(), params);
  if (first === "organizations") {
    if (method === "GET" && segments.length === 1) return listOrganizations(directory, params);
    if (method === "GET" && segments.length === 3 && second === "external_id" && third !== undefined) {
      return organizationByExternalId(directory, third);
    }
    if (segments.length === 2 && second !== undefined) {
      if (method === "GET") return requireOrganization(directory, second);
      if (method === "PUT") return updateOrganization(directory, second, body);
    }
  }
  if (first === "user_management" && method === "GET") {
    if (second === "organization_memberships" && segments.length === 2)
      return listMemberships(directory, params);
    if (second === "organization_memberships" && segments.length === 3 && third !== undefined) {
      const membership = directory.membership(third);
      if (!membership) throw notFound("organization membership", third);
      return membership;
    }
    if (second === "users" && segments.length === 3 && third !== undefined) {
      const user = directory.user(third);
      if (!user) throw notFound("user", third);
      return user;
    }
  }
  throw new ApiError(404, { message: `The sandbox does not serve ${method} ${url.pathname}.` });
}

function listOrganizations(directory: WorkOSDirectory, params: URLSearchParams): unknown {
  const domains = new Set(multiValue(params, "domains"));
  // The SDK asks for `order=desc` unless told otherwise, which is also WorkOS's default.
  const query = parseListQuery(params, "desc");
  const matching = directory
    .sortedOrganizations()
    .filter((org) => domains.size === 0 || org.domains.some((domain) => domains.has(domain.domain)));
  const page = paginate(matching, query);
  return {
    object: "list",
    data: page.data.map(clone),
    list_metadata: { before: page.before, after: page.after },
  };
}

function listMemberships(directory: WorkOSDirectory, params: URLSearchParams): unknown {
  const organizationId = params.get("organization_id") || undefined;
  const userId = params.get("user_id") || undefined;
  if (organizationId === undefined && userId === undefined) {
    throw invalid(
      "organization_id",
      "organization_id_or_user_id_required",
      "Provide organization_id or user_id",
    );
  }
  const requested = multiValue(params, "statuses");
  for (const status of requested) {
    if (!(MEMBERSHIP_STATUSES as readonly string[]).includes(status))
      throw invalid("statuses", "invalid_status");
  }
  // WorkOS lists only active memberships unless `statuses` says otherwise.
  const statuses = new Set<string>(requested.length > 0 ? requested : ["active"]);
  const query = parseListQuery(params, "desc");
  const matching = directory
    .sortedMemberships()
    .filter(
      (membership) =>
        (organizationId === undefined || membership.organization_id === organizationId) &&
        (userId === undefined || membership.user_id === userId) &&
        statuses.has(membership.status),
    );
  const page = paginate(matching, query);
  return {
    object: "list",
    data: page.data.map(clone),
    list_metadata: { before: page.before, after: page.after },
  };
}

function requireOrganization(directory: WorkOSDirectory, id: string): RawOrganization {
  const org = directory.organization(id);
  if (!org) throw notFound("organization", id);
  return org;
}

function organizationByExternalId(directory: WorkOSDirectory, externalId: string): RawOrganization {
  const org = directory.organizationByExternalId(externalId);
  if (org) return org;
  throw new ApiError(404, {
    code: "entity_not_found",
    message: `Could not find organization with external_id '${externalId}'.`,
  });
}

/** `PUT /organizations/{id}`: an unknown id is a 404 before the body is looked at. */
function updateOrganization(directory: WorkOSDirectory, id: string, body: unknown): RawOrganization {
  requireOrganization(directory, id);
  return directory.updateOrganization(id, organizationChanges(isRecord(body) ? body : {}));
}

/** The SDK's serialized update body: `name`, `external_id`, `metadata`, `domain_data`, `stripe_customer_id`. */
function organizationChanges(input: Record<string, unknown>): UpdateOrganizationInput {
  const changes: UpdateOrganizationInput = {};
  if ("name" in input) {
    if (typeof input.name !== "string" || input.name.trim() === "") throw invalid("name", "name_required");
    changes.name = input.name;
  }
  if ("external_id" in input) {
    if (input.external_id !== null && typeof input.external_id !== "string") {
      throw invalid("external_id", "external_id_invalid");
    }
    changes.externalId = input.external_id;
  }
  if ("metadata" in input) {
    const metadata = input.metadata;
    if (!isRecord(metadata) || Object.values(metadata).some((value) => typeof value !== "string")) {
      throw invalid("metadata", "metadata_invalid");
    }
    changes.metadata = metadata as Record<string, string>;
  }
  if ("domain_data" in input) {
    const domainData = input.domain_data;
    if (
      !Array.isArray(domainData) ||
      !domainData.every((entry) => isRecord(entry) && typeof entry.domain === "string")
    ) {
      throw invalid("domain_data", "domain_data_invalid");
    }
    changes.domains = domainData.map((entry) => String((entry as Record<string, unknown>).domain));
  }
  if ("stripe_customer_id" in input) {
    if (input.stripe_customer_id !== null && typeof input.stripe_customer_id !== "string") {
      throw invalid("stripe_customer_id", "stripe_customer_id_invalid");
    }
    changes.stripeCustomerId = input.stripe_customer_id;
  }
  return changes;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, { code: "invalid_path", message: `Malformed path segment '${segment}'.` });
  }
}
