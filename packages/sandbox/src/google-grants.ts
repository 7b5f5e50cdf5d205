import { createHash, randomBytes, randomInt } from "node:crypto";
import { ulid } from "ulid";
import { CODE_LIFETIME_SECONDS } from "./google-wire";

/**
 * The Google sandbox's state: Google accounts, OAuth clients, the user's authorization of each
 * client ("Third-party apps with account access"), and the codes and tokens issued under it.
 *
 * An authorization belongs to one client and one account and gathers every scope the user ever
 * granted that client. Revoking any of its tokens, or the user removing the app, deletes it: every
 * code, access token and refresh token issued under it stops working at once, and the next
 * authorization request shows the consent screen again. Tokens stay in the maps after that (marked
 * by the dead authorization id) so the token endpoint can answer "expired or revoked" rather than
 * "unknown".
 */

export interface GoogleAccountInput {
  email: string;
  /** Google's stable account id: 21 decimal digits; random by default. */
  sub?: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  /** A profile photo URL; Google's default avatar by default. */
  picture?: string;
  /** Defaults to true (every Gmail address is verified). */
  emailVerified?: boolean;
  /** The Google Workspace domain (`hd`); unset for consumer accounts. */
  hostedDomain?: string;
}

export interface GoogleAccount {
  email: string;
  sub: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  picture: string;
  emailVerified: boolean;
  hostedDomain?: string;
  /** Position in the browser's account list: the redirect's `authuser`. */
  index: number;
}

export interface GoogleClient {
  clientId: string;
  clientSecret: string;
  /** Undefined: any http(s) redirect URI is accepted. */
  redirectUris?: readonly string[];
}

interface Authorization {
  id: string;
  scopes: Set<string>;
}

export interface StoredCode {
  clientId: string;
  sub: string;
  grantId: string;
  redirectUri: string;
  scopes: string[];
  challenge?: { value: string; method: "S256" | "plain" };
  nonce?: string;
  /** access_type=offline and the consent screen was shown. */
  issuesRefreshToken: boolean;
  expiresAt: number;
  redeemed: boolean;
}

export interface StoredToken {
  clientId: string;
  sub: string;
  grantId: string;
  scopes: string[];
}

export interface StoredAccessToken extends StoredToken {
  expiresAt: number;
}

export const AUTH_CODE = /^4\/0A[A-Za-z0-9_-]{40,}$/;

function secret(prefix: string, bytes: number): string {
  return `${prefix}${randomBytes(bytes).toString("base64url")}`;
}

export class GoogleGrants {
  readonly accounts: GoogleAccount[] = [];
  readonly clients = new Map<string, GoogleClient>();
  private readonly authorizations = new Map<string, Authorization>();
  private readonly codes = new Map<string, StoredCode>();
  private readonly refreshTokens = new Map<string, StoredToken>();
  private readonly accessTokens = new Map<string, StoredAccessToken>();
  private offsetMs = 0;
  accessTokenLifetimeSeconds: number;

  constructor(accessTokenLifetimeSeconds: number) {
    this.accessTokenLifetimeSeconds = accessTokenLifetimeSeconds;
  }

  /** The sandbox's clock, in milliseconds; {@link advance} moves it forward. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  // ---- accounts -------------------------------------------------------------------------------

  addAccount(input: GoogleAccountInput): GoogleAccount {
    const email = input.email.trim();
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
      throw new RangeError(`Not an email address: ${input.email}`);
    const sub = input.sub ?? `1${Array.from({ length: 20 }, () => randomInt(10)).join("")}`;
    if (!/^\d{1,255}$/.test(sub)) throw new RangeError(`Google account ids are decimal digits, got ${sub}`);
    if (this.accounts.some((account) => account.sub === sub || sameEmail(account.email, email))) {
      throw new Error(`Account ${email} (${sub}) already exists`);
    }
    const account: GoogleAccount = {
      email,
      sub,
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.givenName === undefined ? {} : { givenName: input.givenName }),
      ...(input.familyName === undefined ? {} : { familyName: input.familyName }),
      picture: input.picture ?? "https://lh3.googleusercontent.com/a/default-user=s96-c",
      emailVerified: input.emailVerified ?? true,
      ...(input.hostedDomain === undefined ? {} : { hostedDomain: input.hostedDomain }),
      index: this.accounts.length,
    };
    this.accounts.push(account);
    return account;
  }

  /** By email (case-insensitive) or by `sub`, as `login_hint` may carry either. */
  findAccount(emailOrSub: string): GoogleAccount | undefined {
    return this.accounts.find(
      (account) => account.sub === emailOrSub || sameEmail(account.email, emailOrSub),
    );
  }

  accountBySub(sub: string): GoogleAccount {
    const account = this.accounts.find((candidate) => candidate.sub === sub);
    if (!account) throw new Error(`No account ${sub}`);
    return account;
  }

  // ---- authorizations -------------------------------------------------------------------------

  grantedScopes(clientId: string, sub: string): ReadonlySet<string> | undefined {
    return this.authorizations.get(key(clientId, sub))?.scopes;
  }

  /** Records the user's consent; returns the authorization's id. */
  authorize(clientId: string, sub: string, scopes: Iterable<string>): string {
    let authorization = this.authorizations.get(key(clientId, sub));
    if (!authorization) {
      authorization = { id: ulid(), scopes: new Set() };
      this.authorizations.set(key(clientId, sub), authorization);
    }
    for (const scope of scopes) authorization.scopes.add(scope);
    return authorization.id;
  }

  /** The user removed the app (every client, unless one is named). Returns how many were removed. */
  removeAuthorizations(sub: string, clientId?: string): number {
    let removed = 0;
    for (const candidate of this.clients.keys()) {
      if (clientId !== undefined && candidate !== clientId) continue;
      if (this.authorizations.delete(key(candidate, sub))) removed += 1;
    }
    return removed;
  }

  private live(token: { clientId: string; sub: string; grantId: string }): boolean {
    return this.authorizations.get(key(token.clientId, token.sub))?.id === token.grantId;
  }

  // ---- codes and tokens -----------------------------------------------------------------------

  issueCode(code: Omit<StoredCode, "expiresAt" | "redeemed">): string {
    const value = secret("4/0A", 48);
    this.codes.set(value, { ...code, expiresAt: this.now() + CODE_LIFETIME_SECONDS * 1000, redeemed: false });
    return value;
  }

  /** The code if it can still be redeemed: known, unused, unexpired, its authorization alive. */
  redeemableCode(value: string): StoredCode | undefined {
    const code = this.codes.get(value);
    if (!code || code.redeemed || this.now() >= code.expiresAt || !this.live(code)) return undefined;
    return code;
  }

  issueAccessToken(grant: StoredToken): { token: string; expiresIn: number } {
    const token = secret("ya29.", 96);
    const expiresIn = this.accessTokenLifetimeSeconds;
    this.accessTokens.set(token, {
      ...grant,
      scopes: [...grant.scopes],
      expiresAt: this.now() + expiresIn * 1000,
    });
    return { token, expiresIn };
  }

  issueRefreshToken(grant: StoredToken): string {
    const token = secret("1//0", 72);
    this.refreshTokens.set(token, { ...grant, scopes: [...grant.scopes] });
    return token;
  }

  /** A refresh token: `unknown` if never issued here, `revoked` if its authorization is gone. */
  refreshToken(
    value: string,
  ): { state: "live"; token: StoredToken } | { state: "revoked" } | { state: "unknown" } {
    const token = this.refreshTokens.get(value);
    if (!token) return { state: "unknown" };
    return this.live(token) ? { state: "live", token } : { state: "revoked" };
  }

  /** A live, unexpired access token. */
  accessToken(value: string): StoredAccessToken | undefined {
    const token = this.accessTokens.get(value);
    if (!token || this.now() >= token.expiresAt || !this.live(token)) return undefined;
    return token;
  }

  /**
   * Revokes the authorization behind a live access or refresh token (Google: revoking an access
   * token also revokes its refresh token). False if the token is unknown, expired or already revoked.
   */
  revoke(value: string): boolean {
    const token = this.accessToken(value) ?? this.refreshTokens.get(value);
    if (!token || !this.live(token)) return false;
    this.authorizations.delete(key(token.clientId, token.sub));
    return true;
  }

  expireAccessTokens(): void {
    const now = this.now();
    for (const token of this.accessTokens.values()) token.expiresAt = Math.min(token.expiresAt, now);
  }

  issuedSecrets(): string[] {
    return [...this.codes.keys(), ...this.accessTokens.keys(), ...this.refreshTokens.keys()];
  }
}

function key(clientId: string, sub: string): string {
  return `${clientId}\n${sub}`;
}

function sameEmail(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** RFC 7636: does `verifier` answer the challenge? */
export function verifierMatches(
  challenge: { value: string; method: "S256" | "plain" },
  verifier: string,
): boolean {
  const computed =
    challenge.method === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
  return computed === challenge.value;
}
