import * as z from "zod/mini";
import * as Queues from "../queues";
import { knownDirectoryOrganizations } from "./cursors";
import { syncOrganization, syncUsers } from "./stream";
import type { DirectoryClient } from "./types";

/** The FIFO queue that serializes one directory organization's sync (manifest: `directory-events`). */
export const QUEUE = "directory-events";

/** The message group of the user stream: its syncs run one at a time, beside the organizations'. */
export const USERS_GROUP = "directory-users";

/**
 * "Look at this organization's events", or with `stream: "users"` "look at the user events"
 * (`user.*` concern no organization): all a webhook or the reconcile schedule says.
 */
export const NudgeSchema = z.union([
  z.object({ stream: z.literal("users"), reason: z.string().check(z.maxLength(200)) }),
  z.object({
    directoryOrgId: z.string().check(z.minLength(1), z.maxLength(128)),
    reason: z.string().check(z.maxLength(200)),
  }),
]);
export type Nudge = z.infer<typeof NudgeSchema>;

/** The queue consumer's work: sync the organization, or the user stream, a nudge names. */
export async function handleNudge(nudge: Nudge, client: DirectoryClient): Promise<void> {
  if ("stream" in nudge) await syncUsers(client);
  else await syncOrganization(nudge.directoryOrgId, client);
}

/** The parts of a WorkOS webhook body a nudge needs; everything else is read from the Events API. */
const WebhookBodySchema = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  event: z.string().check(z.minLength(1), z.maxLength(128)),
  data: z.record(z.string(), z.unknown()),
});

/**
 * What a webhook nudges: the directory organization it is about (organization events carry it as
 * `data.id`, membership events as `data.organization_id`), the user stream for `user.*` events,
 * or nothing for other events (they are acknowledged and dropped).
 */
export function nudgeFor(body: unknown): { nudge: Nudge; eventId: string } | undefined {
  const parsed = WebhookBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { id, event, data } = parsed.data;
  if (/^user\.(created|updated|deleted)$/.test(event)) {
    return { nudge: { stream: "users", reason: `webhook ${event}` }, eventId: id };
  }
  const directoryOrgId = event.startsWith("organization.")
    ? data.id
    : event.startsWith("organization_membership.")
      ? data.organization_id
      : undefined;
  if (typeof directoryOrgId !== "string" || directoryOrgId.length === 0 || directoryOrgId.length > 128) {
    return undefined;
  }
  return { nudge: { directoryOrgId, reason: `webhook ${event}` }, eventId: id };
}

/**
 * What a verified WorkOS webhook does: queue the nudge it implies, if any. Events that concern no
 * organization or user stream are acknowledged and dropped.
 */
export async function acceptWebhook(body: unknown): Promise<void> {
  const target = nudgeFor(body);
  if (target) await enqueue(target.nudge, target.eventId);
}

/**
 * Queues a nudge. `MessageGroupId` is the directory organization, so one organization's syncs run
 * one at a time and in order; the deduplication id drops a redelivered webhook within SQS's window
 * (and the cursor makes any later duplicate a no-op anyway).
 */
export async function enqueue(nudge: Nudge, deduplicationId: string): Promise<void> {
  const groupId = "stream" in nudge ? USERS_GROUP : nudge.directoryOrgId;
  await Queues.send(QUEUE, nudge, { groupId, deduplicationId });
}

/**
 * The daily reconcile: nudges every organization the directory lists and every one we hold a
 * cursor for, and the user stream, so a lost webhook never loses an event (and a never-seen
 * organization is found). Returns the number of nudges queued.
 */
export async function reconcileAll(client: DirectoryClient, now = new Date()): Promise<number> {
  const ids = new Set(await knownDirectoryOrganizations());
  let after: string | undefined;
  do {
    const page = await client.listOrganizations(after);
    for (const organization of page.organizations) ids.add(organization.id);
    after = page.after ?? undefined;
  } while (after);
  const day = now.toISOString().slice(0, 10);
  for (const directoryOrgId of ids) {
    await enqueue({ directoryOrgId, reason: "daily reconcile" }, `reconcile-${directoryOrgId}-${day}`);
  }
  await enqueue({ stream: "users", reason: "daily reconcile" }, `reconcile-users-${day}`);
  return ids.size + 1;
}
