import { randomUUID } from "node:crypto";
import { GRAPH_RESOURCE_ID, opaqueToken } from "./microsoft-wire";

/** What the Microsoft sandbox remembers: accounts, consents, codes and tokens. */

export interface MicrosoftAccountInput {
  /** How the sandbox finds the account (`signIn`, `revokeSessions`); also the default UPN and mail. */
  email: string;
  /** Defaults to `email`. */
  userPrincipalName?: string;
  /** Graph's `mail`; `null` for an account without a mailbox address. Defaults to `email`. */
  mail?: string | null;
  /** The directory (`tid`); the sandbox's default tenant when omitted. */
  tenantId?: string;
  /** Defaults to the local part of `email`. */
  displayName?: string;
  givenName?: string | null;
  surname?: string | null;
  /** The object id (`oid`, Graph `id`); a random UUID when omitted. */
  id?: string;
}

export interface MicrosoftAccount {
  id: string;
  email: string;
  userPrincipalName: string;
  mail: string | null;
  tenantId: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
}

export interface StoredAccount extends MicrosoftAccount {
  /** When sessions were last revoked (ms; 0: never), as Graph's signInSessionsValidFromDateTime. */
  tokensValidFrom: number;
  /** Grants with a lower sequence number than this were issued before the revocation. */
  validFromSeq: number;
}

export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  /** The `{tenant}` segment the code was requested under. */
  tenantPath: string;
  accountId: string;
  /** Scopes as requested on /authorize, normalized (`Mail.ReadBasic`, `openid`, …). */
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  nonce?: string;
  issuedAt: number;
  redeemed: boolean;
}

export interface RefreshGrant {
  clientId: string;
  accountId: string;
  issuedAt: number;
  /** Issue order, compared with the account's `validFromSeq` (a clock can tie; this cannot). */
  seq: number;
  /** Set by `expireRefreshTokens`: the next use is AADSTS700082. */
  expired: boolean;
}

export interface AccessGrant {
  clientId: string;
  accountId: string;
  /** Graph permissions the token carries (`scp`). */
  scopes: string[];
  expiresAt: number;
}

/** The OpenID Connect scopes: never a resource's permission, never need a resource. */
export const OIDC_SCOPES = ["openid", "profile", "email", "offline_access"] as const;

/**
 * Microsoft Graph delegated permissions a user can consent to without an administrator
 * (Graph permissions reference). Requesting any other Graph permission name is AADSTS650053, as
 * for a name Graph does not have; admin-only permissions (`User.Read.All`, …) are left out so
 * that a sandbox run never grants what a user could not.
 */
export const GRAPH_USER_SCOPES = [
  "User.Read",
  "User.ReadWrite",
  "User.ReadBasic.All",
  "Mail.Read",
  "Mail.ReadBasic",
  "Mail.ReadWrite",
  "Mail.Send",
  "Mail.Read.Shared",
  "Mail.ReadBasic.Shared",
  "MailboxSettings.Read",
  "MailboxSettings.ReadWrite",
  "Calendars.Read",
  "Calendars.ReadBasic",
  "Calendars.ReadWrite",
  "Calendars.Read.Shared",
  "Contacts.Read",
  "Contacts.ReadWrite",
  "People.Read",
  "Presence.Read",
] as const;

const GRAPH_PREFIXES = ["https://graph.microsoft.com/", `${GRAPH_RESOURCE_ID}/`];

export type ParsedScope =
  | { kind: "oidc"; value: string }
  | { kind: "graph"; value: string }
  | { kind: "graphDefault" }
  | { kind: "unknownGraph"; value: string }
  | { kind: "otherResource"; resource: string };

/** Classifies one scope as Microsoft does: case-insensitive, Graph's prefix optional. */
export function parseScope(raw: string): ParsedScope {
  const lower = raw.toLowerCase();
  const oidc = OIDC_SCOPES.find((scope) => scope === lower);
  if (oidc) return { kind: "oidc", value: oidc };
  let name = raw;
  const prefix = GRAPH_PREFIXES.find((p) => lower.startsWith(p.toLowerCase()));
  if (prefix) name = raw.slice(prefix.length);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) || raw.includes("/")) {
    return { kind: "otherResource", resource: raw.slice(0, raw.lastIndexOf("/")) || raw };
  }
  if (name === ".default") return { kind: "graphDefault" };
  const known = GRAPH_USER_SCOPES.find((scope) => scope.toLowerCase() === name.toLowerCase());
  return known ? { kind: "graph", value: known } : { kind: "unknownGraph", value: name };
}

export function splitScopes(value: string | null | undefined): string[] {
  return (value ?? "").split(/\s+/).filter((scope) => scope.length > 0);
}

export interface MicrosoftStateOptions {
  clientId: string;
  clientSecret: string;
  redirectUris?: string[];
  appName: string;
  accessTokenLifetimeSeconds: number;
  defaultTenantId: string;
}

export class MicrosoftState {
  readonly accounts = new Map<string, StoredAccount>();
  /** `${accountId}|${clientId}` → consented Graph permissions. */
  readonly consents = new Map<string, Set<string>>();
  readonly codes = new Map<string, CodeGrant>();
  readonly refreshTokens = new Map<string, RefreshGrant>();
  readonly accessTokens = new Map<string, AccessGrant>();
  /** Every code, access and refresh token issued, in order. */
  readonly issued: string[] = [];
  /** The account signed in to the sandbox's one browser session. */
  sessionAccountId: string | undefined;
  pendingDenials = 0;

  constructor(readonly options: MicrosoftStateOptions) {}

  addAccount(input: MicrosoftAccountInput): MicrosoftAccount {
    const email = input.email.trim();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new RangeError(`Not an email address: ${input.email}`);
    if (this.findAccount(email)) throw new Error(`Account ${email} already exists`);
    const upn = input.userPrincipalName ?? email;
    if (this.findAccount(upn)) throw new Error(`User principal name ${upn} is taken`);
    const account: StoredAccount = {
      id: input.id ?? randomUUID(),
      email,
      userPrincipalName: upn,
      mail: input.mail === undefined ? email : input.mail,
      tenantId: input.tenantId ?? this.options.defaultTenantId,
      displayName: input.displayName ?? email.slice(0, email.indexOf("@")),
      givenName: input.givenName ?? null,
      surname: input.surname ?? null,
      tokensValidFrom: 0,
      validFromSeq: 0,
    };
    if (this.accounts.has(account.id)) throw new Error(`Account id ${account.id} is taken`);
    this.accounts.set(account.id, account);
    return publicAccount(account);
  }

  /** By email or user principal name, case-insensitively. */
  findAccount(emailOrUpn: string): StoredAccount | undefined {
    const wanted = emailOrUpn.trim().toLowerCase();
    for (const account of this.accounts.values()) {
      if (account.email.toLowerCase() === wanted || account.userPrincipalName.toLowerCase() === wanted) {
        return account;
      }
    }
    return undefined;
  }

  requireAccount(emailOrUpn: string): StoredAccount {
    const account = this.findAccount(emailOrUpn);
    if (!account) throw new Error(`No account ${emailOrUpn}; call addAccount first`);
    return account;
  }

  /** Tenants the sandbox knows: those of its accounts and the default one. */
  knowsTenant(tenantId: string): boolean {
    const wanted = tenantId.toLowerCase();
    if (wanted === this.options.defaultTenantId.toLowerCase()) return true;
    return [...this.accounts.values()].some((account) => account.tenantId.toLowerCase() === wanted);
  }

  consented(accountId: string, clientId: string): Set<string> {
    const key = `${accountId}|${clientId}`;
    let scopes = this.consents.get(key);
    if (!scopes) {
      scopes = new Set();
      this.consents.set(key, scopes);
    }
    return scopes;
  }

  private seq = 0;

  /** A number larger than every one handed out before. */
  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  issue(kind: "code" | "access" | "refresh"): string {
    const token = opaqueToken(kind === "refresh" ? 64 : 48);
    this.issued.push(token);
    return token;
  }
}

export function publicAccount(account: StoredAccount): MicrosoftAccount {
  const { tokensValidFrom: _from, validFromSeq: _seq, ...rest } = account;
  return { ...rest };
}
