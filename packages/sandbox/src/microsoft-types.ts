import type { LoopbackTls } from "./tls";

/** The public types of the Microsoft sandbox (microsoft.ts). */

export type MicrosoftEndpoint =
  | "authorize"
  | "token"
  | "logout"
  | "openid-configuration"
  | "keys"
  | "instance-discovery"
  | "me"
  | "graph"
  | "unknown";

/** One request the sandbox received; never a secret, code or token. */
export interface MicrosoftRecordedRequest {
  endpoint: MicrosoftEndpoint;
  method: string;
  path: string;
  /** The `{tenant}` path segment of a login-host request. */
  tenant?: string;
  clientId?: string;
  grantType?: string;
  /** Scopes named by an authorize or token request. */
  scopes?: string[];
  /** Graph: whether an `Authorization: Bearer` header came with the request. */
  bearer?: boolean;
  /** The HTTP status answered. */
  status?: number;
}

export interface MicrosoftFailure {
  /** `graph` fails any Graph request; `me` only `/v1.0/me`. */
  endpoint: "token" | "authorize" | "me" | "graph";
  /** 429 or a 5xx. */
  status: number;
  times?: number;
  /** `Retry-After` seconds; 1 by default for 429 and 503. */
  retryAfterSeconds?: number;
}

export interface MicrosoftSandboxOptions {
  /** The app's client id; a random UUID by default. */
  clientId?: string;
  /** The app's client secret; random by default. */
  clientSecret?: string;
  /** Registered redirect URIs; when omitted every absolute URI is accepted. */
  redirectUris?: string[];
  /** The app's display name, as AADSTS messages quote it. */
  appName?: string;
  /** `expires_in` of access tokens; 3600 by default. */
  accessTokenLifetimeSeconds?: number;
  /** The tenant of accounts added without one; a random UUID by default. */
  defaultTenantId?: string;
  /** Certificate and key to serve; `loopbackTls(KITH_SANDBOX_TLS_DIR or a stable temp dir)` by default. */
  tls?: Pick<LoopbackTls, "key" | "cert"> & { caFile?: string };
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
}
