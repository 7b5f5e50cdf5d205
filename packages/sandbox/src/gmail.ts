import { randomBytes } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type {
  GoogleAccessCheck,
  GoogleEndpoint,
  GoogleRouteContext,
  GoogleRouteHandler,
} from "./google-types";
import { type ApiError, insufficientScope, invalidCredential, missingCredential } from "./google-wire";
import type { MailWorld, WorldAddress, WorldMessage } from "./mail-world";
import { MailboxServiceControls } from "./mailbox-controls";
import type { MailboxUsage } from "./mailbox-quota";

/**
 * The Gmail API (v1) over a {@link MailWorld}, read-only and metadata-first, served by the
 * GoogleSandbox at Google's paths so `@googleapis/gmail` with `rootUrl` set to the sandbox talks
 * to it unchanged:
 *
 * - `GET /gmail/v1/users/{userId}/profile`
 * - `GET /gmail/v1/users/{userId}/messages` (`maxResults`, `pageToken`, `labelIds`, `includeSpamTrash`, `q`)
 * - `GET /gmail/v1/users/{userId}/messages/{id}` (`format`, `metadataHeaders`)
 * - `GET /gmail/v1/users/{userId}/threads/{id}` (`format`, `metadataHeaders`)
 * - `GET /gmail/v1/users/{userId}/history` (`startHistoryId`, `historyTypes`, `labelId`, `maxResults`, `pageToken`)
 * - `POST /batch/gmail/v1`: Google's multipart/mixed batch of the calls above
 *
 * `userId` is `me` or the caller's own address (another address is "Delegation denied").
 * Behaviour a client must cope with, as Gmail does it: a grant holding `gmail.metadata` may not
 * send `q` nor ask for `format=full|raw` (403, even when a broader scope was granted alongside);
 * `snippet` comes back with every format; history ids older than the retention horizon are 404;
 * quota is charged in units per user per minute and throttled with Gmail's 429 "Retry after" text.
 *
 * Sandbox choices where Google documents nothing firmer (see the README of each method below):
 * history ids are `100000 + offset + the world's seq`; page tokens are opaque base64url cursors
 * (a position, so mail arriving between pages neither repeats nor hides a message); inner calls of
 * one batch run at most `batchParallelism` at a time.
 */

export const GMAIL_SCOPES = {
  full: "https://mail.google.com/",
  modify: "https://www.googleapis.com/auth/gmail.modify",
  readonly: "https://www.googleapis.com/auth/gmail.readonly",
  metadata: "https://www.googleapis.com/auth/gmail.metadata",
} as const;

const READ_SCOPES = [GMAIL_SCOPES.full, GMAIL_SCOPES.modify, GMAIL_SCOPES.readonly, GMAIL_SCOPES.metadata];

export type GmailMethod = "getProfile" | "messages.list" | "messages.get" | "threads.get" | "history.list";

/**
 * Quota units per call. Defaults follow the table Kith plans against (2026); scale them (or the
 * budget) to make a bench hit the limit sooner.
 */
export const GMAIL_DEFAULT_COSTS: Readonly<Record<GmailMethod, number>> = {
  getProfile: 1,
  "messages.list": 5,
  "messages.get": 20,
  "threads.get": 40,
  "history.list": 2,
};

export interface GmailOptions {
  /** Per-user budget per minute, in units. 6,000 by default. */
  unitsPerMinute?: number;
  /** Overrides of {@link GMAIL_DEFAULT_COSTS}. */
  costs?: Partial<Record<GmailMethod, number>>;
  /** Calls of one user in flight at once; 4 by default. */
  maxConcurrentPerUser?: number;
  /** Inner calls of one batch served at once (each holds a concurrency slot); 4 by default. */
  batchParallelism?: number;
  /** For the quota window; `Date.now` by default. */
  clock?: () => number;
}

/** What the Gmail and Calendar services need of the GoogleSandbox. */
export interface GoogleApiHost {
  accountForAccessToken(token: string, requiredScope?: string | readonly string[]): GoogleAccessCheck;
  route(
    method: string,
    pattern: string | RegExp,
    endpoint: GoogleEndpoint,
    handler: GoogleRouteHandler,
  ): void;
}

/** One API answer, before it is written to a socket or into a batch part. */
export interface ApiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const HISTORY_BASE = 100_000;
const BATCH_LIMIT = 100;

// ---- Google's JSON errors (the google.rpc shape Gmail answers with) -----------------------------

function gmailError(
  status: number,
  message: string,
  reason: string,
  rpcStatus: string,
  domain = "global",
): ApiReply {
  return {
    status,
    body: { error: { code: status, message, errors: [{ message, domain, reason }], status: rpcStatus } },
  };
}

/**
 * Bodies Gmail returned, as quoted in public issue threads: "Metadata scope does not support 'q'
 * parameter" and "Metadata scope doesn't allow format FULL" (403 forbidden), "Requested entity
 * was not found." (404), "Delegation denied for …" (403), "Mail service not enabled" (400), and
 * the usage-limit 429s whose message carries "Retry after <ISO time>".
 */
export const GMAIL_ERRORS = {
  metadataQuery: () =>
    gmailError(403, "Metadata scope does not support 'q' parameter", "forbidden", "PERMISSION_DENIED"),
  metadataFormat: (format: string) =>
    gmailError(
      403,
      `Metadata scope doesn't allow format ${format.toUpperCase()}`,
      "forbidden",
      "PERMISSION_DENIED",
    ),
  notFound: () => gmailError(404, "Requested entity was not found.", "notFound", "NOT_FOUND"),
  delegationDenied: (userId: string) =>
    gmailError(403, `Delegation denied for ${userId}`, "forbidden", "PERMISSION_DENIED"),
  mailServiceNotEnabled: () =>
    gmailError(400, "Mail service not enabled", "failedPrecondition", "FAILED_PRECONDITION"),
  invalidArgument: (message: string) => gmailError(400, message, "invalidArgument", "INVALID_ARGUMENT"),
  rateLimited: (retryAt: number) =>
    gmailError(
      429,
      `User-rate limit exceeded.  Retry after ${new Date(retryAt).toISOString()}`,
      "rateLimitExceeded",
      "RESOURCE_EXHAUSTED",
      "usageLimits",
    ),
  tooManyConcurrent: () =>
    gmailError(
      429,
      "Too many concurrent requests for user",
      "rateLimitExceeded",
      "RESOURCE_EXHAUSTED",
      "usageLimits",
    ),
  backend: (status: number) =>
    status === 503
      ? gmailError(503, "The service is currently unavailable.", "backendError", "UNAVAILABLE")
      : gmailError(status, "Backend Error", "backendError", "INTERNAL"),
  unknownMethod: () => gmailError(404, "Method not found.", "notFound", "NOT_FOUND"),
} as const;

/** The 401/403 of an access check, as the sandbox's OAuth side words them. */
export function accessFailure(check: GoogleAccessCheck | undefined, accepted: readonly string[]): ApiReply {
  const error: ApiError = !check
    ? missingCredential()
    : !check.ok && check.reason === "insufficient_scope"
      ? insufficientScope(accepted)
      : invalidCredential();
  return { status: error.status, body: error.body, headers: error.headers };
}

export function bearerFrom(authorization: string | undefined): string | undefined {
  return /^bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "")?.[1];
}

export function sendReply(context: GoogleRouteContext, reply: ApiReply): void {
  const text = JSON.stringify(reply.body);
  context.res.writeHead(reply.status, {
    "content-type": "application/json; charset=UTF-8",
    "content-length": Buffer.byteLength(text),
    vary: "Origin, X-Origin, Referer",
    ...reply.headers,
  });
  context.res.end(text);
}

/** Opaque, URL-safe cursors: clients must hand them back untouched, never parse them. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeCursor<T>(token: string, valid: (value: unknown) => value is T): T | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    return valid(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

// ---- per-mailbox state: labels as last seen, and the history derived from the world's log ------

interface LabelledMessage {
  threadId: string;
  labelIds: string[];
}

interface HistoryRecord {
  seq: number;
  id: string;
  threadId: string;
  kind: "added" | "deleted" | "labels";
  /** Labels after the change (before it, for a deletion). */
  labelIds: string[];
  labelsAdded: string[];
  labelsRemoved: string[];
}

interface GmailMailbox {
  email: string;
  world: MailWorld;
  /** The world `seq` up to which `labels` and `history` are current. */
  seen: number;
  labels: Map<string, LabelledMessage>;
  history: HistoryRecord[];
  /** History ids are `HISTORY_BASE + offset + seq`; expiring the history raises the offset. */
  offset: number;
  /** The oldest `seq` a `startHistoryId` may name. */
  floorSeq: number;
}

export type GmailUsage = MailboxUsage;

/** Gmail over the attached worlds; the fault and usage controls come from {@link MailboxServiceControls}. */
export class GmailService extends MailboxServiceControls {
  private readonly mailboxes = new Map<string, GmailMailbox>();
  private readonly costs: Record<GmailMethod, number>;
  private batchParallelism: number;

  constructor(
    private readonly host: GoogleApiHost,
    options: GmailOptions = {},
  ) {
    super({
      unitsPerWindow: options.unitsPerMinute ?? 6_000,
      windowMs: 60_000,
      maxInFlight: options.maxConcurrentPerUser ?? 4,
      clock: options.clock,
    });
    this.costs = { ...GMAIL_DEFAULT_COSTS, ...options.costs };
    this.batchParallelism = options.batchParallelism ?? 4;
  }

  /**
   * Gmail's routes exist once a mailbox does, so a sandbox without worlds leaves the Gmail paths
   * free for routes a test registers itself.
   */
  private routed = false;

  private addRoutes(): void {
    if (this.routed) return;
    this.routed = true;
    const host = this.host;
    host.route(
      "GET",
      /^\/gmail\/v1\/users\/[^/]+\/(?:profile|messages|messages\/[^/]+|threads\/[^/]+|history)$/,
      "gmail",
      async (context) => {
        const reply = await this.call("GET", context.url, bearerFrom(context.req.headers.authorization));
        sendReply(context, reply);
      },
    );
    host.route("POST", "/batch/gmail/v1", "gmail", (context) => this.batch(context));
  }

  // ---- controls ---------------------------------------------------------------------------------

  /** Serves `world` as `email`'s mailbox; history starts at the world's current `seq`. */
  attach(email: string, world: MailWorld): void {
    this.addRoutes();
    const mailbox: GmailMailbox = {
      email: email.toLowerCase(),
      world,
      seen: world.seq,
      labels: new Map(),
      history: [],
      offset: 0,
      floorSeq: world.seq,
    };
    for (const message of world.messages()) {
      mailbox.labels.set(message.id, { threadId: message.threadId, labelIds: labelsOf(message) });
    }
    this.mailboxes.set(mailbox.email, mailbox);
  }

  /** Every history id issued so far is beyond the retention horizon: `history.list` answers 404. */
  expireHistory(email: string): void {
    const mailbox = this.mailbox(email);
    catchUp(mailbox);
    mailbox.floorSeq = mailbox.world.seq;
    mailbox.offset += 1_000_000;
  }

  /** The current `historyId` of the mailbox, as `getProfile` would answer. */
  historyId(email: string): string {
    const mailbox = this.mailbox(email);
    catchUp(mailbox);
    return historyIdOf(mailbox, mailbox.world.seq);
  }

  /** Limits from now on (the current window keeps what it spent). */
  setQuota(change: {
    unitsPerMinute?: number;
    maxConcurrentPerUser?: number;
    costs?: Partial<Record<GmailMethod, number>>;
    batchParallelism?: number;
  }): void {
    this.configureQuota({
      unitsPerWindow: change.unitsPerMinute,
      maxInFlight: change.maxConcurrentPerUser,
    });
    Object.assign(this.costs, change.costs);
    if (change.batchParallelism !== undefined) this.batchParallelism = change.batchParallelism;
  }

  private mailbox(email: string): GmailMailbox {
    const mailbox = this.mailboxes.get(email.toLowerCase());
    if (!mailbox) throw new Error(`No world attached to ${email}; call attachWorld first`);
    return mailbox;
  }

  // ---- one call -----------------------------------------------------------------------------

  /** Serves one call (direct or from a batch) authorized by `token`. */
  async call(method: string, url: URL, token: string | undefined): Promise<ApiReply> {
    const route = /^\/gmail\/v1\/users\/([^/]+)\/(profile|messages|threads|history)(?:\/([^/]+))?$/.exec(
      url.pathname,
    );
    const [, rawUser = "", collection = "", rawId] = route ?? [];
    const gmailMethod = !route ? undefined : methodOf(collection, rawId !== undefined);
    if (method !== "GET" || gmailMethod === undefined) return GMAIL_ERRORS.unknownMethod();
    const check = token === undefined ? undefined : this.host.accountForAccessToken(token, READ_SCOPES);
    if (!check?.ok) return accessFailure(check, READ_SCOPES);
    const userId = decodeURIComponent(rawUser);
    const email = check.account.email.toLowerCase();
    if (userId !== "me" && userId.toLowerCase() !== email) return GMAIL_ERRORS.delegationDenied(userId);
    const mailbox = this.mailboxes.get(email);
    if (!mailbox) return GMAIL_ERRORS.mailServiceNotEnabled();
    const metadataOnly = check.scopes.includes(GMAIL_SCOPES.metadata);
    const id = rawId === undefined ? "" : decodeURIComponent(rawId);
    const outcome = await this.gate.pass(
      email,
      gmailMethod,
      this.costs[gmailMethod],
      () => {
        catchUp(mailbox);
        return serve(mailbox, gmailMethod, id, url.searchParams, metadataOnly);
      },
      (reply) => reply.status,
    );
    if (outcome.kind === "answered") return outcome.value;
    if (outcome.kind === "fault") {
      return outcome.status === 429
        ? GMAIL_ERRORS.rateLimited(this.gate.quota.now() + 1000)
        : GMAIL_ERRORS.backend(outcome.status);
    }
    return outcome.reason === "rate"
      ? GMAIL_ERRORS.rateLimited(outcome.retryAt)
      : GMAIL_ERRORS.tooManyConcurrent();
  }

  // ---- batch --------------------------------------------------------------------------------

  /**
   * Google's batch format: the outer request is `multipart/mixed`, each part `application/http`
   * holding one request (request line, headers, blank line, body); the outer headers (the
   * Authorization among them) apply to every inner request unless it sets its own. The answer is
   * `multipart/mixed`, one `application/http` part per call, in request order, with `Content-ID:
   * <response-ID>` when the call had `Content-ID: <ID>`. Each call is authorized, throttled and
   * charged on its own, so a batch of n calls costs n calls' units.
   */
  private async batch(context: GoogleRouteContext): Promise<void> {
    const boundary = boundaryOf(context.req.headers["content-type"]);
    const parts = boundary === undefined ? undefined : parseBatch(context.body, boundary);
    if (!parts || parts.length === 0) {
      sendReply(context, GMAIL_ERRORS.invalidArgument("Invalid multipart request with 0 mime parts."));
      return;
    }
    if (parts.length > BATCH_LIMIT) {
      sendReply(
        context,
        GMAIL_ERRORS.invalidArgument(`Too many requests in batch; the limit is ${BATCH_LIMIT}.`),
      );
      return;
    }
    const outerToken = bearerFrom(context.req.headers.authorization);
    const replies: ApiReply[] = new Array(parts.length);
    let next = 0;
    const worker = async () => {
      while (next < parts.length) {
        const index = next;
        next += 1;
        const part = parts[index] as BatchPart;
        const url = new URL(part.target, "http://batch.invalid");
        const token =
          part.headers.authorization === undefined ? outerToken : bearerFrom(part.headers.authorization);
        replies[index] = await this.call(part.method, url, token);
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(this.batchParallelism, parts.length)) }, worker),
    );
    const responseBoundary = `batch_${randomBytes(12).toString("base64url")}`;
    const text = renderBatch(responseBoundary, parts, replies);
    context.res.writeHead(200, {
      "content-type": `multipart/mixed; boundary=${responseBoundary}`,
      "content-length": Buffer.byteLength(text),
      vary: "Origin, X-Origin, Referer",
    });
    context.res.end(text);
  }
}

function methodOf(collection: string, withId: boolean): GmailMethod | undefined {
  if (collection === "profile") return withId ? undefined : "getProfile";
  if (collection === "messages") return withId ? "messages.get" : "messages.list";
  if (collection === "threads") return withId ? "threads.get" : undefined;
  if (collection === "history") return withId ? undefined : "history.list";
  return undefined;
}

// ---- labels and history -------------------------------------------------------------------------

/** A stable draw per message, so the same mail is unread (or not) in every run. */
function idDigits(id: string): number {
  return Number.parseInt(id.slice(-4), 16) || 0;
}

function isBulk(message: WorldMessage): boolean {
  const { listUnsubscribe, listId, precedence, autoSubmitted } = message.headers;
  return Boolean(listUnsubscribe ?? listId ?? precedence ?? autoSubmitted);
}

/**
 * Gmail's system labels for a world folder: inbox → INBOX, archive → no location label, sent →
 * SENT, drafts → DRAFT, junk → SPAM, deleted → TRASH; inbound mail also carries its category
 * (PROMOTIONS for list mail, PERSONAL otherwise) and, for some, UNREAD.
 */
export function labelsOf(message: WorldMessage): string[] {
  const labels: string[] = [];
  const location: Record<WorldMessage["folder"], string | undefined> = {
    inbox: "INBOX",
    archive: undefined,
    sentitems: "SENT",
    drafts: "DRAFT",
    junkemail: "SPAM",
    deleteditems: "TRASH",
  };
  const label = location[message.folder];
  if (label) labels.push(label);
  if (message.sent && message.folder !== "sentitems") labels.push("SENT");
  const inbound = !message.sent && message.folder !== "drafts";
  if (inbound && message.folder !== "junkemail") {
    labels.push(isBulk(message) ? "CATEGORY_PROMOTIONS" : "CATEGORY_PERSONAL");
  }
  if (inbound && idDigits(message.id) % 5 === 0) labels.push("UNREAD");
  return labels;
}

function historyIdOf(mailbox: GmailMailbox, seq: number): string {
  return String(HISTORY_BASE + mailbox.offset + Math.max(seq, mailbox.floorSeq));
}

/** Turns the world's changes since the last look into history records. */
function catchUp(mailbox: GmailMailbox): void {
  const { world } = mailbox;
  for (const change of world.changesSince(mailbox.seen)) {
    if (!change.kind.startsWith("message.")) continue;
    const before = mailbox.labels.get(change.id);
    const message = world.message(change.id);
    if (change.kind === "message.deleted") {
      mailbox.labels.delete(change.id);
      mailbox.history.push({
        seq: change.seq,
        id: change.id,
        threadId: before?.threadId ?? change.id,
        kind: "deleted",
        labelIds: before?.labelIds ?? [],
        labelsAdded: [],
        labelsRemoved: [],
      });
      continue;
    }
    // Added then deleted before anyone looked: the deletion record alone tells the story.
    if (!message) continue;
    const after = labelsOf(message);
    mailbox.labels.set(change.id, { threadId: message.threadId, labelIds: after });
    const previous = change.kind === "message.added" ? [] : (before?.labelIds ?? []);
    mailbox.history.push({
      seq: change.seq,
      id: message.id,
      threadId: message.threadId,
      kind: change.kind === "message.added" ? "added" : "labels",
      labelIds: after,
      labelsAdded: change.kind === "message.added" ? [] : after.filter((label) => !previous.includes(label)),
      labelsRemoved: previous.filter((label) => !after.includes(label)),
    });
  }
  mailbox.seen = world.seq;
}

// ---- the methods ---------------------------------------------------------------------------

function serve(
  mailbox: GmailMailbox,
  method: GmailMethod,
  id: string,
  query: URLSearchParams,
  metadataOnly: boolean,
): ApiReply {
  switch (method) {
    case "getProfile":
      return getProfile(mailbox);
    case "messages.list":
      return listMessages(mailbox, query, metadataOnly);
    case "messages.get":
      return getMessage(mailbox, id, query, metadataOnly);
    case "threads.get":
      return getThread(mailbox, id, query, metadataOnly);
    case "history.list":
      return listHistory(mailbox, query);
  }
}

function getProfile(mailbox: GmailMailbox): ApiReply {
  const messages = mailbox.world.messages();
  return {
    status: 200,
    body: {
      emailAddress: mailbox.email,
      messagesTotal: messages.length,
      threadsTotal: new Set(messages.map((message) => message.threadId)).size,
      historyId: historyIdOf(mailbox, mailbox.world.seq),
    },
  };
}

/** `maxResults`: default `fallback`, capped at `max` (Gmail caps rather than refuses). */
function pageSize(query: URLSearchParams, fallback: number, max: number): number | ApiReply {
  const raw = query.get("maxResults");
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    return GMAIL_ERRORS.invalidArgument(`Invalid maxResults: ${raw}`);
  return Math.min(value === 0 ? fallback : value, max);
}

type MessageCursor = { d: number; i: string };

function isMessageCursor(value: unknown): value is MessageCursor {
  const cursor = value as MessageCursor;
  return (
    typeof cursor === "object" &&
    cursor !== null &&
    typeof cursor.d === "number" &&
    typeof cursor.i === "string"
  );
}

/**
 * Newest first by `internalDate` (then id), the order MailWorld keeps. SPAM and TRASH are left out
 * unless `includeSpamTrash` is true or `labelIds` names them; `labelIds` keeps messages carrying
 * every one. `resultSizeEstimate` is exact here (Gmail only promises an estimate).
 */
function listMessages(mailbox: GmailMailbox, query: URLSearchParams, metadataOnly: boolean): ApiReply {
  if (query.has("q") && metadataOnly) return GMAIL_ERRORS.metadataQuery();
  if (query.has("q") && query.get("q") !== "") {
    return GMAIL_ERRORS.invalidArgument("The sandbox does not evaluate Gmail search queries (q).");
  }
  const size = pageSize(query, 100, 500);
  if (typeof size !== "number") return size;
  const labelIds = query.getAll("labelIds").flatMap((value) => value.split(","));
  const includeSpamTrash = query.get("includeSpamTrash") === "true";
  const matching = mailbox.world.messages().filter((message) => {
    const labels = labelsOf(message);
    if (!includeSpamTrash && (labels.includes("SPAM") || labels.includes("TRASH"))) {
      if (!labelIds.some((label) => label === "SPAM" || label === "TRASH")) return false;
    }
    return labelIds.every((label) => labels.includes(label));
  });
  const token = query.get("pageToken");
  let start = 0;
  if (token) {
    const cursor = decodeCursor(token, isMessageCursor);
    if (!cursor) return GMAIL_ERRORS.invalidArgument("Invalid pageToken");
    start = matching.findIndex(
      (message) =>
        message.internalDate < cursor.d || (message.internalDate === cursor.d && message.id < cursor.i),
    );
    if (start < 0) start = matching.length;
  }
  const page = matching.slice(start, start + size);
  const last = page[page.length - 1];
  const more = start + size < matching.length;
  return {
    status: 200,
    body: {
      ...(page.length > 0
        ? { messages: page.map((message) => ({ id: message.id, threadId: message.threadId })) }
        : {}),
      ...(more && last ? { nextPageToken: encodeCursor({ d: last.internalDate, i: last.id }) } : {}),
      resultSizeEstimate: matching.length,
    },
  };
}

const FORMATS = new Set(["full", "metadata", "minimal", "raw"]);

function formatOf(query: URLSearchParams, metadataOnly: boolean, allowRaw: boolean): string | ApiReply {
  const format = (query.get("format") ?? "full").toLowerCase();
  if (!FORMATS.has(format) || (!allowRaw && format === "raw")) {
    return GMAIL_ERRORS.invalidArgument(`Invalid value at 'format' (${query.get("format")})`);
  }
  if (metadataOnly && (format === "full" || format === "raw")) return GMAIL_ERRORS.metadataFormat(format);
  return format;
}

function getMessage(
  mailbox: GmailMailbox,
  id: string,
  query: URLSearchParams,
  metadataOnly: boolean,
): ApiReply {
  const format = formatOf(query, metadataOnly, true);
  if (typeof format !== "string") return format;
  const message = mailbox.world.message(id);
  if (!message) return GMAIL_ERRORS.notFound();
  return { status: 200, body: renderMessage(mailbox, message, format, query.getAll("metadataHeaders")) };
}

/** Every message of the thread, oldest first, wherever it sits (SPAM and TRASH included). */
function getThread(
  mailbox: GmailMailbox,
  id: string,
  query: URLSearchParams,
  metadataOnly: boolean,
): ApiReply {
  const format = formatOf(query, metadataOnly, false);
  if (typeof format !== "string") return format;
  const messages = mailbox.world
    .messages()
    .filter((message) => message.threadId === id)
    .reverse();
  if (messages.length === 0) return GMAIL_ERRORS.notFound();
  const headers = query.getAll("metadataHeaders");
  const latest = Math.max(...messages.map((message) => message.changedAt));
  return {
    status: 200,
    body: {
      id,
      historyId: historyIdOf(mailbox, latest),
      messages: messages.map((message) => renderMessage(mailbox, message, format, headers)),
    },
  };
}

function renderAddress(address: WorldAddress): string {
  return address.name ? `"${address.name.replace(/["\\]/g, "\\$&")}" <${address.email}>` : address.email;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 5322 date, as mail clients write it: `Tue, 3 Dec 2026 10:00:00 +0000`. */
function rfc5322Date(ms: number): string {
  const date = new Date(ms);
  const time = date.toISOString().slice(11, 19);
  return `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${time} +0000`;
}

function headersOf(message: WorldMessage): { name: string; value: string }[] {
  const headers: { name: string; value: string }[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== "") headers.push({ name, value });
  };
  add("From", renderAddress(message.from));
  add("To", message.to.map(renderAddress).join(", "));
  add("Cc", message.cc.map(renderAddress).join(", "));
  if (message.sent) add("Bcc", message.bcc.map(renderAddress).join(", "));
  add("Date", rfc5322Date(message.internalDate));
  add("Subject", message.subject);
  add("Message-ID", `<${message.id}@mail.world.example>`);
  add("List-Unsubscribe", message.headers.listUnsubscribe);
  add("List-Id", message.headers.listId);
  add("Precedence", message.headers.precedence);
  add("Auto-Submitted", message.headers.autoSubmitted);
  return headers;
}

function renderMessage(
  mailbox: GmailMailbox,
  message: WorldMessage,
  format: string,
  wantedHeaders: string[],
): Record<string, unknown> {
  const headers = headersOf(message);
  const raw = `${headers.map((header) => `${header.name}: ${header.value}`).join("\r\n")}\r\n\r\n${message.body}`;
  const common = {
    id: message.id,
    threadId: message.threadId,
    labelIds: labelsOf(message),
    snippet: message.snippet,
    sizeEstimate: Buffer.byteLength(raw),
    historyId: historyIdOf(mailbox, message.changedAt),
    internalDate: String(message.internalDate),
  };
  if (format === "minimal") return common;
  if (format === "raw") return { ...common, raw: Buffer.from(raw).toString("base64url") };
  if (format === "metadata") {
    const wanted = new Set(
      wantedHeaders.flatMap((name) => name.split(",")).map((name) => name.trim().toLowerCase()),
    );
    const kept =
      wanted.size === 0 ? headers : headers.filter((header) => wanted.has(header.name.toLowerCase()));
    return { ...common, payload: { mimeType: "text/plain", headers: kept } };
  }
  return {
    ...common,
    payload: {
      partId: "",
      mimeType: "text/plain",
      filename: "",
      headers: [...headers, { name: "Content-Type", value: 'text/plain; charset="UTF-8"' }],
      body: { size: Buffer.byteLength(message.body), data: Buffer.from(message.body).toString("base64url") },
    },
  };
}

const HISTORY_TYPES = new Set(["messageAdded", "messageDeleted", "labelAdded", "labelRemoved"]);

type HistoryCursor = { s: number; o: number };

function isHistoryCursor(value: unknown): value is HistoryCursor {
  const cursor = value as HistoryCursor;
  return (
    typeof cursor === "object" &&
    cursor !== null &&
    typeof cursor.s === "number" &&
    typeof cursor.o === "number"
  );
}

/**
 * Records after `startHistoryId`, oldest first, one per world change: message.added →
 * `messagesAdded`, message.deleted → `messagesDeleted`, message.moved → `labelsAdded` and/or
 * `labelsRemoved`. `historyTypes` keeps the records of those kinds (and only those fields);
 * `labelId` the records touching that label. A `startHistoryId` from before the horizon (the
 * world's attachment, or the last {@link GmailService.expireHistory}) is 404, as Gmail answers an
 * id it no longer remembers; one from the future lists nothing.
 */
function listHistory(mailbox: GmailMailbox, query: URLSearchParams): ApiReply {
  const raw = query.get("startHistoryId");
  if (raw === null || raw === "") return GMAIL_ERRORS.invalidArgument("Missing startHistoryId");
  if (!/^\d+$/.test(raw)) return GMAIL_ERRORS.invalidArgument("Invalid startHistoryId");
  const startSeq = Number(raw) - HISTORY_BASE - mailbox.offset;
  if (startSeq < mailbox.floorSeq) return GMAIL_ERRORS.notFound();
  const size = pageSize(query, 100, 500);
  if (typeof size !== "number") return size;
  const types = query.getAll("historyTypes").flatMap((value) => value.split(","));
  for (const type of types) {
    if (!HISTORY_TYPES.has(type))
      return GMAIL_ERRORS.invalidArgument(`Invalid value at 'history_types' (${type})`);
  }
  const wants = (type: string) => types.length === 0 || types.includes(type);
  const labelId = query.get("labelId");
  let after = startSeq;
  const token = query.get("pageToken");
  if (token) {
    const cursor = decodeCursor(token, isHistoryCursor);
    if (!cursor || cursor.o !== mailbox.offset) return GMAIL_ERRORS.invalidArgument("Invalid pageToken");
    after = Math.max(after, cursor.s);
  }
  const entries: { seq: number; entry: Record<string, unknown> }[] = [];
  for (const record of mailbox.history) {
    if (record.seq <= after) continue;
    if (
      labelId !== null &&
      ![...record.labelIds, ...record.labelsAdded, ...record.labelsRemoved].includes(labelId)
    ) {
      continue;
    }
    const ref = { id: record.id, threadId: record.threadId };
    const labelled = { ...ref, labelIds: record.labelIds };
    const entry: Record<string, unknown> = { id: historyIdOf(mailbox, record.seq), messages: [ref] };
    if (record.kind === "added" && wants("messageAdded")) entry.messagesAdded = [{ message: labelled }];
    if (record.kind === "deleted" && wants("messageDeleted")) entry.messagesDeleted = [{ message: ref }];
    if (record.labelsAdded.length > 0 && wants("labelAdded")) {
      entry.labelsAdded = [{ message: labelled, labelIds: record.labelsAdded }];
    }
    if (record.labelsRemoved.length > 0 && wants("labelRemoved")) {
      entry.labelsRemoved = [{ message: labelled, labelIds: record.labelsRemoved }];
    }
    if (Object.keys(entry).length === 2) continue;
    entries.push({ seq: record.seq, entry });
  }
  const page = entries.slice(0, size);
  const last = page[page.length - 1];
  return {
    status: 200,
    body: {
      ...(page.length > 0 ? { history: page.map(({ entry }) => entry) } : {}),
      ...(entries.length > size && last
        ? { nextPageToken: encodeCursor({ s: last.seq, o: mailbox.offset }) }
        : {}),
      historyId: historyIdOf(mailbox, mailbox.world.seq),
    },
  };
}

// ---- multipart/mixed --------------------------------------------------------------------------

interface BatchPart {
  contentId?: string;
  method: string;
  target: string;
  headers: Record<string, string>;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /^multipart\/mixed\s*;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
  return match?.[1] ?? match?.[2];
}

function splitHead(text: string): [string, string] {
  const match = /\r?\n\r?\n/.exec(text);
  return match ? [text.slice(0, match.index), text.slice(match.index + match[0].length)] : [text, ""];
}

function headerMap(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** The parts of a batch body, or undefined when one is not an HTTP request. */
export function parseBatch(body: string, boundary: string): BatchPart[] | undefined {
  const sections = body.split(`--${boundary}`);
  const parts: BatchPart[] = [];
  // sections[0] is the preamble; the one after the closing delimiter starts with "--".
  for (const section of sections.slice(1)) {
    if (section.startsWith("--")) break;
    const [partHead, request] = splitHead(section.replace(/^\r?\n/, ""));
    const partHeaders = headerMap(partHead.split(/\r?\n/));
    const [requestHead] = splitHead(request.replace(/^\s+/, ""));
    const [requestLine = "", ...headerLines] = requestHead.split(/\r?\n/);
    const line = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/.exec(requestLine.trim());
    if (!line) return undefined;
    const contentId = partHeaders["content-id"]?.replace(/^<|>$/g, "");
    parts.push({
      ...(contentId === undefined ? {} : { contentId }),
      method: line[1] as string,
      target: line[2] as string,
      headers: headerMap(headerLines),
    });
  }
  return parts;
}

export function renderBatch(
  boundary: string,
  parts: readonly BatchPart[],
  replies: readonly ApiReply[],
): string {
  const chunks = parts.map((part, index) => {
    const reply = replies[index] as ApiReply;
    const json = JSON.stringify(reply.body);
    return [
      `--${boundary}`,
      "Content-Type: application/http",
      ...(part.contentId === undefined ? [] : [`Content-ID: <response-${part.contentId}>`]),
      "",
      `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ""}`.trimEnd(),
      "Content-Type: application/json; charset=UTF-8",
      ...Object.entries(reply.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
      "Vary: Origin",
      "Vary: X-Origin",
      "Vary: Referer",
      "",
      json,
      "",
    ].join("\r\n");
  });
  return `${chunks.join("")}--${boundary}--\r\n`;
}
