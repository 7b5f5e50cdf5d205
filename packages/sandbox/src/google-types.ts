import type { IncomingMessage, ServerResponse } from "node:http";

/** The public types of the Google sandbox (google.ts). */

export type GoogleEndpoint = "authorize" | "token" | "revoke" | "userinfo" | "certs" | "gmail" | "calendar";

export interface GoogleSandboxOptions {
  /** Defaults to a random `….apps.googleusercontent.com` id. */
  clientId?: string;
  /** Defaults to a random `GOCSPX-…` secret. */
  clientSecret?: string;
  /**
   * The client's authorized redirect URIs, matched exactly. When omitted, any http(s) URI is
   * accepted (convenient for tests and the local runtime; Google itself always needs them listed).
   */
  redirectUris?: string[];
  /** Lifetime of access tokens, `expires_in`; 3600 by default. */
  accessTokenLifetimeSeconds?: number;
  /** 0 (a free port) by default. */
  port?: number;
}

/** An injected outage; a new one for the same endpoint replaces a pending one. */
export interface GoogleFailure {
  endpoint: GoogleEndpoint;
  /** 5xx or 429. */
  status: number;
  /** How many consecutive requests to that endpoint fail; 1 by default. */
  times?: number;
  /** Replaces the Google-like default body. */
  body?: unknown;
}

export interface GoogleRecordedRequest {
  method: string;
  /** Without the query string (the revocation endpoint carries the token there). */
  path: string;
  endpoint: GoogleEndpoint | "unknown";
  /** `grant_type` of token requests. */
  grantType?: string;
  at: Date;
}

/** Who an access token acts for, and with which scopes. */
export interface GoogleAccessGrant {
  account: { email: string; sub: string };
  clientId: string;
  scopes: string[];
}

export type GoogleAccessCheck =
  | ({ ok: true } & GoogleAccessGrant)
  | { ok: false; reason: "invalid" | "insufficient_scope" };

export interface GoogleRouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: string;
  /** The match of a RegExp route pattern. */
  match?: RegExpExecArray;
}

export type GoogleRouteHandler = (context: GoogleRouteContext) => Promise<void> | void;
