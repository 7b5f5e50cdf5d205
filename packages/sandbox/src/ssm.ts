import type { IncomingMessage, ServerResponse } from "node:http";
import { type AwsCredentials, readAwsJsonRequest } from "./aws-sigv4";
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
  addCredentials(credentials: AwsCredentials): void {
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
    const request = await readAwsJsonRequest(
      req,
      body,
      { service: "ssm", region: this.region, credentials: this.credentials },
      this.failures,
    );
    record.accessKeyId = request.accessKeyId;
    if (!request.ok) return fail(request.status, request.type, request.message);
    if (target !== `${TARGET_PREFIX}GetParameters`) {
      return fail(400, "UnknownOperationException", `Unsupported operation ${target || "(none)"}`);
    }
    const input = request.input as { Names?: unknown; WithDecryption?: unknown };
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
}

const isName = (value: unknown): value is string =>
  typeof value === "string" && value.length >= 1 && value.length <= 2048;
