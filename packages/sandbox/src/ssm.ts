import type { IncomingMessage, ServerResponse } from "node:http";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { type LoopbackServer, listenLoopback, readBody, sendJson } from "./http";

/**
 * A loopback AWS Systems Manager Parameter Store for tests: `GetParameters`, as the AWS API
 * reference describes it and as the real `@aws-sdk/client-ssm` calls it (its test checks that):
 *
 * - AWS JSON 1.1: `POST /` with `Content-Type: application/x-amz-json-1.1` and
 *   `X-Amz-Target: AmazonSSM.GetParameters`; errors are HTTP 400 (500 for the service's own) with
 *   `{"__type": "<Exception>", "message": …}`.
 * - Every request is signed with SigV4 for the service `ssm`; the sandbox recomputes the
 *   signature from the request (SignatureV4 of `@smithy/signature-v4`) with the secret of the
 *   access key it was given, so an unsigned or wrongly signed request is refused
 *   (`UnrecognizedClientException` for an unknown key, `InvalidSignatureException` for a wrong
 *   signature, `IncompleteSignatureException` for a malformed header), as AWS refuses it.
 * - `Names`: 1 to 10 (more is a `ValidationException`). A name that does not exist comes back in
 *   `InvalidParameters`; a SecureString's `Value` is its plain text only with
 *   `WithDecryption: true` (otherwise the stored ciphertext stand-in `ENCRYPTED:<base64>`).
 * - `Parameters[]`: `Name`, `Type`, `Value`, `Version`, `LastModifiedDate` (epoch seconds),
 *   `ARN`, `DataType` `text`.
 *
 * Other actions answer `UnknownOperationException`. Parameter versions, labels and selectors
 * (`name:3`), hierarchies and KMS keys are not modelled.
 */

export interface SsmCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SsmSandboxOptions {
  port?: number;
  /** The region the sandbox signs for (the credential scope must name it); `us-east-1` by default. */
  region?: string;
  /** The account in parameter ARNs. */
  accountId?: string;
}

export type SsmParameterType = "String" | "StringList" | "SecureString";

export interface SsmRecordedRequest {
  target: string;
  names: string[];
  withDecryption: boolean;
  accessKeyId: string | undefined;
  status: number;
}

export interface SsmFailure {
  /** HTTP status: 400 (ThrottlingException by default) or 500 (InternalServerError by default). */
  status: 400 | 500;
  type?: string;
  times?: number;
}

interface StoredParameter {
  type: SsmParameterType;
  value: string;
  version: number;
  modifiedAt: Date;
}

const TARGET_PREFIX = "AmazonSSM.";
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export class SsmSandbox {
  readonly requests: SsmRecordedRequest[] = [];
  private readonly parameters = new Map<string, StoredParameter>();
  private readonly credentials = new Map<string, string>();
  private readonly failures: Required<SsmFailure>[] = [];

  private constructor(
    private readonly server: LoopbackServer,
    readonly region: string,
    readonly accountId: string,
  ) {}

  static async start(options: SsmSandboxOptions = {}): Promise<SsmSandbox> {
    let sandbox: SsmSandbox | undefined;
    const server = await listenLoopback((req, res) => {
      if (!sandbox) throw new Error("sandbox not ready");
      return sandbox.handle(req, res);
    }, options.port);
    sandbox = new SsmSandbox(server, options.region ?? "us-east-1", options.accountId ?? "123456789012");
    return sandbox;
  }

  get url(): string {
    return `${this.server.url}/`;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** An access key the sandbox accepts; requests signed with any other key are refused. */
  addCredentials(credentials: SsmCredentials): void {
    this.credentials.set(credentials.accessKeyId, credentials.secretAccessKey);
  }

  /** Creates or overwrites a parameter (`PutParameter --overwrite`): the version goes up by one. */
  putParameter(name: string, value: string, type: SsmParameterType = "SecureString"): void {
    const version = (this.parameters.get(name)?.version ?? 0) + 1;
    this.parameters.set(name, { type, value, version, modifiedAt: new Date() });
  }

  deleteParameter(name: string): void {
    this.parameters.delete(name);
  }

  /** Forgets every parameter, recorded request and pending failure (credentials stay). */
  reset(): void {
    this.parameters.clear();
    this.failures.length = 0;
    this.requests.length = 0;
  }

  /** Fails the next `times` requests (after their signature is checked) with the given error. */
  failNext(failure: SsmFailure): void {
    this.failures.push({
      status: failure.status,
      type: failure.type ?? (failure.status === 400 ? "ThrottlingException" : "InternalServerError"),
      times: failure.times ?? 1,
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = String(req.headers["x-amz-target"] ?? "");
    const record: SsmRecordedRequest = {
      target,
      names: [],
      withDecryption: false,
      accessKeyId: undefined,
      status: 200,
    };
    this.requests.push(record);
    const fail = (status: number, type: string, message: string) => {
      record.status = status;
      sendJson(res, status, { __type: type, message }, { "content-type": "application/x-amz-json-1.1" });
    };
    if (req.method !== "POST" || (req.url ?? "/") !== "/") {
      return fail(404, "UnknownOperationException", "Only POST / is served");
    }
    const signature = await this.verifySignature(req, body);
    record.accessKeyId = signature.accessKeyId;
    if (!signature.ok) return fail(400, signature.type, signature.message);
    if (!String(req.headers["content-type"] ?? "").startsWith("application/x-amz-json-1.1")) {
      return fail(400, "SerializationException", "Content-Type must be application/x-amz-json-1.1");
    }
    const failure = this.failures[0];
    if (failure) {
      failure.times -= 1;
      if (failure.times <= 0) this.failures.shift();
      return fail(failure.status, failure.type, "Injected failure");
    }
    if (target !== `${TARGET_PREFIX}GetParameters`) {
      return fail(400, "UnknownOperationException", `Unsupported operation ${target || "(none)"}`);
    }
    let input: { Names?: unknown; WithDecryption?: unknown };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      return fail(400, "SerializationException", "The request body is not JSON");
    }
    const names = input.Names;
    if (!Array.isArray(names) || names.length < 1 || names.length > 10 || !names.every(isName)) {
      return fail(
        400,
        "ValidationException",
        "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10",
      );
    }
    const withDecryption = input.WithDecryption === true;
    record.names = names;
    record.withDecryption = withDecryption;
    const found: unknown[] = [];
    const invalid: string[] = [];
    for (const name of new Set(names)) {
      const parameter = this.parameters.get(name);
      if (!parameter) {
        invalid.push(name);
        continue;
      }
      const hidden = parameter.type === "SecureString" && !withDecryption;
      found.push({
        Name: name,
        Type: parameter.type,
        Value: hidden ? `ENCRYPTED:${Buffer.from(parameter.value).toString("base64")}` : parameter.value,
        Version: parameter.version,
        LastModifiedDate: parameter.modifiedAt.getTime() / 1000,
        ARN: `arn:aws:ssm:${this.region}:${this.accountId}:parameter${name.startsWith("/") ? "" : "/"}${name}`,
        DataType: "text",
      });
    }
    sendJson(
      res,
      200,
      { Parameters: found, InvalidParameters: invalid },
      {
        "content-type": "application/x-amz-json-1.1",
      },
    );
  }

  private async verifySignature(
    req: IncomingMessage,
    body: string,
  ): Promise<
    { ok: true; accessKeyId: string } | { ok: false; accessKeyId?: string; type: string; message: string }
  > {
    const header = String(req.headers.authorization ?? "");
    const parts = AUTHORIZATION.exec(header);
    if (!parts) {
      return {
        ok: false,
        type: "IncompleteSignatureException",
        message: "Authorization header is missing or malformed",
      };
    }
    const [, accessKeyId = "", day = "", region, service, signedHeaders = "", signature] = parts;
    const secretAccessKey = this.credentials.get(accessKeyId);
    if (secretAccessKey === undefined) {
      return {
        ok: false,
        accessKeyId,
        type: "UnrecognizedClientException",
        message: "The security token included in the request is invalid.",
      };
    }
    const amzDate = String(req.headers["x-amz-date"] ?? "");
    const when = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!when || !amzDate.startsWith(day) || region !== this.region || service !== "ssm") {
      return {
        ok: false,
        accessKeyId,
        type: "InvalidSignatureException",
        message: "Credential scope or X-Amz-Date does not match",
      };
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
      if (value === undefined) {
        return {
          ok: false,
          accessKeyId,
          type: "InvalidSignatureException",
          message: `Signed header ${name} is missing`,
        };
      }
      headers[name] = Array.isArray(value) ? value.join(",") : value;
    }
    const sessionToken = req.headers["x-amz-security-token"];
    const signer = new SignatureV4({
      service: "ssm",
      region: this.region,
      credentials: {
        accessKeyId,
        secretAccessKey,
        ...(typeof sessionToken === "string" ? { sessionToken } : {}),
      },
      sha256: Hash.bind(null, "sha256"),
    });
    const [path = "/", query = ""] = (req.url ?? "/").split("?");
    const expected = await signer.sign(
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
    const expectedSignature = /Signature=([0-9a-f]{64})/.exec(
      String(expected.headers.authorization ?? ""),
    )?.[1];
    if (expectedSignature !== signature) {
      return {
        ok: false,
        accessKeyId,
        type: "InvalidSignatureException",
        message: "The request signature we calculated does not match the signature you provided.",
      };
    }
    return { ok: true, accessKeyId };
  }
}

const isName = (value: unknown): value is string =>
  typeof value === "string" && value.length >= 1 && value.length <= 2048;
