import * as z from "zod/mini";
import { defineRoute } from "../http/route";
import {
  AuthorizeUrlSchema,
  CallbackQuerySchema,
  ConnectMailboxInputSchema,
  MailboxAccountSchema,
  MailboxListSchema,
  MailboxProviderSchema,
  UpdateMailboxInputSchema,
} from "./schemas";

/** Mailbox connections' routes (docs/api.md, "Mailbox connections"). */

const MailboxParams = z.object({
  orgId: z.string().check(z.minLength(1), z.maxLength(128)),
  userId: z.string().check(z.minLength(1), z.maxLength(128)),
  provider: MailboxProviderSchema,
});

/** The member themself, an admin of the org, or the operator; anyone else learns nothing (404). */
const OWNER_OR_ADMIN = { org: "admin", self: "userId", othersSeeNotFound: true } as const;

const SyncAcceptedSchema = z
  .object({ accepted: z.literal(true), scopes: z.array(z.enum(["mail", "calendar"])) })
  .register(z.globalRegistry, { id: "MailboxSyncAccepted" });

export const getMailbox = defineRoute({
  method: "GET",
  path: "/v1/orgs/{orgId}/users/{userId}/mailbox",
  handler: "functions/http/get-mailbox.handler",
  auth: "bearer",
  access: OWNER_OR_ADMIN,
  operationId: "getMailbox",
  summary: "A member's mailbox connections, with each scope's sync state",
  tags: ["mailbox"],
  responses: { 200: { description: "The member's accounts", schema: MailboxListSchema } },
  errors: [404],
});

export const connectMailbox = defineRoute({
  method: "POST",
  path: "/v1/orgs/{orgId}/users/{userId}/mailbox/{provider}/connect",
  handler: "functions/http/connect-mailbox.handler",
  auth: "bearer",
  access: OWNER_OR_ADMIN,
  operationId: "connectMailbox",
  summary: "Start connecting a Google or Microsoft mailbox: the provider's consent URL",
  description:
    "The URL asks for the toggled scopes and nothing more (Google: `gmail.metadata` and/or `calendar.readonly`, " +
    "plus `openid` and `email`, offline with `prompt=consent`; Microsoft: `Mail.ReadBasic` and/or " +
    "`Calendars.ReadBasic`, plus `offline_access` and `User.Read`, on the `common` authority; MSAL adds the " +
    "OpenID sign-in scopes `openid` and `profile`). PKCE S256 always; the `state` is signed, single-use and " +
    "valid 10 minutes.",
  tags: ["mailbox"],
  params: MailboxParams,
  body: ConnectMailboxInputSchema,
  responses: { 200: { description: "Where to send the member", schema: AuthorizeUrlSchema } },
  errors: [404, 503],
  timeoutSeconds: 15,
});

export const updateMailbox = defineRoute({
  method: "PATCH",
  path: "/v1/orgs/{orgId}/users/{userId}/mailbox/{provider}",
  handler: "functions/http/update-mailbox.handler",
  auth: "bearer",
  access: OWNER_OR_ADMIN,
  operationId: "updateMailbox",
  summary: "Turn a mailbox's scopes on or off",
  description:
    "A scope turned off stops syncing and its interaction events are deleted (`mailbox.wipe_requested`, then " +
    "`mailbox.disconnected` with that `scope`). A scope turned on that the grant already covers starts its " +
    "backfill; one it lacks stays off and the answer carries `authorizeUrl`, which asks for it.",
  tags: ["mailbox"],
  params: MailboxParams,
  body: UpdateMailboxInputSchema,
  responses: { 200: { description: "The account", schema: MailboxAccountSchema } },
  errors: [404, 503],
  timeoutSeconds: 15,
});

export const disconnectMailbox = defineRoute({
  method: "DELETE",
  path: "/v1/orgs/{orgId}/users/{userId}/mailbox/{provider}",
  handler: "functions/http/disconnect-mailbox.handler",
  auth: "bearer",
  access: OWNER_OR_ADMIN,
  operationId: "disconnectMailbox",
  summary: "Disconnect: revoke, drop the tokens, delete every interaction event of the account",
  description:
    "Revokes at the provider (best effort: Google's revoke endpoint; Microsoft has none per token), deletes " +
    "the sealed tokens, and wipes the account's interaction events in bounded batches through a queue, which " +
    "resumes where it stopped after a crash and ends with `mailbox.disconnected`. Disconnecting again is a 204.",
  tags: ["mailbox"],
  params: MailboxParams,
  responses: { 204: { description: "Disconnected; the wipe runs in the background" } },
  errors: [404, 503],
  sealedSecrets: "open",
  timeoutSeconds: 15,
});

export const syncMailbox = defineRoute({
  method: "POST",
  path: "/v1/orgs/{orgId}/users/{userId}/mailbox/{provider}/sync",
  handler: "functions/http/sync-mailbox.handler",
  auth: "bearer",
  access: OWNER_OR_ADMIN,
  operationId: "syncMailbox",
  summary: "Sync the account's enabled scopes now",
  tags: ["mailbox"],
  params: MailboxParams,
  responses: { 202: { description: "Queued", schema: SyncAcceptedSchema } },
  errors: [404, 409],
});

const callbackDescription =
  "The provider's redirect (`?code=&state=`, or `?error=&state=` when consent is denied). Not " +
  "bearer-authenticated: the signed, single-use, 10-minute state proves who started it. Redirects to " +
  "`OAUTH_SUCCESS_URL` with `?provider=&status=connected` (or `?error=`), or answers a small HTML page. A bad " +
  "state, a denied consent or a provider error is a 400 and writes nothing.";

const CALLBACK_RESPONSES = {
  200: { description: "An HTML page: the mailbox is connected" },
  302: { description: "To OAUTH_SUCCESS_URL, with the outcome in the query" },
  400: { description: "An HTML page: consent denied, a provider error, or a bad state; nothing was written" },
  503: { description: "An HTML page: the provider or configuration is unavailable; nothing was written" },
} as const;

export const googleCallback = defineRoute({
  method: "GET",
  path: "/oauth/google/callback",
  handler: "functions/oauth/google-callback.handler",
  auth: "none",
  operationId: "googleOAuthCallback",
  summary: "Google's OAuth redirect",
  description: callbackDescription,
  tags: ["mailbox"],
  query: CallbackQuerySchema,
  responses: CALLBACK_RESPONSES,
  sealedSecrets: "seal",
  timeoutSeconds: 20,
});

export const microsoftCallback = defineRoute({
  method: "GET",
  path: "/oauth/microsoft/callback",
  handler: "functions/oauth/microsoft-callback.handler",
  auth: "none",
  operationId: "microsoftOAuthCallback",
  summary: "Microsoft's OAuth redirect",
  description: callbackDescription,
  tags: ["mailbox"],
  query: CallbackQuerySchema,
  responses: CALLBACK_RESPONSES,
  sealedSecrets: "seal",
  timeoutSeconds: 20,
});

export const all = [
  getMailbox,
  connectMailbox,
  updateMailbox,
  disconnectMailbox,
  syncMailbox,
  googleCallback,
  microsoftCallback,
] as const;
