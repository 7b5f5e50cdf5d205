import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startDynamoLocal } from "@kith/local/dynamo";
import { startSqsEmulator } from "@kith/local/sqs";
import type { TestProject } from "vitest/node";
import { defaultTlsDir, loopbackTls } from "../../packages/sandbox/src/tls";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sqsEndpoint: string;
  }
}

/**
 * One DynamoDB Local (in memory) and one SQS emulator for the whole integration run. Tests stay
 * isolated by creating their own uniquely named table and queues (see test/support/integration.ts).
 *
 * Also the loopback TLS certificate of the https sandboxes (Microsoft's clients only talk https):
 * Node reads NODE_EXTRA_CA_CERTS once, when a process starts, so it is set here, in vitest's main
 * process, before any test worker is forked; each fork inherits it (with KITH_SANDBOX_TLS_DIR, where
 * the sandboxes find the same key and certificate).
 */
export default async function setup(project: TestProject) {
  const [dynamo, sqs] = await Promise.all([startDynamoLocal(), startSqsEmulator(), trustSandboxTls()]);
  project.provide("dynamoEndpoint", dynamo.endpoint);
  project.provide("sqsEndpoint", sqs.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), sqs.stop()]);
  };
}

async function trustSandboxTls(): Promise<void> {
  const dir = defaultTlsDir();
  const { caFile } = await loopbackTls(dir);
  process.env.KITH_SANDBOX_TLS_DIR = dir;
  const inherited = process.env.NODE_EXTRA_CA_CERTS;
  if (!inherited) {
    process.env.NODE_EXTRA_CA_CERTS = caFile;
    return;
  }
  const cert = readFileSync(caFile, "utf8");
  const extra = existsSync(inherited) ? readFileSync(inherited, "utf8") : "";
  if (extra.includes(cert.trim())) return; // already trusted (our file, or a bundle made by an earlier setup)
  // The run was started with extra CAs of its own (some machines set the system bundle here): the
  // forks get both, as one file, written aside and renamed so a concurrent run never reads half.
  const bundle = join(dir, "extra-ca-bundle.pem");
  const staging = `${bundle}.${process.pid}`;
  writeFileSync(staging, `${extra.trimEnd()}\n${cert}`);
  renameSync(staging, bundle);
  process.env.NODE_EXTRA_CA_CERTS = bundle;
}
