import { FindemSandbox } from "@kith/sandbox";
import { demoContactsPlan } from "./demo-contacts";
import { demoPeople } from "./demo-enrichment";

/**
 * Findem's limit while the sandbox serves the demo, unless `FINDEM_REQUESTS_PER_SECOND` says
 * otherwise: five times the 10 a second Kith plans against, so the demo's few hundred lookups are
 * not paced over minutes. The same number is the sandbox's limit and the client's
 * (`FINDEM_REQUESTS_PER_SECOND`), so the client still paces below what the sandbox enforces.
 */
export const DEMO_FINDEM_REQUESTS_PER_SECOND = 50;

/** Unknown emails: most are found, some ambiguous, some below the confidence threshold. */
const DEMO_SYNTHESIS = { seed: 2026, matchRate: 0.6, ambiguousRate: 0.05, lowConfidenceRate: 0.05 };

/**
 * Starts the Findem sandbox unless `FINDEM_API_KEY` is set, with the demo's people, and points
 * `FINDEM_API_URL` and `FINDEM_API_KEY` at it.
 */
export async function startFindemSandboxUnlessConfigured(env: NodeJS.ProcessEnv = process.env) {
  if (env.FINDEM_API_KEY) return undefined;
  const requestsPerSecond = Number(env.FINDEM_REQUESTS_PER_SECOND || DEMO_FINDEM_REQUESTS_PER_SECOND);
  const sandbox = await FindemSandbox.start({
    requestsPerSecond,
    synthesize: DEMO_SYNTHESIS,
    people: demoPeople(demoContactsPlan()),
  });
  env.FINDEM_API_URL = sandbox.url;
  env.FINDEM_API_KEY = sandbox.apiKey;
  env.FINDEM_REQUESTS_PER_SECOND = String(requestsPerSecond);
  return sandbox;
}
