import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type LoopbackServer, listenLoopback, readBody, sendJson } from "./http";
import { prng } from "./mail-world";
import { type SignedDelivery, signAgentMail } from "./webhooks";

/**
 * A loopback Findem people-data API for tests, the local runtime and benchmarks:
 *
 * ```ts
 * const findem = await FindemSandbox.start({
 *   synthesize: { seed: 7, matchRate: 0.6, ambiguousRate: 0.05, lowConfidenceRate: 0.1 },
 * });
 * findem.addPerson({ findemId: "fdm_maya", linkedinHandle: "maya-chen", emails: ["maya@acme.example"],
 *   work: [], education: [] });
 * await fetch(`${findem.url}/v1/people/lookup`, { method: "POST",
 *   headers: { authorization: `Bearer ${findem.apiKey}` }, body: JSON.stringify({ email: "Maya@Acme.example" }) });
 * ```
 *
 * Findem publishes no reference for this API, so the wire format is the one Kith assumes, and
 * this sandbox is where that assumption is written down:
 * - `Authorization: Bearer <apiKey>`, JSON in and out. A missing or wrong key is 401
 *   `{ error: { code: "unauthorized", message } }`; malformed JSON or a missing field is 400
 *   `invalid_request`; an unknown route (or a known path with the wrong method) is 404
 *   `not_found`, answered before the key is looked at so a mistyped path is not reported as a
 *   credential problem.
 * - `POST /v1/people/lookup` `{ email }` → `{ match: { findemId, linkedinHandle, emails,
 *   confidence } | null, ambiguous }`. Emails are compared trimmed and lower-cased. An ambiguous
 *   answer still carries a best guess, always with a confidence below 0.8: a client that links
 *   on `match` without reading `ambiguous` links the wrong person, and a test can see it.
 * - `GET /v1/people/{findemId}` and `POST /v1/people/enrich` `{ email?, linkedinHandle? }` → the
 *   profile (`work` and `education` with `YYYY-MM` months, `to: null` while current,
 *   `organization.size` an integer headcount), or 404 `not_found`. Enrich needs at least one of
 *   the two fields; the handle decides when both are sent, with no fallback to the email, so a
 *   client sending a stale handle finds out. Enrich by an email whose lookup is ambiguous or
 *   unmatched is 404: a profile is never handed out for a guess.
 * - At most `requestsPerSecond` (10) authenticated requests per key over a sliding second; above
 *   that, 429 `rate_limited` with an integer `Retry-After` of at least 1. Refused requests do not
 *   occupy the window, so a client that backs off is not punished twice. Only one key exists, so
 *   "per key" is one window.
 * - Checks run in this order: route, key, rate limit, injected faults, body. A faulted or invalid
 *   request was admitted, so it occupies the rate window as it would at a real edge.
 * - Webhooks (`profile.updated`) are Standard Webhooks deliveries (`webhook-id`,
 *   `webhook-timestamp`, `webhook-signature`), signed by the `standardwebhooks` library.
 *
 * People come from {@link FindemSandbox.addPerson}, or are synthesized from a seed for unknown
 * emails ({@link FindemSynthesis}) so benchmarks get realistic hit rates without fixtures.
 */

export interface FindemWork {
  organization: { id: string; name: string; size: number };
  title: string;
  /** `YYYY-MM`. */
  from: string;
  /** `YYYY-MM`, or null while current. */
  to: string | null;
}

export interface FindemEducation {
  school: { id: string; name: string };
  from: string;
  to: string | null;
}

export interface FindemPerson {
  findemId: string;
  linkedinHandle: string;
  emails: string[];
  work: FindemWork[];
  education: FindemEducation[];
}

/**
 * How unknown emails are answered. Each email falls, by a hash of seed and email, into one of
 * four disjoint shares: a confident match (`matchRate`), an ambiguous answer (`ambiguousRate`), a
 * match with confidence below 0.8 (`lowConfidenceRate`), or no match (the rest).
 */
export interface FindemSynthesis {
  seed: number;
  matchRate: number;
  ambiguousRate: number;
  lowConfidenceRate: number;
}

export type FindemEndpoint = "lookup" | "profile" | "enrich";

export interface FindemFailure {
  /** 400–599. 429 sends `Retry-After` (1 by default); other statuses only with `retryAfterSeconds`. */
  status: number;
  /** How many matching requests fail; 1 by default. */
  count?: number;
  /** Only requests to this endpoint; every endpoint when omitted. */
  endpoint?: FindemEndpoint;
  retryAfterSeconds?: number;
}

/** One request, recorded when it is answered. Never holds the key. */
export interface FindemRecordedRequest {
  method: string;
  path: string;
  status: number;
  /** The JSON body, or the raw text when it did not parse; absent when empty. */
  body?: unknown;
  /** Arrival, ms since the epoch. */
  at: number;
}

export interface FindemUsage {
  /** Served calls per endpoint: 2xx or 404 answers to admitted, unfaulted requests. */
  lookup: number;
  profile: number;
  enrich: number;
  rateLimited: number;
  /** Answered by `fail()` or the failure rate. */
  faulted: number;
  unauthorized: number;
  /** 400 answers: admitted requests whose body was malformed or incomplete. */
  invalid: number;
  /** Served lookups per normalized email, so a test can tell whether a client caches. */
  lookupsByEmail: Map<string, number>;
}

export interface FindemSandboxOptions {
  /** The only key accepted; `findem-sandbox-key` by default. */
  apiKey?: string;
  /** 10 by default; `Infinity` disables the limit. */
  requestsPerSecond?: number;
  people?: FindemPerson[];
  /**
   * Unknown emails: deterministically (hash of seed and email) synthesize a person for a share of
   * them. Same email, same answer and same person (stable id, handle, work and education drawn
   * from a fixed pool of organizations, some with 50 people or fewer, and schools, months between
   * 2010-01 and now). A synthesized person is served by profile and enrich once a lookup (or an
   * enrich by email) has produced it: ids are hashes and cannot be reversed into an email.
   */
  synthesize?: FindemSynthesis;
  /** Share (0..1) of admitted requests answered 503 `unavailable`, seeded so runs repeat. */
  failureRate?: number;
  /** Seed of the failure draws; 1 by default. */
  failureSeed?: number;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
}

interface Answer {
  match: FindemPerson | undefined;
  confidence: number;
  ambiguous: boolean;
}

interface Fault {
  status: number;
  remaining: number;
  endpoint: FindemEndpoint | undefined;
  retryAfterSeconds: number | undefined;
}

type Counters = Omit<FindemUsage, "lookupsByEmail">;

const DEFAULT_API_KEY = "findem-sandbox-key";
const DEFAULT_CONFIDENCE = 0.95;
/** Below the 0.8 a careful client should require, so acting on a guess is detectable. */
const AMBIGUOUS_CONFIDENCE = 0.6;
const WINDOW_MS = 1000;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

const ERROR_CODES: Record<number, string> = {
  400: "invalid_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  429: "rate_limited",
  500: "internal",
  502: "bad_gateway",
  503: "unavailable",
  504: "timeout",
};

// A fixed pool, so synthesized careers overlap: two people at the same organization at the same
// time is what Kith's overlap logic looks for. The small ones (≤ 50) exercise size filters.
const ORGANIZATIONS: readonly { id: string; name: string; size: number }[] = [
  { id: "org_acme", name: "Acme Robotics", size: 1200 },
  { id: "org_globex", name: "Globex", size: 54000 },
  { id: "org_initech", name: "Initech", size: 850 },
  { id: "org_umbrella", name: "Umbrella Health", size: 23000 },
  { id: "org_hooli", name: "Hooli", size: 98000 },
  { id: "org_piedpiper", name: "Pied Piper", size: 35 },
  { id: "org_aviato", name: "Aviato", size: 12 },
  { id: "org_stark", name: "Stark Industries", size: 41000 },
  { id: "org_wayne", name: "Wayne Enterprises", size: 67000 },
  { id: "org_wonka", name: "Wonka Confections", size: 430 },
  { id: "org_cyberdyne", name: "Cyberdyne Systems", size: 2600 },
  { id: "org_tyrell", name: "Tyrell Corporation", size: 7800 },
  { id: "org_soylent", name: "Soylent", size: 310 },
  { id: "org_vandelay", name: "Vandelay Industries", size: 8 },
  { id: "org_dunder", name: "Dunder Mifflin", size: 160 },
  { id: "org_prestige", name: "Prestige Worldwide", size: 4 },
  { id: "org_bluth", name: "Bluth Company", size: 48 },
  { id: "org_oscorp", name: "Oscorp", size: 5200 },
  { id: "org_massive", name: "Massive Dynamic", size: 15000 },
  { id: "org_nakatomi", name: "Nakatomi Trading", size: 3100 },
  { id: "org_gringotts", name: "Gringotts Capital", size: 640 },
  { id: "org_monarch", name: "Monarch Labs", size: 27 },
  { id: "org_rekall", name: "Rekall", size: 95 },
  { id: "org_duff", name: "Duff Beverages", size: 2100 },
  { id: "org_sterling", name: "Sterling Cooper", size: 220 },
  { id: "org_lacuna", name: "Lacuna Inc", size: 19 },
  { id: "org_gekko", name: "Gekko & Co", size: 50 },
  { id: "org_weyland", name: "Weyland-Yutani", size: 120000 },
  { id: "org_octan", name: "Octan Energy", size: 9400 },
  { id: "org_paper", name: "Paper Street Soap", size: 3 },
];

const SCHOOLS: readonly { id: string; name: string }[] = [
  { id: "sch_stanford", name: "Stanford University" },
  { id: "sch_mit", name: "Massachusetts Institute of Technology" },
  { id: "sch_berkeley", name: "University of California, Berkeley" },
  { id: "sch_waterloo", name: "University of Waterloo" },
  { id: "sch_eth", name: "ETH Zurich" },
  { id: "sch_iitb", name: "IIT Bombay" },
  { id: "sch_oxford", name: "University of Oxford" },
  { id: "sch_tum", name: "Technical University of Munich" },
  { id: "sch_uw", name: "University of Washington" },
  { id: "sch_unimelb", name: "University of Melbourne" },
];

const TITLES = [
  "Software Engineer",
  "Senior Software Engineer",
  "Staff Engineer",
  "Engineering Manager",
  "Product Manager",
  "Product Designer",
  "Data Scientist",
  "Account Executive",
  "Recruiter",
  "Head of Operations",
  "Founder",
  "VP Engineering",
];

/** Where the best guess of a synthesized ambiguous answer has its address: a namesake elsewhere. */
const NAMESAKE_DOMAINS = ["gmail.example", "outlook.example", "proton.example", "fastmail.example"];

/** Month number counted from 2010-01 (= 0), the earliest month synthesized careers use. */
function monthIndex(date: Date): number {
  return (date.getUTCFullYear() - 2010) * 12 + date.getUTCMonth();
}

function monthString(index: number): string {
  return `${2010 + Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function normalizeHandle(handle: string): string {
  return handle.trim().toLowerCase();
}

function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkRate(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be within [0, 1], got ${value}`);
}

function checkPerson(person: FindemPerson): void {
  if (typeof person.findemId !== "string" || person.findemId === "") {
    throw new TypeError("A person needs a findemId");
  }
  if (typeof person.linkedinHandle !== "string" || person.linkedinHandle.trim() === "") {
    throw new TypeError(`${person.findemId}: a person needs a linkedinHandle`);
  }
  if (!Array.isArray(person.emails) || person.emails.some((email) => typeof email !== "string")) {
    throw new TypeError(`${person.findemId}: emails must be strings`);
  }
  for (const span of [...person.work, ...person.education]) {
    if (!MONTH.test(span.from) || (span.to !== null && !MONTH.test(span.to))) {
      throw new RangeError(`${person.findemId}: months are YYYY-MM, got ${span.from}..${span.to}`);
    }
  }
  for (const job of person.work) {
    if (!Number.isInteger(job.organization.size) || job.organization.size < 1) {
      throw new RangeError(
        `${person.findemId}: organization size is a headcount, got ${job.organization.size}`,
      );
    }
  }
}

/** The bytes an email's synthesized answer is drawn from; a pure function of seed and key. */
function digest(seed: number, key: string): Buffer {
  return createHash("sha256").update(`${seed}\u0000${key}`).digest();
}

function pick<T>(draw: () => number, items: readonly T[]): T {
  return items[Math.floor(draw() * items.length)] as T;
}

function between(draw: () => number, low: number, high: number): number {
  return low + Math.floor(draw() * (high - low + 1));
}

/** 1–4 jobs, maybe after school, between 2010-01 and `now`; newest first, as profiles list them. */
function career(draw: () => number, now: number): Pick<FindemPerson, "work" | "education"> {
  let cursor = between(draw, 0, Math.max(0, now - 36));
  const education: FindemEducation[] = [];
  const degrees = draw() < 0.85 ? (draw() < 0.25 ? 2 : 1) : 0;
  for (let i = 0; i < degrees && cursor <= now; i++) {
    const end = cursor + between(draw, i === 0 ? 24 : 12, i === 0 ? 48 : 24);
    education.push({
      school: { ...pick(draw, SCHOOLS) },
      from: monthString(cursor),
      to: end >= now ? null : monthString(end),
    });
    cursor = end + between(draw, 0, 6);
  }
  const work: FindemWork[] = [];
  const jobs = between(draw, 1, 4);
  let previous = -1;
  for (let i = 0; i < jobs; i++) {
    const from = Math.min(cursor, now);
    let org = Math.floor(draw() * ORGANIZATIONS.length);
    if (org === previous) org = (org + 1) % ORGANIZATIONS.length;
    previous = org;
    const end = from + between(draw, 6, 60);
    const current = end >= now || (i === jobs - 1 && draw() < 0.7);
    work.push({
      organization: { ...(ORGANIZATIONS[org] as (typeof ORGANIZATIONS)[number]) },
      title: pick(draw, TITLES),
      from: monthString(from),
      to: current ? null : monthString(end),
    });
    if (current) break;
    cursor = end + between(draw, 0, 4);
  }
  return { work: work.reverse(), education: education.reverse() };
}

/** POST lookup, POST enrich, GET profile; undefined for anything else (404 before auth). */
function route(method: string, path: string): { endpoint: FindemEndpoint; findemId?: string } | undefined {
  if (path === "/v1/people/lookup") return method === "POST" ? { endpoint: "lookup" } : undefined;
  if (path === "/v1/people/enrich") return method === "POST" ? { endpoint: "enrich" } : undefined;
  const profile = /^\/v1\/people\/([^/]+)$/.exec(path);
  if (!profile || method !== "GET") return undefined;
  const raw = profile[1] ?? "";
  try {
    return { endpoint: "profile", findemId: decodeURIComponent(raw) };
  } catch {
    return { endpoint: "profile", findemId: raw };
  }
}

/**
 * A Standard Webhooks delivery as Findem would send it to Kith: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature`, signed with `standardwebhooks` for a `whsec_…` secret.
 */
export function signFindemWebhook(
  payload: unknown,
  secret: string,
  options: { messageId?: string; timestampSeconds?: number } = {},
): SignedDelivery {
  return signAgentMail(payload, secret, { ...options, headerPrefix: "webhook" });
}

export class FindemSandbox {
  readonly apiKey: string;
  /** Every request, in the order answered. */
  readonly requests: FindemRecordedRequest[] = [];
  private server!: LoopbackServer;
  private readonly requestsPerSecond: number;
  private readonly synthesis: FindemSynthesis | undefined;
  /** Fixed at start so a sandbox's synthesized careers do not change if a run crosses a month. */
  private readonly nowMonth = monthIndex(new Date());
  private readonly people = new Map<string, FindemPerson>();
  /** Several holders of one email make its lookup ambiguous, as shared inboxes do. */
  private readonly byEmail = new Map<string, string[]>();
  private readonly byHandle = new Map<string, string>();
  private readonly ambiguousEmails = new Map<string, string | undefined>();
  private readonly confidences = new Map<string, number>();
  // Synthesized people live apart from added ones so that an added person always wins, and a
  // synthesized match keeps its drawn confidence instead of becoming a "known" 0.95.
  private readonly synthesizedAnswers = new Map<string, Answer>();
  private readonly synthesizedPeople = new Map<string, FindemPerson>();
  private readonly synthesizedByHandle = new Map<string, string>();
  private readonly faults: Fault[] = [];
  private failureRate: number;
  private readonly failureDraw: () => number;
  private readonly window: number[] = [];
  private counters: Counters = FindemSandbox.zero();
  private lookupsByEmail = new Map<string, number>();

  private constructor(options: FindemSandboxOptions) {
    this.apiKey = options.apiKey ?? DEFAULT_API_KEY;
    if (this.apiKey === "") throw new TypeError("apiKey must not be empty");
    this.requestsPerSecond = options.requestsPerSecond ?? 10;
    if (!(this.requestsPerSecond > 0)) {
      throw new RangeError(`requestsPerSecond must be positive, got ${this.requestsPerSecond}`);
    }
    if (options.synthesize) {
      const { matchRate, ambiguousRate, lowConfidenceRate } = options.synthesize;
      checkRate("matchRate", matchRate);
      checkRate("ambiguousRate", ambiguousRate);
      checkRate("lowConfidenceRate", lowConfidenceRate);
      if (matchRate + ambiguousRate + lowConfidenceRate > 1 + 1e-9) {
        throw new RangeError("matchRate + ambiguousRate + lowConfidenceRate must not exceed 1");
      }
      this.synthesis = { ...options.synthesize };
    }
    this.failureRate = options.failureRate ?? 0;
    checkRate("failureRate", this.failureRate);
    this.failureDraw = prng(options.failureSeed ?? 1);
    for (const person of options.people ?? []) this.addPerson(person);
  }

  /** Starts a sandbox listening on 127.0.0.1. */
  static async start(options: FindemSandboxOptions = {}): Promise<FindemSandbox> {
    const sandbox = new FindemSandbox(options);
    sandbox.server = await listenLoopback((req, res) => sandbox.handle(req, res), options.port ?? 0);
    return sandbox;
  }

  /** `http://127.0.0.1:<port>`: the base URL; routes are under `/v1/`. */
  get url(): string {
    return this.server.url;
  }

  get port(): number {
    return this.server.port;
  }

  /** Stops the server and drops kept-alive connections. */
  async close(): Promise<void> {
    await this.server.close();
  }

  // ---- people ------------------------------------------------------------------------------

  /** Adds a person, or replaces the one with the same findemId. Stores a copy. */
  addPerson(person: FindemPerson): void {
    checkPerson(person);
    const handle = normalizeHandle(person.linkedinHandle);
    const holder = this.byHandle.get(handle);
    if (holder !== undefined && holder !== person.findemId) {
      throw new Error(`linkedinHandle ${person.linkedinHandle} already belongs to ${holder}`);
    }
    this.unindex(person.findemId);
    const stored = structuredClone(person);
    this.people.set(stored.findemId, stored);
    this.byHandle.set(handle, stored.findemId);
    for (const email of new Set(stored.emails.map(normalizeEmail))) {
      this.byEmail.set(email, [...(this.byEmail.get(email) ?? []), stored.findemId]);
    }
  }

  /** Changes an added person (not a synthesized one) and returns a copy of the result. */
  updatePerson(findemId: string, patch: Partial<Omit<FindemPerson, "findemId">>): FindemPerson {
    const current = this.people.get(findemId);
    if (!current) throw new Error(`No person ${findemId}`);
    this.addPerson({ ...current, ...structuredClone(patch), findemId });
    return structuredClone(this.people.get(findemId) as FindemPerson);
  }

  /**
   * Lookups of `email` answer `ambiguous: true`. The best guess served is `bestGuessFindemId`,
   * else the email's holder, else a synthesized namesake: there is always one to be misused.
   */
  setAmbiguous(email: string, bestGuessFindemId?: string): void {
    if (bestGuessFindemId !== undefined && !this.person(bestGuessFindemId)) {
      throw new Error(`No person ${bestGuessFindemId}`);
    }
    this.ambiguousEmails.set(normalizeEmail(email), bestGuessFindemId);
  }

  /** The confidence lookups of a known person's email answer with; 0.95 by default. */
  setConfidence(email: string, confidence: number): void {
    checkRate("confidence", confidence);
    const normalized = normalizeEmail(email);
    if (!this.byEmail.has(normalized)) throw new Error(`No person holds ${email}`);
    this.confidences.set(normalized, confidence);
  }

  // ---- faults and accounting ---------------------------------------------------------------

  /** The next `count` admitted requests (to `endpoint`, if given) answer `status`. Queued in order. */
  fail(next: FindemFailure): void {
    if (!Number.isInteger(next.status) || next.status < 400 || next.status > 599) {
      throw new RangeError(`fail() takes an error status (400–599), got ${next.status}`);
    }
    const count = next.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer`);
    this.faults.push({
      status: next.status,
      remaining: count,
      endpoint: next.endpoint,
      retryAfterSeconds: next.retryAfterSeconds,
    });
  }

  /** Changes the share of admitted requests answered 503; the seeded draws continue where they were. */
  setFailureRate(rate: number): void {
    checkRate("failureRate", rate);
    this.failureRate = rate;
  }

  usage(): FindemUsage {
    return { ...this.counters, lookupsByEmail: new Map(this.lookupsByEmail) };
  }

  /** Zeroes the counters. The rate window and recorded requests are left as they are. */
  resetUsage(): void {
    this.counters = FindemSandbox.zero();
    this.lookupsByEmail = new Map();
  }

  // ---- webhooks ----------------------------------------------------------------------------

  /** POSTs a signed `profile.updated` delivery for the person to `url`, as Findem would. */
  async sendProfileUpdated(
    url: string,
    secret: string,
    findemId: string,
    options: { messageId?: string; timestampSeconds?: number } = {},
  ): Promise<Response> {
    const person = this.person(findemId);
    if (!person) throw new Error(`No person ${findemId}`);
    const { body, headers } = signFindemWebhook(
      {
        type: "profile.updated",
        data: {
          findemId: person.findemId,
          linkedinHandle: person.linkedinHandle,
          emails: [...person.emails],
        },
      },
      secret,
      options,
    );
    return fetch(url, { method: "POST", headers, body });
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const text = await readBody(req);
    let body: unknown;
    let malformed = false;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
        malformed = true;
      }
    }
    const reply = (status: number, payload: unknown, headers?: Record<string, string>) => {
      this.requests.push({ method, path, status, ...(text !== "" ? { body } : {}), at });
      sendJson(res, status, payload, headers);
    };

    const target = route(method, path);
    if (!target) {
      reply(404, errorBody("not_found", `No route for ${method} ${path}`));
      return;
    }
    const presented = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
    if (presented !== this.apiKey) {
      this.counters.unauthorized += 1;
      const message = presented === undefined ? "Missing bearer API key" : "Invalid API key";
      reply(401, errorBody("unauthorized", message));
      return;
    }
    const retryAfter = this.admit(Date.now());
    if (retryAfter !== undefined) {
      this.counters.rateLimited += 1;
      reply(429, errorBody("rate_limited", `More than ${this.requestsPerSecond} requests per second`), {
        "retry-after": String(retryAfter),
      });
      return;
    }
    const fault = this.takeFault(target.endpoint);
    if (fault) {
      this.counters.faulted += 1;
      const seconds = fault.retryAfterSeconds ?? (fault.status === 429 ? 1 : undefined);
      reply(
        fault.status,
        errorBody(ERROR_CODES[fault.status] ?? "error", `Injected failure (${fault.status})`),
        seconds === undefined ? {} : { "retry-after": String(seconds) },
      );
      return;
    }
    if (malformed || (target.endpoint !== "profile" && !isRecord(body))) {
      this.counters.invalid += 1;
      reply(400, errorBody("invalid_request", "The body must be a JSON object"));
      return;
    }
    const fields = isRecord(body) ? body : {};
    switch (target.endpoint) {
      case "lookup":
        return this.lookup(fields, reply);
      case "enrich":
        return this.enrich(fields, reply);
      case "profile":
        return this.profile(target.findemId ?? "", reply);
    }
  }

  private lookup(body: Record<string, unknown>, reply: (status: number, payload: unknown) => void): void {
    if (typeof body.email !== "string" || body.email.trim() === "") {
      this.counters.invalid += 1;
      reply(400, errorBody("invalid_request", "`email` must be a non-empty string"));
      return;
    }
    const email = normalizeEmail(body.email);
    const answer = this.resolve(email);
    this.counters.lookup += 1;
    this.lookupsByEmail.set(email, (this.lookupsByEmail.get(email) ?? 0) + 1);
    const match = answer.match
      ? {
          findemId: answer.match.findemId,
          linkedinHandle: answer.match.linkedinHandle,
          emails: [...answer.match.emails],
          confidence: answer.confidence,
        }
      : null;
    reply(200, { match, ambiguous: answer.ambiguous });
  }

  private enrich(body: Record<string, unknown>, reply: (status: number, payload: unknown) => void): void {
    const { email, linkedinHandle } = body;
    const given = (value: unknown) => typeof value === "string" && value.trim() !== "";
    if (
      (email !== undefined && typeof email !== "string") ||
      (linkedinHandle !== undefined && typeof linkedinHandle !== "string") ||
      (!given(email) && !given(linkedinHandle))
    ) {
      this.counters.invalid += 1;
      reply(400, errorBody("invalid_request", "Send `email` or `linkedinHandle` (strings)"));
      return;
    }
    this.counters.enrich += 1;
    let person: FindemPerson | undefined;
    if (typeof linkedinHandle === "string" && given(linkedinHandle)) {
      const handle = normalizeHandle(linkedinHandle);
      const id = this.byHandle.get(handle) ?? this.synthesizedByHandle.get(handle);
      person = id === undefined ? undefined : this.person(id);
    } else if (typeof email === "string") {
      const answer = this.resolve(normalizeEmail(email));
      person = answer.ambiguous ? undefined : answer.match;
    }
    if (!person) {
      reply(404, errorBody("not_found", "No such person"));
      return;
    }
    reply(200, structuredClone(person));
  }

  private profile(findemId: string, reply: (status: number, payload: unknown) => void): void {
    this.counters.profile += 1;
    const person = this.person(findemId);
    if (!person) {
      reply(404, errorBody("not_found", `No person ${findemId}`));
      return;
    }
    reply(200, structuredClone(person));
  }

  /** Undefined when admitted (and the request joins the window), else the Retry-After in seconds. */
  private admit(now: number): number | undefined {
    while (this.window.length > 0 && (this.window[0] as number) <= now - WINDOW_MS) this.window.shift();
    if (this.window.length >= this.requestsPerSecond) {
      return Math.max(1, Math.ceil(((this.window[0] as number) + WINDOW_MS - now) / 1000));
    }
    this.window.push(now);
    return undefined;
  }

  private takeFault(endpoint: FindemEndpoint): Fault | undefined {
    const index = this.faults.findIndex(
      (fault) => fault.endpoint === undefined || fault.endpoint === endpoint,
    );
    const queued = this.faults[index];
    if (queued) {
      queued.remaining -= 1;
      if (queued.remaining <= 0) this.faults.splice(index, 1);
      return queued;
    }
    if (this.failureRate > 0 && this.failureDraw() < this.failureRate) {
      return { status: 503, remaining: 0, endpoint: undefined, retryAfterSeconds: undefined };
    }
    return undefined;
  }

  // ---- resolution --------------------------------------------------------------------------

  private person(findemId: string): FindemPerson | undefined {
    return this.people.get(findemId) ?? this.synthesizedPeople.get(findemId);
  }

  private resolve(email: string): Answer {
    const holders = this.byEmail.get(email) ?? [];
    if (this.ambiguousEmails.has(email) || holders.length > 1) {
      const guessId = this.ambiguousEmails.get(email) ?? holders[0];
      const guess = guessId === undefined ? undefined : this.person(guessId);
      return {
        match: guess ?? this.namesake(email, prng(digest(this.synthesis?.seed ?? 0, email).readUInt32BE(0))),
        confidence: AMBIGUOUS_CONFIDENCE,
        ambiguous: true,
      };
    }
    const holder = holders[0] === undefined ? undefined : this.people.get(holders[0]);
    if (holder) {
      return {
        match: holder,
        confidence: this.confidences.get(email) ?? DEFAULT_CONFIDENCE,
        ambiguous: false,
      };
    }
    if (!this.synthesis) return { match: undefined, confidence: 0, ambiguous: false };
    const cached = this.synthesizedAnswers.get(email);
    if (cached) return cached;
    const answer = this.synthesize(this.synthesis, email);
    this.synthesizedAnswers.set(email, answer);
    return answer;
  }

  private synthesize(synthesis: FindemSynthesis, email: string): Answer {
    const draw = prng(digest(synthesis.seed, email).readUInt32BE(0));
    const roll = draw();
    const { matchRate, ambiguousRate, lowConfidenceRate } = synthesis;
    const hundredths = (low: number, high: number) => Math.round((low + (high - low) * draw()) * 100) / 100;
    if (roll < matchRate) {
      return {
        match: this.synthesizedPerson(email, email, draw),
        confidence: hundredths(0.85, 0.99),
        ambiguous: false,
      };
    }
    if (roll < matchRate + ambiguousRate) {
      return { match: this.namesake(email, draw), confidence: hundredths(0.4, 0.75), ambiguous: true };
    }
    if (roll < matchRate + ambiguousRate + lowConfidenceRate) {
      return {
        match: this.synthesizedPerson(email, email, draw),
        confidence: hundredths(0.3, 0.75),
        ambiguous: false,
      };
    }
    return { match: undefined, confidence: 0, ambiguous: false };
  }

  /** Someone with the same local part at another domain: a plausible, wrong, best guess. */
  private namesake(email: string, draw: () => number): FindemPerson {
    const [local = "member", domain = ""] = email.split("@");
    let other = pick(draw, NAMESAKE_DOMAINS);
    if (other === domain)
      other = NAMESAKE_DOMAINS[(NAMESAKE_DOMAINS.indexOf(other) + 1) % NAMESAKE_DOMAINS.length] as string;
    return this.synthesizedPerson(`namesake\u0000${email}`, `${local}@${other}`, draw);
  }

  /** The person synthesized under `key`, created once; its id and handle come from the key's hash. */
  private synthesizedPerson(key: string, email: string, draw: () => number): FindemPerson {
    const hex = digest(this.synthesis?.seed ?? 0, key).toString("hex");
    const findemId = `fdm_${hex.slice(0, 20)}`;
    const existing = this.synthesizedPeople.get(findemId);
    if (existing) return existing;
    const stem = (email.split("@")[0] ?? "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "member";
    const person: FindemPerson = {
      findemId,
      linkedinHandle: `${stem}-${hex.slice(20, 26)}`,
      emails: [email],
      ...career(draw, this.nowMonth),
    };
    this.synthesizedPeople.set(findemId, person);
    this.synthesizedByHandle.set(normalizeHandle(person.linkedinHandle), findemId);
    return person;
  }

  private unindex(findemId: string): void {
    const previous = this.people.get(findemId);
    if (!previous) return;
    this.byHandle.delete(normalizeHandle(previous.linkedinHandle));
    for (const email of new Set(previous.emails.map(normalizeEmail))) {
      const rest = (this.byEmail.get(email) ?? []).filter((id) => id !== findemId);
      if (rest.length > 0) this.byEmail.set(email, rest);
      else this.byEmail.delete(email);
    }
  }

  private static zero(): Counters {
    return { lookup: 0, profile: 0, enrich: 0, rateLimited: 0, faulted: 0, unauthorized: 0, invalid: 0 };
  }
}
