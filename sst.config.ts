import type { SSTConfig } from "sst";
import type { App } from "sst/constructs";
import { DEFAULT_FUNCTION_TIMEOUT_SECONDS } from "./manifest";
import { Api } from "./stacks/api";
import { FUNCTION_NODEJS } from "./stacks/bundling";
import { Console } from "./stacks/console";
import { Events } from "./stacks/events";
import { Queues } from "./stacks/queues";
import { Schedules } from "./stacks/schedules";
import { Secrets } from "./stacks/secrets";
import { retainsData } from "./stacks/shared";
import { Storage } from "./stacks/storage";
import { Streams } from "./stacks/streams";

export function config(_input?: unknown) {
  return { name: "kith", region: process.env.AWS_REGION || "us-east-1" };
}

/**
 * Settings read from the deploying shell, passed to every function when set (docs/operations.md):
 * where providers send a member back after OAuth consent (default: the API's own URL, as each
 * request reached it), where the callback then redirects the browser (default: a small page), and
 * the Gmail quota table and limit of the project's Cloud quota (default: the 2026 table, 6,000),
 * and enrichment's switch and Findem settings.
 */
export function deployTimeSettings(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const names = [
    "OAUTH_REDIRECT_BASE_URL",
    "OAUTH_SUCCESS_URL",
    // The Gmail quota the syncers pace by: the project's cost table and per-user limit.
    "GMAIL_QUOTA_TABLE",
    "GMAIL_UNITS_PER_MINUTE",
    // Enrichment: `findem` turns it on (with the FINDEM_API_KEY secret set); Findem's base URL,
    // its rate limit per key, and the confidence a match needs.
    "KITH_ENRICHMENT",
    "FINDEM_API_URL",
    "FINDEM_REQUESTS_PER_SECOND",
    "ENRICHMENT_MIN_CONFIDENCE",
  ] as const;
  return Object.fromEntries(names.flatMap((name) => (env[name] ? [[name, env[name] as string]] : [])));
}

export function stacks(app: App): void {
  app.setDefaultFunctionProps({
    runtime: "nodejs22.x",
    timeout: DEFAULT_FUNCTION_TIMEOUT_SECONDS,
    architecture: "arm_64",
    nodejs: FUNCTION_NODEJS,
    tracing: "active",
    logRetention: "one_month",
    environment: { KITH_STAGE: app.stage, ...deployTimeSettings() },
  });
  // Throwaway stages leave nothing behind on `sst remove`; the others retain the table (see stacks/shared.ts).
  if (!retainsData(app)) app.setDefaultRemovalPolicy("destroy");

  // Dependency order: each stack only `use()`s the ones before it.
  app
    .stack(Storage)
    .stack(Secrets)
    .stack(Events)
    .stack(Queues)
    .stack(Streams)
    .stack(Api)
    .stack(Console)
    .stack(Schedules);
}

export default { config, stacks } satisfies SSTConfig;
