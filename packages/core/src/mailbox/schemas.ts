import * as z from "zod/mini";

/** Mailbox connections: the contract's shapes (docs/api.md, "Mailbox connections"). */

export const MAILBOX_PROVIDERS = ["google", "microsoft"] as const;
export const MailboxProviderSchema = z.enum(MAILBOX_PROVIDERS);
export type MailboxProvider = z.infer<typeof MailboxProviderSchema>;

/** What a member lets Kith read; each scope syncs, and is wiped, on its own. */
export const SCOPES = ["mail", "calendar"] as const;
export type Scope = (typeof SCOPES)[number];

export const ScopeTogglesSchema = z
  .strictObject({ mail: z.boolean(), calendar: z.boolean() })
  .check(
    z.refine((toggles) => toggles.mail || toggles.calendar, {
      message: "at least one of mail and calendar must be true",
    }),
  )
  .register(z.globalRegistry, { id: "MailboxScopes" });
export type ScopeToggles = z.infer<typeof ScopeTogglesSchema>;

export const ConnectMailboxInputSchema = z
  .strictObject({ scopes: ScopeTogglesSchema })
  .register(z.globalRegistry, { id: "ConnectMailboxInput" });
export type ConnectMailboxInput = z.infer<typeof ConnectMailboxInputSchema>;

export const UpdateMailboxInputSchema = z
  .strictObject({ scopes: ScopeTogglesSchema })
  .register(z.globalRegistry, { id: "UpdateMailboxInput" });

export const AuthorizeUrlSchema = z
  .object({ authorizeUrl: z.url() })
  .register(z.globalRegistry, { id: "MailboxAuthorizeUrl" });

export const SYNC_PHASES = ["backfill", "incremental", "idle", "off"] as const;

export const SyncStateSchema = z
  .object({
    phase: z.enum(SYNC_PHASES),
    progress: z.number().check(z.gte(0), z.lte(1)),
    backfilledThrough: z.nullable(z.iso.datetime()),
    lastSyncAt: z.nullable(z.iso.datetime()),
    lastError: z.nullable(z.string()),
    eventsIngested: z.int().check(z.gte(0)),
  })
  .register(z.globalRegistry, { id: "SyncState" });
export type SyncState = z.infer<typeof SyncStateSchema>;

export const ACCOUNT_STATUSES = ["connected", "syncing", "error", "reauth_required", "disconnected"] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const MailboxAccountSchema = z
  .object({
    provider: MailboxProviderSchema,
    email: z.string(),
    scopes: z.object({ mail: z.boolean(), calendar: z.boolean() }),
    status: z.enum(ACCOUNT_STATUSES),
    mail: SyncStateSchema,
    calendar: SyncStateSchema,
    /** Extension: the account's id, as interaction events and domain events name it. */
    accountId: z.string(),
    /** Extension: when the member last completed a connect. */
    connectedAt: z.iso.datetime(),
    /** Extension: with `{authorizeUrl}` on a PATCH that turned on a scope the grant lacks. */
    authorizeUrl: z.optional(z.url()),
  })
  .register(z.globalRegistry, { id: "MailboxAccount" });
export type MailboxAccount = z.infer<typeof MailboxAccountSchema>;

export const MailboxListSchema = z
  .object({ accounts: z.array(MailboxAccountSchema) })
  .register(z.globalRegistry, { id: "MailboxAccounts" });

/** `GET /oauth/{provider}/callback`: what the provider's redirect carries. */
export const CallbackQuerySchema = z.object({
  code: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  state: z.optional(z.string().check(z.maxLength(4096))),
  error: z.optional(z.string().check(z.maxLength(256))),
  error_description: z.optional(z.string().check(z.maxLength(4096))),
  scope: z.optional(z.string().check(z.maxLength(4096))),
});
export type CallbackQuery = z.infer<typeof CallbackQuerySchema>;

/** A job on the `mailbox-sync` queue: sync one scope of one account. */
export const SyncJobSchema = z.object({
  kind: z.literal("sync"),
  orgId: z.string(),
  userId: z.string(),
  provider: MailboxProviderSchema,
  accountId: z.string(),
  scope: z.enum(SCOPES),
  reason: z.enum(["connect", "manual", "schedule", "scope_enabled", "continuation"]),
  requestedAt: z.iso.datetime(),
  /** A continuation's chain: the lease owner it carries on for (absent on a fresh request). */
  chain: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  /** A continuation's place in its chain: the lease's `seq` it was handed off at. */
  seq: z.optional(z.int().check(z.gte(0))),
});
export type SyncJob = z.infer<typeof SyncJobSchema>;

/** A job on the `mailbox-wipe` queue: delete an account's interaction events (one scope, or all). */
export const WipeJobSchema = z.object({
  kind: z.literal("wipe"),
  orgId: z.string(),
  userId: z.string(),
  provider: MailboxProviderSchema,
  accountId: z.string(),
  /** Absent: every scope (a disconnect); present: that scope was turned off. */
  scope: z.optional(z.enum(SCOPES)),
  reason: z.enum(["disconnect", "scope_disabled", "account_replaced"]),
  /** The `mailbox.wipe_requested` event's id: the wipe's identity, so it completes once. */
  requestId: z.string(),
  /** Events deleted by the earlier slices of this wipe. */
  deleted: z.int().check(z.gte(0)),
});
export type WipeJob = z.infer<typeof WipeJobSchema>;
