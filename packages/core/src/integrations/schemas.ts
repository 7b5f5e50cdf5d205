import * as z from "zod/mini";

/** The providers an integration can connect, and how their tenant ids and settings look. */

export const PROVIDERS = ["slack", "github", "gitlab", "linear", "agentmail"] as const;
export const ProviderSchema = z.enum(PROVIDERS);
export type Provider = z.infer<typeof ProviderSchema>;

/** Providers whose route carries the integration id and which sign with the integration's own secret. */
export const PATH_ROUTED: readonly Provider[] = ["gitlab", "agentmail"];

const SlackSettingsSchema = z.strictObject({
  /** `xoxb-…`, used for `users.info`; sealed like a secret and never returned. */
  botToken: z.optional(
    z.string().check(z.trim(), z.regex(/^xox[bp]-[A-Za-z0-9-]{8,250}$/, "a Slack bot token (xoxb-…)")),
  ),
  /** The app's own bot user, whose events are ignored. */
  botUserId: z.optional(z.string().check(z.trim(), z.toUpperCase(), z.regex(/^[UW][A-Z0-9]{2,}$/))),
});
const GitHubSettingsSchema = z.strictObject({
  /**
   * The GitHub App installation that proves the claim (required when an org admin claims an
   * account; a claimed installation id proves itself). Kept: it is not a secret.
   */
  installationId: z.optional(z.int().check(z.positive(), z.lte(Number.MAX_SAFE_INTEGER))),
});
const GitLabSettingsSchema = z.strictObject({
  /** A self-managed instance's host (`gitlab.example.com`); identities are then `host:id`. Default: the payload's host. */
  host: z.optional(
    z
      .string()
      .check(
        z.trim(),
        z.toLowerCase(),
        z.regex(/^[a-z0-9.-]+(?::\d{1,5})?$/, "a host name, without scheme"),
        z.maxLength(253),
      ),
  ),
});
const LinearSettingsSchema = z.strictObject({
  /** The app's own bot user (a Linear user uuid), whose events are ignored. */
  botUserId: z.optional(z.pipe(z.string().check(z.trim(), z.toLowerCase()), z.uuid())),
  /** A Linear API key of the organization: proves the claim, then is dropped (never stored). */
  apiKey: z.optional(z.string().check(z.trim(), z.minLength(8), z.maxLength(512))),
  /** Or an OAuth access token of the organization: the same. */
  accessToken: z.optional(z.string().check(z.trim(), z.minLength(8), z.maxLength(2048))),
});

/** Settings that only prove a claim: used once, never stored. */
export const PROOF_ONLY_SETTINGS = ["apiKey", "accessToken"] as const;
const AgentMailSettingsSchema = z.strictObject({
  /** Senders outside these domains are ignored. Required: mail arrives from anyone. */
  allowedDomains: z
    .array(
      z
        .string()
        .check(
          z.trim(),
          z.toLowerCase(),
          z.regex(/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, "a domain name"),
        ),
    )
    .check(z.minLength(1), z.maxLength(50)),
});

export const SETTINGS_SCHEMAS = {
  slack: SlackSettingsSchema,
  github: GitHubSettingsSchema,
  gitlab: GitLabSettingsSchema,
  linear: LinearSettingsSchema,
  agentmail: AgentMailSettingsSchema,
} as const;

export type IntegrationSettings = {
  slack: z.infer<typeof SlackSettingsSchema>;
  github: z.infer<typeof GitHubSettingsSchema>;
  gitlab: z.infer<typeof GitLabSettingsSchema>;
  linear: z.infer<typeof LinearSettingsSchema>;
  agentmail: z.infer<typeof AgentMailSettingsSchema>;
};

/** How each provider's tenant id is spelled once, so `T0ABC` and `t0abc` are one claim. */
export function canonicalTenantId(provider: Provider, raw: string): string | undefined {
  const value = raw.trim();
  switch (provider) {
    case "slack":
      return /^[TE][A-Z0-9]{2,}$/i.test(value) ? value.toUpperCase() : undefined;
    case "github": {
      // `installation:N`, `organization:N` or `account:N` match only that kind of id; a plain `N`
      // matches any of them, in the contract's order (installation, organization, owner).
      const match = /^(?:(installation|organization|org|account):)?(\d{1,20})$/i.exec(value);
      if (!match) return undefined;
      const id = (match[2] as string).replace(/^0+(?=\d)/, "");
      const kind = match[1]?.toLowerCase();
      return kind ? `${kind === "org" ? "organization" : kind}:${id}` : id;
    }
    case "linear":
      return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
        ? value.toLowerCase()
        : undefined;
    default:
      // GitLab and AgentMail route by integration id; their tenant id is a free-form label (a group, an inbox).
      return value.length >= 1 && value.length <= 200 && /^[\p{L}\p{N}\p{P}\p{S} ]+$/u.test(value)
        ? value
        : undefined;
  }
}

export const CreateIntegrationInputSchema = z
  .strictObject({
    provider: ProviderSchema,
    externalTenantId: z.string().check(z.minLength(1), z.maxLength(200)),
    secret: z.optional(z.string().check(z.minLength(8), z.maxLength(1024))),
    settings: z.optional(z.record(z.string(), z.unknown())),
  })
  .check(
    z.superRefine((input, context) => {
      if (canonicalTenantId(input.provider, input.externalTenantId) === undefined) {
        context.addIssue({
          code: "custom",
          path: ["externalTenantId"],
          message: {
            slack: "a Slack team id (T…)",
            github:
              "a numeric GitHub installation, organization or account id, optionally typed: installation:N, organization:N, account:N",
            linear: "a Linear organization uuid",
            gitlab: "1 to 200 printable characters",
            agentmail: "1 to 200 printable characters",
          }[input.provider],
        });
      }
      if (PATH_ROUTED.includes(input.provider) && !input.secret) {
        context.addIssue({
          code: "custom",
          path: ["secret"],
          message: `${input.provider} webhooks are verified with the integration's own secret; it is required`,
        });
      }
      if (
        input.provider === "agentmail" &&
        input.secret &&
        !/^whsec_[A-Za-z0-9+/=]{16,}$/.test(input.secret)
      ) {
        context.addIssue({
          code: "custom",
          path: ["secret"],
          message: "a Standard Webhooks signing secret (whsec_…)",
        });
      }
      const settings = SETTINGS_SCHEMAS[input.provider].safeParse(input.settings ?? {});
      if (!settings.success) {
        for (const issue of settings.error.issues) {
          context.addIssue({ code: "custom", path: ["settings", ...issue.path], message: issue.message });
        }
      }
    }),
  )
  .register(z.globalRegistry, { id: "CreateIntegrationInput" });
export type CreateIntegrationInput = z.input<typeof CreateIntegrationInputSchema>;

export const IntegrationSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    provider: ProviderSchema,
    externalTenantId: z.string(),
    /** Where the provider must deliver: relative to the API's base URL. */
    webhookPath: z.string(),
    /** Settings without any secret; `botToken` shows only whether one is stored. */
    settings: z.record(z.string(), z.unknown()),
    hasSecret: z.boolean(),
    createdAt: z.string(),
  })
  .register(z.globalRegistry, { id: "Integration" });
export type Integration = z.infer<typeof IntegrationSchema>;
