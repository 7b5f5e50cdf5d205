/**
 * What directory sync reads from the directory provider (WorkOS), in our own terms: events,
 * organizations, memberships and users, and the client that fetches them (`workos.ts`).
 */

export const ORGANIZATION_EVENTS = [
  "organization.created",
  "organization.updated",
  "organization.deleted",
] as const;
export type OrganizationEventType = (typeof ORGANIZATION_EVENTS)[number];

export const MEMBERSHIP_EVENTS = [
  "organization_membership.created",
  "organization_membership.updated",
  "organization_membership.deleted",
] as const;
export type MembershipEventType = (typeof MEMBERSHIP_EVENTS)[number];

/** User events concern no organization: WorkOS leaves them out of an `organization_id` filter. */
export const USER_EVENTS = ["user.created", "user.updated", "user.deleted"] as const;
export type UserEventType = (typeof USER_EVENTS)[number];

export type DirectoryEventType = OrganizationEventType | MembershipEventType | UserEventType;

/** The directory's view of an organization, as the events carry it. */
export interface DirectoryOrganization {
  id: string;
  name: string;
  externalId: string | null;
  updatedAt: string;
}

export const MEMBERSHIP_STATUSES = ["active", "inactive", "pending"] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/** A directory user's membership of one organization. */
export interface DirectoryMembership {
  id: string;
  /** The directory user id: our identity kind `workos`. */
  userId: string;
  organizationId: string;
  status: MembershipStatus;
  updatedAt: string;
}

/** A directory (User Management) user. */
export interface DirectoryUser {
  id: string;
  email: string;
  emailVerified: boolean;
  /** The display name: `name`, else first and last name; null when the directory has none. */
  name: string | null;
  updatedAt: string;
}

interface EventBase {
  /** Time-ordered (ULID-based), so a string comparison orders events. */
  id: string;
  createdAt: string;
}
export interface OrganizationEvent extends EventBase {
  event: OrganizationEventType;
  data: DirectoryOrganization;
}
export interface MembershipEvent extends EventBase {
  event: MembershipEventType;
  data: DirectoryMembership;
}
export interface UserEvent extends EventBase {
  event: UserEventType;
  data: DirectoryUser;
}
export type DirectoryEvent = OrganizationEvent | MembershipEvent | UserEvent;

/** What the sync needs from the provider; `workos.ts` implements it with `@workos-inc/node`. */
export interface DirectoryClient {
  /** `GET /events`: only the requested types; without `organizationId`, across organizations. */
  listEvents(input: {
    events: readonly DirectoryEventType[];
    organizationId?: string;
    after?: string;
    limit: number;
  }): Promise<{ events: DirectoryEvent[]; after: string | null }>;
  getOrganization(id: string): Promise<DirectoryOrganization | undefined>;
  listOrganizations(
    after?: string,
  ): Promise<{ organizations: DirectoryOrganization[]; after: string | null }>;
  setExternalId(organizationId: string, externalId: string): Promise<void>;
  /** The user, or undefined when the directory no longer has it (404). */
  getUser(id: string): Promise<DirectoryUser | undefined>;
  /** One page of an organization's memberships, in every status (active, inactive and pending). */
  listMemberships(input: {
    organizationId: string;
    after?: string;
  }): Promise<{ memberships: DirectoryMembership[]; after: string | null }>;
}

export function isOrganizationEvent(event: DirectoryEvent): event is OrganizationEvent {
  return (ORGANIZATION_EVENTS as readonly string[]).includes(event.event);
}
export function isMembershipEvent(event: DirectoryEvent): event is MembershipEvent {
  return (MEMBERSHIP_EVENTS as readonly string[]).includes(event.event);
}
export function isUserEvent(event: DirectoryEvent): event is UserEvent {
  return (USER_EVENTS as readonly string[]).includes(event.event);
}
