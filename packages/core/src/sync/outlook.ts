import { ulid } from "ulid";
import { type MessageMetadata, messageEvents, normalizeEmail } from "./classify";
import type { InteractionEvent } from "./event";
import { addressOf, type DeltaPage, deltaPage, graphFor, NO_RETRIES } from "./graph";
import { classifyProviderError, SyncDeferred } from "./pacing";
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
 * Outlook mail through Graph, per folder: Inbox (what the member received) and Sent Items (what
 * they sent). Three stages:
 * 1. priming: one unfiltered delta round per folder, walked to its delta link without writing, so
 *    every change from then on is in that link (a filtered delta round returns at most 5,000
 *    messages, so it cannot carry a 24-month backfill);
 * 2. backfill: the folder's messages newest first (`$orderby=receivedDateTime desc`), paged by the
 *    date reached (`receivedDateTime le` the oldest seen), never by offset, so mail arriving or
 *    leaving meanwhile shifts nothing; the two folders advance together, newest first;
 * 3. incremental: each folder's delta link; `@removed` items (deleted, or moved out) lose their
 *    events, and what changed during the backfill is replayed from the priming point.
 * An expired delta link (410, `syncStateNotFound`) re-primes that folder and re-lists the days
 * since a day before its last good round, removing what is stored there but no longer listed.
 */

export const MAIL_FOLDERS = ["inbox", "sentitems"] as const;
type Folder = (typeof MAIL_FOLDERS)[number];

const SELECT = [
  "id",
  "conversationId",
  "receivedDateTime",
  "sentDateTime",
  "isDraft",
  "from",
  "toRecipients",
  "ccRecipients",
  "bccRecipients",
  "internetMessageHeaders",
].join(",");
const LIST_PAGE = 1_000;

interface Listing {
  /** Graph's next link, followed only while the boundary cannot move (many messages in one second). */
  link?: string;
  /** Messages at or before this receivedDateTime are still to come (null: from the newest). */
  boundary: string | null;
  /** Ids already taken at exactly `boundary`. */
  boundaryIds: string[];
  done: boolean;
  /** The oldest message date taken. */
  oldest: number | null;
}

interface FolderState {
  /** The priming round's next page, then the folder's delta link. */
  delta: string | null;
  primed: boolean;
  listing: Listing;
  /** When the folder last finished an incremental round (epoch ms). */
  syncedAt: number | null;
  /** Re-sync: the listing runs back to here (ISO), and its removals are found when it ends. */
  resyncSince?: string;
  /** Re-sync: the mark on what it writes. */
  resyncMark?: string;
}

interface OutlookCursor {
  stage: "backfill" | "incremental";
  /** The incremental round in progress: the chain running it and the folders it has caught up. */
  round?: { chain: string; done: Folder[] };
  startedAt: number;
  horizon: string;
  folders: Record<Folder, FolderState>;
}

interface GraphMessage {
  id: string;
  conversationId?: string;
  receivedDateTime?: string;
  sentDateTime?: string;
  isDraft?: boolean;
  from?: { emailAddress?: { address?: string } };
  toRecipients?: { emailAddress?: { address?: string } }[];
  ccRecipients?: { emailAddress?: { address?: string } }[];
  bccRecipients?: { emailAddress?: { address?: string } }[];
  internetMessageHeaders?: { name?: string; value?: string }[];
}

function freshListing(): Listing {
  return { boundary: null, boundaryIds: [], done: false, oldest: null };
}

function freshCursor(now: Date): OutlookCursor {
  const folder = (): FolderState => ({ delta: null, primed: false, listing: freshListing(), syncedAt: null });
  return {
    stage: "backfill",
    startedAt: now.getTime(),
    horizon: backfillHorizon(now).toISOString(),
    folders: { inbox: folder(), sentitems: folder() },
  };
}

export const outlookSyncer: Syncer = {
  api: "ms_graph_mail",
  async step(context) {
    const cursor = (context.cursor as OutlookCursor | undefined) ?? freshCursor(context.now);
    const unprimed = MAIL_FOLDERS.find((folder) => !cursor.folders[folder].primed);
    if (unprimed) return primeStep(context, cursor, unprimed);
    const listing = listingFolder(cursor);
    if (listing) return listStep(context, cursor, listing);
    if (cursor.stage === "backfill") {
      return {
        ...noChanges(),
        cursor: { ...cursor, stage: "incremental" },
        phase: "incremental",
        progress: 1,
        backfilledThrough: cursor.horizon,
        done: false,
        recount: true,
      };
    }
    return incrementalStep(context, cursor);
  },
};

function noChanges() {
  return { upserts: [] as InteractionEvent[], removals: [] as string[], replacements: [] as string[] };
}

function phaseOf(cursor: OutlookCursor) {
  return cursor.stage === "backfill"
    ? {
        phase: "backfill" as const,
        progress: backfillProgress(cursor.startedAt, oldestOf(cursor) ?? undefined),
        backfilledThrough: throughOf(cursor),
      }
    : { phase: "incremental" as const, progress: 1, backfilledThrough: cursor.horizon };
}

/** A date both folders have reached. */
function oldestOf(cursor: OutlookCursor): number | null {
  const dates = MAIL_FOLDERS.map((name) => {
    const listing = cursor.folders[name].listing;
    return listing.done ? Number.NEGATIVE_INFINITY : listing.oldest;
  });
  if (dates.some((date) => date === null)) return null;
  const latest = Math.max(...(dates as number[]));
  return Number.isFinite(latest) ? latest : Date.parse(cursor.horizon);
}

function throughOf(cursor: OutlookCursor): string | null {
  const oldest = oldestOf(cursor);
  return oldest === null ? null : new Date(Math.max(oldest, Date.parse(cursor.horizon))).toISOString();
}

async function primeStep(context: StepContext, cursor: OutlookCursor, folder: Folder): Promise<Step> {
  const client = await graphFor(context);
  const state = cursor.folders[folder];
  const initial = `/me/mailFolders/${folder}/messages/delta?${new URLSearchParams({ $select: SELECT }).toString()}`;
  let page: DeltaPage<GraphMessage>;
  try {
    page = await deltaPage(context, client, "messages.delta", state.delta ?? initial);
  } catch (error) {
    // A priming round left for days (an outage, reauthorization) may find its link expired: it
    // starts again, once per invocation; the listing after it is unaffected.
    if (classifyProviderError(error).kind !== "expired_cursor" || state.delta === null) throw error;
    if (context.memo.get(`outlook-reprimed-${folder}`))
      throw new SyncDeferred("cursor_expired_again", 5 * 60_000);
    context.memo.set(`outlook-reprimed-${folder}`, true);
    const restarted = { ...cursor, folders: { ...cursor.folders, [folder]: { ...state, delta: null } } };
    return { ...noChanges(), ...phaseOf(restarted), cursor: restarted, done: false };
  }
  const nextLink = page["@odata.nextLink"];
  const deltaLink = page["@odata.deltaLink"];
  if (!nextLink && !deltaLink) throw new Error("Graph delta page carried neither a next nor a delta link");
  const primed: FolderState = { ...state, delta: nextLink ?? deltaLink ?? null, primed: !nextLink };
  const next = { ...cursor, folders: { ...cursor.folders, [folder]: primed } };
  return { ...noChanges(), ...phaseOf(next), cursor: next, done: false };
}

/** The folder to list next: newest first across both, so the backfill's date moves for both at once. */
function listingFolder(cursor: OutlookCursor): Folder | undefined {
  const open = MAIL_FOLDERS.filter((folder) => {
    const state = cursor.folders[folder];
    return !state.listing.done && (cursor.stage === "backfill" || state.resyncSince !== undefined);
  });
  return open.sort(
    (a, b) =>
      (cursor.folders[b].listing.oldest ?? Number.POSITIVE_INFINITY) -
      (cursor.folders[a].listing.oldest ?? Number.POSITIVE_INFINITY),
  )[0];
}

async function listStep(context: StepContext, cursor: OutlookCursor, folder: Folder): Promise<Step> {
  const client = await graphFor(context);
  const state = cursor.folders[folder];
  const { listing } = state;
  const since = state.resyncSince ?? cursor.horizon;
  const filter = [
    `receivedDateTime ge ${since}`,
    ...(listing.boundary ? [`receivedDateTime le ${listing.boundary}`] : []),
  ];
  const query = new URLSearchParams({
    $select: SELECT,
    $filter: filter.join(" and "),
    $orderby: "receivedDateTime desc",
    $top: String(LIST_PAGE),
  });
  const page: { value?: GraphMessage[]; "@odata.nextLink"?: string } = await context.calls.call(
    "messages.list",
    () =>
      client
        .api(listing.link ?? `/me/mailFolders/${folder}/messages?${query.toString()}`)
        .middlewareOptions([NO_RETRIES])
        .get(),
  );
  const items = page.value ?? [];
  const seen = new Set(listing.boundaryIds);
  const fresh = items.filter((item) => item.id && !seen.has(item.id));
  const messages = fresh.map((item) => toMetadata(item, folder));
  const events = await eventsOf(context, messages);

  const last = items.at(-1)?.receivedDateTime ?? null;
  const nextLink = page["@odata.nextLink"];
  // Graph's next link says whether more remain; a short page alone does not.
  const full = nextLink !== undefined;
  // A page that cannot move the boundary (a thousand messages in one second, an import): its next
  // link pages on through that second, by offset, until the date moves.
  const stuck = full && (fresh.length === 0 || last === listing.boundary);
  const boundary = last ?? listing.boundary;
  const atBoundary = items.filter((item) => item.receivedDateTime === boundary).map((item) => item.id);
  const oldest = messages.reduce<number | null>(
    (min, message) =>
      min === null ? message.occurredAt.getTime() : Math.min(min, message.occurredAt.getTime()),
    listing.oldest,
  );
  const nextListing: Listing = {
    boundary,
    boundaryIds: boundary === listing.boundary ? [...listing.boundaryIds, ...atBoundary] : atBoundary,
    ...(stuck ? { link: nextLink } : {}),
    done: !full,
    oldest,
  };
  let nextState: FolderState = { ...state, listing: nextListing };
  let removals: string[] = [];
  let recount = false;
  if (nextListing.done && state.resyncSince && state.resyncMark) {
    // What the re-listing wrote carries its mark; what is stored since then without it is gone
    // (this step's own messages are written after this read: kept).
    const gone = await unmarkedRemoteIds(context.account.accountId, "mail", state.resyncMark, {
      direction: folder === "inbox" ? "inbound" : "outbound",
      since: state.resyncSince,
    });
    const own = new Set(fresh.map((item) => item.id));
    removals = [...gone].filter((id) => !own.has(id));
    nextState = { ...nextState, resyncSince: undefined, resyncMark: undefined };
    recount = true;
  }
  const next = { ...cursor, folders: { ...cursor.folders, [folder]: nextState } };
  return {
    upserts: events,
    removals,
    // A re-sync's messages replace whatever was stored for them, marked.
    replacements: state.resyncSince ? fresh.map((item) => item.id) : [],
    ...(state.resyncMark ? { mark: state.resyncMark } : {}),
    ...phaseOf(next),
    cursor: next,
    done: false,
    ...(recount ? { recount } : {}),
  };
}

async function incrementalStep(context: StepContext, cursor: OutlookCursor): Promise<Step> {
  // A chain's round reads each folder's delta to its end once; the next chain starts a new round.
  const done = cursor.round?.chain === context.chain ? cursor.round.done : [];
  const folder = MAIL_FOLDERS.find((name) => !done.includes(name));
  const base = phaseOf(cursor);
  if (!folder) return { ...noChanges(), ...base, cursor: { ...cursor, round: undefined }, done: true };
  const client = await graphFor(context);
  const state = cursor.folders[folder];
  let page: DeltaPage<GraphMessage>;
  try {
    page = await deltaPage(context, client, "messages.delta", state.delta as string);
  } catch (error) {
    if (classifyProviderError(error).kind !== "expired_cursor") throw error;
    if (context.memo.get(`outlook-resynced-${folder}`)) {
      throw new SyncDeferred("cursor_expired_again", 5 * 60_000);
    }
    context.memo.set(`outlook-resynced-${folder}`, true);
    const since = new Date((state.syncedAt ?? cursor.startedAt) - DAY_MS).toISOString();
    const restarted: FolderState = {
      delta: null,
      primed: false,
      listing: freshListing(),
      syncedAt: state.syncedAt,
      resyncSince: since < cursor.horizon ? cursor.horizon : since,
      resyncMark: ulid(),
    };
    return {
      ...noChanges(),
      ...base,
      cursor: { ...cursor, folders: { ...cursor.folders, [folder]: restarted } },
      done: false,
    };
  }
  const removals: string[] = [];
  const present: GraphMessage[] = [];
  for (const item of page.value ?? []) {
    if (!item.id) continue;
    if (item["@removed"]) removals.push(item.id);
    else present.push(item);
  }
  const horizon = backfillHorizon(context.now).getTime();
  const messages = present
    .map((item) => toMetadata(item, folder))
    .filter((message) => message.occurredAt.getTime() >= horizon);
  const nextLink = page["@odata.nextLink"];
  const deltaLink = page["@odata.deltaLink"];
  if (!nextLink && !deltaLink) throw new Error("Graph delta page carried neither a next nor a delta link");
  const nextState: FolderState = {
    ...state,
    delta: nextLink ?? deltaLink ?? null,
    ...(nextLink ? {} : { syncedAt: context.now.getTime() }),
  };
  return {
    upserts: await eventsOf(context, messages),
    removals,
    replacements: present.map((item) => item.id),
    ...base,
    cursor: {
      ...cursor,
      folders: { ...cursor.folders, [folder]: nextState },
      round: { chain: context.chain, done: nextLink ? done : [...done, folder] },
    },
    done: false,
  };
}

async function eventsOf(
  context: StepContext,
  messages: readonly MessageMetadata[],
): Promise<InteractionEvent[]> {
  await context.people.load(
    messages
      .flatMap((message) => [message.from, ...message.to, ...message.cc, ...message.bcc])
      .flatMap((email) => (email ? [email] : [])),
  );
  return messages.flatMap((message) => messageEvents(context.owner, message, context.people));
}

/** Only dates, addresses and the classifying headers: the transport `Subject:` header is dropped here. */
function toMetadata(message: GraphMessage, folder: Folder): MessageMetadata {
  const header = (name: string) =>
    message.internetMessageHeaders?.find((entry) => entry.name?.toLowerCase() === name.toLowerCase())
      ?.value ?? undefined;
  const sent = folder === "sentitems";
  const addresses = (list: GraphMessage["toRecipients"]) =>
    (list ?? []).flatMap((recipient) => {
      const email = normalizeEmail(addressOf(recipient));
      return email ? [email] : [];
    });
  return {
    remoteId: message.id,
    threadId: message.conversationId ?? message.id,
    occurredAt: new Date(
      (sent ? message.sentDateTime : message.receivedDateTime) ?? message.receivedDateTime ?? "",
    ),
    sent,
    excluded: message.isDraft === true,
    from: normalizeEmail(addressOf(message.from)),
    to: addresses(message.toRecipients),
    cc: addresses(message.ccRecipients),
    bcc: addresses(message.bccRecipients),
    headers: {
      listUnsubscribe: header("List-Unsubscribe"),
      listId: header("List-Id"),
      precedence: header("Precedence"),
      autoSubmitted: header("Auto-Submitted"),
    },
  };
}
