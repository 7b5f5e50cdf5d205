import { randomBytes } from "node:crypto";
import type { MailWorld, WorldAddress, WorldFolder, WorldMessage } from "./mail-world";
import { MailboxServiceControls } from "./mailbox-controls";
import { retryAfterSeconds } from "./mailbox-quota";
import type { GraphReply, GraphRequest, GraphRoute } from "./microsoft-graph";
import type { StoredAccount } from "./microsoft-state";

/**
 * Outlook mail in Microsoft Graph, served from a {@link MailWorld} per mailbox, and the mailbox
 * machinery the mail and calendar routes share ({@link GraphMailboxes}: worlds, delta state
 * tokens, Outlook's per-mailbox throttling, injected faults and usage).
 *
 * Sources (all public, microsoft-graph-docs): "message: delta" and "Get incremental changes to
 * messages in a folder" (query options: `$select`, `$top`, `$filter=receivedDateTime ge|gt …`
 * only, `$orderby=receivedDateTime desc` only, `changeType`; `Prefer: odata.maxpagesize`; items
 * carry `@odata.type` and `@odata.etag`; next links have the form `…/mailfolders('{id}')/messages/
 * delta?$skiptoken=…`; `@removed: { reason: "deleted" }`), "Use delta query" (opaque state tokens
 * that encode the initial query; expired tokens are a 410 with `syncStateNotFound`, which Outlook
 * spells `SyncStateNotFound` with the message "The sync state generation is not found;
 * generation=…"), "Get immutable identifiers for Outlook resources" (an item's id changes when it
 * moves folder unless `Prefer: IdType="ImmutableId"`), "Microsoft Graph service-specific
 * throttling limits" (Outlook: 10,000 requests per 10 minutes and 4 concurrent requests per app
 * per mailbox; 429 `ApplicationThrottled` "Application is over its MailboxConcurrency limit."),
 * the permissions reference (`Mail.ReadBasic` reads everything but `body` and `bodyPreview`),
 * "List messages" (default page 10, `$top` 1 to 1000, next links carrying `$skip`; with `$filter`
 * and `$orderby` together, the `$orderby` properties must lead the `$filter` or it is a 400
 * `InefficientFilter` "The restriction or sort order is too complex for this operation.") and the
 * message resource type.
 */

// ---- ids ------------------------------------------------------------------------------------------

/**
 * Graph ids are opaque base64 strings (`AAMkAD…AAA=`); these carry what the sandbox needs to
 * resolve them. A client must never parse them: their content is the sandbox's business.
 */
export function encodeGraphId(prefix: string, parts: readonly string[]): string {
  return `${prefix}${Buffer.from(parts.join("\u0001")).toString("base64url")}AAA=`;
}

export function decodeGraphId(prefix: string, id: string): string[] | undefined {
  if (!id.startsWith(prefix) || !id.endsWith("AAA=")) return undefined;
  const inner = id.slice(prefix.length, -4);
  if (!/^[A-Za-z0-9_-]+$/.test(inner)) return undefined;
  return Buffer.from(inner, "base64url").toString("utf8").split("\u0001");
}

const ITEM_PREFIX = "AAMkA";
const IMMUTABLE_PREFIX = "AAkALgAAAAAAHYQDEapmEc2byACqAC";
const FOLDER_PREFIX = "AQMkA";
const CONVERSATION_PREFIX = "AAQkA";

/** `Prefer: IdType="ImmutableId"`: ids that survive moves between folders. */
export function wantsImmutableIds(headers: Record<string, string>): boolean {
  return preferences(headers).some((pref) => /^idtype\s*=\s*"?immutableid"?$/i.test(pref));
}

export function preferences(headers: Record<string, string>): string[] {
  return (headers.prefer ?? "")
    .split(",")
    .map((pref) => pref.trim())
    .filter(Boolean);
}

/** `Prefer: odata.maxpagesize=N`, when given as a positive integer. */
export function preferredPageSize(headers: Record<string, string>): number | undefined {
  for (const pref of preferences(headers)) {
    const match = /^odata\.maxpagesize\s*=\s*(\d+)$/i.exec(pref);
    if (match && Number(match[1]) > 0) return Number(match[1]);
  }
  return undefined;
}

/** The page size of a delta round: the preference, else `$top`, else Graph's default of 10; at most 999. */
export function deltaPageSize(headers: Record<string, string>, top: number | undefined): number {
  return Math.min(999, preferredPageSize(headers) ?? top ?? 10);
}

/** A query option, its name matched case-insensitively and with or without `$`, as Graph matches them. */
export function queryOption(query: URLSearchParams, name: string): string | undefined {
  const wanted = name.replace(/^\$/, "").toLowerCase();
  for (const [key, value] of query) {
    if (key.replace(/^\$/, "").toLowerCase() === wanted) return value;
  }
  return undefined;
}

// ---- mailboxes ------------------------------------------------------------------------------------

export interface GraphMailboxLimits {
  /** Requests per mailbox per window: Outlook's 10,000 by default. */
  requestsPerWindow?: number;
  /** 600,000 (10 minutes) by default. */
  windowMs?: number;
  /** Concurrent requests per mailbox: Outlook's 4 by default. */
  maxInFlight?: number;
}

/** What a delta round lists: world ids, present (rendered when their page is served) or removed. */
export interface DeltaEntry {
  worldId: string;
  removed: boolean;
}

/** One round of change tracking over one resource (a folder's messages, a calendar view). */
export interface DeltaRound<Params> {
  /** `messages:<folder>` or `calendarView`. */
  resource: string;
  accountId: string;
  params: Params;
  entries: DeltaEntry[];
  /** The world ids in the resource when the round started: the next round's baseline. */
  membership: Set<string>;
  /** The world's `seq` when the round started. */
  seq: number;
}

interface SyncToken {
  round: DeltaRound<unknown>;
  /** Where the next page starts; undefined for a delta token (the round is complete). */
  offset: number | undefined;
  generation: number;
}

export type TokenLookup<Params> =
  | { ok: true; round: DeltaRound<Params>; offset: number | undefined }
  | { ok: false; reply: GraphReply };

/**
 * The Graph sandbox's mailboxes: which world each account reads, the delta rounds handed out as
 * state tokens, and Outlook's limits. Shared by the mail, calendar and batch routes.
 */
export class GraphMailboxes extends MailboxServiceControls {
  private readonly worlds = new Map<string, MailWorld>();
  private readonly tokens = new Map<string, SyncToken>();
  private readonly validFrom = new Map<string, number>();
  private generation = 0;

  constructor() {
    super({ unitsPerWindow: 10_000, windowMs: 600_000, maxInFlight: 4 });
  }

  attach(account: StoredAccount, world: MailWorld): void {
    this.worlds.set(account.id, world);
  }

  world(account: StoredAccount): MailWorld | undefined {
    return this.worlds.get(account.id);
  }

  /** Like Exchange's sync-state cache evicting them: every token issued so far for the account is gone. */
  expireTokens(account: StoredAccount): void {
    this.generation += 1;
    this.validFrom.set(account.id, this.generation);
  }

  limits(change: GraphMailboxLimits): void {
    this.configureQuota({
      unitsPerWindow: change.requestsPerWindow,
      windowMs: change.windowMs,
      maxInFlight: change.maxInFlight,
    });
  }

  /** A state token for the round: a next page at `offset`, or (without it) the round's delta token. */
  issueToken(round: DeltaRound<unknown>, offset?: number): string {
    this.generation += 1;
    const token = randomToken();
    this.tokens.set(token, { round, offset, generation: this.generation });
    return token;
  }

  lookupToken<Params>(account: StoredAccount, resource: string, token: string): TokenLookup<Params> {
    const found = this.tokens.get(token);
    if (!found || found.round.accountId !== account.id || found.round.resource !== resource) {
      // A token this sandbox never issued (or issued before a restart) is as good as evicted.
      return { ok: false, reply: syncStateNotFound(0, this.generation) };
    }
    if (found.generation < (this.validFrom.get(account.id) ?? 0)) {
      return { ok: false, reply: syncStateNotFound(found.generation, this.generation) };
    }
    return { ok: true, round: found.round as DeltaRound<Params>, offset: found.offset };
  }

  /**
   * Runs an Outlook-backed request under the mailbox's limits ({@link MailboxGate}): 429 when the
   * mailbox is over its request budget or has `maxInFlight` requests in flight, an injected fault,
   * else the handler's answer. The gate's first `await` comes after admission, so the requests of
   * one JSON batch are admitted together, as Graph dispatches them together.
   */
  async run(
    account: StoredAccount,
    endpoint: string,
    handle: () => GraphReply | Promise<GraphReply>,
  ): Promise<GraphReply> {
    const outcome = await this.gate.pass(account.email, endpoint, 1, handle, (reply) => reply.status);
    if (outcome.kind === "answered") return outcome.value;
    if (outcome.kind === "fault") return faultReply(outcome.status);
    return throttledReply(outcome.reason, outcome.retryAt, this.gate.quota.now());
  }
}

function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

function syncStateNotFound(generation: number, highest: number): GraphReply {
  return {
    status: 410,
    body: {
      code: "SyncStateNotFound",
      message: `The sync state generation is not found; generation=${generation};[highest=${highest}].`,
    },
  };
}

function faultReply(status: number): GraphReply {
  const [code, message] =
    status === 429
      ? ["TooManyRequests", "Please retry again later."]
      : status === 503
        ? ["serviceNotAvailable", "The service is temporarily unavailable. Please retry again later."]
        : ["generalException", "An unspecified error has occurred."];
  return {
    status,
    body: { code, message },
    ...(status === 429 || status === 503 ? { headers: { "retry-after": "1" } } : {}),
  };
}

function throttledReply(reason: "rate" | "concurrency", retryAt: number, now: number): GraphReply {
  return {
    status: 429,
    headers: { "retry-after": String(retryAfterSeconds(retryAt, now)) },
    body:
      reason === "concurrency"
        ? { code: "ApplicationThrottled", message: "Application is over its MailboxConcurrency limit." }
        : { code: "TooManyRequests", message: "Please retry again later." },
  };
}

/** 404 for an account without a world: Graph's answer for a user without an Exchange Online mailbox. */
export function mailboxWorld(request: GraphRequest): MailWorld | GraphReply {
  return (
    request.mailboxes.world(request.account) ?? {
      status: 404,
      body: {
        code: "MailboxNotEnabledForRESTAPI",
        message: "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
      },
    }
  );
}

export function isReply(value: unknown): value is GraphReply {
  return (
    typeof value === "object" && value !== null && typeof (value as { status?: unknown }).status === "number"
  );
}

/** `$select` against a type's properties; Outlook's error for an unknown one. */
export function selectProperties(
  query: URLSearchParams,
  known: readonly string[],
  outlookType: string,
): string[] | GraphReply | undefined {
  const raw = queryOption(query, "$select");
  if (raw === undefined) return undefined;
  const chosen: string[] = [];
  for (const name of raw
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const found = known.find((property) => property.toLowerCase() === name.toLowerCase());
    if (!found) {
      return {
        status: 400,
        body: {
          code: "RequestBroker--ParseUri",
          message: `Could not find a property named '${name}' on type 'Microsoft.OutlookServices.${outlookType}'.`,
        },
      };
    }
    if (!chosen.includes(found)) chosen.push(found);
  }
  return chosen;
}

/** Serves the next page of a round: its entries rendered now, and the next or delta link. */
export function deltaPage<Params>(
  request: GraphRequest,
  round: DeltaRound<Params>,
  offset: number,
  pageSize: number,
  link: (tokenParam: string) => string,
  render: (entry: DeltaEntry) => Record<string, unknown> | undefined,
  context: string,
): GraphReply {
  const value: Record<string, unknown>[] = [];
  let index = offset;
  while (index < round.entries.length && value.length < pageSize) {
    const entry = round.entries[index] as DeltaEntry;
    index += 1;
    const rendered = render(entry);
    if (rendered) value.push(rendered);
  }
  const mailboxes = request.mailboxes;
  const more = index < round.entries.length;
  const token = mailboxes.issueToken(round as DeltaRound<unknown>, more ? index : undefined);
  return {
    status: 200,
    body: {
      "@odata.context": `${request.serviceRoot}/$metadata#${context}`,
      ...(more
        ? { "@odata.nextLink": link(`$skiptoken=${token}`) }
        : { "@odata.deltaLink": link(`$deltatoken=${token}`) }),
      value,
    },
    ...(wantsImmutableIds(request.headers)
      ? { headers: { "preference-applied": 'IdType="ImmutableId"' } }
      : {}),
  };
}

/**
 * The state token of a delta request, if it carries one (a 410 when it is no longer valid): a
 * skip token continues its round at its offset; a delta token (no offset) starts the next round
 * from where its round began.
 */
export function continuation<Params>(
  request: GraphRequest,
  resource: string,
): TokenLookup<Params> | undefined {
  const token = queryOption(request.query, "$skiptoken") ?? queryOption(request.query, "$deltatoken");
  if (token === undefined) return undefined;
  return request.mailboxes.lookupToken<Params>(request.account, resource, token);
}

/** `W/"CQAAABYAAAA…"`: a weak etag that changes with each change to the item. */
export function changeKey(kind: "message" | "event", changedAt: number): string {
  const head = kind === "message" ? "CQAAABYAAAA" : "DwAAABYAAAA";
  return `${head}${Buffer.from(`seq-${changedAt}`).toString("base64")}`;
}

/** `2026-01-02T10:00:00Z`: how Outlook writes message times. */
export function graphInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function recipient(address: WorldAddress): { emailAddress: { name: string; address: string } } {
  return { emailAddress: { name: address.name, address: address.email } };
}

// ---- folders --------------------------------------------------------------------------------------

const FOLDER_NAMES: Record<WorldFolder, string> = {
  inbox: "Inbox",
  archive: "Archive",
  sentitems: "Sent Items",
  drafts: "Drafts",
  junkemail: "Junk Email",
  deleteditems: "Deleted Items",
};

const FOLDERS = Object.keys(FOLDER_NAMES) as WorldFolder[];

export function folderId(account: StoredAccount, folder: WorldFolder | "msgfolderroot"): string {
  return encodeGraphId(FOLDER_PREFIX, ["f", account.id, folder]);
}

/** A folder named in a path: a well-known name (any case) or a folder id of this mailbox. */
function resolveFolder(account: StoredAccount, raw: string): WorldFolder | GraphReply {
  const named = FOLDERS.find((folder) => folder === raw.toLowerCase());
  if (named) return named;
  const parts = decodeGraphId(FOLDER_PREFIX, raw);
  if (parts?.[0] !== "f") {
    return { status: 400, body: { code: "ErrorInvalidIdMalformed", message: "Id is malformed." } };
  }
  const folder = FOLDERS.find((name) => name === parts[2]);
  if (parts[1] !== account.id || !folder) {
    return {
      status: 404,
      body: { code: "ErrorItemNotFound", message: "The specified object was not found in the store." },
    };
  }
  return folder;
}

function renderFolder(
  account: StoredAccount,
  world: MailWorld,
  folder: WorldFolder,
): Record<string, unknown> {
  const messages = world.messages().filter((message) => message.folder === folder);
  return {
    id: folderId(account, folder),
    displayName: FOLDER_NAMES[folder],
    parentFolderId: folderId(account, "msgfolderroot"),
    childFolderCount: 0,
    unreadItemCount: 0,
    totalItemCount: messages.length,
    sizeInBytes: messages.length * 4096,
    isHidden: false,
  };
}

/** `mailFolders/{id}` or `mailFolders('{id}')`, the form Graph's own next links use. */
const FOLDER_SEGMENT = String.raw`mailFolders(?:/([^/()']+)|\('([^']+)'\))`;

// ---- messages -------------------------------------------------------------------------------------

/** The message properties modelled; `$select` may name any of them, and no other. */
const MESSAGE_PROPERTIES = [
  "id",
  "createdDateTime",
  "lastModifiedDateTime",
  "changeKey",
  "categories",
  "receivedDateTime",
  "sentDateTime",
  "hasAttachments",
  "internetMessageId",
  "subject",
  "bodyPreview",
  "importance",
  "parentFolderId",
  "conversationId",
  "isDeliveryReceiptRequested",
  "isReadReceiptRequested",
  "isRead",
  "isDraft",
  "webLink",
  "inferenceClassification",
  "body",
  "sender",
  "from",
  "toRecipients",
  "ccRecipients",
  "bccRecipients",
  "replyTo",
  "flag",
  "internetMessageHeaders",
] as const;

/** Returned only when selected, as Graph does. */
const MESSAGE_SELECT_ONLY = new Set(["internetMessageHeaders"]);
/** What `Mail.ReadBasic` alone does not reveal. */
const MESSAGE_FULL_READ_ONLY = new Set(["body", "bodyPreview"]);
const MAIL_FULL_READ = ["mail.read", "mail.readwrite"];

export function messageId(
  account: StoredAccount,
  message: Pick<WorldMessage, "id" | "folder">,
  immutable: boolean,
): string {
  return immutable
    ? encodeGraphId(IMMUTABLE_PREFIX, ["m", account.id, message.id])
    : encodeGraphId(ITEM_PREFIX, ["m", account.id, message.id, message.folder]);
}

function resolveMessage(account: StoredAccount, world: MailWorld, id: string): WorldMessage | GraphReply {
  const parts = decodeGraphId(ITEM_PREFIX, id) ?? decodeGraphId(IMMUTABLE_PREFIX, id);
  if (parts?.[0] !== "m") {
    return { status: 400, body: { code: "ErrorInvalidIdMalformed", message: "Id is malformed." } };
  }
  const message = parts[1] === account.id ? world.message(parts[2] ?? "") : undefined;
  // A regular id names the item in one folder: after a move it no longer resolves.
  if (!message || (parts[3] !== undefined && parts[3] !== message.folder)) {
    return {
      status: 404,
      body: { code: "ErrorItemNotFound", message: "The specified object was not found in the store." },
    };
  }
  return message;
}

function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace("GMT", "+0000");
}

function addressList(addresses: readonly WorldAddress[]): string {
  return addresses.map((address) => `${address.name} <${address.email}>`).join(", ");
}

function internetMessageId(message: WorldMessage): string {
  return `<${message.id}.${message.threadId}@${message.from.email.split("@")[1] ?? "mail.example"}>`;
}

/** The transport headers of a message as it travelled: Subject included, as on the wire. */
function transportHeaders(message: WorldMessage): { name: string; value: string }[] {
  if (message.folder === "drafts") return [];
  const headers = [
    { name: "From", value: addressList([message.from]) },
    { name: "To", value: addressList(message.to) },
    ...(message.cc.length > 0 ? [{ name: "Cc", value: addressList(message.cc) }] : []),
    { name: "Subject", value: message.subject },
    { name: "Date", value: rfc2822(sentAt(message)) },
    { name: "Message-ID", value: internetMessageId(message) },
    ...(message.threadId !== message.id
      ? [{ name: "In-Reply-To", value: `<${message.threadId}.${message.threadId}@thread.example>` }]
      : []),
  ];
  const { listUnsubscribe, listId, precedence, autoSubmitted } = message.headers;
  if (listUnsubscribe) headers.push({ name: "List-Unsubscribe", value: listUnsubscribe });
  if (listId) headers.push({ name: "List-Id", value: listId });
  if (precedence) headers.push({ name: "Precedence", value: precedence });
  if (autoSubmitted) headers.push({ name: "Auto-Submitted", value: autoSubmitted });
  headers.push(
    { name: "MIME-Version", value: "1.0" },
    { name: "Content-Type", value: 'text/html; charset="utf-8"' },
  );
  return headers;
}

/** Sent a little before it was received: transport takes time. */
function sentAt(message: WorldMessage): number {
  const lag =
    message.sent || message.folder === "drafts" ? 0 : (Number.parseInt(message.id.slice(-4), 16) % 90) * 1000;
  return message.internalDate - lag;
}

function renderMessage(
  account: StoredAccount,
  message: WorldMessage,
  options: { select: readonly string[] | undefined; fullRead: boolean; immutable: boolean; webRoot: string },
): Record<string, unknown> {
  const id = messageId(account, message, options.immutable);
  const key = changeKey("message", message.changedAt);
  const all: Record<string, unknown> = {
    id,
    createdDateTime: graphInstant(message.internalDate),
    lastModifiedDateTime: graphInstant(message.internalDate),
    changeKey: key,
    categories: [],
    receivedDateTime: graphInstant(message.internalDate),
    sentDateTime: graphInstant(sentAt(message)),
    hasAttachments: false,
    internetMessageId: internetMessageId(message),
    subject: message.subject,
    bodyPreview: message.snippet,
    importance: "normal",
    parentFolderId: folderId(account, message.folder),
    conversationId: encodeGraphId(CONVERSATION_PREFIX, ["c", account.id, message.threadId]),
    isDeliveryReceiptRequested: false,
    isReadReceiptRequested: false,
    isRead: true,
    isDraft: message.folder === "drafts",
    webLink: `${options.webRoot}/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
    inferenceClassification: "focused",
    body: { contentType: "html", content: `<html><body><p>${message.body}</p></body></html>` },
    sender: recipient(message.from),
    from: recipient(message.from),
    toRecipients: message.to.map(recipient),
    ccRecipients: message.cc.map(recipient),
    bccRecipients: message.bcc.map(recipient),
    replyTo: [],
    flag: { flagStatus: "notFlagged" },
    internetMessageHeaders: transportHeaders(message),
  };
  const names = options.select ?? MESSAGE_PROPERTIES.filter((name) => !MESSAGE_SELECT_ONLY.has(name));
  const rendered: Record<string, unknown> = {
    "@odata.type": "#microsoft.graph.message",
    "@odata.etag": `W/"${key}"`,
  };
  for (const name of names) {
    if (!options.fullRead && MESSAGE_FULL_READ_ONLY.has(name)) continue;
    rendered[name] = all[name];
  }
  rendered.id = id;
  return rendered;
}

interface MessageDeltaParams {
  folder: WorldFolder;
  select: string[] | undefined;
  /** `receivedDateTime ge|gt` bound (ms) and whether it is inclusive. */
  since: { at: number; inclusive: boolean } | undefined;
  newestFirst: boolean;
  changeType: "created" | "updated" | "deleted" | undefined;
  top: number | undefined;
}

/**
 * "Applying `$filter` in a delta query returns only up to 5,000 messages" (delta-query-messages):
 * the initial round of a filtered delta holds the newest 5,000 in scope. An unfiltered round is
 * not capped: it lists the whole folder.
 */
const FILTERED_DELTA_CAP = 5_000;

function parseMessageDelta(request: GraphRequest, folder: WorldFolder): MessageDeltaParams | GraphReply {
  const { query } = request;
  const select = selectProperties(query, MESSAGE_PROPERTIES, "Message");
  if (isReply(select)) return select;
  for (const unsupported of ["$search", "$skip", "$count"]) {
    if (queryOption(query, unsupported) !== undefined) {
      return {
        status: 400,
        body: {
          code: "ErrorInvalidUrlQuery",
          message: `The following parameters are not supported with change tracking over the 'Messages' resource: '${unsupported}'.`,
        },
      };
    }
  }
  let since: MessageDeltaParams["since"];
  const filter = queryOption(query, "$filter");
  if (filter !== undefined) {
    const match = /^\s*receivedDateTime\s+(ge|gt)\s+'?([^'\s]+)'?\s*$/i.exec(filter);
    const at = match ? Date.parse(match[2] as string) : Number.NaN;
    if (!match || Number.isNaN(at)) {
      return {
        status: 400,
        body: {
          code: "ErrorInvalidUrlQueryFilter",
          message: "The query filter contains one or more invalid nodes.",
        },
      };
    }
    since = { at, inclusive: (match[1] as string).toLowerCase() === "ge" };
  }
  const orderby = queryOption(query, "$orderby");
  if (orderby !== undefined && !/^\s*receivedDateTime\s+desc\s*$/i.test(orderby)) {
    return {
      status: 400,
      body: {
        code: "ErrorInvalidUrlQuery",
        message: "The only supported $orderby expression with change tracking is 'receivedDateTime desc'.",
      },
    };
  }
  const changeTypeRaw = queryOption(query, "changeType");
  const changeType = changeTypeRaw?.toLowerCase();
  if (
    changeType !== undefined &&
    changeType !== "created" &&
    changeType !== "updated" &&
    changeType !== "deleted"
  ) {
    return {
      status: 400,
      body: {
        code: "ErrorInvalidUrlQuery",
        message: `The value '${changeTypeRaw}' of changeType is not supported.`,
      },
    };
  }
  const topRaw = queryOption(query, "$top");
  const top = topRaw === undefined ? undefined : Number(topRaw);
  if (top !== undefined && !(Number.isInteger(top) && top > 0)) {
    return {
      status: 400,
      body: { code: "ErrorInvalidUrlQuery", message: `Invalid value '${topRaw}' for query option $top.` },
    };
  }
  return { folder, select, since, newestFirst: orderby !== undefined, changeType, top };
}

function inMessageScope(message: WorldMessage, params: MessageDeltaParams): boolean {
  if (message.folder !== params.folder) return false;
  if (!params.since) return true;
  return params.since.inclusive
    ? message.internalDate >= params.since.at
    : message.internalDate > params.since.at;
}

function orderMessages(messages: WorldMessage[], newestFirst: boolean): WorldMessage[] {
  // Without $orderby Graph promises no order; the sandbox's is by id so that a client relying
  // on the newest-first listing it did not ask for finds out here.
  return newestFirst ? messages : [...messages].sort((a, b) => (a.id < b.id ? -1 : 1));
}

function startMessageRound(
  account: StoredAccount,
  world: MailWorld,
  params: MessageDeltaParams,
  previous: DeltaRound<MessageDeltaParams> | undefined,
): DeltaRound<MessageDeltaParams> {
  const current = world.messages().filter((message) => inMessageScope(message, params));
  const capped = previous === undefined && params.since ? current.slice(0, FILTERED_DELTA_CAP) : current;
  const membership = new Set(capped.map((message) => message.id));
  const base = {
    resource: `messages:${params.folder}`,
    accountId: account.id,
    params,
    membership,
    seq: world.seq,
  };
  if (!previous) {
    return {
      ...base,
      entries: orderMessages(capped, params.newestFirst).map((message) => ({
        worldId: message.id,
        removed: false,
      })),
    };
  }
  const touched = [
    ...new Set(
      world
        .changesSince(previous.seq)
        .filter((change) => change.kind.startsWith("message."))
        .map((change) => change.id),
    ),
  ];
  const removed: DeltaEntry[] = [];
  const present: WorldMessage[] = [];
  for (const id of touched) {
    const was = previous.membership.has(id);
    const now = membership.has(id);
    const kind = was && !now ? "deleted" : !was && now ? "created" : was && now ? "updated" : undefined;
    if (!kind || (params.changeType && params.changeType !== kind)) continue;
    if (kind === "deleted") removed.push({ worldId: id, removed: true });
    else present.push(world.message(id) as WorldMessage);
  }
  if (params.newestFirst) present.sort((a, b) => b.internalDate - a.internalDate || (a.id < b.id ? 1 : -1));
  return {
    ...base,
    entries: [...removed, ...present.map((message) => ({ worldId: message.id, removed: false }))],
  };
}

function messageDelta(request: GraphRequest): GraphReply {
  const world = mailboxWorld(request);
  if (isReply(world)) return world;
  const { account } = request;
  const folder = resolveFolder(account, request.match[1] ?? request.match[2] ?? "");
  if (isReply(folder)) return folder;
  const resource = `messages:${folder}`;
  const immutable = wantsImmutableIds(request.headers);
  const token = continuation<MessageDeltaParams>(request, resource);
  if (token && !token.ok) return token.reply;
  let round: DeltaRound<MessageDeltaParams>;
  let offset = 0;
  if (token?.ok && token.offset !== undefined) {
    round = token.round;
    offset = token.offset;
  } else if (token?.ok) {
    round = startMessageRound(account, world, token.round.params, token.round);
  } else {
    const params = parseMessageDelta(request, folder);
    if (isReply(params)) return params;
    round = startMessageRound(account, world, params, undefined);
  }
  const params = round.params;
  const fullRead = request.scopes.some((scope) => MAIL_FULL_READ.includes(scope.toLowerCase()));
  const webRoot = new URL(request.serviceRoot).origin;
  return deltaPage(
    request,
    round,
    offset,
    deltaPageSize(request.headers, params.top),
    (tokenParam) =>
      `${request.serviceRoot}/me/mailFolders('${folderId(account, folder)}')/messages/delta?${tokenParam}`,
    (entry) => {
      if (entry.removed) {
        return {
          "@odata.type": "#microsoft.graph.message",
          id: messageId(account, { id: entry.worldId, folder }, immutable),
          "@removed": { reason: "deleted" },
        };
      }
      const message = world.message(entry.worldId);
      // Gone or moved since the round started: the next round reports it.
      if (!message || !inMessageScope(message, params)) return undefined;
      return renderMessage(account, message, { select: params.select, fullRead, immutable, webRoot });
    },
    "Collection(message)",
  );
}

// ---- list messages --------------------------------------------------------------------------------

/**
 * `GET /me/mailFolders/{folder}/messages` ("List messages", user-list-messages): a page of `$top`
 * messages (default 10, 1 to 1000) from offset `$skip`, recomputed over the folder as it is at each
 * request, the next page an `@odata.nextLink` that repeats the query with a larger `$skip` (offset
 * paging: a message arriving or leaving between pages shifts the rest, as on Graph). Unlike delta,
 * this list does not page by `Prefer: odata.maxpagesize`.
 */
interface MessageListParams {
  select: string[] | undefined;
  bounds: ReceivedBound[];
  order: "asc" | "desc" | undefined;
  top: number;
  skip: number;
  count: boolean;
}

interface ReceivedBound {
  op: "ge" | "gt" | "le" | "lt";
  at: number;
}

const LIST_DEFAULT_TOP = 10;
const LIST_MAX_TOP = 1000;

function invalidQuery(message: string): GraphReply {
  return { status: 400, body: { code: "ErrorInvalidUrlQuery", message } };
}

function invalidFilter(message = "The query filter contains one or more invalid nodes."): GraphReply {
  return { status: 400, body: { code: "ErrorInvalidUrlQueryFilter", message } };
}

function unknownMessageProperty(name: string): GraphReply {
  return {
    status: 400,
    body: {
      code: "RequestBroker--ParseUri",
      message: `Could not find a property named '${name}' on type 'Microsoft.OutlookServices.Message'.`,
    },
  };
}

/** Properties of a message Graph filters and sorts on that the sandbox does not model in a query. */
function isMessageProperty(path: string): boolean {
  const head = (path.split("/")[0] ?? "").toLowerCase();
  return MESSAGE_PROPERTIES.some((property) => property.toLowerCase() === head);
}

function parseOrderby(raw: string | undefined): "asc" | "desc" | undefined | GraphReply {
  if (raw === undefined) return undefined;
  const clauses = raw.split(",").map((clause) => clause.trim());
  const parsed = clauses.map((clause) => /^([A-Za-z][\w/]*)(?:\s+(asc|desc))?$/i.exec(clause));
  for (const [index, match] of parsed.entries()) {
    if (!match) return invalidQuery(`Invalid $orderby expression '${clauses[index]}'.`);
    if (!isMessageProperty(match[1] as string)) return unknownMessageProperty(match[1] as string);
  }
  const [only] = parsed;
  if (parsed.length !== 1 || only?.[1]?.toLowerCase() !== "receiveddatetime") {
    return invalidQuery(
      "The sandbox orders messages only by 'receivedDateTime asc' or 'receivedDateTime desc'.",
    );
  }
  return (only?.[2] ?? "asc").toLowerCase() as "asc" | "desc";
}

/**
 * `$filter`: comparisons joined by `and`. Graph's rule for `$filter` with `$orderby` is checked
 * first (the `$orderby` property must come first in `$filter`, else 400 `InefficientFilter`);
 * then the sandbox evaluates only `receivedDateTime ge|gt|le|lt {DateTimeOffset}` comparisons.
 */
function parseReceivedFilter(raw: string | undefined, ordered: boolean): ReceivedBound[] | GraphReply {
  if (raw === undefined) return [];
  if (/[()]/.test(raw) || /\s(?:or|not)\s/i.test(` ${raw} `)) {
    return invalidFilter(
      "The sandbox filters messages only on receivedDateTime ge|gt|le|lt comparisons joined by 'and'.",
    );
  }
  const clauses = raw.trim().split(/\s+and\s+/i);
  const parsed: { property: string; op: string; value: string }[] = [];
  for (const clause of clauses) {
    const match = /^([A-Za-z][\w/]*)\s+(eq|ne|gt|ge|lt|le)\s+(\S.*?)$/i.exec(clause.trim());
    if (!match) return invalidFilter();
    const property = match[1] as string;
    if (!isMessageProperty(property)) return unknownMessageProperty(property);
    parsed.push({ property, op: (match[2] as string).toLowerCase(), value: match[3] as string });
  }
  if (ordered && parsed[0]?.property.toLowerCase() !== "receiveddatetime") {
    return {
      status: 400,
      body: {
        code: "InefficientFilter",
        message: "The restriction or sort order is too complex for this operation.",
      },
    };
  }
  const bounds: ReceivedBound[] = [];
  for (const { property, op, value } of parsed) {
    const at = Date.parse(value.replace(/^'(.*)'$/, "$1"));
    if (property.toLowerCase() !== "receiveddatetime" || !["ge", "gt", "le", "lt"].includes(op)) {
      return invalidFilter(
        "The sandbox filters messages only on receivedDateTime ge|gt|le|lt comparisons joined by 'and'.",
      );
    }
    if (Number.isNaN(at)) return invalidFilter();
    bounds.push({ op: op as ReceivedBound["op"], at });
  }
  return bounds;
}

function parseCount(raw: string | undefined, name: string): number | undefined | GraphReply {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return /^\d+$/.test(raw.trim()) && Number.isSafeInteger(value)
    ? value
    : invalidQuery(`Invalid value '${raw}' for query option ${name}.`);
}

function parseMessageList(request: GraphRequest): MessageListParams | GraphReply {
  const { query } = request;
  const select = selectProperties(query, MESSAGE_PROPERTIES, "Message");
  if (isReply(select)) return select;
  for (const unmodelled of ["$search", "$expand"]) {
    if (queryOption(query, unmodelled) !== undefined) {
      return invalidQuery(`The sandbox does not model ${unmodelled} on messages.`);
    }
  }
  const order = parseOrderby(queryOption(query, "$orderby"));
  if (isReply(order)) return order;
  const bounds = parseReceivedFilter(queryOption(query, "$filter"), order !== undefined);
  if (isReply(bounds)) return bounds;
  const top = parseCount(queryOption(query, "$top"), "$top");
  if (isReply(top)) return top;
  if (top !== undefined && (top < 1 || top > LIST_MAX_TOP)) {
    return invalidQuery(`The value of $top must be between 1 and ${LIST_MAX_TOP}; it is ${top}.`);
  }
  const skip = parseCount(queryOption(query, "$skip"), "$skip");
  if (isReply(skip)) return skip;
  const countRaw = queryOption(query, "$count");
  if (countRaw !== undefined && !/^(true|false)$/i.test(countRaw)) {
    return invalidQuery(`Invalid value '${countRaw}' for query option $count.`);
  }
  return {
    select,
    bounds,
    order,
    top: top ?? LIST_DEFAULT_TOP,
    skip: skip ?? 0,
    count: countRaw?.toLowerCase() === "true",
  };
}

function withinBounds(message: WorldMessage, bounds: readonly ReceivedBound[]): boolean {
  return bounds.every(({ op, at }) => {
    const received = message.internalDate;
    return op === "ge"
      ? received >= at
      : op === "gt"
        ? received > at
        : op === "le"
          ? received <= at
          : received < at;
  });
}

/** The request's query with `$skip` replaced: Graph's next link repeats every option given. */
function nextListLink(request: GraphRequest, skip: number): string {
  const parts: string[] = [];
  for (const [key, value] of request.query) {
    if (key.replace(/^\$/, "").toLowerCase() === "skip") continue;
    parts.push(`${key}=${encodeURIComponent(value)}`);
  }
  parts.push(`$skip=${skip}`);
  return `${request.serviceRoot}${encodeURI(request.path)}?${parts.join("&")}`;
}

function listMessages(request: GraphRequest): GraphReply {
  const world = mailboxWorld(request);
  if (isReply(world)) return world;
  const { account } = request;
  const raw = request.match[1] ?? request.match[2] ?? "";
  const folder = resolveFolder(account, raw);
  if (isReply(folder)) return folder;
  const params = parseMessageList(request);
  if (isReply(params)) return params;
  // world.messages() is newest first; without $orderby Graph promises no order, and the
  // sandbox's is by id (as for delta) so a client relying on an order it did not ask for finds out.
  const matching = world
    .messages()
    .filter((message) => message.folder === folder && withinBounds(message, params.bounds));
  const ordered =
    params.order === "desc"
      ? matching
      : params.order === "asc"
        ? [...matching].reverse()
        : [...matching].sort((a, b) => (a.id < b.id ? -1 : 1));
  const page = ordered.slice(params.skip, params.skip + params.top);
  const immutable = wantsImmutableIds(request.headers);
  const fullRead = request.scopes.some((scope) => MAIL_FULL_READ.includes(scope.toLowerCase()));
  const webRoot = new URL(request.serviceRoot).origin;
  const value = page.map((message) => {
    const { "@odata.type": _type, ...item } = renderMessage(account, message, {
      select: params.select,
      fullRead,
      immutable,
      webRoot,
    });
    return item;
  });
  const entitySet = params.select ? `messages(${params.select.join(",")})` : "messages";
  const next = params.skip + params.top;
  return {
    status: 200,
    body: {
      "@odata.context": `${request.serviceRoot}/$metadata#users('${account.id}')/mailFolders('${raw}')/${entitySet}`,
      ...(params.count ? { "@odata.count": ordered.length } : {}),
      ...(next < ordered.length ? { "@odata.nextLink": nextListLink(request, next) } : {}),
      value,
    },
    ...(immutable ? { headers: { "preference-applied": 'IdType="ImmutableId"' } } : {}),
  };
}

function getMessage(request: GraphRequest): GraphReply {
  const world = mailboxWorld(request);
  if (isReply(world)) return world;
  const message = resolveMessage(request.account, world, request.match[1] ?? "");
  if (isReply(message)) return message;
  const select = selectProperties(request.query, MESSAGE_PROPERTIES, "Message");
  if (isReply(select)) return select;
  const fullRead = request.scopes.some((scope) => MAIL_FULL_READ.includes(scope.toLowerCase()));
  const rendered = renderMessage(request.account, message, {
    select,
    fullRead,
    immutable: wantsImmutableIds(request.headers),
    webRoot: new URL(request.serviceRoot).origin,
  });
  const { "@odata.type": _type, ...body } = rendered;
  const entitySet = select ? `messages(${select.join(",")})` : "messages";
  return {
    status: 200,
    body: {
      "@odata.context": `${request.serviceRoot}/$metadata#users('${request.account.id}')/${entitySet}/$entity`,
      ...body,
    },
  };
}

const MAIL_SCOPES = ["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"] as const;
const ACCESS_DENIED = {
  code: "ErrorAccessDenied",
  message: "Access is denied. Check credentials and try again.",
};

export const MAIL_ROUTES: GraphRoute[] = [
  {
    method: "GET",
    pattern: /^\/me\/mailFolders\/?$/i,
    scopes: MAIL_SCOPES,
    insufficient: ACCESS_DENIED,
    mailboxEndpoint: "mailFolders.list",
    handle(request) {
      const world = mailboxWorld(request);
      if (isReply(world)) return world;
      return {
        status: 200,
        body: {
          "@odata.context": `${request.serviceRoot}/$metadata#users('${request.account.id}')/mailFolders`,
          value: FOLDERS.map((folder) => renderFolder(request.account, world, folder)),
        },
      };
    },
  },
  {
    method: "GET",
    pattern: new RegExp(
      `^/me/${FOLDER_SEGMENT}/messages/(?:delta|microsoft\\.graph\\.delta(?:\\(\\))?)/?$`,
      "i",
    ),
    scopes: MAIL_SCOPES,
    insufficient: ACCESS_DENIED,
    mailboxEndpoint: "messages.delta",
    handle: messageDelta,
  },
  {
    method: "GET",
    pattern: new RegExp(`^/me/${FOLDER_SEGMENT}/messages/?$`, "i"),
    scopes: MAIL_SCOPES,
    insufficient: ACCESS_DENIED,
    mailboxEndpoint: "messages.list",
    handle: listMessages,
  },
  {
    method: "GET",
    pattern: new RegExp(`^/me/${FOLDER_SEGMENT}/?$`, "i"),
    scopes: MAIL_SCOPES,
    insufficient: ACCESS_DENIED,
    mailboxEndpoint: "mailFolders.get",
    handle(request) {
      const world = mailboxWorld(request);
      if (isReply(world)) return world;
      const folder = resolveFolder(request.account, request.match[1] ?? request.match[2] ?? "");
      if (isReply(folder)) return folder;
      return {
        status: 200,
        body: {
          "@odata.context": `${request.serviceRoot}/$metadata#users('${request.account.id}')/mailFolders/$entity`,
          ...renderFolder(request.account, world, folder),
        },
      };
    },
  },
  {
    method: "GET",
    pattern: /^\/me\/messages(?:\/([^/()']+)|\('([^']+)'\))\/?$/i,
    scopes: MAIL_SCOPES,
    insufficient: ACCESS_DENIED,
    mailboxEndpoint: "messages.get",
    handle: (request) => getMessage({ ...request, match: fixMatch(request.match) }),
  },
];

/** Folds the `(…)` alternative of a key segment into group 1. */
function fixMatch(match: RegExpExecArray): RegExpExecArray {
  const copy = [...match] as unknown as RegExpExecArray;
  copy[1] = match[1] ?? match[2] ?? "";
  return copy;
}
