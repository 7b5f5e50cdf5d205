/**
 * Generated from Kith's OpenAPI document (packages/core/src/api) by openapi-typescript.
 * Do not edit: run `npm run generate:api -w packages/console`.
 */

export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Health of the API and its table */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oauth/google/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Google's OAuth redirect
         * @description The provider's redirect (`?code=&state=`, or `?error=&state=` when consent is denied). Not bearer-authenticated: the signed, single-use, 10-minute state proves who started it. Redirects to `OAUTH_SUCCESS_URL` with `?provider=&status=connected` (or `?error=`), or answers a small HTML page. A bad state, a denied consent or a provider error is a 400 and writes nothing.
         */
        get: operations["googleOAuthCallback"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oauth/microsoft/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Microsoft's OAuth redirect
         * @description The provider's redirect (`?code=&state=`, or `?error=&state=` when consent is denied). Not bearer-authenticated: the signed, single-use, 10-minute state proves who started it. Redirects to `OAUTH_SUCCESS_URL` with `?provider=&status=connected` (or `?error=`), or answers a small HTML page. A bad state, a denied consent or a provider error is a 400 and writes nothing.
         */
        get: operations["microsoftOAuthCallback"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/journal": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Domain events of the last 30 days, newest first (operator) */
        get: operations["listJournal"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List orgs by slug (operator) */
        get: operations["listOrgs"];
        put?: never;
        /** Create an org (operator) */
        post: operations["createOrg"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an org (operator, or any token of the org) */
        get: operations["getOrg"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/collections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List collections by name: all of them for admins and operators, a member's own for a member token */
        get: operations["listCollections"];
        put?: never;
        /** Create a collection of contacts */
        post: operations["createCollection"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/collections/{collectionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a collection
         * @description Readable by the collection's members, the org's admins and operators; anyone else gets 404 `collection_not_found`.
         */
        get: operations["getCollection"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/collections/{collectionId}/contacts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List a collection's contacts, each with its reachability
         * @description Readable by the collection's members, the org's admins and operators; anyone else gets 404 `collection_not_found`. `sort=name` (default) orders by name; `sort=reachability` by tier (high first), then name; `sort=strength` by the key connection's tier, then its score. `reachability=high,medium` keeps only those tiers. Served from the reachability items' indexes, never a scan.
         */
        get: operations["listContacts"];
        put?: never;
        /**
         * Add a contact, or import up to 1,000 at once
         * @description `{name, emails, linkedinHandle?}` → 201 `Contact`; `{items: [...]}` → 201 `{items: [Contact]}` in input order. Emails are trimmed and lower-cased, 1 to 10 per contact, and unique within the collection: 409 `email_taken` naming the email. A bulk import is all or nothing: an invalid item is a 400 naming `items.<index>.<field>`, more than 1,000 items a 400, and an email given twice (in the import, or already a contact's) a 409; nothing is written then.
         */
        post: operations["createContacts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/collections/{collectionId}/contacts/{contactId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A contact with its reachability and connections
         * @description Readable by the collection's members, the org's admins and operators; anyone else gets 404 `collection_not_found`. `connections` lists every member of the collection with a tier, best first.
         */
        get: operations["getContact"];
        put?: never;
        post?: never;
        /** Delete a contact and free its emails */
        delete: operations["deleteContact"];
        options?: never;
        head?: never;
        /** Update a contact partially; `emails` replaces the list */
        patch: operations["updateContact"];
        trace?: never;
    };
    "/v1/orgs/{orgId}/collections/{collectionId}/contacts/{contactId}/strength/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Override a member's strength tier with a contact (null clears it)
         * @description By the member themself or an admin. The computed tier stays beside the override; every change is audited in the member's events (`strength_overridden`, from and to), and the contact's reachability is recomputed at once. The member must be on the collection's team (404 `member_not_found`); a member token must belong to the collection (404 `collection_not_found`).
         */
        put: operations["setStrengthOverride"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/collections/{collectionId}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List a collection's members, by user id
         * @description Readable by the collection's members, the org's admins and operators; anyone else gets 404 `collection_not_found`.
         */
        get: operations["listCollectionMembers"];
        put?: never;
        /**
         * Add a team member to a collection
         * @description The user must exist in the org (404 `user_not_found`). Adding a member again changes nothing and answers 200 with the existing membership.
         */
        post: operations["addCollectionMember"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/collections/{collectionId}/members/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a team member from a collection (idempotent) */
        delete: operations["removeCollectionMember"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/integrations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's integrations, oldest first */
        get: operations["listIntegrations"];
        put?: never;
        /**
         * Connect a provider tenant (a Slack team, a GitHub installation, …) to the org
         * @description `secret` (required for gitlab and agentmail) and `settings.botToken` are encrypted at rest and never returned. Settings per provider: slack `{botToken?, botUserId?}`, gitlab `{host?}`, linear `{botUserId?}`, agentmail `{allowedDomains}`. A Slack, GitHub or Linear tenant connected to any org already, or a GitLab or AgentMail tenant label the org already uses, is a 409 `integration_exists`. An org admin (not an operator) must prove control of a Slack, GitHub or Linear tenant: Slack `settings.botToken` passes `auth.test` for the team (or, org-wide, the enterprise); GitHub `settings.installationId` (or the claimed installation id) is an installation of the Kith GitHub App on the claimed account; Linear `settings.apiKey` (or `settings.accessToken`) belongs to the claimed organization and is not stored. A missing proof is a 400 naming the field, another tenant's a 403 `tenant_not_proven`; nothing is written either way.
         */
        post: operations["createIntegration"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/integrations/{integrationId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Disconnect an integration; its webhooks then get 202 (unknown tenant) or 401 (path-routed) */
        delete: operations["deleteIntegration"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The user behind an identity or an email */
        get: operations["resolveUser"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's rule set: every clause, its thresholds, and whether it is active */
        get: operations["getRules"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Tune thresholds: a new rule set version, and every pair recomputed in the background
         * @description `{thresholds: {<clause code>: {<name>: integer}}}`. Unknown clauses or thresholds, non-integers and values outside a threshold's `bounds` are a 400 naming `thresholds.<code>.<name>`; nothing is stored then.
         */
        patch: operations["tuneRules"];
        trace?: never;
    };
    "/v1/orgs/{orgId}/stats/rebuild": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rebuild every statistic of the org from its interaction events (operator)
         * @description Queues a full rebuild: every (member, correspondent) pair with stored stats or with events is rebuilt, 500 pairs per queue message, and `stats.changed` is published for the pairs whose stats moved.
         */
        post: operations["rebuildStats"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/unmapped": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Identities seen on webhooks that no user holds, by count */
        get: operations["listUnmapped"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/unmapped/{kind}/{externalId}/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Map an unmapped identity to a user, or to a new user */
        post: operations["resolveUnmapped"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/unresolved-correspondents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Emails seen in mail or meetings that match no contact, best first
         * @description Ranked by two-way threads, then counted meetings (24 months), then the latest interaction, summed over the members. Only emails with a counted message or meeting appear: teammates, bulk senders and newsletter-only senders never do. An email leaves the list as soon as a contact carries it.
         */
        get: operations["listUnresolvedCorrespondents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List users, ordered by name */
        get: operations["listUsers"];
        put?: never;
        /**
         * Create a user with its emails and identities
         * @description Every email and identity is claimed in the same transaction as the user: a conflict is a 409 and nothing is written.
         */
        post: operations["createUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/users/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a user with identities and token metadata (an admin, or the user themself) */
        get: operations["getUser"];
        put?: never;
        post?: never;
        /** Delete a user; its audit events remain */
        delete: operations["deleteUser"];
        options?: never;
        head?: never;
        /** Update a user partially */
        patch: operations["updateUser"];
        trace?: never;
    };
    "/v1/orgs/{orgId}/users/{userId}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's audit events, newest first */
        get: operations["listUserEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/users/{userId}/identities": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Link an external identity to the user */
        post: operations["linkIdentity"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/users/{userId}/identities/{kind}/{externalId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Unlink an external identity */
        delete: operations["unlinkIdentity"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/users/{userId}/key-connection": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Opt a member out of (or back into) being anyone's key connection
         * @description An opted-out member still counts in reachability but is never the key connection. Audited (`key_connection_changed`); the reachability of the member's contacts is recomputed in the background.
         */
        put: operations["setKeyConnection"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/users/{userId}/mailbox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A member's mailbox connections, with each scope's sync state */
        get: operations["getMailbox"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/users/{userId}/mailbox/{provider}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Disconnect: revoke, drop the tokens, delete every interaction event of the account
         * @description Revokes at the provider (best effort: Google's revoke endpoint; Microsoft has none per token), deletes the sealed tokens, and wipes the account's interaction events in bounded batches through a queue, which resumes where it stopped after a crash and ends with `mailbox.disconnected`. Disconnecting again is a 204.
         */
        delete: operations["disconnectMailbox"];
        options?: never;
        head?: never;
        /**
         * Turn a mailbox's scopes on or off
         * @description A scope turned off stops syncing and its interaction events are deleted (`mailbox.wipe_requested`, then `mailbox.disconnected` with that `scope`). A scope turned on that the grant already covers starts its backfill; one it lacks stays off and the answer carries `authorizeUrl`, which asks for it.
         */
        patch: operations["updateMailbox"];
        trace?: never;
    };
    "/v1/orgs/{orgId}/users/{userId}/mailbox/{provider}/connect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start connecting a Google or Microsoft mailbox: the provider's consent URL
         * @description The URL asks for the toggled scopes and nothing more (Google: `gmail.metadata` and/or `calendar.readonly`, plus `openid` and `email`, offline with `prompt=consent`; Microsoft: `Mail.ReadBasic` and/or `Calendars.ReadBasic`, plus `offline_access` and `User.Read`, on the `common` authority; MSAL adds the OpenID sign-in scopes `openid` and `profile`). PKCE S256 always; the `state` is signed, single-use and valid 10 minutes.
         */
        post: operations["connectMailbox"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/users/{userId}/mailbox/{provider}/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sync the account's enabled scopes now */
        post: operations["syncMailbox"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/users/{userId}/merge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Merge another user into this one */
        post: operations["mergeUsers"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/users/{userId}/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mint an API token; the plaintext is returned only here */
        post: operations["mintToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/users/{userId}/tokens/{tokenId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a token (idempotent) */
        delete: operations["revokeToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/whoami": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who the bearer token belongs to */
        get: operations["whoAmI"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/agentmail/{integrationId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * AgentMail events for one integration (Standard Webhooks / Svix signature)
         * @description The sender is resolved to a user (or recorded as unmapped) and `webhook.received` is published. A bad signature or stale timestamp is a 401, malformed JSON a 400, a body over 1 MiB a 413; none writes anything. A verified delivery for a tenant with no integration is a 202; a delivery id seen before is a 200 that changes nothing; a retry while another attempt holds the delivery is a 503 with Retry-After.
         */
        post: operations["receiveAgentmailWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/findem": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Findem profile updates, F7 (verified by Standard Webhooks under FINDEM_WEBHOOK_SECRET)
         * @description `profile.updated` drops the cached lookups of the person's emails and queues their re-resolution in every org that used them, and a refresh of the stored profile (strength recomputes what it changes). Other types are acknowledged and ignored. A bad signature or a timestamp more than 5 minutes off is a 401 and changes nothing; a malformed body is a 400.
         */
        post: operations["receiveFindemWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/github": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * GitHub App events (verified by X-Hub-Signature-256)
         * @description The sender is resolved to a user (or recorded as unmapped) and `webhook.received` is published. A bad signature or stale timestamp is a 401, malformed JSON a 400, a body over 1 MiB a 413; none writes anything. A verified delivery for a tenant with no integration is a 202; a delivery id seen before is a 200 that changes nothing; a retry while another attempt holds the delivery is a 503 with Retry-After.
         */
        post: operations["receiveGithubWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/gitlab/{integrationId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * GitLab events for one integration (verified by X-Gitlab-Token)
         * @description The sender is resolved to a user (or recorded as unmapped) and `webhook.received` is published. A bad signature or stale timestamp is a 401, malformed JSON a 400, a body over 1 MiB a 413; none writes anything. A verified delivery for a tenant with no integration is a 202; a delivery id seen before is a 200 that changes nothing; a retry while another attempt holds the delivery is a 503 with Retry-After.
         */
        post: operations["receiveGitlabWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/linear": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Linear events (verified by Linear-Signature and the signed webhookTimestamp)
         * @description The sender is resolved to a user (or recorded as unmapped) and `webhook.received` is published. A bad signature or stale timestamp is a 401, malformed JSON a 400, a body over 1 MiB a 413; none writes anything. A verified delivery for a tenant with no integration is a 202; a delivery id seen before is a 200 that changes nothing; a retry while another attempt holds the delivery is a 503 with Retry-After.
         */
        post: operations["receiveLinearWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/slack": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Slack Events API (verified by X-Slack-Signature, v0, ±5 minutes)
         * @description A `url_verification` request gets its challenge echoed back as `{challenge}`. The sender is resolved to a user (or recorded as unmapped) and `webhook.received` is published. A bad signature or stale timestamp is a 401, malformed JSON a 400, a body over 1 MiB a 413; none writes anything. A verified delivery for a tenant with no integration is a 202; a delivery id seen before is a 200 that changes nothing; a retry while another attempt holds the delivery is a 503 with Retry-After.
         */
        post: operations["receiveSlackWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/workos": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * WorkOS directory events (verified by WorkOS-Signature)
         * @description Only nudges the directory sync: the Events API is read for the organization (or the user stream), in order, from its cursor. A bad or stale signature is a 401 and nothing is queued.
         */
        post: operations["receiveWorkosWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AddCollectionMemberInput: {
            userId: string;
        };
        AuditEvent: {
            id: string;
            userId: string;
            /** @enum {string} */
            eventType: "user_created" | "user_deleted" | "auto_link" | "manual_merge" | "identity_added" | "identity_removed" | "email_added" | "email_removed" | "token_minted" | "token_revoked" | "budget_changed" | "status_changed" | "profile_changed" | "strength_overridden" | "key_connection_changed";
            actor: string;
            before: unknown | null;
            after: unknown | null;
            createdAt: string;
        };
        AuditEventPage: {
            items: components["schemas"]["AuditEvent"][];
            /** @description Pass as `cursor` to get the next page; null on the last. */
            nextCursor: string | null;
        };
        Collection: {
            id: string;
            name: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        CollectionMember: {
            collectionId: string;
            userId: string;
            /** Format: date-time */
            addedAt: string;
        };
        CollectionMemberPage: {
            items: components["schemas"]["CollectionMember"][];
            /** @description Pass as `cursor` to get the next page; null on the last. */
            nextCursor: string | null;
        };
        CollectionPage: {
            items: components["schemas"]["Collection"][];
            /** @description Pass as `cursor` to get the next page; null on the last. */
            nextCursor: string | null;
        };
        ConnectMailboxInput: {
            scopes: components["schemas"]["MailboxScopes"];
        };
        Connection: {
            userId: string;
            /** @description The override when one is set, else computedTier */
            tier: ("warm" | "known" | "cold") | null;
            computedTier: ("warm" | "known" | "cold") | null;
            override: ("warm" | "known" | "cold") | null;
            /** @description Sorts within a tier and picks the key connection (docs/decisions.md) */
            score: number;
            reasons: components["schemas"]["StrengthReason"][];
            lastInteractionAt: string | null;
            stats: components["schemas"]["ConnectionStats"] | null;
            ruleSetVersion: number;
            /** Format: date-time */
            computedAt: string;
        };
        ConnectionStats: {
            emailIn12mo: number;
            emailIn24mo: number;
            emailOut12mo: number;
            emailOut24mo: number;
            newsletterIn24mo: number;
            twoWayThreads: number;
            lastEmailAt: string | null;
            lastInboundAt: string | null;
            lastOutboundAt: string | null;
            hasResponseIn3mo: boolean;
            activityBitmap12q: number;
            activeQuartersConsecutive: number;
            meetings180d: number;
            meetings24mo: number;
            lastMeetingAt: string | null;
        };
        Contact: {
            id: string;
            collectionId: string;
            name: string;
            emails: string[];
            linkedinHandle: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        ContactDetail: {
            contact: components["schemas"]["Contact"];
            reachability: components["schemas"]["Reachability"] | null;
            connections: components["schemas"]["Connection"][];
        };
        ContactImport: {
            items: components["schemas"]["Contact"][];
        };
        ContactListItem: {
            id: string;
            collectionId: string;
            name: string;
            emails: string[];
            linkedinHandle: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            reachability: components["schemas"]["Reachability"] | null;
        };
        ContactPage: {
            items: components["schemas"]["ContactListItem"][];
            /** @description Pass as `cursor` to get the next page; null on the last. */
            nextCursor: string | null;
        };
        CreateCollectionInput: {
            name: string;
        };
        CreateContactInput: {
            name: string;
            emails: string[];
            linkedinHandle?: string | null;
        };
        /** @description One contact (`{name, emails, linkedinHandle?}`), or a bulk import (`{items: [CreateContactInput]}`, 1 to 1,000). */
        CreateContactsInput: {
            name?: string;
            emails?: string[];
            linkedinHandle?: string | null;
            items?: components["schemas"]["CreateContactInput"][];
        };
        CreateIntegrationInput: {
            /** @enum {string} */
            provider: "slack" | "github" | "gitlab" | "linear" | "agentmail";
            externalTenantId: string;
            secret?: string;
            settings?: {
                [key: string]: unknown;
            };
        };
        CreateOrgInput: {
            name: string;
            slug?: string;
        };
        CreateUserInput: {
            name: string;
            email?: string | null;
            emailAliases?: string[];
            role?: string | null;
            /** @enum {string} */
            accessRole?: "admin" | "member";
            /** @enum {string} */
            status?: "invited" | "active" | "suspended";
            timezone?: string | null;
            preferredChannel?: string;
            notes?: string | null;
            metadata?: {
                [key: string]: unknown;
            } | null;
            dailyBudgetUsd?: number | null;
            identities?: components["schemas"]["IdentityRef"][];
        };
        Error: {
            error: {
                /** @description Stable, machine-readable error code, e.g. `not_found`. */
                code: string;
                /** @description Human-readable explanation; for 5xx it is deliberately generic. */
                message: string;
                details?: {
                    [key: string]: unknown;
                };
            };
        };
        /** @description A collection of contacts was created. */
        "Event.collection.created": {
            id: string;
            /** @constant */
            type: "collection.created";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                collectionId: string;
                name: string;
            };
        };
        /** @description A team member joined a collection: its reachability now counts them, and they may read its contacts. */
        "Event.collection.member_added": {
            id: string;
            /** @constant */
            type: "collection.member_added";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                collectionId: string;
                userId: string;
            };
        };
        /** @description A team member left a collection: they stop counting in its reachability and may no longer read it. */
        "Event.collection.member_removed": {
            id: string;
            /** @constant */
            type: "collection.member_removed";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                collectionId: string;
                userId: string;
            };
        };
        /** @description A contact was added to a collection (one per contact of a bulk import); `emailsAdded` holds all its emails. */
        "Event.contact.created": {
            id: string;
            /** @constant */
            type: "contact.created";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                collectionId: string;
                contactId: string;
                emailsAdded: string[];
                emailsRemoved: string[];
            };
        };
        /** @description A contact was deleted (or a failed bulk import took it back); `emailsRemoved` holds all its emails. */
        "Event.contact.deleted": {
            id: string;
            /** @constant */
            type: "contact.deleted";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                collectionId: string;
                contactId: string;
                emailsAdded: string[];
                emailsRemoved: string[];
            };
        };
        /** @description A contact's work and education history is new or changed, or was removed; strength recomputes the contact with every member of its collection. */
        "Event.contact.enriched": {
            id: string;
            /** @constant */
            type: "contact.enriched";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                collectionId: string;
                contactId: string;
            };
        };
        /** @description A contact's name, emails or LinkedIn handle changed; the emails it gained and lost are listed. */
        "Event.contact.updated": {
            id: string;
            /** @constant */
            type: "contact.updated";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                collectionId: string;
                contactId: string;
                emailsAdded: string[];
                emailsRemoved: string[];
            };
        };
        /** @description An external identity was linked to a user. */
        "Event.identity.linked": {
            id: string;
            /** @constant */
            type: "identity.linked";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                userId: string;
                /** @enum {string} */
                kind: "slack" | "github" | "gitlab" | "linear" | "workos" | "email";
                externalId: string;
                /** @enum {string} */
                via: "created" | "manual" | "auto_link";
            };
        };
        /** @description An identity no user holds was seen for the first time (or again after its entry expired). */
        "Event.identity.unmapped": {
            id: string;
            /** @constant */
            type: "identity.unmapped";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                /** @enum {string} */
                kind: "slack" | "github" | "gitlab" | "linear" | "workos" | "email";
                externalId: string;
                count: number;
            };
        };
        /** @description A provider tenant was connected to the org. */
        "Event.integration.created": {
            id: string;
            /** @constant */
            type: "integration.created";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                integrationId: string;
                /** @enum {string} */
                provider: "slack" | "github" | "gitlab" | "linear" | "agentmail";
                externalTenantId: string;
            };
        };
        /** @description An integration was disconnected; its webhooks are no longer routed to the org. */
        "Event.integration.deleted": {
            id: string;
            /** @constant */
            type: "integration.deleted";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                integrationId: string;
                /** @enum {string} */
                provider: "slack" | "github" | "gitlab" | "linear" | "agentmail";
                actor: string;
            };
        };
        /** @description A mailbox scope's backfill reached a milestone: its latest 90 days, or its whole 24 months. */
        "Event.mailbox.backfill_progress": {
            id: string;
            /** @constant */
            type: "mailbox.backfill_progress";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                accountId: string;
                userId: string;
                /** @enum {string} */
                provider: "google" | "microsoft";
                /** @enum {string} */
                scope: "mail" | "calendar";
                /** @enum {string} */
                milestone: "recent_90d" | "complete";
                backfilledThrough: string | null;
                progress: number;
                eventsIngested: number;
            };
        };
        /** @description A member connected (or reconnected) a mailbox; the enabled scopes' backfill starts. */
        "Event.mailbox.connected": {
            id: string;
            /** @constant */
            type: "mailbox.connected";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                accountId: string;
                userId: string;
                /** @enum {string} */
                provider: "google" | "microsoft";
                scopes: {
                    mail: boolean;
                    calendar: boolean;
                };
                reconnected: boolean;
            };
        };
        /** @description A mailbox (or one of its scopes) was disconnected and every interaction event it held is deleted; what depended on them is recomputed. */
        "Event.mailbox.disconnected": {
            id: string;
            /** @constant */
            type: "mailbox.disconnected";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                accountId: string;
                userId: string;
                /** @enum {string} */
                provider: "google" | "microsoft";
                /** @enum {string} */
                scope?: "mail" | "calendar";
                /** @enum {string} */
                reason: "disconnect" | "scope_disabled" | "account_replaced";
                eventsDeleted: number;
            };
        };
        /** @description The provider no longer honours a mailbox's grant; its syncs stop until the member connects again. */
        "Event.mailbox.reauth_required": {
            id: string;
            /** @constant */
            type: "mailbox.reauth_required";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                accountId: string;
                userId: string;
                /** @enum {string} */
                provider: "google" | "microsoft";
                reason: string;
            };
        };
        /** @description A member turned a mailbox scope on or off; a scope turned off stops syncing and its events are deleted. */
        "Event.mailbox.scopes_changed": {
            id: string;
            /** @constant */
            type: "mailbox.scopes_changed";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                accountId: string;
                userId: string;
                /** @enum {string} */
                provider: "google" | "microsoft";
                scopes: {
                    mail: boolean;
                    calendar: boolean;
                };
                enabled: ("mail" | "calendar")[];
                disabled: ("mail" | "calendar")[];
            };
        };
        /** @description A mailbox's interaction events (one scope's, or all) are to be deleted; the wipe runs in bounded batches and ends with mailbox.disconnected. */
        "Event.mailbox.wipe_requested": {
            id: string;
            /** @constant */
            type: "mailbox.wipe_requested";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                accountId: string;
                userId: string;
                /** @enum {string} */
                provider: "google" | "microsoft";
                /** @enum {string} */
                scope?: "mail" | "calendar";
                /** @enum {string} */
                reason: "disconnect" | "scope_disabled" | "account_replaced";
            };
        };
        /** @description An org was created, through the API or by directory sync. */
        "Event.org.created": {
            id: string;
            /** @constant */
            type: "org.created";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                orgId: string;
                slug: string;
                directoryOrgId: string | null;
            };
        };
        /** @description The org's directory organization was deleted: the org is disabled, never removed. */
        "Event.org.disabled": {
            id: string;
            /** @constant */
            type: "org.disabled";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                orgId: string;
                directoryOrgId: string;
                directoryEventId: string;
            };
        };
        /** @description Directory sync applied a change to the org (its name). */
        "Event.org.updated": {
            id: string;
            /** @constant */
            type: "org.updated";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                orgId: string;
                directoryOrgId: string;
                directoryEventId: string;
            };
        };
        /** @description An admin tuned the org's rule set: a new version exists, and every pair of the org is recomputed against it. */
        "Event.rules.changed": {
            id: string;
            /** @constant */
            type: "rules.changed";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                version: number;
                previousVersion: number;
            };
        };
        /** @description A member's statistics with some contacts changed (new or deleted interactions, aging windows, a contact gaining or losing an email); strength recomputes only those. */
        "Event.stats.changed": {
            id: string;
            /** @constant */
            type: "stats.changed";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                userId: string;
                contactIds: string[];
                contacts?: {
                    collectionId: string;
                    contactId: string;
                }[];
            };
        };
        /** @description A member's strength tier with a contact changed (new statistics, a rule change, decay or an override); the contact's reachability in that collection is recomputed. */
        "Event.strength.changed": {
            id: string;
            /** @constant */
            type: "strength.changed";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                collectionId: string;
                contactId: string;
                userId: string;
                from: ("warm" | "known" | "cold") | null;
                to: ("warm" | "known" | "cold") | null;
            };
        };
        /** @description The 5-minute heartbeat: when it reaches the journal, schedule → table stream → bus → queue → consumer works. */
        "Event.system.heartbeat": {
            id: string;
            /** @constant */
            type: "system.heartbeat";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                scheduledAt: string;
            };
        };
        /** @description A user was created (by an admin, a webhook's resolution or directory sync). */
        "Event.user.created": {
            id: string;
            /** @constant */
            type: "user.created";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                userId: string;
            };
        };
        /** @description A user was deleted, or merged into another (`mergedInto`). Its audit events remain. */
        "Event.user.deleted": {
            id: string;
            /** @constant */
            type: "user.deleted";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                userId: string;
                mergedInto?: string;
            };
        };
        /** @description A member's work and education history (from the enrichment provider) is new or changed, or was removed; strength recomputes the member's pairs in every collection they belong to. */
        "Event.user.enriched": {
            id: string;
            /** @constant */
            type: "user.enriched";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                userId: string;
            };
        };
        /** @description A member opted out of (or back into) being anyone's key connection; the reachability of their contacts is recomputed. */
        "Event.user.key_connection_changed": {
            id: string;
            /** @constant */
            type: "user.key_connection_changed";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                userId: string;
                optOut: boolean;
            };
        };
        /** @description Another user was merged into this one: its identities, emails and tokens moved here. */
        "Event.user.merged": {
            id: string;
            /** @constant */
            type: "user.merged";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                userId: string;
                sourceUserId: string;
            };
        };
        /** @description A user's profile, emails, status, budget or identities changed. */
        "Event.user.updated": {
            id: string;
            /** @constant */
            type: "user.updated";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                userId: string;
                changes: ("user_created" | "user_deleted" | "auto_link" | "manual_merge" | "identity_added" | "identity_removed" | "email_added" | "email_removed" | "token_minted" | "token_revoked" | "budget_changed" | "status_changed" | "profile_changed" | "strength_overridden" | "key_connection_changed")[];
            };
        };
        /** @description A verified webhook delivery was processed and its sender resolved (or recorded as unmapped). */
        "Event.webhook.received": {
            id: string;
            /** @constant */
            type: "webhook.received";
            /** Format: date-time */
            occurredAt: string;
            orgId: string | null;
            data: {
                orgId: string;
                /** @enum {string} */
                provider: "slack" | "github" | "gitlab" | "linear" | "agentmail";
                integrationId: string;
                eventType: string;
                deliveryId: string;
                /** Format: date-time */
                occurredAt: string;
                actorUserId: string | null;
                actorSuspended: boolean;
                unmapped: boolean;
                summary: string;
            };
        };
        Health: {
            status: string;
            checks: {
                [key: string]: unknown;
            };
            stage: string;
        };
        Identity: {
            /** @enum {string} */
            kind: "slack" | "github" | "gitlab" | "linear" | "workos" | "email";
            externalId: string;
            createdAt: string;
        };
        IdentityRef: {
            /** @enum {string} */
            kind: "slack" | "github" | "gitlab" | "linear" | "workos" | "email";
            externalId: string;
        };
        Integration: {
            id: string;
            orgId: string;
            /** @enum {string} */
            provider: "slack" | "github" | "gitlab" | "linear" | "agentmail";
            externalTenantId: string;
            webhookPath: string;
            settings: {
                [key: string]: unknown;
            };
            hasSecret: boolean;
            createdAt: string;
        };
        IntegrationPage: {
            items: components["schemas"]["Integration"][];
            /** @description Pass as `cursor` to get the next page; null on the last. */
            nextCursor: string | null;
        };
        JournalEntry: {
            id: string;
            /** @description The domain event's type; `data` is that event's data (see `x-domain-events`) */
            type: string;
            orgId: string | null;
            occurredAt: string;
            recordedAt: string;
            data: {
                [key: string]: unknown;
            };
        };
        JournalEntryPage: {
            items: components["schemas"]["JournalEntry"][];
            /** @description Pass as `cursor` to get the next page; null on the last. */
            nextCursor: string | null;
        };
        KeyConnection: {
            userId: string;
            optOut: boolean;
            /** Format: date-time */
            updatedAt: string;
        };
        KeyConnectionInput: {
            optOut: boolean;
        };
        MailboxAccount: {
            /** @enum {string} */
            provider: "google" | "microsoft";
            email: string;
            scopes: {
                mail: boolean;
                calendar: boolean;
            };
            /** @enum {string} */
            status: "connected" | "syncing" | "error" | "reauth_required" | "disconnected";
            mail: components["schemas"]["SyncState"];
            calendar: components["schemas"]["SyncState"];
            accountId: string;
            /** Format: date-time */
            connectedAt: string;
            /** Format: uri */
            authorizeUrl?: string;
        };
        MailboxAccounts: {
            accounts: components["schemas"]["MailboxAccount"][];
        };
        MailboxAuthorizeUrl: {
            /** Format: uri */
            authorizeUrl: string;
        };
        MailboxScopes: {
            mail: boolean;
            calendar: boolean;
        };
        MailboxSyncAccepted: {
            /** @constant */
            accepted: true;
            scopes: ("mail" | "calendar")[];
        };
        MergeInput: {
            sourceUserId: string;
        };
        MintTokenInput: {
            label?: string;
        };
        MintedToken: {
            id: string;
            token: string;
            preview: string;
            label: string | null;
            /** @enum {string} */
            accessRole: "admin" | "member";
            createdAt: string;
        };
        Org: {
            id: string;
            name: string;
            slug: string;
            /** @enum {string} */
            status: "active" | "disabled";
            directoryId: string | null;
            createdAt: string;
            updatedAt: string;
        };
        OrgPage: {
            items: components["schemas"]["Org"][];
            /** @description Pass as `cursor` to get the next page; null on the last. */
            nextCursor: string | null;
        };
        Reachability: {
            /** @enum {string} */
            tier: "high" | "medium" | "low" | "none";
            warm: number;
            known: number;
            cold: number;
            keyUserId: string | null;
            /** Format: date-time */
            computedAt: string;
        };
        ResolveUnmappedInput: {
            userId: string;
        } | {
            name: string;
            email?: string;
        };
        Rules: {
            version: number;
            clauses: {
                code: string;
                /** @enum {string} */
                tier: "warm" | "known" | "cold";
                weight: number;
                /** @enum {string} */
                requires: "email" | "calendar" | "enrichment" | "investor_data" | "network_data";
                thresholds: {
                    [key: string]: number;
                };
                /** @description What each threshold may be tuned to */
                bounds: {
                    [key: string]: {
                        min: number;
                        max: number;
                    };
                };
                /** @description False when the org lacks the data the clause requires */
                active: boolean;
            }[];
        };
        StatsRebuildAccepted: {
            /** @constant */
            accepted: true;
        };
        StrengthOverrideInput: {
            override: ("warm" | "known" | "cold") | null;
        };
        StrengthReason: {
            code: string;
            /** @enum {string} */
            tier: "warm" | "known" | "cold";
            detail: string;
        };
        SyncState: {
            /** @enum {string} */
            phase: "backfill" | "incremental" | "idle" | "off";
            progress: number;
            backfilledThrough: string | null;
            lastSyncAt: string | null;
            lastError: string | null;
            eventsIngested: number;
        };
        TokenMetadata: {
            id: string;
            preview: string;
            label: string | null;
            /** @enum {string} */
            accessRole: "admin" | "member";
            createdAt: string;
            lastUsedAt: string | null;
        };
        TuneRulesInput: {
            thresholds: {
                [key: string]: {
                    [key: string]: number;
                };
            };
        };
        UnmappedIdentity: {
            /** @enum {string} */
            kind: "slack" | "github" | "gitlab" | "linear" | "workos" | "email";
            externalId: string;
            count: number;
            firstSeenAt: string;
            lastSeenAt: string;
            sampleEventType: string;
            sampleContext: string;
            candidates: string[];
        };
        UnmappedIdentityPage: {
            items: components["schemas"]["UnmappedIdentity"][];
            /** @description Pass as `cursor` to get the next page; null on the last. */
            nextCursor: string | null;
        };
        UnresolvedCorrespondent: {
            email: string;
            /** @description The members with a counted message or meeting with this email */
            users: string[];
            twoWayThreads: number;
            /** @description Counted meetings in the last 24 months, summed over the members */
            meetings: number;
            lastInteractionAt: string | null;
        };
        UnresolvedCorrespondentPage: {
            items: components["schemas"]["UnresolvedCorrespondent"][];
            /** @description Pass as `cursor` to get the next page; null on the last. */
            nextCursor: string | null;
        };
        UpdateContactInput: {
            name?: string;
            emails?: string[];
            linkedinHandle?: string | null;
        };
        UpdateMailboxInput: {
            scopes: components["schemas"]["MailboxScopes"];
        };
        UpdateUserInput: {
            name?: string;
            email?: string | null;
            emailAliases?: string[];
            role?: string | null;
            /** @enum {string} */
            accessRole?: "admin" | "member";
            /** @enum {string} */
            status?: "invited" | "active" | "suspended";
            timezone?: string | null;
            preferredChannel?: string;
            notes?: string | null;
            metadata?: {
                [key: string]: unknown;
            } | null;
            dailyBudgetUsd?: number | null;
        };
        User: {
            id: string;
            orgId: string;
            name: string;
            email: string | null;
            emailAliases: string[];
            role: string | null;
            /** @enum {string} */
            accessRole: "admin" | "member";
            /** @enum {string} */
            status: "invited" | "active" | "suspended";
            timezone: string | null;
            preferredChannel: string;
            notes: string | null;
            metadata: {
                [key: string]: unknown;
            } | null;
            dailyBudgetUsd: number | null;
            identities: components["schemas"]["Identity"][];
            tokens: components["schemas"]["TokenMetadata"][];
            createdAt: string;
            updatedAt: string;
        };
        UserPage: {
            items: components["schemas"]["User"][];
            /** @description Pass as `cursor` to get the next page; null on the last. */
            nextCursor: string | null;
        };
        WebhookAnswer: {
            /** @constant */
            received: true;
            /** @enum {string} */
            outcome: "processed" | "duplicate" | "ignored" | "unknown_tenant";
        };
        WhoAmI: {
            actor: string;
            /** @enum {string} */
            kind: "operator" | "user";
            orgId: string | null;
            user: components["schemas"]["User"] | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Healthy */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The table is unreachable: the same body as 200, with status "degraded" */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    googleOAuthCallback: {
        parameters: {
            query?: {
                code?: string;
                state?: string;
                error?: string;
                error_description?: string;
                scope?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An HTML page: the mailbox is connected */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description To OAUTH_SUCCESS_URL, with the outcome in the query */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An HTML page: consent denied, a provider error, or a bad state; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An HTML page: the provider or configuration is unavailable; nothing was written */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    microsoftOAuthCallback: {
        parameters: {
            query?: {
                code?: string;
                state?: string;
                error?: string;
                error_description?: string;
                scope?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An HTML page: the mailbox is connected */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description To OAUTH_SUCCESS_URL, with the outcome in the query */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An HTML page: consent denied, a provider error, or a bad state; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An HTML page: the provider or configuration is unavailable; nothing was written */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listJournal: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
                /** @description One org's events; without it, system events */
                orgId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of journal entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JournalEntryPage"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listOrgs: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of orgs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrgPage"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createOrg: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateOrgInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Org"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getOrg: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The org */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Org"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listCollections: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of collections */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CollectionPage"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createCollection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateCollectionInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Collection"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCollection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                collectionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The collection */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Collection"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listContacts: {
        parameters: {
            query?: {
                reachability?: string;
                sort?: "name" | "reachability" | "strength";
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
                collectionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of contacts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ContactPage"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createContacts: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                collectionId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateContactsInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Contact"] | components["schemas"]["ContactImport"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getContact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                collectionId: string;
                contactId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The contact */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ContactDetail"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteContact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                collectionId: string;
                contactId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateContact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                collectionId: string;
                contactId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateContactInput"];
            };
        };
        responses: {
            /** @description The contact */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Contact"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setStrengthOverride: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                collectionId: string;
                contactId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StrengthOverrideInput"];
            };
        };
        responses: {
            /** @description The connection */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Connection"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listCollectionMembers: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
                collectionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of members */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CollectionMemberPage"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    addCollectionMember: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                collectionId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AddCollectionMemberInput"];
            };
        };
        responses: {
            /** @description Already a member */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CollectionMember"];
                };
            };
            /** @description Added */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CollectionMember"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    removeCollectionMember: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                collectionId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed, or was not a member */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listIntegrations: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of integrations */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IntegrationPage"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createIntegration: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateIntegrationInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Integration"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteIntegration: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                integrationId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    resolveUser: {
        parameters: {
            query?: {
                kind?: "slack" | "github" | "gitlab" | "linear" | "workos" | "email";
                externalId?: string;
                email?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRules: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The rule set */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rules"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    tuneRules: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TuneRulesInput"];
            };
        };
        responses: {
            /** @description The new rule set */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rules"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rebuildStats: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatsRebuildAccepted"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listUnmapped: {
        parameters: {
            query?: {
                kind?: "slack" | "github" | "gitlab" | "linear" | "workos" | "email";
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of unmapped identities */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnmappedIdentityPage"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    resolveUnmapped: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                kind: "slack" | "github" | "gitlab" | "linear" | "workos" | "email";
                externalId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResolveUnmappedInput"];
            };
        };
        responses: {
            /** @description Linked to the existing user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description Linked to a new user */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listUnresolvedCorrespondents: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of unresolved correspondents */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnresolvedCorrespondentPage"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listUsers: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of users */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserPage"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateUserInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateUserInput"];
            };
        };
        responses: {
            /** @description The updated user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listUserEvents: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of audit events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditEventPage"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    linkIdentity: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["IdentityRef"];
            };
        };
        responses: {
            /** @description Already linked to this user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Identity"];
                };
            };
            /** @description Linked */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Identity"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    unlinkIdentity: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
                kind: "slack" | "github" | "gitlab" | "linear" | "workos" | "email";
                externalId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Unlinked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setKeyConnection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["KeyConnectionInput"];
            };
        };
        responses: {
            /** @description The member's choice */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyConnection"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getMailbox: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The member's accounts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MailboxAccounts"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    disconnectMailbox: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
                provider: "google" | "microsoft";
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Disconnected; the wipe runs in the background */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateMailbox: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
                provider: "google" | "microsoft";
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateMailboxInput"];
            };
        };
        responses: {
            /** @description The account */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MailboxAccount"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    connectMailbox: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
                provider: "google" | "microsoft";
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConnectMailboxInput"];
            };
        };
        responses: {
            /** @description Where to send the member */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MailboxAuthorizeUrl"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    syncMailbox: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
                provider: "google" | "microsoft";
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MailboxSyncAccepted"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    mergeUsers: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MergeInput"];
            };
        };
        responses: {
            /** @description The merged user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    mintToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MintTokenInput"];
            };
        };
        responses: {
            /** @description Minted */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MintedToken"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    revokeToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
                tokenId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked, or already gone */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    whoAmI: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WhoAmI"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This caller may not do that */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    receiveAgentmailWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                integrationId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            /** @description Processed, ignored or a duplicate */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookAnswer"];
                };
            };
            /** @description No integration for this tenant */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookAnswer"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Another attempt is processing this delivery; retry after Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    receiveFindemWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            /** @description Processed or ignored */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        received: true;
                        /** @enum {string} */
                        outcome: "processed" | "ignored";
                    };
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    receiveGithubWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            /** @description Processed, ignored or a duplicate */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookAnswer"];
                };
            };
            /** @description No integration for this tenant */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookAnswer"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Another attempt is processing this delivery; retry after Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    receiveGitlabWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                integrationId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            /** @description Processed, ignored or a duplicate */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookAnswer"];
                };
            };
            /** @description No integration for this tenant */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookAnswer"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Another attempt is processing this delivery; retry after Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    receiveLinearWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            /** @description Processed, ignored or a duplicate */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookAnswer"];
                };
            };
            /** @description No integration for this tenant */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookAnswer"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Another attempt is processing this delivery; retry after Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    receiveSlackWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            /** @description Processed, ignored, a duplicate, or the echoed challenge */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookAnswer"] | {
                        challenge: string;
                    };
                };
            };
            /** @description No integration for this tenant */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookAnswer"];
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Another attempt is processing this delivery; retry after Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    receiveWorkosWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            /** @description Accepted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        received: true;
                    };
                };
            };
            /** @description The request is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Something went wrong */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
