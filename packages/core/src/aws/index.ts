import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Hash } from "@smithy/hash-node";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

/**
 * A caller of an AWS service's JSON 1.1 API (SSM, KMS): `POST /` with `X-Amz-Target:
 * <Prefix>.<Operation>` and a JSON body, signed with SigV4 by the SDK's own `SignatureV4`, sent by
 * its `NodeHttpHandler`, with its default credential chain. These are the modules the DynamoDB
 * client already puts in every bundle, so a function that reads its secrets or seals a token pays
 * about 3 KB instead of a whole service client (client-ssm ~83 KB, client-kms ~30 KB, most of it
 * the schemas of operations Kith never calls). See docs/decisions.md, "Lean cold starts".
 *
 * Only the few operations Kith calls go through here, each with its input and output typed by the
 * caller from the service's API reference. `KITH_<SERVICE>_ENDPOINT` points a service at a
 * loopback sandbox (tests), as `endpoint` does for an SDK client.
 */

export interface JsonServiceOptions {
  /** The signing name and endpoint prefix: `ssm`, `kms`. */
  service: string;
  /** The `X-Amz-Target` prefix: `AmazonSSM`, `TrentService`. */
  targetPrefix: string;
  /** The region; the environment's (`AWS_REGION`) by default. */
  region?: string;
  environment?: Record<string, string | undefined>;
}

/** The service answered with an error document (`__type`): never the request's content. */
export class AwsServiceError extends Error {
  override readonly name = "AwsServiceError";
  constructor(
    readonly service: string,
    readonly status: number,
    /** The exception's name, without its namespace: `ThrottlingException`, `AccessDeniedException`. */
    readonly type: string,
  ) {
    super(`${service} answered ${status}: ${type}`);
  }

  /** Whether the same call may succeed in a moment (throttling, the service's own failure). */
  get retryable(): boolean {
    return this.status >= 500 || /Throttl|TooManyRequests|LimitExceeded|RequestLimit/.test(this.type);
  }
}

/** The service could not be reached (network, timeout) or answered something that is not its JSON. */
export class AwsServiceUnreachable extends Error {
  override readonly name = "AwsServiceUnreachable";
  constructor(service: string, cause: unknown) {
    super(`${service} could not be reached`, { cause });
  }
}

export interface JsonService {
  call<Output>(operation: string, input: unknown): Promise<Output>;
}

function regionOf(environment: Record<string, string | undefined>): string {
  const region = environment.AWS_REGION ?? environment.AWS_DEFAULT_REGION;
  if (!region) throw new AwsServiceUnreachable("AWS", new Error("no region (AWS_REGION)"));
  return region;
}

export function jsonService(options: JsonServiceOptions): JsonService {
  const environment = options.environment ?? process.env;
  const region = options.region ?? regionOf(environment);
  const override = environment[`KITH_${options.service.toUpperCase()}_ENDPOINT`];
  const url = new URL(
    override ||
      `https://${options.service}.${region}.amazonaws.${region.startsWith("cn-") ? "com.cn" : "com"}/`,
  );
  const signer = new SignatureV4({
    service: options.service,
    region,
    credentials: defaultProvider(),
    sha256: Hash.bind(null, "sha256"),
  });
  // The same bounds as the DynamoDB client: a service that does not answer fails, it does not hang.
  const http = new NodeHttpHandler({ connectionTimeout: 1_000, requestTimeout: 5_000 });
  return {
    async call<Output>(operation: string, input: unknown): Promise<Output> {
      const body = JSON.stringify(input);
      const request = new HttpRequest({
        method: "POST",
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        headers: {
          host: url.host,
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": `${options.targetPrefix}.${operation}`,
          "content-length": String(Buffer.byteLength(body)),
        },
        body,
      });
      let status: number;
      let text: string;
      try {
        const { response } = await http.handle((await signer.sign(request)) as HttpRequest);
        status = response.statusCode;
        text = await readText(response.body);
      } catch (error) {
        throw new AwsServiceUnreachable(options.service, error);
      }
      let parsed: unknown;
      try {
        parsed = text === "" ? {} : JSON.parse(text);
      } catch (error) {
        throw new AwsServiceUnreachable(options.service, error);
      }
      if (status !== 200) throw new AwsServiceError(options.service, status, errorType(parsed));
      return parsed as Output;
    },
  };
}

async function readText(body: unknown): Promise<string> {
  if (body === undefined || body === null) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** `com.amazonaws.kms#NotFoundException` → `NotFoundException` (the JSON protocols' `__type`). */
function errorType(document: unknown): string {
  const type = (document as { __type?: unknown } | null)?.__type;
  return typeof type === "string" ? (type.split("#").pop() ?? "UnknownError") : "UnknownError";
}
