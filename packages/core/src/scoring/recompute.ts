import { keys as contactKeys, fromContactItem, nameSortKey, type StoredContact } from "../contacts/store";
import { computeOverlaps, monthOf } from "../enrichment/overlaps";
import { readProfiles, readUserPersons, type StoredProfile } from "../enrichment/profiles";
import { combineStats } from "../rollup/combine";
import { rollupKeys } from "../rollup/keys";
import { pairFromItem } from "../rollup/pairs";
import type { PairStats } from "../rollup/stats";
import {
  ConditionFailed,
  commit,
  db,
  type GuardedItem,
  type OutboxEvent,
  TransactionCancelled,
} from "../storage";
import { logger } from "../util/logger";
import { evaluate } from "./evaluate";
import { StrengthChanged } from "./events";
import { scoringKeys, upsertReachItem } from "./keys";
import { reachabilityOf } from "./reachability";
import type { DataSource, Overlaps, RuleSet, Tier } from "./rules";
import { currentRuleSet, orgSources } from "./rulesets";
import {
  effectiveTier,
  fromLinkItem,
  fromReachItem,
  linkItem,
  reachSortAttributes,
  readContactLinks,
  readOptOuts,
  type StoredLink,
  type StoredReach,
  sameLink,
} from "./store";

/**
 * Recomputing strength for (member, contact, collection) targets, and then reachability for
 * exactly the (contact, collection) pairs whose links moved.
 *
 * Per batch of targets: one strongly consistent BatchGetItem series for the links, contacts,
 * memberships and reachability items; one for the stats of every (member, email) of those
 * contacts (or none when the links' own stats snapshot is the input: a rule change, decay); then
 * one transaction per contact that changed, holding its changed links, a bump of its reachability
 * item's `inputsVersion`, and `strength.changed` for each tier that moved. A link whose version
 * moved meanwhile cancels that contact's transaction, which is redone on fresh state.
 *
 * Reachability is then recomputed from the contact's links (one Query) and written only if its
 * `inputsVersion` is still the one read, so two recomputes racing can never leave an older answer
 * last. A reachability item behind its inputs (a crash between the two writes) is found stale by
 * the next recompute that reads it.
 */

export interface Target {
  userId: string;
  collectionId: string;
  contactId: string;
}

/** Where a recompute takes the statistics from. */
export type StatsSource = "pairs" | "snapshot";

export interface RecomputeOutcome {
  targets: number;
  linksWritten: number;
  tierChanges: number;
  reachRecomputes: number;
}

const MAX_ATTEMPTS = 6;
const LINKS_PER_TRANSACTION = 90;
const IN_FLIGHT = 8;

/** What a target's link becomes: null deletes it (no connection and no override). */
export type LinkChange = { before: StoredLink | undefined; after: StoredLink | null };

interface ContactGroup {
  collectionId: string;
  contactId: string;
  contact: StoredContact | undefined;
  reach: StoredReach | undefined;
  targets: Target[];
}

const contactKey = (target: Pick<Target, "collectionId" | "contactId">) =>
  `${target.collectionId}/${target.contactId}`;

function dedupe(targets: readonly Target[]): Target[] {
  const byKey = new Map<string, Target>();
  for (const target of targets) byKey.set(`${contactKey(target)}/${target.userId}`, target);
  return [...byKey.values()];
}

/** Runs `work` over `items` with at most `inFlight` at once. */
export async function inParallel<T>(items: readonly T[], inFlight: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(inFlight, items.length)) }, worker));
}

/**
 * Recomputes the targets' links and the reachability they feed. Idempotent: a redelivered batch
 * finds every link already as computed and writes nothing (only a stale reachability is redone).
 */
export async function recomputeTargets(
  orgId: string,
  targets: readonly Target[],
  options: { source: StatsSource; now?: Date; rules?: RuleSet },
): Promise<RecomputeOutcome> {
  const now = options.now ?? new Date();
  const rules = options.rules ?? (await currentRuleSet(orgId));
  const sources = orgSources(orgId);
  const outcome: RecomputeOutcome = { targets: 0, linksWritten: 0, tierChanges: 0, reachRecomputes: 0 };
  const unique = dedupe(targets);
  outcome.targets = unique.length;
  const optOuts = lazy(() => readOptOuts(orgId));
  await runRound(orgId, unique, { ...options, now, rules, sources, optOuts }, outcome, 1);
  return outcome;
}

interface RoundContext {
  source: StatsSource;
  now: Date;
  rules: RuleSet;
  sources: ReadonlySet<DataSource>;
  optOuts: () => Promise<Set<string>>;
}

async function runRound(
  orgId: string,
  targets: readonly Target[],
  context: RoundContext,
  outcome: RecomputeOutcome,
  attempt: number,
): Promise<void> {
  const { groups, links, members } = await readInputs(orgId, targets);
  const stats = context.source === "pairs" ? await readStats(orgId, groups, members) : undefined;
  const overlapsOf = await readOverlaps(orgId, groups, context);
  const retry: Target[] = [];
  await inParallel(groups, IN_FLIGHT, async (group) => {
    const changes = group.targets.map((target) => {
      const before = links.get(`${contactKey(target)}/${target.userId}`);
      const member = members.has(`${target.collectionId}/${target.userId}`);
      const statsOf = stats
        ? (stats.get(`${contactKey(target)}/${target.userId}`) ?? null)
        : (before?.stats ?? null);
      const after =
        group.contact && member
          ? nextLink(
              orgId,
              target,
              before,
              statsOf,
              context,
              before?.override ?? null,
              overlapsOf(group, target),
            )
          : null;
      return { before, after };
    });
    try {
      const written = await writeGroup(orgId, group, changes, context.now);
      outcome.linksWritten += written.links;
      outcome.tierChanges += written.tierChanges;
      const stale = group.reach !== undefined && group.reach.inputsVersion !== group.reach.computedVersion;
      if (group.contact && (written.links > 0 || stale)) {
        await refreshReach(orgId, group.collectionId, group.contactId, context);
        outcome.reachRecomputes++;
      }
    } catch (error) {
      if (error instanceof TransactionCancelled && attempt < MAX_ATTEMPTS) {
        retry.push(...group.targets);
        return;
      }
      throw error;
    }
  });
  if (retry.length > 0) {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
    await runRound(orgId, retry, context, outcome, attempt + 1);
  }
}

/**
 * The link a target should have now. `override` is kept as given (the override route passes the
 * new one). A pair with no connection and no override has no link.
 */
export function nextLink(
  orgId: string,
  target: Target,
  before: StoredLink | undefined,
  stats: PairStats | null,
  context: Pick<RoundContext, "rules" | "sources" | "now">,
  override: Tier | null,
  overlaps: Overlaps | null = null,
): StoredLink | null {
  const evaluation = evaluate({ stats, overlaps }, context.rules, context.sources, context.now);
  if (evaluation.tier === null && override === null) return null;
  const candidate: StoredLink = {
    orgId,
    collectionId: target.collectionId,
    contactId: target.contactId,
    userId: target.userId,
    computedTier: evaluation.tier,
    override,
    score: evaluation.score,
    reasons: evaluation.reasons,
    stats,
    overlaps,
    lastInteractionAt: evaluation.lastInteractionAt,
    nextDecayAt: evaluation.nextDecayAt,
    ruleSetVersion: evaluation.ruleSetVersion,
    computedAt: context.now.toISOString(),
    version: (before?.version ?? 0) + 1,
  };
  if (before && sameLink(before, candidate)) return before;
  return candidate;
}

/**
 * One contact's changed links, in transactions of at most {@link LINKS_PER_TRANSACTION}, each with a
 * bump of the contact's reachability inputs and the tier changes as `strength.changed`.
 */
export async function writeGroup(
  orgId: string,
  group: Pick<ContactGroup, "collectionId" | "contactId" | "contact" | "reach">,
  changes: readonly LinkChange[],
  now: Date,
  extra: { items?: GuardedItem[]; events?: OutboxEvent[] } = {},
): Promise<{ links: number; tierChanges: number }> {
  const moved = changes.filter(
    ({ before, after }) => after !== before && !(before === undefined && after === null),
  );
  if (moved.length === 0 && !extra.items?.length) return { links: 0, tierChanges: 0 };
  let tierChanges = 0;
  for (let start = 0; start < Math.max(1, moved.length); start += LINKS_PER_TRANSACTION) {
    const chunk = moved.slice(start, start + LINKS_PER_TRANSACTION);
    const items: GuardedItem[] = chunk.map(({ before, after }) => linkWrite(orgId, group, before, after));
    const events: OutboxEvent[] = [];
    for (const { before, after } of chunk) {
      const from = before ? effectiveTier(before) : null;
      const to = after ? effectiveTier(after) : null;
      if (from === to) continue;
      tierChanges++;
      const userId = (after ?? before)?.userId as string;
      events.push(
        StrengthChanged.create(
          orgId,
          { collectionId: group.collectionId, contactId: group.contactId, userId, from, to },
          now,
        ),
      );
    }
    if (start === 0) {
      items.push(...(extra.items ?? []));
      events.push(...(extra.events ?? []));
    }
    if (group.contact && group.reach) {
      items.push({
        Update: {
          Key: scoringKeys.reach(orgId, group.collectionId, group.contactId),
          UpdateExpression: "ADD inputsVersion :one",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":one": 1 },
        },
      });
    } else if (group.contact) {
      // A contact written before reachability items existed gets its item now, while it still exists.
      const contact = group.contact;
      items.push(
        {
          ConditionCheck: {
            Key: contactKeys.contact(orgId, contact.collectionId, contact.id),
            ConditionExpression: "attribute_exists(pk)",
          },
        },
        upsertReachItem(contact, nameSortKey(contact.name, contact.id), now.toISOString(), {
          bumpInputs: true,
        }),
      );
    }
    await commit(items, { events, now });
  }
  return { links: moved.length, tierChanges };
}

function linkWrite(
  orgId: string,
  group: Pick<ContactGroup, "collectionId" | "contactId">,
  before: StoredLink | undefined,
  after: StoredLink | null,
): GuardedItem {
  const guard = before
    ? { ConditionExpression: "version = :version", ExpressionAttributeValues: { ":version": before.version } }
    : { ConditionExpression: "attribute_not_exists(pk)" };
  if (after) return { Put: { Item: linkItem(after), ...guard } };
  const userId = (before as StoredLink).userId;
  return { Delete: { Key: scoringKeys.link(orgId, group.collectionId, group.contactId, userId), ...guard } };
}

/** The links, contacts, memberships and reachability items of a batch, strongly consistent. */
async function readInputs(orgId: string, targets: readonly Target[]) {
  const groupsByKey = new Map<string, ContactGroup>();
  for (const target of targets) {
    const key = contactKey(target);
    let group = groupsByKey.get(key);
    if (!group) {
      group = {
        collectionId: target.collectionId,
        contactId: target.contactId,
        contact: undefined,
        reach: undefined,
        targets: [],
      };
      groupsByKey.set(key, group);
    }
    group.targets.push(target);
  }
  const memberKeys = new Map<string, { pk: string; sk: string }>();
  for (const target of targets) {
    memberKeys.set(
      `${target.collectionId}/${target.userId}`,
      contactKeys.member(orgId, target.collectionId, target.userId),
    );
  }
  const keys = [
    ...targets.map((target) => scoringKeys.link(orgId, target.collectionId, target.contactId, target.userId)),
    ...[...groupsByKey.values()].flatMap((group) => [
      contactKeys.contact(orgId, group.collectionId, group.contactId),
      scoringKeys.reach(orgId, group.collectionId, group.contactId),
    ]),
    ...memberKeys.values(),
  ];
  const items = await db.batchGet(keys, true);
  const links = new Map<string, StoredLink>();
  const members = new Set<string>();
  for (const item of items) {
    const entity = item.entity as string;
    if (entity === "strengthLink") {
      const link = fromLinkItem(item);
      links.set(`${contactKey(link)}/${link.userId}`, link);
    } else if (entity === "contact") {
      const contact = fromContactItem(item);
      const group = groupsByKey.get(`${contact.collectionId}/${contact.id}`);
      if (group) group.contact = contact;
    } else if (entity === "reachability") {
      const reach = fromReachItem(item);
      const group = groupsByKey.get(contactKey(reach));
      if (group) group.reach = reach;
    } else if (entity === "collectionMember") {
      members.add(`${item.collectionId as string}/${item.userId as string}`);
    }
  }
  return { groups: [...groupsByKey.values()], links, members };
}

/** The contact's own emails and those enrichment resolved to it, each once. */
function emailsOf(group: ContactGroup): string[] {
  return [...new Set([...(group.contact?.emails ?? []), ...(group.reach?.resolvedEmails ?? [])])];
}

/**
 * The overlap facts per (member, contact), from both sides' profiles: computed fresh on every
 * recompute (the month an open-ended job runs to moves, and small_team_overlap's size threshold is
 * tunable), and null when enrichment is off or either side has no profile.
 */
async function readOverlaps(
  orgId: string,
  groups: readonly ContactGroup[],
  context: Pick<RoundContext, "rules" | "sources" | "now">,
): Promise<(group: ContactGroup, target: Target) => Overlaps | null> {
  const none = () => null;
  if (!context.sources.has("enrichment")) return none;
  const contactPersons = groups.flatMap((group) => (group.reach?.findemId ? [group.reach.findemId] : []));
  if (contactPersons.length === 0) return none;
  const userPersons = await readUserPersons(
    orgId,
    groups.flatMap((group) => group.targets.map((target) => target.userId)),
  );
  if (userPersons.size === 0) return none;
  const profiles = await readProfiles([...contactPersons, ...userPersons.values()]);
  const smallTeam = context.rules.clauses.find((clause) => clause.code === "small_team_overlap");
  const options = {
    maxOrgSize: smallTeam?.thresholds.maxOrgSize ?? 50,
    currentMonth: monthOf(context.now),
  };
  const profileOf = (id: string | null | undefined): StoredProfile | undefined =>
    id ? profiles.get(id) : undefined;
  return (group, target) => {
    const contact = profileOf(group.reach?.findemId);
    const user = profileOf(userPersons.get(target.userId));
    // A member and a contact who are the same person are not each other's overlap.
    if (!contact || !user || contact.findemId === user.findemId) return null;
    return computeOverlaps(user, contact, options);
  };
}

/** Each (member, contact) pair's stats: the contact's emails' pairs, combined as the contract says. */
async function readStats(orgId: string, groups: readonly ContactGroup[], members: ReadonlySet<string>) {
  const wanted: { target: Target; email: string }[] = [];
  for (const group of groups) {
    if (!group.contact) continue;
    for (const target of group.targets) {
      if (!members.has(`${target.collectionId}/${target.userId}`)) continue;
      for (const email of emailsOf(group)) wanted.push({ target, email });
    }
  }
  // One member may reach the same email through contacts in several collections: each key once.
  const keys = new Map<string, { pk: string; sk: string }>();
  for (const { target, email } of wanted)
    keys.set(`${target.userId}\u0000${email}`, rollupKeys.pairStats(orgId, target.userId, email));
  const items = await db.batchGet([...keys.values()], true);
  const byPair = new Map<string, PairStats>();
  for (const item of items) {
    const pair = pairFromItem(item);
    if (pair) byPair.set(`${item.userId as string}\u0000${item.email as string}`, pair.stats);
  }
  const stats = new Map<string, PairStats | null>();
  for (const group of groups) {
    if (!group.contact) continue;
    for (const target of group.targets) {
      const parts = emailsOf(group)
        .map((email) => byPair.get(`${target.userId}\u0000${email}`))
        .filter((part): part is PairStats => part !== undefined);
      stats.set(`${contactKey(target)}/${target.userId}`, parts.length > 0 ? combineStats(parts) : null);
    }
  }
  return stats;
}

/**
 * Recomputes one contact's reachability in one collection from its links, and writes it only if
 * nothing moved since it read: otherwise it reads again. Returns the stored result, or undefined
 * when the contact is gone.
 */
export async function refreshReach(
  orgId: string,
  collectionId: string,
  contactId: string,
  context: { now: Date; optOuts: () => Promise<Set<string>> },
): Promise<StoredReach | undefined> {
  for (let attempt = 1; ; attempt++) {
    const { Item } = await db.get({
      Key: scoringKeys.reach(orgId, collectionId, contactId),
      ConsistentRead: true,
    });
    if (!Item) return undefined;
    const stored = fromReachItem(Item);
    const links = await readContactLinks(orgId, collectionId, contactId);
    const optOuts = await context.optOuts();
    const counts = reachabilityOf(
      links.map((link) => ({
        userId: link.userId,
        tier: effectiveTier(link),
        score: link.score,
        lastInteractionAt: link.lastInteractionAt,
        optedOut: optOuts.has(link.userId),
      })),
    );
    const key = links.find((link) => link.userId === counts.keyUserId);
    const sort = reachSortAttributes(
      collectionId,
      contactId,
      counts,
      key && { tier: effectiveTier(key), score: key.score },
    );
    const unchanged =
      stored.tier === counts.tier &&
      stored.warm === counts.warm &&
      stored.known === counts.known &&
      stored.cold === counts.cold &&
      stored.keyUserId === counts.keyUserId &&
      stored.keyTierRank === sort.keyTierRank &&
      stored.keyScore === sort.keyScore;
    if (unchanged && stored.computedVersion === stored.inputsVersion) return stored;
    const computedAt = unchanged ? stored.computedAt : context.now.toISOString();
    try {
      await db.update({
        Key: scoringKeys.reach(orgId, collectionId, contactId),
        UpdateExpression:
          "SET tier = :tier, warm = :warm, known = :known, cold = :cold, keyUserId = :key, " +
          "computedAt = :at, computedVersion = :version, gsi1pk = :tierPk, gsi2sk = :strengthSk, " +
          "keyTierRank = :keyRank, keyScore = :keyScore",
        ConditionExpression: "inputsVersion = :version",
        ExpressionAttributeValues: {
          ":tier": counts.tier,
          ":warm": counts.warm,
          ":known": counts.known,
          ":cold": counts.cold,
          ":key": counts.keyUserId,
          ":at": computedAt,
          ":version": stored.inputsVersion,
          ":tierPk": sort.gsi1pk,
          ":strengthSk": sort.gsi2sk,
          ":keyRank": sort.keyTierRank,
          ":keyScore": sort.keyScore,
        },
      });
      return { ...stored, ...counts, computedAt, computedVersion: stored.inputsVersion, ...sort };
    } catch (error) {
      if (!(error instanceof ConditionFailed) || attempt >= 20) throw error;
      logger.debug("reachability inputs moved while recomputing; reading again", { attempt });
    }
  }
}

/** A value computed once, on first use. */
export function lazy<T>(compute: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= compute();
    return value;
  };
}

/**
 * One target, read and written on its own: the override route. `override.value` replaces the
 * stored override; `audit` adds the change's audit item to the same transaction when the override
 * moves. Throws `TransactionCancelled` when the link moved meanwhile (the caller retries).
 */
export async function recomputeOne(
  orgId: string,
  target: Target,
  options: {
    now: Date;
    override?: { value: Tier | null };
    audit?: (before: StoredLink | undefined, after: StoredLink | null) => GuardedItem;
  },
): Promise<StoredLink | null> {
  const { now } = options;
  const rules = await currentRuleSet(orgId);
  const context = {
    source: "pairs" as const,
    now,
    rules,
    sources: orgSources(orgId),
    optOuts: lazy(() => readOptOuts(orgId)),
  };
  const { groups, links, members } = await readInputs(orgId, [target]);
  const group = groups[0] as ContactGroup;
  const stats = await readStats(orgId, groups, members);
  const overlapsOf = await readOverlaps(orgId, groups, context);
  const before = links.get(`${contactKey(target)}/${target.userId}`);
  const override = options.override ? options.override.value : (before?.override ?? null);
  const after =
    group.contact && members.has(`${target.collectionId}/${target.userId}`)
      ? nextLink(
          orgId,
          target,
          before,
          stats.get(`${contactKey(target)}/${target.userId}`) ?? null,
          context,
          override,
          overlapsOf(group, target),
        )
      : null;
  const overrideMoved = (before?.override ?? null) !== (after?.override ?? null);
  await writeGroup(orgId, group, [{ before, after }], now, {
    items: overrideMoved && options.audit ? [options.audit(before, after)] : [],
  });
  if (group.contact) await refreshReach(orgId, target.collectionId, target.contactId, context);
  return after;
}
