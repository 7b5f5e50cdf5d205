import { z } from "zod";
import * as Queues from "../queues";
import { type DirectoryClient, knownDirectoryOrganizations } from "./index";

/** The FIFO queue that serializes one directory organization's sync (manifest: `directory-events`). */
export const QUEUE = "directory-events";

/** "Look at this organization's events": all a webhook or the reconcile schedule says. */
export const NudgeSchema = z.object({
  directoryOrgId: z.string().min(1).max(128),
  reason: z.string().max(200),
});
export type Nudge = z.infer<typeof NudgeSchema>;

/** The parts of a WorkOS webhook body a nudge needs; everything else is read from the Events API. */
const WebhookBodySchema = z.object({
  id: z.string().min(1).max(128),
  event: z.string().min(1).max(128),
  data: z.record(z.string(), z.unknown()),
});

/**
 * The directory organization a webhook is about, or undefined for events that concern none
 * (they are acknowledged and dropped). Organization events carry it as `data.id`, membership
 * events as `data.organization_id`.
 */
export function nudgeFor(body: unknown): { nudge: Nudge; eventId: string } | undefined {
  const parsed = WebhookBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { id, event, data } = parsed.data;
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
 * Queues a nudge. `MessageGroupId` is the directory organization, so one organization's syncs run
 * one at a time and in order; the deduplication id drops a redelivered webhook within SQS's window
 * (and the cursor makes any later duplicate a no-op anyway).
 */
export async function enqueue(nudge: Nudge, deduplicationId: string): Promise<void> {
  await Queues.send(QUEUE, nudge, { groupId: nudge.directoryOrgId, deduplicationId });
}

/**
 * The daily reconcile: nudges every organization the directory lists and every one we hold a
 * cursor for, so a lost webhook never loses an event (and a never-seen organization is found).
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
  return ids.size;
}
