import { ulid } from "ulid";
import { type MessageMetadata, messageEvents, normalizeEmail } from "./classify";
import type { InteractionEvent } from "./event";
import { addressOf, type DeltaPage, deltaPage, graphFor } from "./graph";
import { SyncDeferredSignal } from "./job";
import { classifyProviderError } from "./pacing";
import { unmarkedRemoteIds } from "./state";
import { backfillHorizon, backfillProgress, type Step, type StepContext, type Syncer } from "./syncer";

/**
 * Outlook mail through Graph message delta, one delta per folder: Inbox (what the member received)
 * and Sent Items (what they sent). The first round is the backfill: newest first
 * (`$orderby=receivedDateTime desc`), bounded to 24 months (`$filter=receivedDateTime ge`), with
 * metadata-only `$select`; its delta links then carry the incremental sync, where `@removed` items
 * (deleted, or moved out of the folder) lose their events. An expired delta link (410,
 * `syncStateNotFound`) re-lists that folder once, marking what it writes, and removes what it did
 * not see again.
 *
 * No step here can use `$batch`: each delta page's link comes from the page before it.
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

interface FolderState {
  /** The next page of the current round, or the delta link once the round is over. */
  link: string | null;
  caughtUp: boolean;
  oldest: number | null;
  /** Set while the folder is being re-listed after an expired delta link. */
  mark?: string;
}

interface OutlookCursor {
  stage: "backfill" | "incremental";
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

function initialLink(folder: Folder, horizon: string): string {
  const query = new URLSearchParams({
    $select: SELECT,
    $filter: `receivedDateTime ge ${horizon}`,
    $orderby: "receivedDateTime desc",
  });
  return `/me/mailFolders/${folder}/messages/delta?${query.toString()}`;
}

export const outlookSyncer: Syncer = {
  api: "ms_graph_mail",
  async step(context) {
    const cursor = (context.cursor as OutlookCursor | undefined) ?? freshCursor(context.now);
    return cursor.stage === "backfill" ? backfillStep(context, cursor) : incrementalStep(context, cursor);
  },
};

function freshCursor(now: Date): OutlookCursor {
  const horizon = backfillHorizon(now).toISOString();
  const folder = (): FolderState => ({ link: null, caughtUp: false, oldest: null });
  return {
    stage: "backfill",
    startedAt: now.getTime(),
    horizon,
    folders: { inbox: folder(), sentitems: folder() },
  };
}

/** Newest first across both folders: the next page comes from the folder whose walk is less far back. */
async function backfillStep(context: StepContext, cursor: OutlookCursor): Promise<Step> {
  const open = MAIL_FOLDERS.filter((folder) => !cursor.folders[folder].caughtUp);
  const folder = open.sort(
    (a, b) =>
      (cursor.folders[b].oldest ?? Number.POSITIVE_INFINITY) -
      (cursor.folders[a].oldest ?? Number.POSITIVE_INFINITY),
  )[0];
  if (!folder) return completeBackfill(cursor, [], [], []);
  const { upserts, removals, state } = await pageOf(context, cursor, folder);
  const folders = { ...cursor.folders, [folder]: state };
  const next: OutlookCursor = { ...cursor, folders };
  if (MAIL_FOLDERS.every((name) => folders[name].caughtUp))
    return completeBackfill(next, upserts, removals, []);
  const oldest = oldestOf(folders);
  return {
    upserts,
    removals,
    replacements: [],
    cursor: next,
    phase: "backfill",
    progress: backfillProgress(cursor.startedAt, oldest ?? undefined),
    backfilledThrough:
      oldest === null ? null : new Date(Math.max(oldest, Date.parse(cursor.horizon))).toISOString(),
    done: false,
  };
}

function oldestOf(folders: Record<Folder, FolderState>): number | null {
  // Both folders have to reach a date before the backfill is through it.
  const dates = MAIL_FOLDERS.map((name) =>
    folders[name].caughtUp ? Number.NEGATIVE_INFINITY : folders[name].oldest,
  );
  if (dates.some((date) => date === null)) return null;
  const latest = Math.max(...(dates as number[]));
  return Number.isFinite(latest) ? latest : null;
}

function completeBackfill(
  cursor: OutlookCursor,
  upserts: InteractionEvent[],
  removals: string[],
  replacements: string[],
): Step {
  return {
    upserts,
    removals,
    replacements,
    cursor: { ...cursor, stage: "incremental" },
    phase: "incremental",
    progress: 1,
    backfilledThrough: cursor.horizon,
    done: false,
    recount: true,
  };
}

async function incrementalStep(context: StepContext, cursor: OutlookCursor): Promise<Step> {
  const roundKey = "outlook-round";
  const round = (context.memo.get(roundKey) as Set<Folder> | undefined) ?? new Set<Folder>();
  context.memo.set(roundKey, round);
  const folder = MAIL_FOLDERS.find((name) => !round.has(name));
  const base = { phase: "incremental" as const, progress: 1, backfilledThrough: cursor.horizon };
  if (!folder) return { ...base, upserts: [], removals: [], replacements: [], cursor, done: true };
  const state = cursor.folders[folder];
  let page: Awaited<ReturnType<typeof pageOf>>;
  try {
    page = await pageOf(context, cursor, folder);
  } catch (error) {
    if (classifyProviderError(error).kind !== "expired_cursor") throw error;
    if (state.mark) throw error;
    if (context.memo.get(`outlook-resynced-${folder}`))
      throw new SyncDeferredSignal("delta_expired_again", 5 * 60_000);
    context.memo.set(`outlook-resynced-${folder}`, true);
    const restarted: OutlookCursor = {
      ...cursor,
      folders: { ...cursor.folders, [folder]: { link: null, caughtUp: false, oldest: null, mark: ulid() } },
    };
    return { ...base, upserts: [], removals: [], replacements: [], cursor: restarted, done: false };
  }
  const folders = { ...cursor.folders, [folder]: page.state };
  let removals = page.removals;
  if (page.state.caughtUp) {
    round.add(folder);
    if (state.mark) {
      // The re-listing is over: whatever of this folder it did not write again is gone.
      const direction = folder === "inbox" ? "inbound" : "outbound";
      removals = [
        ...removals,
        ...(await unmarkedRemoteIds(context.account.accountId, "mail", state.mark, direction)),
      ];
      folders[folder] = { ...page.state, mark: undefined };
    }
  }
  return {
    ...base,
    upserts: page.upserts,
    removals,
    replacements: page.present,
    ...(state.mark ? { mark: state.mark } : {}),
    cursor: { ...cursor, folders },
    done: false,
    ...(state.mark && page.state.caughtUp ? { recount: true } : {}),
  };
}

async function pageOf(
  context: StepContext,
  cursor: OutlookCursor,
  folder: Folder,
): Promise<{ upserts: InteractionEvent[]; removals: string[]; present: string[]; state: FolderState }> {
  const client = await graphFor(context);
  const state = cursor.folders[folder];
  const link = state.link ?? initialLink(folder, cursor.horizon);
  const page: DeltaPage<GraphMessage> = await deltaPage(context, client, "messages.delta", link);
  const removals: string[] = [];
  const present: string[] = [];
  const messages: MessageMetadata[] = [];
  let oldest = state.oldest;
  const horizon = Date.parse(cursor.horizon);
  for (const item of page.value ?? []) {
    if (!item.id) continue;
    if (item["@removed"]) {
      removals.push(item.id);
      continue;
    }
    present.push(item.id);
    const metadata = toMetadata(item, folder);
    const at = metadata.occurredAt.getTime();
    if (Number.isNaN(at)) continue;
    oldest = oldest === null ? at : Math.min(oldest, at);
    if (at >= horizon) messages.push(metadata);
  }
  await context.people.load(
    messages
      .flatMap((message) => [message.from, ...message.to, ...message.cc, ...message.bcc])
      .flatMap((email) => (email ? [email] : [])),
  );
  const nextLink = page["@odata.nextLink"];
  const deltaLink = page["@odata.deltaLink"];
  if (!nextLink && !deltaLink) throw new Error("Graph delta page carried neither a next nor a delta link");
  return {
    upserts: messages.flatMap((message) => messageEvents(context.owner, message, context.people)),
    removals,
    present,
    state: { ...state, link: nextLink ?? deltaLink ?? null, caughtUp: !nextLink, oldest },
  };
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
