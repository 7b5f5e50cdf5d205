import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { parseHandlerRef } from "../../../manifest";

/** The repository root: manifest handler references are relative to it. */
export const REPO_ROOT = resolve(import.meta.dirname, "../../..");

// biome-ignore lint/suspicious/noExplicitAny: handlers take any Lambda event shape
export type LambdaHandler = (event: any, context: Context) => Promise<unknown>;

const loaded = new Map<string, Promise<LambdaHandler>>();

/**
 * Imports the handler module a manifest entry names: the same file Lambda runs. Each module is
 * imported once and reused, like a warm Lambda container.
 */
export function loadHandler(ref: string): Promise<LambdaHandler> {
  let handler = loaded.get(ref);
  if (!handler) {
    const { file, exportName } = parseHandlerRef(ref);
    handler = import(pathToFileURL(resolve(REPO_ROOT, `${file}.ts`)).href).then((module) => {
      const fn = module[exportName];
      if (typeof fn !== "function")
        throw new Error(`${file}.ts does not export a function named "${exportName}"`);
      return fn as LambdaHandler;
    });
    loaded.set(ref, handler);
  }
  return handler;
}

export class InvocationTimeout extends Error {
  override readonly name = "InvocationTimeout";
}

/** SST's default function memory, which a manifest entry without `memoryMB` gets. */
const DEFAULT_MEMORY_MB = 1024;

/**
 * Invokes a handler the way Lambda does: with a Context whose remaining time counts down (and whose
 * `memoryLimitInMB` is the manifest entry's `memoryMB`), and a hard timeout after which the
 * invocation counts as failed.
 */
export async function invoke(
  ref: string,
  event: unknown,
  timeoutSeconds: number,
  options: { memoryMB?: number } = {},
): Promise<unknown> {
  const handler = await loadHandler(ref);
  const { file } = parseHandlerRef(ref);
  const deadline = Date.now() + timeoutSeconds * 1000;
  const functionName = `kith-local-${file.replace(/[^A-Za-z0-9]+/g, "-")}`;
  const context: Context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? "us-east-1"}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(options.memoryMB ?? DEFAULT_MEMORY_MB),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new InvocationTimeout(`${ref} timed out after ${timeoutSeconds} s`)),
      timeoutSeconds * 1000,
    );
  });
  try {
    return await Promise.race([handler(event, context), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
