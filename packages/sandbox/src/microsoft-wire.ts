import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
  sign,
} from "node:crypto";
import type { ServerResponse } from "node:http";
import { generate } from "selfsigned";
import { sendJson } from "./http";

/**
 * Wire shapes of Microsoft's identity platform (login.microsoftonline.com) and Microsoft Graph,
 * shared by the sandbox's files. Sources, all public:
 * - "Microsoft identity platform and OAuth 2.0 authorization code flow" (learn.microsoft.com,
 *   MicrosoftDocs/entra-docs docs/identity-platform/v2-oauth2-auth-code-flow.md): parameters, the
 *   token response, and the error body `{ error, error_description, error_codes, timestamp,
 *   trace_id, correlation_id }` whose description ends in `\r\nTrace ID: …\r\nCorrelation ID:
 *   …\r\nTimestamp: 2016-01-09 02:02:12Z`.
 * - "Microsoft Entra authentication and authorization error codes" (reference-error-codes.md):
 *   the AADSTS numbers and `error_uri` `https://login.microsoftonline.com/error?code=N`.
 * - AADSTS message texts as Microsoft sends them, quoted in public issue threads (7000215,
 *   54005, 70000, 50173, 700082, 65001 with `suberror: consent_required`, 65004, 650053,
 *   700016, 50011, 900144).
 * - Graph: "Get user" (microsoft-graph-docs api-reference/v1.0/api/user-get.md) and Graph's
 *   401 body `{ error: { code: "InvalidAuthenticationToken", message, innerError: { date,
 *   "request-id", "client-request-id" } } }` with messages "Access token is empty." and "Access
 *   token has expired or is not yet valid.".
 */

/** Microsoft Graph's application id: the resource of Graph scopes, named in AADSTS650053. */
export const GRAPH_RESOURCE_ID = "00000003-0000-0000-c000-000000000000";
/** The tenant of personal Microsoft accounts (`tid` of an MSA user). */
export const MSA_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

export function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString("base64url");
}

/** An opaque credential: codes, access and refresh tokens are random, never parseable. */
export function opaqueToken(bytes = 48): string {
  return randomBytes(bytes).toString("base64url");
}

/** `2016-01-09 02:02:12Z`: the timestamp format of AADSTS errors. */
export function stsTimestamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** `2020-12-11T09:41:15.6470000Z`: the 7-digit form AADSTS50173 quotes dates in. */
export function stsDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

export interface AadErrorInput {
  /** The OAuth `error`: invalid_grant, invalid_client, invalid_request, … */
  error: string;
  /** The AADSTS number. */
  code: number;
  /** The message after `AADSTS<code>: `. */
  message: string;
  suberror?: string;
  /** The caller's `client-request-id`, which Microsoft echoes as the correlation id. */
  correlationId?: string;
}

/** The JSON body of a token-endpoint error, as Microsoft's STS sends it. */
export function aadErrorBody(loginUrl: string, input: AadErrorInput): Record<string, unknown> {
  const traceId = randomUUID();
  const correlationId = input.correlationId ?? randomUUID();
  const timestamp = stsTimestamp();
  return {
    error: input.error,
    error_description: `${aadDescription(input, traceId, correlationId, timestamp)}`,
    error_codes: [input.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${loginUrl}/error?code=${input.code}`,
    ...(input.suberror ? { suberror: input.suberror } : {}),
  };
}

function aadDescription(input: AadErrorInput, traceId: string, correlationId: string, timestamp: string) {
  return (
    `AADSTS${input.code}: ${input.message}\r\nTrace ID: ${traceId}\r\n` +
    `Correlation ID: ${correlationId}\r\nTimestamp: ${timestamp}`
  );
}

/** The query of an error sent back to the app's redirect URI (`?error=…&error_description=…`). */
export function aadErrorRedirect(
  redirectUri: string,
  loginUrl: string,
  input: AadErrorInput,
  state: string | undefined,
): string {
  const target = new URL(redirectUri);
  const timestamp = stsTimestamp();
  target.searchParams.set("error", input.error);
  target.searchParams.set(
    "error_description",
    aadDescription(input, randomUUID(), input.correlationId ?? randomUUID(), timestamp),
  );
  target.searchParams.set("error_uri", `${loginUrl}/error?code=${input.code}`);
  if (state !== undefined) target.searchParams.set("state", state);
  return target.toString();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The sign-in page's error (HTTP 200, as Microsoft renders it when it cannot trust the redirect
 * URI): "Sorry, but we’re having trouble signing you in." with Request Id, Correlation Id,
 * Timestamp and the AADSTS message. Returned for an unknown client or a redirect URI mismatch.
 */
export function sendErrorPage(res: ServerResponse, code: number, message: string, status = 200): void {
  const requestId = randomUUID();
  const html =
    "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>" +
    "<h1>Sign in</h1><p>Sorry, but we’re having trouble signing you in.</p>" +
    `<p>AADSTS${code}: ${escapeHtml(message)}</p>` +
    `<pre>Request Id: ${requestId}\nCorrelation Id: ${randomUUID()}\n` +
    `Timestamp: ${new Date().toISOString().slice(0, 19)}Z\nMessage: AADSTS${code}: ${escapeHtml(message)}</pre>` +
    "</body></html>";
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
    "x-ms-request-id": requestId,
  });
  res.end(html);
}

/** An injected failure (`failNext`): what to answer with. */
export interface InjectedFailure {
  status: number;
  retryAfterSeconds?: number;
}

/** `Retry-After` of an injected failure: as given, else 1 second for 429 and 503. */
export function retryAfterHeader(failure: InjectedFailure): Record<string, string> {
  const seconds =
    failure.retryAfterSeconds ?? (failure.status === 429 || failure.status === 503 ? 1 : undefined);
  return seconds === undefined ? {} : { "retry-after": String(seconds) };
}

/**
 * An injected failure of the login host: the token endpoint answers the STS JSON body
 * (`temporarily_unavailable` for 429 and 503, AADSTS90024 "RequestBudgetExceededError" / 90006
 * "ExternalServerRetryableError"), the authorize endpoint an error page with that status.
 */
export function sendLoginFailure(
  res: ServerResponse,
  endpoint: "token" | "authorize",
  failure: InjectedFailure,
  loginUrl: string,
  correlationId: string | undefined,
): void {
  const headers = retryAfterHeader(failure);
  const [code, message] =
    failure.status === 429
      ? [90024, "A transient error has occurred. Try again."]
      : [90006, "The service is temporarily unavailable."];
  if (endpoint === "authorize") {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    sendErrorPage(res, code, message, failure.status);
    return;
  }
  const error = failure.status === 429 || failure.status === 503 ? "temporarily_unavailable" : "server_error";
  sendJson(
    res,
    failure.status,
    aadErrorBody(loginUrl, { error, code, message, ...(correlationId ? { correlationId } : {}) }),
    headers,
  );
}

/** The text of an error page, for `consent()` to throw with. */
export function errorPageText(html: string): string {
  const message = /<p>(AADSTS\d+:[^<]*)<\/p>/.exec(html)?.[1];
  const text = message ?? html.replace(/<title>[^<]*<\/title>/, "").replace(/<[^>]+>/g, " ");
  return text
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)))
    .replace(/\s+/g, " ")
    .trim();
}

/** Graph's error body: `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`. */
export function graphErrorBody(
  code: string,
  message: string,
  requestId: string,
  clientRequestId = requestId,
): Record<string, unknown> {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().slice(0, 19),
        "request-id": requestId,
        "client-request-id": clientRequestId,
      },
    },
  };
}

// ---- signing ------------------------------------------------------------------------------

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  /** The entry of `/discovery/v2.0/keys`. */
  jwk: Record<string, unknown>;
}

let signingKey: Promise<SigningKey> | undefined;

/**
 * The RS256 key that signs ID tokens, made once per process (RSA generation is the slow part of
 * a sandbox start). Published at the `jwks_uri` with an `x5c` self-signed certificate, as
 * Microsoft publishes its keys.
 */
export function idTokenSigningKey(): Promise<SigningKey> {
  signingKey ??= (async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const pems = await generate([{ name: "commonName", value: "accounts.accesscontrol.windows.net" }], {
      keyPair: { privateKey: privatePem, publicKey: publicPem },
      algorithm: "sha256",
    });
    const der = Buffer.from(pems.cert.replace(/-----[^-]+-----|\s/g, ""), "base64");
    const x5t = createHash("sha1").update(der).digest("base64url");
    const jwk = createPublicKey(publicPem).export({ format: "jwk" });
    return {
      kid: x5t,
      privateKey: createPrivateKey(privatePem),
      jwk: { kty: "RSA", use: "sig", kid: x5t, x5t, n: jwk.n, e: jwk.e, x5c: [der.toString("base64")] },
    };
  })();
  return signingKey;
}

/** A compact RS256 JWS, header `{ typ: "JWT", alg: "RS256", kid }`. */
export function signJwt(key: SigningKey, claims: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ typ: "JWT", alg: "RS256", kid: key.kid }));
  const payload = base64url(JSON.stringify(claims));
  const signature = sign("RSA-SHA256", Buffer.from(`${header}.${payload}`), key.privateKey);
  return `${header}.${payload}.${signature.toString("base64url")}`;
}

/** `client_info`: base64url of `{"uid":"<oid>","utid":"<tid>"}`, what MSAL builds the account id from. */
export function clientInfo(oid: string, tid: string): string {
  return base64url(JSON.stringify({ uid: oid, utid: tid }));
}

/** A pairwise `sub`: stable per user and app, different across apps, as Microsoft's is. */
export function pairwiseSubject(oid: string, clientId: string): string {
  return createHash("sha256").update(`${oid}|${clientId}`).digest("base64url").slice(0, 43);
}
