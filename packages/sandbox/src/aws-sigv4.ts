import type { IncomingMessage } from "node:http";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

/**
 * Server-side SigV4 checking for the loopback AWS sandboxes (SSM, KMS), as AWS does it: the
 * signature is recomputed from the request as received (method, path, query, the headers the
 * client says it signed, the body) with the secret of the access key it names, and compared. The
 * recomputation is `@smithy/signature-v4`'s, the SDK's own signer.
 */

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export type SigV4Verdict =
  | { ok: true; accessKeyId: string }
  | { ok: false; accessKeyId?: string; type: string; message: string };

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export async function verifySigV4(
  req: IncomingMessage,
  body: string,
  expected: { service: string; region: string; credentials: ReadonlyMap<string, string> },
): Promise<SigV4Verdict> {
  const parts = AUTHORIZATION.exec(String(req.headers.authorization ?? ""));
  if (!parts) {
    return {
      ok: false,
      type: "IncompleteSignatureException",
      message: "Authorization header is missing or malformed",
    };
  }
  const [, accessKeyId = "", day = "", region, service, signedHeaders = "", signature] = parts;
  const secretAccessKey = expected.credentials.get(accessKeyId);
  if (secretAccessKey === undefined) {
    return {
      ok: false,
      accessKeyId,
      type: "UnrecognizedClientException",
      message: "The security token included in the request is invalid.",
    };
  }
  const invalid = (message: string): SigV4Verdict => ({
    ok: false,
    accessKeyId,
    type: "InvalidSignatureException",
    message,
  });
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const when = AMZ_DATE.exec(amzDate);
  if (!when || !amzDate.startsWith(day) || region !== expected.region || service !== expected.service) {
    return invalid("Credential should be scoped to a valid region and service, and match X-Amz-Date.");
  }
  const signingDate = new Date(
    Date.UTC(
      Number(when[1]),
      Number(when[2]) - 1,
      Number(when[3]),
      Number(when[4]),
      Number(when[5]),
      Number(when[6]),
    ),
  );
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(";")) {
    const value = req.headers[name];
    if (value === undefined) return invalid(`Signed header ${name} is missing`);
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const sessionToken = req.headers["x-amz-security-token"];
  const signer = new SignatureV4({
    service: expected.service,
    region: expected.region,
    credentials: {
      accessKeyId,
      secretAccessKey,
      ...(typeof sessionToken === "string" ? { sessionToken } : {}),
    },
    sha256: Hash.bind(null, "sha256"),
  });
  const [path = "/", query = ""] = (req.url ?? "/").split("?");
  const recomputed = await signer.sign(
    new HttpRequest({
      method: req.method ?? "POST",
      protocol: "http:",
      hostname: String(req.headers.host ?? "").replace(/:\d+$/, ""),
      path,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers,
      body,
    }),
    { signingDate },
  );
  const recomputedSignature = /Signature=([0-9a-f]{64})/.exec(
    String(recomputed.headers.authorization ?? ""),
  )?.[1];
  if (recomputedSignature !== signature) {
    return invalid("The request signature we calculated does not match the signature you provided.");
  }
  return { ok: true, accessKeyId };
}

/** A failure a sandbox was told to answer with next (`failNext`), `times` more times. */
export interface InjectedAwsFailure {
  status: number;
  type: string;
  times: number;
}

export type AwsJsonRequest =
  | { ok: true; input: Record<string, unknown>; accessKeyId: string | undefined }
  | { ok: false; status: number; type: string; message: string; accessKeyId: string | undefined };

/**
 * What every AWS JSON 1.1 service checks before its operation runs, in AWS's order: `POST /`,
 * a valid SigV4 signature for this service and region, the JSON content type, then the body as a
 * JSON object. An injected failure (`failures[0]`) answers after the signature, as a throttled or
 * failing service would; it is used up one call at a time.
 */
export async function readAwsJsonRequest(
  req: IncomingMessage,
  raw: string,
  service: { service: string; region: string; credentials: ReadonlyMap<string, string> },
  failures: InjectedAwsFailure[],
): Promise<AwsJsonRequest> {
  if (req.method !== "POST" || (req.url ?? "/") !== "/") {
    return {
      ok: false,
      status: 404,
      type: "UnknownOperationException",
      message: "Only POST / is served",
      accessKeyId: undefined,
    };
  }
  const signature = await verifySigV4(req, raw, service);
  const accessKeyId = signature.accessKeyId;
  if (!signature.ok)
    return { ok: false, status: 400, type: signature.type, message: signature.message, accessKeyId };
  if (!String(req.headers["content-type"] ?? "").startsWith("application/x-amz-json-1.1")) {
    return {
      ok: false,
      status: 400,
      type: "SerializationException",
      message: "Content-Type must be application/x-amz-json-1.1",
      accessKeyId,
    };
  }
  const injected = failures[0];
  if (injected) {
    injected.times -= 1;
    if (injected.times <= 0) failures.shift();
    return {
      ok: false,
      status: injected.status,
      type: injected.type,
      message: "Injected failure",
      accessKeyId,
    };
  }
  try {
    const input: unknown = JSON.parse(raw);
    if (input === null || typeof input !== "object" || Array.isArray(input)) throw new Error("not an object");
    return { ok: true, input: input as Record<string, unknown>, accessKeyId };
  } catch {
    return {
      ok: false,
      status: 400,
      type: "SerializationException",
      message: "The request body is not JSON",
      accessKeyId,
    };
  }
}
