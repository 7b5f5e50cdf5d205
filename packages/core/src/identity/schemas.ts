import * as z from "zod/mini";
import { hasUnsafeCharacters, jsonDepth, jsonKeys, jsonLeaves, nameSchema } from "../util/text";

/**
 * The identity module's public shapes. Handlers validate with these, and the OpenAPI document is
 * generated from them, so the contract cannot drift from what the code accepts.
 */

export const IDENTITY_KINDS = ["slack", "github", "gitlab", "linear", "workos", "email"] as const;
export const IdentityKindSchema = z.enum(IDENTITY_KINDS);
export type IdentityKind = z.infer<typeof IdentityKindSchema>;

export const ACCESS_ROLES = ["admin", "member"] as const;
export const USER_STATUSES = ["invited", "active", "suspended"] as const;

/**
 * Caps that keep every change to one user (and a merge of two) inside one 100-item transaction,
 * and every user item (and the audit snapshots that copy it) well inside DynamoDB's 400 KB item
 * and 32-level nesting limits: `metadata` is at most 16 KiB as JSON and nests at most 10 levels.
 */
export const LIMITS = {
  identities: 25,
  emailAliases: 10,
  tokens: 10,
  metadataBytes: 16_384,
  metadataDepth: 10,
} as const;

/** Emails are compared and stored lower-cased and trimmed; primary and aliases share one claim space. */
export const EmailSchema = z.pipe(
  z.string().check(z.trim(), z.toLowerCase(), z.maxLength(254)),
  z.email("not a valid email address"),
);

const SLACK = /^T[A-Z0-9]{2,}:[UW][A-Z0-9]{2,}$/;
const NUMERIC = /^\d{1,20}$/;
const HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const WORKOS = /^[A-Za-z0-9_-]{1,128}$/;

/** gitlab.com ids carry no host prefix; a self-managed instance's ids are `host:id`. */
const GITLAB_DOTCOM = "gitlab.com";

function stripLeadingZeros(digits: string): string {
  return digits.replace(/^0+(?=\d)/, "");
}

/**
 * The one canonical spelling of an external id, so one account can never be claimed twice under
 * two spellings. Returns undefined when the id is not valid for its kind.
 * - slack: `T…:U…`, team-scoped, upper-case.
 * - github: the numeric user id (never the login, which can change).
 * - gitlab: the numeric user id, prefixed `host:` for a self-managed instance.
 * - linear: the user uuid, lower-case.
 * - workos: the directory user id, as issued.
 * - email: a mailbox that writes to the team (AgentMail), lower-cased.
 */
export function canonicalExternalId(kind: IdentityKind, raw: string): string | undefined {
  const value = raw.trim();
  switch (kind) {
    case "slack": {
      const upper = value.toUpperCase();
      return SLACK.test(upper) ? upper : undefined;
    }
    case "github":
      return NUMERIC.test(value) ? stripLeadingZeros(value) : undefined;
    case "gitlab": {
      if (NUMERIC.test(value)) return stripLeadingZeros(value);
      const separator = value.lastIndexOf(":");
      if (separator <= 0) return undefined;
      const host = value.slice(0, separator).toLowerCase().replace(/\.$/, "");
      const id = value.slice(separator + 1);
      if (!HOST.test(host) || !NUMERIC.test(id)) return undefined;
      return host === GITLAB_DOTCOM ? stripLeadingZeros(id) : `${host}:${stripLeadingZeros(id)}`;
    }
    case "linear": {
      const lower = value.toLowerCase();
      return UUID.test(lower) ? lower : undefined;
    }
    case "workos":
      return WORKOS.test(value) ? value : undefined;
    case "email": {
      const parsed = EmailSchema.safeParse(value);
      return parsed.success ? parsed.data : undefined;
    }
  }
}

/** `{kind, externalId}` with the external id canonicalized, or a 400 naming `externalId`. */
export const IdentityRefSchema = z
  .pipe(
    z.object({ kind: IdentityKindSchema, externalId: z.string().check(z.minLength(1), z.maxLength(300)) }),
    z.transform((value: { kind: IdentityKind; externalId: string }, context) => {
      const externalId = canonicalExternalId(value.kind, value.externalId);
      if (externalId === undefined) {
        context.issues.push({
          code: "custom",
          input: value.externalId,
          path: ["externalId"],
          message: `not a valid ${value.kind} id (see the identity kinds in the API docs)`,
        });
        return z.NEVER;
      }
      return { kind: value.kind, externalId };
    }),
  )
  .register(z.globalRegistry, { id: "IdentityRef" });
export type IdentityRef = z.output<typeof IdentityRefSchema>;

const TimezoneSchema = z.string().check(
  z.minLength(1),
  z.maxLength(64),
  z.refine((zone) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, "not an IANA time zone"),
);

/**
 * Whether DynamoDB (through the document client) can store a number exactly: safe integers, and
 * fractions no smaller than its 1E-130 floor. Anything else would fail at write time as a 500.
 */
function storableNumber(value: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (Number.isInteger(value)) return Number.isSafeInteger(value);
  return Math.abs(value) >= 1e-130 && Math.abs(value) <= Number.MAX_SAFE_INTEGER;
}

/**
 * Free-form metadata, checked for everything DynamoDB would refuse at write time (a 500 then):
 * depth first (iteratively, so a body nested 10,000 deep is a 400, not a stack overflow), then
 * empty keys, unstorable numbers and size.
 */
const MetadataSchema = z.record(z.string(), z.unknown()).check(
  z.superRefine((value, context) => {
    const problem = (message: string) => context.addIssue({ code: "custom", message, input: value });
    // The record itself is level 1.
    if (jsonDepth(value, LIMITS.metadataDepth) > LIMITS.metadataDepth) {
      return problem(`nests at most ${LIMITS.metadataDepth} levels of objects and arrays`);
    }
    for (const key of jsonKeys(value)) if (key.length === 0) return problem("keys may not be empty");
    for (const leaf of jsonLeaves(value)) {
      if (typeof leaf === "number" && !storableNumber(leaf)) {
        return problem("numbers must be safe integers or fractions between 1e-130 and 2^53");
      }
    }
    if (Buffer.byteLength(JSON.stringify(value)) > LIMITS.metadataBytes) {
      problem(`at most ${LIMITS.metadataBytes} bytes as JSON`);
    }
  }),
);

const profileFields = {
  name: nameSchema(200),
  email: z.nullable(EmailSchema),
  emailAliases: z.array(EmailSchema).check(z.maxLength(LIMITS.emailAliases)),
  role: z.nullable(
    z.string().check(
      z.trim(),
      z.maxLength(200),
      z.refine(
        (value) => !hasUnsafeCharacters(value),
        "control characters and bidirectional overrides are not allowed",
      ),
    ),
  ),
  accessRole: z.enum(ACCESS_ROLES),
  status: z.enum(USER_STATUSES),
  timezone: z.nullable(TimezoneSchema),
  preferredChannel: z.string().check(z.trim(), z.minLength(1), z.maxLength(32)),
  notes: z.nullable(z.string().check(z.maxLength(4000))),
  metadata: z.nullable(MetadataSchema),
  // Whole cents and up: a budget is money, and sub-cent values would only be rounding noise.
  dailyBudgetUsd: z.nullable(
    z.number().check(
      z.gte(0),
      z.lte(1_000_000),
      z.refine((value) => value === 0 || value >= 0.01, "0, or at least 0.01"),
    ),
  ),
};

/** Every profile field, each optional: a PATCH, and the base of a create. Unknown fields are a 400. */
const ProfileChangesSchema = z.partial(z.strictObject(profileFields));

export const CreateUserInputSchema = z
  .extend(ProfileChangesSchema, {
    name: profileFields.name,
    identities: z.optional(z.array(IdentityRefSchema).check(z.maxLength(LIMITS.identities))),
  })
  .register(z.globalRegistry, { id: "CreateUserInput" });
export type CreateUserInput = z.input<typeof CreateUserInputSchema>;

export const UpdateUserInputSchema = ProfileChangesSchema.clone().register(z.globalRegistry, {
  id: "UpdateUserInput",
});
export type UpdateUserInput = z.input<typeof UpdateUserInputSchema>;

export const IdentitySchema = z
  .object({ kind: IdentityKindSchema, externalId: z.string(), createdAt: z.string() })
  .register(z.globalRegistry, { id: "Identity" });
export type Identity = z.infer<typeof IdentitySchema>;

export const TokenMetadataSchema = z
  .object({
    id: z.string(),
    preview: z.string(),
    label: z.nullable(z.string()),
    /**
     * What the token may do: the lesser of the role it was minted with and its user's role now, so
     * a token never gains access (not by a promotion, not by a merge into an admin).
     */
    accessRole: z.enum(ACCESS_ROLES),
    createdAt: z.string(),
    lastUsedAt: z.nullable(z.string()),
  })
  .register(z.globalRegistry, { id: "TokenMetadata" });
export type TokenMetadata = z.infer<typeof TokenMetadataSchema>;

export const UserSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    name: z.string(),
    email: z.nullable(z.string()),
    emailAliases: z.array(z.string()),
    role: z.nullable(z.string()),
    accessRole: z.enum(ACCESS_ROLES),
    status: z.enum(USER_STATUSES),
    timezone: z.nullable(z.string()),
    preferredChannel: z.string(),
    notes: z.nullable(z.string()),
    metadata: z.nullable(z.record(z.string(), z.unknown())),
    dailyBudgetUsd: z.nullable(z.number()),
    identities: z.array(IdentitySchema),
    tokens: z.array(TokenMetadataSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .register(z.globalRegistry, { id: "User" });
export type User = z.infer<typeof UserSchema>;

export const AUDIT_EVENT_TYPES = [
  "user_created",
  "user_deleted",
  "auto_link",
  "manual_merge",
  "identity_added",
  "identity_removed",
  "email_added",
  "email_removed",
  "token_minted",
  "token_revoked",
  "budget_changed",
  "status_changed",
  "profile_changed",
  "strength_overridden",
  "key_connection_changed",
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export const AuditEventSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    eventType: z.enum(AUDIT_EVENT_TYPES),
    actor: z.string(),
    before: z.nullable(z.unknown()),
    after: z.nullable(z.unknown()),
    createdAt: z.string(),
  })
  .register(z.globalRegistry, { id: "AuditEvent" });
export type AuditEvent = z.infer<typeof AuditEventSchema>;

export const UnmappedIdentitySchema = z
  .object({
    kind: IdentityKindSchema,
    externalId: z.string(),
    count: z.int(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    sampleEventType: z.string(),
    sampleContext: z.string(),
    candidates: z.array(z.string()),
  })
  .register(z.globalRegistry, { id: "UnmappedIdentity" });
export type UnmappedIdentity = z.infer<typeof UnmappedIdentitySchema>;

export const MintTokenInputSchema = z
  .strictObject({ label: z.optional(nameSchema(100)) })
  .register(z.globalRegistry, { id: "MintTokenInput" });

export const MintedTokenSchema = z
  .object({
    id: z.string(),
    token: z.string(),
    preview: z.string(),
    label: z.nullable(z.string()),
    /** The role the token is minted with (its user's now); it never acts with more. */
    accessRole: z.enum(ACCESS_ROLES),
    createdAt: z.string(),
  })
  .register(z.globalRegistry, { id: "MintedToken" });
export type MintedToken = z.infer<typeof MintedTokenSchema>;

export const MergeInputSchema = z
  .strictObject({ sourceUserId: z.string().check(z.minLength(1), z.maxLength(64)) })
  .register(z.globalRegistry, { id: "MergeInput" });

export const ResolveUnmappedInputSchema = z
  .union([
    z.strictObject({ userId: z.string().check(z.minLength(1), z.maxLength(64)) }),
    z.strictObject({ name: profileFields.name, email: z.optional(EmailSchema) }),
  ])
  .register(z.globalRegistry, { id: "ResolveUnmappedInput" });
export type ResolveUnmappedInput = z.output<typeof ResolveUnmappedInputSchema>;

/** `GET /resolve`: `?kind=&externalId=` or `?email=`. */
export const LookupQuerySchema = z.object({
  kind: z.optional(IdentityKindSchema),
  externalId: z.optional(z.string().check(z.minLength(1), z.maxLength(300))),
  email: z.optional(z.string().check(z.minLength(1), z.maxLength(254))),
});

/** `GET /unmapped`: optionally one kind, plus the list query. */
export const UnmappedQuerySchema = z.object({
  kind: z.optional(IdentityKindSchema),
  limit: z.optional(z.string().check(z.maxLength(8))),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
});

/** `GET /v1/whoami`: the caller, and for a user token its user. */
export const WhoAmISchema = z
  .object({
    actor: z.string(),
    kind: z.enum(["operator", "user"]),
    orgId: z.nullable(z.string()),
    user: z.nullable(UserSchema),
  })
  .register(z.globalRegistry, { id: "WhoAmI" });
export type WhoAmI = z.infer<typeof WhoAmISchema>;
