import type { gmail_v1 } from "@googleapis/gmail";
import { ulid } from "ulid";
import { type MessageMetadata, messageEvents, parseAddressList } from "./classify";
import type { InteractionEvent } from "./event";
import { gmailClient } from "./google-clients";
import { classifyProviderError, gmailQuotaFromEnv, SyncDeferred } from "./pacing";
import { unmarkedRemoteIds } from "./state";
import {
  backfillHorizon,
  backfillProgress,
  DAY_MS,
  type Step,
  type StepContext,
  type Syncer,
} from "./syncer";

/**
 * Gmail, under the `gmail.metadata` scope (which refuses `q` and the full and raw formats):
 * - backfill: `messages.list` newest first, 500 ids a page, stopping at the 24-month edge by
 *   `internalDate`; each page's ids are fetched with `format=metadata` and only the classifying
 *   headers, a thread at a time (`threads.get`) when that costs fewer units than its messages;
 * - incremental: `history.list` from the history id taken when the backfill started;
 * - an expired history id (404) starts one bounded re-sync of the days since the last good sync.
 * A step covers about 100 messages, so its commit is never far behind what was fetched.
 */

export const METADATA_HEADERS = [
  "From",
  "To",
  "Cc",
  "Bcc",
  "Date",
  "List-Unsubscribe",
  "List-Id",
  "Precedence",
  "Auto-Submitted",
];
const LIST_PAGE_SIZE = 500;
const HISTORY_PAGE_SIZE = 500;
const STEP_MESSAGES = 100;
/** Threads fetched together before checking whether the walk has passed its edge. */
const EDGE_CHUNK = 8;
/** A re-sync reaches back to a day before the last good sync; beyond this it is a new backfill. */
const RESYNC_MAX_DAYS = 30;
const HISTORY_TYPES = ["messageAdded", "messageDeleted", "labelAdded", "labelRemoved"];

/** Walking `messages.list` newest first, down to `until` (epoch ms). */
interface Listing {
  pageToken: string | null;
  /** Threads of the current page already fetched. */
  doneThreads: string[];
  until: number;
  /** The oldest message date seen. */
  oldest: number | null;
  /** A message older than `until` was seen: this page is the last. */
  reachedEdge: boolean;
}

type GmailCursor =
  | ({ stage: "backfill"; startedAt: number; historyId: string } & Listing)
  | {
      stage: "incremental";
      historyId: string;
      pageToken: string | null;
      pending: string[];
      nextHistoryId: string | null;
      syncedAt: number;
      through: string | null;
    }
  | ({ stage: "resync"; historyId: string; mark: string; through: string | null } & Listing);

interface PlannedFetch {
  threadId: string;
  ids: string[];
}

export const gmailSyncer: Syncer = {
  api: "google_gmail",
  async step(context) {
    const client = await clientFor(context);
    const cursor = context.cursor as GmailCursor | undefined;
    if (!cursor) return startBackfill(context, client);
    if (cursor.stage === "backfill") return backfillStep(context, client, cursor);
    if (cursor.stage === "resync") return resyncStep(context, client, cursor);
    return incrementalStep(context, client, cursor);
  },
};

async function clientFor(context: StepContext): Promise<gmail_v1.Gmail> {
  const token = await context.accessToken();
  const key = `gmail:${token}`;
  let client = context.memo.get(key) as gmail_v1.Gmail | undefined;
  if (!client) {
    client = gmailClient(token);
    context.memo.set(key, client);
  }
  return client;
}

async function currentHistoryId(context: StepContext, client: gmail_v1.Gmail): Promise<string> {
  const profile = await context.calls.call("getProfile", () => client.users.getProfile({ userId: "me" }));
  const historyId = profile.data.historyId;
  if (!historyId) throw new Error("Gmail getProfile returned no historyId");
  return historyId;
}

async function startBackfill(context: StepContext, client: gmail_v1.Gmail): Promise<Step> {
  // The history id is taken before the first page, so the incremental sync that follows the
  // backfill sees everything that arrives while the backfill runs.
  const historyId = await currentHistoryId(context, client);
  const cursor: GmailCursor = {
    stage: "backfill",
    startedAt: context.now.getTime(),
    historyId,
    pageToken: null,
    doneThreads: [],
    until: backfillHorizon(context.now).getTime(),
    oldest: null,
    reachedEdge: false,
  };
  return backfillStep(context, client, cursor);
}

async function backfillStep(
  context: StepContext,
  client: gmail_v1.Gmail,
  cursor: Extract<GmailCursor, { stage: "backfill" }>,
): Promise<Step> {
  const { events, listing, finished } = await listingStep(context, client, cursor);
  const through =
    listing.oldest === null ? null : new Date(Math.max(listing.oldest, cursor.until)).toISOString();
  if (finished) {
    return {
      upserts: events,
      removals: [],
      replacements: [],
      // The history id dates from the backfill's start: a re-sync after it expires reaches back there.
      cursor: incrementalCursor(
        cursor.historyId,
        new Date(cursor.startedAt),
        through ?? new Date(cursor.until).toISOString(),
      ),
      phase: "incremental",
      progress: 1,
      backfilledThrough: through ?? new Date(cursor.until).toISOString(),
      done: false,
      recount: true,
    };
  }
  return {
    upserts: events,
    removals: [],
    replacements: [],
    cursor: { ...cursor, ...listing },
    phase: "backfill",
    progress: backfillProgress(cursor.startedAt, listing.oldest ?? undefined),
    backfilledThrough: through,
    done: false,
  };
}

function incrementalCursor(historyId: string, now: Date, through: string | null): GmailCursor {
  return {
    stage: "incremental",
    historyId,
    pageToken: null,
    pending: [],
    nextHistoryId: null,
    syncedAt: now.getTime(),
    through,
  };
}

/**
 * One step of a newest-first walk: the current page's next threads, about 100 messages' worth.
 * Returns their events, the listing's new position, and whether the walk is over.
 */
async function listingStep(
  context: StepContext,
  client: gmail_v1.Gmail,
  listing: Listing,
): Promise<{ events: InteractionEvent[]; listing: Listing; finished: boolean; fetchedIds: string[] }> {
  const page = await listPage(context, client, listing.pageToken);
  const done = new Set(listing.doneThreads);
  const plan = planFetches(page.ids).filter((fetch) => !done.has(fetch.threadId));
  const batch: PlannedFetch[] = [];
  let messages = 0;
  for (const fetch of plan) {
    if (messages >= STEP_MESSAGES) break;
    batch.push(fetch);
    messages += fetch.ids.length;
  }
  // A few threads at a time (the guard keeps 4 in flight), so the walk stops soon after the edge.
  const fetched: FetchedMessage[] = [];
  let taken = 0;
  let pastEdge = false;
  while (taken < batch.length) {
    const chunk = batch.slice(taken, taken + EDGE_CHUNK);
    const found = (await Promise.all(chunk.map((fetch) => fetchPlanned(context, client, fetch)))).flat();
    fetched.push(...found);
    taken += chunk.length;
    if (found.length > 0 && found.every((message) => message.internalDate < listing.until)) {
      pastEdge = true;
      break;
    }
  }
  batch.length = taken;
  const inWindow = fetched.filter((message) => message.internalDate >= listing.until);
  const events = await eventsOf(
    context,
    inWindow.map((message) => message.metadata),
  );
  const oldestFetched = fetched.reduce<number | null>(
    (oldest, message) => (oldest === null ? message.internalDate : Math.min(oldest, message.internalDate)),
    null,
  );
  const oldestInWindow = inWindow.reduce<number | null>(
    (oldest, message) => (oldest === null ? message.internalDate : Math.min(oldest, message.internalDate)),
    listing.oldest,
  );
  const reachedEdge = listing.reachedEdge || (oldestFetched !== null && oldestFetched < listing.until);
  const pageDone = batch.length === plan.length;
  const next: Listing = {
    ...listing,
    doneThreads: pageDone ? [] : [...listing.doneThreads, ...batch.map((fetch) => fetch.threadId)],
    pageToken: pageDone ? (page.nextPageToken ?? null) : listing.pageToken,
    oldest: oldestInWindow,
    reachedEdge: pageDone ? false : reachedEdge,
  };
  // Newest first: once a page held a message past the edge, every later page is older still; and
  // threads are planned by their newest message, so a chunk that found nothing inside the window
  // means the rest of the page is outside it too.
  const finished = pastEdge || (pageDone && (reachedEdge || !page.nextPageToken));
  // Only what lies inside the window: a re-sync must not touch the events of older messages.
  return { events, listing: next, finished, fetchedIds: inWindow.map((message) => message.id) };
}

interface ListedPage {
  ids: { id: string; threadId: string }[];
  nextPageToken: string | undefined;
}

async function listPage(
  context: StepContext,
  client: gmail_v1.Gmail,
  pageToken: string | null,
): Promise<ListedPage> {
  const key = `gmail-page:${pageToken ?? ""}`;
  const remembered = context.memo.get(key) as ListedPage | undefined;
  if (remembered) return remembered;
  const response = await context.calls.call("messages.list", () =>
    client.users.messages.list({
      userId: "me",
      maxResults: LIST_PAGE_SIZE,
      ...(pageToken ? { pageToken } : {}),
    }),
  );
  const page: ListedPage = {
    ids: (response.data.messages ?? []).flatMap((message) =>
      message.id ? [{ id: message.id, threadId: message.threadId ?? message.id }] : [],
    ),
    nextPageToken: response.data.nextPageToken ?? undefined,
  };
  context.memo.set(key, page);
  return page;
}

/** A page's ids grouped by thread, in the order the page first names each thread. */
export function planFetches(ids: readonly { id: string; threadId: string }[]): PlannedFetch[] {
  const byThread = new Map<string, string[]>();
  for (const { id, threadId } of ids) {
    const list = byThread.get(threadId);
    if (list) list.push(id);
    else byThread.set(threadId, [id]);
  }
  return [...byThread].map(([threadId, threadIds]) => ({ threadId, ids: threadIds }));
}

interface FetchedMessage {
  id: string;
  internalDate: number;
  metadata: MessageMetadata;
}

/** A thread's page messages: with `threads.get` when that costs fewer units than one `messages.get` each. */
async function fetchPlanned(
  context: StepContext,
  client: gmail_v1.Gmail,
  fetch: PlannedFetch,
): Promise<FetchedMessage[]> {
  const { costs, defaultCost } = gmailQuotaFromEnv();
  const threadCost = costs["threads.get"] ?? defaultCost;
  const messageCost = costs["messages.get"] ?? defaultCost;
  if (fetch.ids.length > 1 && threadCost < fetch.ids.length * messageCost) {
    const wanted = new Set(fetch.ids);
    const thread = await context.calls.call("threads.get", () =>
      client.users.threads.get({
        userId: "me",
        id: fetch.threadId,
        format: "metadata",
        metadataHeaders: METADATA_HEADERS,
      }),
    );
    return (thread.data.messages ?? [])
      .filter((message) => message.id && wanted.has(message.id))
      .map(toFetched);
  }
  const found = await Promise.all(fetch.ids.map((id) => getMessage(context, client, id)));
  return found.filter((message): message is FetchedMessage => message !== undefined);
}

/** One message's metadata, or undefined when it is gone (404). */
async function getMessage(
  context: StepContext,
  client: gmail_v1.Gmail,
  id: string,
): Promise<FetchedMessage | undefined> {
  try {
    const response = await context.calls.call("messages.get", () =>
      client.users.messages.get({ userId: "me", id, format: "metadata", metadataHeaders: METADATA_HEADERS }),
    );
    return toFetched(response.data);
  } catch (error) {
    if (classifyProviderError(error).status === 404) return undefined;
    throw error;
  }
}

/** Only ids, labels, the date and the classifying headers are read: the snippet is never kept. */
function toFetched(message: gmail_v1.Schema$Message): FetchedMessage {
  const labels = new Set(message.labelIds ?? []);
  const header = (name: string) =>
    message.payload?.headers?.find((entry) => entry.name?.toLowerCase() === name.toLowerCase())?.value ??
    undefined;
  const internalDate = Number(message.internalDate ?? 0);
  const id = message.id ?? "";
  return {
    id,
    internalDate,
    metadata: {
      remoteId: id,
      threadId: message.threadId ?? id,
      occurredAt: new Date(internalDate),
      sent: labels.has("SENT"),
      excluded: labels.has("DRAFT") || labels.has("SPAM") || labels.has("TRASH"),
      from: parseAddressList(header("From"))[0],
      to: parseAddressList(header("To")),
      cc: parseAddressList(header("Cc")),
      bcc: parseAddressList(header("Bcc")),
      headers: {
        listUnsubscribe: header("List-Unsubscribe"),
        listId: header("List-Id"),
        precedence: header("Precedence"),
        autoSubmitted: header("Auto-Submitted"),
      },
    },
  };
}

async function eventsOf(
  context: StepContext,
  messages: readonly MessageMetadata[],
): Promise<InteractionEvent[]> {
  await context.people.load(
    messages
      .flatMap((message) => [message.from ?? "", ...message.to, ...message.cc, ...message.bcc])
      .filter(Boolean),
  );
  return messages.flatMap((message) => messageEvents(context.owner, message, context.people));
}

async function incrementalStep(
  context: StepContext,
  client: gmail_v1.Gmail,
  cursor: Extract<GmailCursor, { stage: "incremental" }>,
): Promise<Step> {
  const base = { phase: "incremental" as const, progress: 1, backfilledThrough: cursor.through };
  if (cursor.pending.length > 0) {
    const batch = cursor.pending.slice(0, STEP_MESSAGES);
    const found = await Promise.all(batch.map((id) => getMessage(context, client, id)));
    const horizon = backfillHorizon(context.now).getTime();
    const present = found.filter(
      (message): message is FetchedMessage => message !== undefined && message.internalDate >= horizon,
    );
    const rest = cursor.pending.slice(batch.length);
    const finished = rest.length === 0 && cursor.pageToken === null;
    return {
      ...base,
      upserts: await eventsOf(
        context,
        present.map((message) => message.metadata),
      ),
      removals: [],
      // A message's events are exactly what it yields now: a move to trash removes them.
      replacements: batch,
      cursor: finished
        ? incrementalCursor(cursor.nextHistoryId ?? cursor.historyId, context.now, cursor.through)
        : { ...cursor, pending: rest },
      done: finished,
    };
  }

  let response: gmail_v1.Schema$ListHistoryResponse;
  try {
    response = (
      await context.calls.call("history.list", () =>
        client.users.history.list({
          userId: "me",
          startHistoryId: cursor.historyId,
          historyTypes: HISTORY_TYPES,
          maxResults: HISTORY_PAGE_SIZE,
          ...(cursor.pageToken ? { pageToken: cursor.pageToken } : {}),
        }),
      )
    ).data;
  } catch (error) {
    if (classifyProviderError(error).kind !== "expired_cursor") throw error;
    return startResync(context, client, cursor);
  }

  const deleted = new Set<string>();
  const changed = new Set<string>();
  for (const record of response.history ?? []) {
    for (const entry of record.messagesDeleted ?? []) if (entry.message?.id) deleted.add(entry.message.id);
    for (const entry of [
      ...(record.messagesAdded ?? []),
      ...(record.labelsAdded ?? []),
      ...(record.labelsRemoved ?? []),
    ]) {
      if (entry.message?.id) changed.add(entry.message.id);
    }
  }
  for (const id of deleted) changed.delete(id);
  const pending = [...new Set([...cursor.pending, ...changed])];
  const nextHistoryId = response.historyId ?? cursor.nextHistoryId ?? cursor.historyId;
  const pageToken = response.nextPageToken ?? null;
  const finished = pending.length === 0 && pageToken === null;
  return {
    ...base,
    upserts: [],
    removals: [...deleted],
    replacements: [],
    cursor: finished
      ? incrementalCursor(nextHistoryId, context.now, cursor.through)
      : { ...cursor, pageToken, pending, nextHistoryId },
    done: finished,
  };
}

/**
 * The history id expired: list the mail since a day before the last good sync, write what is
 * there (the same keys as before, so nothing doubles, each event marked with the re-sync's id) and
 * remove what is stored for that window without the mark: what is no longer there; then carry on incrementally from a fresh history id. One re-sync per
 * invocation: a second expiry in a row defers the job instead of looping.
 */
async function startResync(
  context: StepContext,
  client: gmail_v1.Gmail,
  cursor: Extract<GmailCursor, { stage: "incremental" }>,
): Promise<Step> {
  if (context.memo.get("gmail-resynced")) throw new SyncDeferred("cursor_expired_again", 5 * 60_000);
  context.memo.set("gmail-resynced", true);
  const since = cursor.syncedAt - DAY_MS;
  if (context.now.getTime() - since > RESYNC_MAX_DAYS * DAY_MS) {
    // Too long gone for a window: the whole 24 months again, newest first, over what is stored.
    return startBackfill(context, client);
  }
  const historyId = await currentHistoryId(context, client);
  return resyncStep(context, client, {
    stage: "resync",
    historyId,
    mark: ulid(),
    through: cursor.through,
    pageToken: null,
    doneThreads: [],
    until: since,
    oldest: null,
    reachedEdge: false,
  });
}

async function resyncStep(
  context: StepContext,
  client: gmail_v1.Gmail,
  cursor: Extract<GmailCursor, { stage: "resync" }>,
): Promise<Step> {
  const { events, listing, finished, fetchedIds } = await listingStep(context, client, cursor);
  const base = {
    phase: "incremental" as const,
    progress: 1,
    backfilledThrough: cursor.through,
    upserts: events,
    replacements: fetchedIds,
    // What the re-sync writes carries its mark; what is stored in the window without it is gone.
    mark: cursor.mark,
  };
  if (!finished) {
    return { ...base, removals: [], cursor: { ...cursor, ...listing }, done: false };
  }
  const gone = await unmarkedRemoteIds(context.account.accountId, "mail", cursor.mark, {
    since: new Date(cursor.until).toISOString(),
  });
  return {
    ...base,
    // This step's own messages are written (marked) after this read: keep them.
    removals: [...gone].filter((id) => !fetchedIds.includes(id)),
    cursor: incrementalCursor(cursor.historyId, context.now, cursor.through),
    done: false,
    recount: true,
  };
}
