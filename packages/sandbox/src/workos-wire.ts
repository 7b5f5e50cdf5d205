import { createHmac } from "node:crypto";

/**
 * WorkOS's wire format as the sandbox speaks it: the objects in snake_case with their `object`
 * tags, the error bodies the SDK turns into its exceptions, and the webhook signature.
 */

export const MEMBERSHIP_STATUSES = ["active", "inactive", "pending"] as const;

/** An organization domain as WorkOS sends it. */
export interface RawOrganizationDomain {
  object: "organization_domain";
  id: string;
  domain: string;
  organization_id: string;
  state: "verified" | "pending" | "failed";
  verification_strategy: "dns" | "manual";
  created_at: string;
  updated_at: string;
}

/** An organization as WorkOS sends it (`OrganizationResponse` in the SDK). */
export interface RawOrganization {
  object: "organization";
  id: string;
  name: string;
  allow_profiles_outside_organization: boolean;
  domains: RawOrganizationDomain[];
  stripe_customer_id?: string;
  external_id: string | null;
  metadata: Record<string, string>;
  created_at: string;
  updated_at: string;
}

/** A User Management user as WorkOS sends it (`UserResponse` in the SDK). */
export interface RawUser {
  object: "user";
  id: string;
  email: string;
  email_verified: boolean;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  profile_picture_url: string | null;
  last_sign_in_at: string | null;
  locale: string | null;
  external_id: string | null;
  metadata: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/** An organization membership as WorkOS sends it (`OrganizationMembershipResponse` in the SDK). */
export interface RawOrganizationMembership {
  object: "organization_membership";
  id: string;
  organization_id: string;
  organization_name: string;
  user_id: string;
  status: MembershipStatus;
  role: { slug: string };
  directory_managed: boolean;
  custom_attributes: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** An event as WorkOS sends it from `GET /events` and in webhook bodies. */
export interface RawEvent {
  object: "event";
  id: string;
  event: string;
  data: Record<string, unknown>;
  created_at: string;
  context?: Record<string, unknown>;
}

/** A signed webhook delivery: the exact body bytes and the headers WorkOS sends with them. */
export interface SignedWebhook {
  body: string;
  /** Lower-case names, as node and API Gateway present them: `workos-signature`, `content-type`. */
  headers: Record<string, string>;
}

/**
 * Signs a webhook body the way WorkOS does: `WorkOS-Signature: t=<ms>, v1=<hex>` where the hex is
 * HMAC-SHA256 keyed by the endpoint secret over `${t}.${body}`. The timestamp is in milliseconds
 * and defaults to the wall clock, because verifiers (the SDK's included) compare it with theirs.
 */
export function signWorkOSWebhook(
  payload: object | string,
  secret: string,
  timestampMs: number = Date.now(),
): SignedWebhook {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const t = Math.floor(timestampMs);
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return {
    body,
    headers: { "content-type": "application/json", "workos-signature": `t=${t}, v1=${v1}` },
  };
}

/** A non-2xx reply; thrown by routes and by control methods given bad input. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.message === "string" ? body.message : `WorkOS sandbox: ${status}`);
  }
}

/** WorkOS's validation shape; the SDK turns it into `UnprocessableEntityException`. */
export function invalid(field: string, code: string, message = "Validation failed"): ApiError {
  return new ApiError(422, { code: "invalid_request_parameters", message, errors: [{ field, code }] });
}

export function notFound(entity: string, id: string): ApiError {
  return new ApiError(404, {
    code: "entity_not_found",
    entity_id: id,
    message: `Could not find ${entity} with id '${id}'.`,
  });
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
