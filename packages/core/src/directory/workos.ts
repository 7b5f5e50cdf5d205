import { type EventName, type OrganizationMembership, type User, WorkOS } from "@workos-inc/node";
import { secret } from "../config";
import { cleanDisplayName } from "../util/text";
import { DirectoryNotConfigured } from "./errors";
import {
  type DirectoryClient,
  type DirectoryEvent,
  type DirectoryMembership,
  type DirectoryOrganization,
  type DirectoryUser,
  MEMBERSHIP_STATUSES,
} from "./types";

/**
 * The directory client on `@workos-inc/node`. Its base URL comes from `WORKOS_API_URL` (default the
 * real API), so tests, the demo and benchmarks point the real SDK at the loopback sandbox.
 */

export const DEFAULT_WORKOS_API_URL = "https://api.workos.com";

function sdk(apiKey: string, options: { maxRetries?: number } = {}): WorkOS {
  const url = new URL(process.env.WORKOS_API_URL || DEFAULT_WORKOS_API_URL);
  return new WorkOS(apiKey, {
    apiHostname: url.hostname,
    https: url.protocol === "https:",
    port: url.port ? Number(url.port) : undefined,
    // The SDK retries 408, 429 and 5xx itself, with backoff; a failure after that is the SQS retry's job.
    ...options,
  });
}

interface SdkOrganization {
  id: string;
  name: string;
  externalId?: string | null;
  updatedAt: string;
}

function toOrganization(organization: SdkOrganization): DirectoryOrganization {
  return {
    id: organization.id,
    // Another system's text: made fit to show (no control characters or bidi overrides), never refused.
    name: cleanDisplayName(organization.name) || organization.id,
    externalId: organization.externalId ?? null,
    updatedAt: organization.updatedAt,
  };
}

function toMembership(membership: OrganizationMembership): DirectoryMembership {
  return {
    id: membership.id,
    userId: membership.userId,
    organizationId: membership.organizationId,
    status: membership.status,
    updatedAt: membership.updatedAt,
  };
}

function toUser(user: User): DirectoryUser {
  const fullName = [user.firstName, user.lastName]
    .filter((part) => part?.trim())
    .join(" ")
    .trim();
  return {
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerified,
    name: cleanDisplayName(user.name ?? undefined) || cleanDisplayName(fullName) || null,
    updatedAt: user.updatedAt,
  };
}

const isNotFound = (error: unknown) => (error as { status?: number }).status === 404;

let cached: Promise<DirectoryClient> | undefined;

/** The process-wide client, created on first use with the `WORKOS_API_KEY` secret. */
export function directoryClient(): Promise<DirectoryClient> {
  cached ??= (async () => {
    const apiKey = await secret("WORKOS_API_KEY");
    if (!apiKey) throw new DirectoryNotConfigured();
    return createDirectoryClient(apiKey);
  })();
  return cached;
}

export function createDirectoryClient(
  apiKey: string,
  options: { maxRetries?: number } = {},
): DirectoryClient {
  const workos = sdk(apiKey, options);
  return {
    async listEvents({ events: types, organizationId, after, limit }) {
      const page = await workos.events.listEvents({
        events: [...types] as EventName[],
        organizationId,
        after,
        limit,
      });
      const events: DirectoryEvent[] = [];
      for (const event of page.data) {
        // Only what was asked for, whatever the API sends besides.
        if (!(types as readonly string[]).includes(event.event)) continue;
        const base = { id: event.id, createdAt: event.createdAt };
        switch (event.event) {
          case "organization.created":
          case "organization.updated":
          case "organization.deleted":
            events.push({ ...base, event: event.event, data: toOrganization(event.data as SdkOrganization) });
            break;
          case "organization_membership.created":
          case "organization_membership.updated":
          case "organization_membership.deleted":
            events.push({ ...base, event: event.event, data: toMembership(event.data) });
            break;
          case "user.created":
          case "user.updated":
          case "user.deleted":
            events.push({ ...base, event: event.event, data: toUser(event.data) });
            break;
        }
      }
      return { events, after: page.listMetadata?.after ?? null };
    },
    async getOrganization(id) {
      try {
        return toOrganization(await workos.organizations.getOrganization(id));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async listOrganizations(after) {
      const page = await workos.organizations.listOrganizations({ after, limit: 100 });
      return { organizations: page.data.map(toOrganization), after: page.listMetadata?.after ?? null };
    },
    async setExternalId(organizationId, externalId) {
      await workos.organizations.updateOrganization({ organization: organizationId, externalId });
    },
    async getUser(id) {
      try {
        return toUser(await workos.userManagement.getUser(id));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async listMemberships({ organizationId, after }) {
      // WorkOS lists only active memberships unless asked for every status.
      const page = await workos.userManagement.listOrganizationMemberships({
        organizationId,
        statuses: [...MEMBERSHIP_STATUSES],
        after,
        limit: 100,
      });
      return { memberships: page.data.map(toMembership), after: page.listMetadata?.after ?? null };
    },
  };
}
