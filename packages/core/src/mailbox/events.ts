import * as z from "zod/mini";
import { defineEvent } from "../events/define";
import { MailboxProviderSchema, SCOPES } from "./schemas";

/** Domain events of mailbox connections. Ids and metadata only: never a token or an address book. */

const Toggles = z.object({ mail: z.boolean(), calendar: z.boolean() });

export const MailboxConnected = defineEvent(
  "mailbox.connected",
  z.object({
    accountId: z.string(),
    userId: z.string(),
    provider: MailboxProviderSchema,
    scopes: Toggles,
    /** True when the same mailbox was connected before: its events and cursors were kept. */
    reconnected: z.boolean(),
  }),
  "A member connected (or reconnected) a mailbox; the enabled scopes' backfill starts.",
);

export const MailboxScopesChanged = defineEvent(
  "mailbox.scopes_changed",
  z.object({
    accountId: z.string(),
    userId: z.string(),
    provider: MailboxProviderSchema,
    scopes: Toggles,
    enabled: z.array(z.enum(SCOPES)),
    disabled: z.array(z.enum(SCOPES)),
  }),
  "A member turned a mailbox scope on or off; a scope turned off stops syncing and its events are deleted.",
);

export const MailboxReauthRequired = defineEvent(
  "mailbox.reauth_required",
  z.object({
    accountId: z.string(),
    userId: z.string(),
    provider: MailboxProviderSchema,
    reason: z.string(),
  }),
  "The provider no longer honours a mailbox's grant; its syncs stop until the member connects again.",
);

export const MailboxWipeRequested = defineEvent(
  "mailbox.wipe_requested",
  z.object({
    accountId: z.string(),
    userId: z.string(),
    provider: MailboxProviderSchema,
    /** Absent: every scope. */
    scope: z.optional(z.enum(SCOPES)),
    reason: z.enum(["disconnect", "scope_disabled", "account_replaced"]),
  }),
  "A mailbox's interaction events (one scope's, or all) are to be deleted; the wipe runs in bounded batches and ends with mailbox.disconnected.",
);

export const MailboxDisconnected = defineEvent(
  "mailbox.disconnected",
  z.object({
    accountId: z.string(),
    userId: z.string(),
    provider: MailboxProviderSchema,
    /** Absent: the whole account; present: only this scope's events were deleted. */
    scope: z.optional(z.enum(SCOPES)),
    reason: z.enum(["disconnect", "scope_disabled", "account_replaced"]),
    eventsDeleted: z.int().check(z.gte(0)),
  }),
  "A mailbox (or one of its scopes) was disconnected and every interaction event it held is deleted; what depended on them is recomputed.",
);

export const MailboxBackfillProgress = defineEvent(
  "mailbox.backfill_progress",
  z.object({
    accountId: z.string(),
    userId: z.string(),
    provider: MailboxProviderSchema,
    scope: z.enum(SCOPES),
    /** `recent_90d`: the latest 90 days are in, a provisional scoring pass can run; `complete`: all 24 months. */
    milestone: z.enum(["recent_90d", "complete"]),
    backfilledThrough: z.nullable(z.iso.datetime()),
    progress: z.number().check(z.gte(0), z.lte(1)),
    eventsIngested: z.int().check(z.gte(0)),
  }),
  "A mailbox scope's backfill reached a milestone: its latest 90 days, or its whole 24 months.",
);

export const all = [
  MailboxConnected,
  MailboxScopesChanged,
  MailboxReauthRequired,
  MailboxWipeRequested,
  MailboxDisconnected,
  MailboxBackfillProgress,
] as const;
