import CircuitBreaker from "opossum";
import { secret } from "../config";
import { QuotaBudget } from "../sync/pacing-budget";
import { logger } from "../util/logger";
import { ENRICHMENT_CONSUMERS } from "./consumers";
import {
  EnrichmentDeferred,
  type EnrichmentProvider,
  type LookupResult,
  LookupResultSchema,
  type Profile,
  ProfileSchema,
} from "./provider";

/**
 * The Findem client: the HTTP shape in docs/decisions.md ("Enrichment: Findem, as Kith assumes
 * it"): `POST /v1/people/lookup`, `GET /v1/people/{id}`, `POST /v1/people/enrich`, Bearer key,
 * 10 requests per second per key, 429 with Retry-After.
 *
 * Every request goes breaker → rate budget → fetch:
 * - one opossum breaker for Findem, shared by the container: 5xx and network failures open it (50%
 *   of at least 5 requests in 60 s), and while open every call fails fast with `EnrichmentDeferred`
 *   before spending budget;
 * - a token bucket under Findem's limit: its share is `limit × 0.8 ÷ ENRICHMENT_CONSUMERS`, because
 *   the consumer runs at most that many containers at once and buckets are per container;
 * - a 429 is waited out once when Retry-After is short, else the call is deferred.
 *
 * Hand-written over `fetch` rather than a generated client: Findem publishes no SDK or OpenAPI
 * document, and the three calls are small.
 */

const DEFAULT_BASE_URL = "https://api.findem.ai";
const REQUEST_TIMEOUT_MS = 10_000;
/** A Retry-After up to this long is waited in the call; a longer one defers the job. */
const MAX_INLINE_WAIT_MS = 3_000;

export const FINDEM_BREAKER_OPTIONS = Object.freeze({
  errorThresholdPercentage: 50,
  rollingCountTimeout: 60_000,
  volumeThreshold: 5,
  resetTimeout: 60_000,
  timeout: false as const,
});

/** A Findem answer that is not a success: kept with its status so the breaker can tell outages. */
export class FindemHttpError extends Error {
  override readonly name = "FindemHttpError";
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`Findem answered ${status}`);
  }
}

/** 5xx and no answer at all are outages; a 4xx (429 included) is about the request or the key. */
function isOutage(error: unknown): boolean {
  if (error instanceof FindemHttpError) return error.status >= 500;
  // Anything else thrown inside the breaker is the request failing to get an answer (a reset, a
  // timeout, DNS): answers are parsed outside it, so a malformed body never counts as an outage.
  return !(error instanceof EnrichmentDeferred);
}

function retryAfterMsOf(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface FindemClientOptions {
  baseUrl?: string;
  apiKey: string;
  /** Findem's limit per key (requests per second); the client paces at its share of 80% of it. */
  requestsPerSecond?: number;
  consumers?: number;
}

interface BreakerEntry {
  breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  openedAt: number | undefined;
}

let sharedBreaker: BreakerEntry | undefined;

function breakerEntry(): BreakerEntry {
  if (sharedBreaker) return sharedBreaker;
  const breaker = new CircuitBreaker((fn: () => Promise<unknown>) => fn(), {
    ...FINDEM_BREAKER_OPTIONS,
    name: "findem",
    // true means "not a failure": opossum then records the call as a success.
    errorFilter: (error: unknown) => !isOutage(error),
    enableSnapshots: false,
    rollingPercentilesEnabled: false,
  });
  const entry: BreakerEntry = { breaker, openedAt: undefined };
  breaker.on("open", () => {
    entry.openedAt = Date.now();
    logger.warn("findem circuit opened", { resetTimeoutMs: FINDEM_BREAKER_OPTIONS.resetTimeout });
  });
  breaker.on("close", () => {
    entry.openedAt = undefined;
  });
  sharedBreaker = entry;
  return entry;
}

function breakerRetryAfterMs(entry: BreakerEntry): number {
  const remaining =
    entry.openedAt === undefined ? 0 : entry.openedAt + FINDEM_BREAKER_OPTIONS.resetTimeout - Date.now();
  return remaining > 0 ? remaining : FINDEM_BREAKER_OPTIONS.resetTimeout;
}

export function findemBreakerState(): "closed" | "open" | "half_open" {
  const { breaker } = breakerEntry();
  if (breaker.opened) return "open";
  return breaker.halfOpen ? "half_open" : "closed";
}

/** Drops the breaker and the budgets (tests): each test starts with a closed circuit. */
export function resetFindemForTests(): void {
  sharedBreaker?.breaker.shutdown();
  sharedBreaker = undefined;
  budgets.clear();
}

const budgets = new Map<string, QuotaBudget>();

function budgetFor(options: Required<Pick<FindemClientOptions, "requestsPerSecond" | "consumers">>) {
  const key = `${options.requestsPerSecond}/${options.consumers}`;
  let budget = budgets.get(key);
  if (!budget) {
    budget = new QuotaBudget({
      unitsPerMinute: (options.requestsPerSecond * 60) / options.consumers,
      safetyMargin: 0.8,
    });
    budgets.set(key, budget);
  }
  return budget;
}

export class FindemClient implements EnrichmentProvider {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly budget: QuotaBudget;

  constructor(options: FindemClientOptions) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.apiKey = options.apiKey;
    this.budget = budgetFor({
      requestsPerSecond: options.requestsPerSecond ?? 10,
      consumers: options.consumers ?? ENRICHMENT_CONSUMERS,
    });
  }

  async lookupByEmail(email: string): Promise<LookupResult> {
    const answer = await this.request("POST", "/v1/people/lookup", { email });
    return LookupResultSchema.parse(answer.body);
  }

  async profileById(findemId: string): Promise<Profile | null> {
    const answer = await this.request("GET", `/v1/people/${encodeURIComponent(findemId)}`);
    return answer.status === 404 ? null : ProfileSchema.parse(answer.body);
  }

  async enrich(input: { email?: string; linkedinHandle?: string }): Promise<Profile | null> {
    const body = {
      ...(input.linkedinHandle ? { linkedinHandle: input.linkedinHandle } : {}),
      ...(input.email ? { email: input.email } : {}),
    };
    const answer = await this.request("POST", "/v1/people/enrich", body);
    return answer.status === 404 ? null : ProfileSchema.parse(answer.body);
  }

  /** One call: 2xx and 404 are answers; a 429 is waited out once if short; anything else throws. */
  private async request(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const entry = breakerEntry();
    for (let attempt = 1; ; attempt++) {
      if (entry.breaker.opened) throw new EnrichmentDeferred("breaker_open", breakerRetryAfterMs(entry));
      await this.budget.take("request");
      try {
        return (await entry.breaker.fire(() => this.send(method, path, body))) as {
          status: number;
          body: unknown;
        };
      } catch (error) {
        if ((error as { code?: unknown }).code === "EOPENBREAKER") {
          throw new EnrichmentDeferred("breaker_open", breakerRetryAfterMs(entry), error);
        }
        if (error instanceof FindemHttpError && error.status === 429) {
          const wait = error.retryAfterMs ?? 1_000;
          if (attempt === 1 && wait <= MAX_INLINE_WAIT_MS) {
            await new Promise((resolve) => setTimeout(resolve, wait));
            continue;
          }
          throw new EnrichmentDeferred("rate_limited", Math.max(wait, 1_000), error);
        }
        if (isOutage(error)) throw new EnrichmentDeferred("unavailable", 30_000, error);
        throw error;
      }
    }
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (response.status === 404 && path !== "/v1/people/lookup") {
      await response.body?.cancel();
      return { status: 404, body: null };
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new FindemHttpError(response.status, retryAfterMsOf(response.headers.get("retry-after")));
    }
    return { status: response.status, body: await response.json() };
  }
}

/**
 * The provider this deployment uses: Findem at `FINDEM_API_URL` with `FINDEM_API_KEY`, or none
 * when no key is configured (enrichment is then off: its clauses stay inactive).
 */
export async function configuredProvider(): Promise<EnrichmentProvider | undefined> {
  const apiKey = await secret("FINDEM_API_KEY");
  if (!apiKey) return undefined;
  const limit = Number(process.env.FINDEM_REQUESTS_PER_SECOND ?? "10");
  return new FindemClient({
    baseUrl: process.env.FINDEM_API_URL || undefined,
    apiKey,
    requestsPerSecond: Number.isFinite(limit) && limit > 0 ? limit : 10,
  });
}
