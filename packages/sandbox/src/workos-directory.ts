import { SandboxClock } from "./workos-clock";
import { EventLog } from "./workos-event-log";
import {
  ApiError,
  clone,
  invalid,
  type MembershipStatus,
  notFound,
  type RawOrganization,
  type RawOrganizationDomain,
  type RawOrganizationMembership,
  type RawUser,
} from "./workos-wire";

export interface CreateOrganizationInput {
  name: string;
  externalId?: string | null;
  /** Domains, created verified (DNS). */
  domains?: string[];
  metadata?: Record<string, string>;
  allowProfilesOutsideOrganization?: boolean;
}

export interface UpdateOrganizationInput {
  name?: string;
  externalId?: string | null;
  /** Replaces the domain list; domains already present keep their ids. */
  domains?: string[];
  metadata?: Record<string, string>;
  stripeCustomerId?: string | null;
}

export interface CreateUserInput {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  name?: string | null;
  emailVerified?: boolean;
  externalId?: string | null;
  metadata?: Record<string, string>;
}

export type UpdateUserInput = Partial<CreateUserInput>;

export interface MembershipInput {
  /** Defaults to `active`. */
  status?: MembershipStatus;
  /** Role slug; defaults to `member`. */
  role?: string;
  directoryManaged?: boolean;
  customAttributes?: Record<string, unknown>;
}

/**
 * The state behind the sandbox: organizations, users and memberships, and the events that
 * changing them emits. Every write goes through here so that no change escapes the event log;
 * what it hands out is a copy.
 */
export class WorkOSDirectory {
  readonly clock = new SandboxClock();
  readonly events = new EventLog(this.clock);
  private readonly orgs = new Map<string, RawOrganization>();
  private readonly users = new Map<string, RawUser>();
  private readonly memberships = new Map<string, RawOrganizationMembership>();

  createOrganization(input: CreateOrganizationInput): RawOrganization {
    const externalId = input.externalId ?? null;
    this.assertExternalIdFree(externalId, undefined);
    const id = this.clock.newId("org");
    const at = this.clock.stamp();
    const org: RawOrganization = {
      object: "organization",
      id,
      name: requireName(input.name),
      allow_profiles_outside_organization: input.allowProfilesOutsideOrganization ?? false,
      domains: (input.domains ?? []).map((domain) => this.newDomain(id, domain, at)),
      external_id: externalId,
      metadata: { ...(input.metadata ?? {}) },
      created_at: at,
      updated_at: at,
    };
    this.orgs.set(id, org);
    this.events.emit("organization.created", org);
    return clone(org);
  }

  updateOrganization(id: string, changes: UpdateOrganizationInput): RawOrganization {
    const org = this.orgs.get(id);
    if (!org) throw notFound("organization", id);
    if (changes.externalId !== undefined) this.assertExternalIdFree(changes.externalId, id);
    if (changes.name !== undefined) org.name = requireName(changes.name);
    if (changes.externalId !== undefined) org.external_id = changes.externalId;
    if (changes.metadata !== undefined) org.metadata = { ...changes.metadata };
    if (changes.stripeCustomerId === null) delete org.stripe_customer_id;
    else if (changes.stripeCustomerId !== undefined) org.stripe_customer_id = changes.stripeCustomerId;
    const at = this.clock.bump(org.updated_at);
    if (changes.domains !== undefined) {
      const previous = new Map(org.domains.map((domain) => [domain.domain, domain]));
      org.domains = [...new Set(changes.domains)].map(
        (domain) => previous.get(domain) ?? this.newDomain(id, domain, at),
      );
    }
    org.updated_at = at;
    for (const membership of this.memberships.values()) {
      if (membership.organization_id === id) membership.organization_name = org.name;
    }
    this.events.emit("organization.updated", org);
    return clone(org);
  }

  deleteOrganization(id: string): void {
    const org = this.orgs.get(id);
    if (!org) throw notFound("organization", id);
    this.orgs.delete(id);
    for (const [membershipId, membership] of this.memberships) {
      if (membership.organization_id === id) this.memberships.delete(membershipId);
    }
    this.events.emit("organization.deleted", org);
  }

  organization(id: string): RawOrganization | undefined {
    const org = this.orgs.get(id);
    return org && clone(org);
  }

  organizationByExternalId(externalId: string): RawOrganization | undefined {
    for (const org of this.orgs.values()) if (org.external_id === externalId) return clone(org);
    return undefined;
  }

  organizations(): RawOrganization[] {
    return this.sortedOrganizations().map(clone);
  }

  /** Live objects in id order: the API filters and copies only the page it serves. */
  sortedOrganizations(): readonly RawOrganization[] {
    return sorted(this.orgs);
  }

  createUser(input: CreateUserInput): RawUser {
    const at = this.clock.stamp();
    const user: RawUser = {
      object: "user",
      id: this.clock.newId("user"),
      email: input.email,
      email_verified: input.emailVerified ?? true,
      name: input.name ?? null,
      first_name: input.firstName ?? null,
      last_name: input.lastName ?? null,
      profile_picture_url: null,
      last_sign_in_at: null,
      locale: null,
      external_id: input.externalId ?? null,
      metadata: { ...(input.metadata ?? {}) },
      created_at: at,
      updated_at: at,
    };
    this.users.set(user.id, user);
    this.events.emit("user.created", user);
    return clone(user);
  }

  updateUser(id: string, changes: UpdateUserInput): RawUser {
    const user = this.users.get(id);
    if (!user) throw notFound("user", id);
    if (changes.email !== undefined) user.email = changes.email;
    if (changes.emailVerified !== undefined) user.email_verified = changes.emailVerified;
    if (changes.name !== undefined) user.name = changes.name;
    if (changes.firstName !== undefined) user.first_name = changes.firstName;
    if (changes.lastName !== undefined) user.last_name = changes.lastName;
    if (changes.externalId !== undefined) user.external_id = changes.externalId;
    if (changes.metadata !== undefined) user.metadata = { ...changes.metadata };
    user.updated_at = this.clock.bump(user.updated_at);
    this.events.emit("user.updated", user);
    return clone(user);
  }

  deleteUser(id: string): void {
    const user = this.users.get(id);
    if (!user) throw notFound("user", id);
    this.users.delete(id);
    for (const [membershipId, membership] of this.memberships) {
      if (membership.user_id === id) this.memberships.delete(membershipId);
    }
    this.events.emit("user.deleted", user);
  }

  user(id: string): RawUser | undefined {
    const user = this.users.get(id);
    return user && clone(user);
  }

  createMembership(
    organizationId: string,
    userId: string,
    input: MembershipInput = {},
  ): RawOrganizationMembership {
    const org = this.orgs.get(organizationId);
    if (!org) throw notFound("organization", organizationId);
    if (!this.users.has(userId)) throw notFound("user", userId);
    const at = this.clock.stamp();
    const membership: RawOrganizationMembership = {
      object: "organization_membership",
      id: this.clock.newId("om"),
      organization_id: organizationId,
      organization_name: org.name,
      user_id: userId,
      status: input.status ?? "active",
      role: { slug: input.role ?? "member" },
      directory_managed: input.directoryManaged ?? false,
      custom_attributes: { ...(input.customAttributes ?? {}) },
      created_at: at,
      updated_at: at,
    };
    this.memberships.set(membership.id, membership);
    this.events.emit("organization_membership.created", membership);
    return clone(membership);
  }

  updateMembership(id: string, changes: MembershipInput): RawOrganizationMembership {
    const membership = this.memberships.get(id);
    if (!membership) throw notFound("organization membership", id);
    if (changes.status !== undefined) membership.status = changes.status;
    if (changes.role !== undefined) membership.role = { slug: changes.role };
    if (changes.directoryManaged !== undefined) membership.directory_managed = changes.directoryManaged;
    if (changes.customAttributes !== undefined)
      membership.custom_attributes = { ...changes.customAttributes };
    membership.updated_at = this.clock.bump(membership.updated_at);
    this.events.emit("organization_membership.updated", membership);
    return clone(membership);
  }

  deleteMembership(id: string): void {
    const membership = this.memberships.get(id);
    if (!membership) throw notFound("organization membership", id);
    this.memberships.delete(id);
    this.events.emit("organization_membership.deleted", membership);
  }

  membership(id: string): RawOrganizationMembership | undefined {
    const membership = this.memberships.get(id);
    return membership && clone(membership);
  }

  /** Live objects in id order: the API filters and copies only the page it serves. */
  sortedMemberships(): readonly RawOrganizationMembership[] {
    return sorted(this.memberships);
  }

  private newDomain(organizationId: string, domain: string, at: string): RawOrganizationDomain {
    return {
      object: "organization_domain",
      id: this.clock.newId("org_domain"),
      domain,
      organization_id: organizationId,
      state: "verified",
      verification_strategy: "dns",
      created_at: at,
      updated_at: at,
    };
  }

  private assertExternalIdFree(externalId: string | null, ownerId: string | undefined): void {
    if (externalId === null) return;
    for (const org of this.orgs.values()) {
      if (org.external_id === externalId && org.id !== ownerId) {
        throw new ApiError(409, {
          code: "external_id_conflict",
          message: `An organization with external_id '${externalId}' already exists.`,
        });
      }
    }
  }
}

function sorted<T extends { id: string }>(map: Map<string, T>): T[] {
  return [...map.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function requireName(name: string): string {
  if (typeof name !== "string" || name.trim() === "") throw invalid("name", "name_required");
  return name;
}
