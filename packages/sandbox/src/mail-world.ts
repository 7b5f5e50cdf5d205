/**
 * A deterministic synthetic mailbox and calendar, provider-neutral, that the Gmail, Calendar and
 * Graph sandboxes serve in their own wire formats. Generated from a seed, so tests, the demo and
 * the benchmarks see the same mail every run; mutated through a change log (`seq`), from which the
 * sandboxes derive Gmail history ids, Calendar sync tokens and Graph delta links.
 *
 * Every message and meeting carries unique privacy markers in its subject, snippet, body, title,
 * description and location (`PRIVATE-…`), so a test can prove none of them reached Kith's table or
 * logs.
 */

/** Where a message sits. Gmail derives its labels from this; Graph its parent folder. */
export type WorldFolder = "inbox" | "archive" | "sentitems" | "drafts" | "junkemail" | "deleteditems";

export interface WorldAddress {
  email: string;
  name: string;
}

export interface WorldMessage {
  /** 16 lower-case hex digits, unique in the world; the Gmail id and (prefixed) the Graph id. */
  id: string;
  /** The id of the thread's first message (Gmail `threadId`; Graph `conversationId` derives from it). */
  threadId: string;
  /** Milliseconds since the epoch (Gmail `internalDate`; Graph `receivedDateTime`/`sentDateTime`). */
  internalDate: number;
  folder: WorldFolder;
  /** Whether the mailbox's owner (or one of their aliases) sent it. */
  sent: boolean;
  from: WorldAddress;
  to: WorldAddress[];
  cc: WorldAddress[];
  /** Only ever present on messages the owner sent. */
  bcc: WorldAddress[];
  /** Classifying headers, exactly as they would appear on the wire; absent when the message has none. */
  headers: {
    listUnsubscribe?: string;
    listId?: string;
    precedence?: string;
    autoSubmitted?: string;
  };
  subject: string;
  snippet: string;
  body: string;
  /** The `seq` of the change that last touched it. */
  changedAt: number;
}

export type ResponseStatus = "needsAction" | "declined" | "tentative" | "accepted";

export interface WorldAttendee extends WorldAddress {
  responseStatus: ResponseStatus;
  organizer?: boolean;
}

export interface WorldMeeting {
  /** Unique per occurrence; an occurrence of a series is `<seriesId>_<yyyymmddThhmmssZ>`. */
  id: string;
  /** The series an occurrence belongs to, when recurring. */
  recurringEventId?: string;
  iCalUID: string;
  start: number;
  end: number;
  status: "confirmed" | "cancelled";
  organizer: WorldAddress;
  /** Every attendee, the owner included (with their own response), organizer flagged. */
  attendees: WorldAttendee[];
  title: string;
  description: string;
  location: string;
  changedAt: number;
}

export type WorldChange =
  | { seq: number; kind: "message.added" | "message.deleted" | "message.moved"; id: string }
  | { seq: number; kind: "meeting.added" | "meeting.updated" | "meeting.deleted"; id: string };

/** One person the owner corresponds with, and how much ({@link MailWorld.correspondents}). */
export interface WorldCorrespondent {
  /** Lower-cased. */
  email: string;
  name: string;
  /** Counted messages from them and to them within 24 months, newsletters excluded. */
  inbound: number;
  outbound: number;
  inbound12mo: number;
  outbound12mo: number;
  /** Threads with a counted message from them and one to them. */
  twoWayThreads: number;
  /** Attended meetings with them that started within 24 months, and within 180 days. */
  meetings: number;
  meetings180d: number;
  /** Newsletters from them within 24 months (a sender the owner never writes to). */
  newsletters: number;
  /** The latest counted message or meeting (ms since the epoch); 0 for a newsletter-only sender. */
  lastInteractionAt: number;
}

export interface MailWorldOptions {
  seed: number;
  owner: WorldAddress;
  /** The owner's other addresses: mail sent from them is the owner's too. */
  aliases?: string[];
  /** Members of the owner's team: on some threads and meetings, never correspondents. */
  teammates?: WorldAddress[];
  /** Messages in total (approximately: threads are generated whole). Default 400. */
  messages?: number;
  /** Threads in total. Default messages / 3. */
  threads?: number;
  /** Distinct people the conversations and meetings draw from. Default max(20, messages / 25). */
  people?: number;
  /**
   * A few close contacts: this share of the (non-bulk) conversations' and meetings' participants
   * is drawn from the first `people` people only, so they get much more mail than the rest, as in a
   * real mailbox. Default: none (every participant drawn uniformly).
   */
  close?: { people: number; share: number };
  /** Share of threads that are newsletter singletons. Default 0.3. */
  newsletterShare?: number;
  /** Meeting occurrences in total. Default 60. */
  meetings?: number;
  /** Months of history. Default 24; a few items fall just beyond it, to test the edge. */
  months?: number;
  /** "Now" for the generator. Default: the current time. */
  now?: number;
}

const DAY = 86_400_000;

/** mulberry32: a small, fast, deterministic PRNG (MailWorld's data, the sandboxes' injected faults). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const FIRST = ["ana", "ben", "chloe", "dev", "eli", "fatima", "gus", "hana", "ivan", "jun", "kofi", "lena"];
const LAST = ["okafor", "smith", "tanaka", "garcia", "muller", "rossi", "novak", "kim", "silva", "haddad"];
const DOMAINS = ["acme.example", "globex.example", "initech.example", "umbrella.example", "hooli.example"];
const BRANDS = ["dailybrief", "weeklydigest", "productnews", "deals", "eventsclub", "techroundup"];

export class MailWorld {
  readonly owner: WorldAddress;
  readonly aliases: string[];
  readonly teammates: WorldAddress[];
  readonly now: number;
  /** The current change number; every mutation increments it. */
  seq = 1;
  readonly changes: WorldChange[] = [];
  private readonly messageMap = new Map<string, WorldMessage>();
  private readonly meetingMap = new Map<string, WorldMeeting>();
  private readonly random: () => number;
  private idCounter = 0;
  private sortedMessages: WorldMessage[] | undefined;
  private sortedMeetings: WorldMeeting[] | undefined;

  constructor(options: MailWorldOptions) {
    this.owner = { ...options.owner, email: options.owner.email.toLowerCase() };
    this.aliases = (options.aliases ?? []).map((alias) => alias.toLowerCase());
    this.teammates = options.teammates ?? [];
    this.now = options.now ?? Date.now();
    this.random = prng(options.seed);
    generate(this, options);
  }

  /** Messages, newest first (Gmail's and Graph's listing order). */
  messages(): WorldMessage[] {
    // Sorted once per change, not per call: the sandboxes list on every request.
    this.sortedMessages ??= [...this.messageMap.values()].sort(
      (a, b) => b.internalDate - a.internalDate || (a.id < b.id ? 1 : -1),
    );
    return this.sortedMessages.slice();
  }

  message(id: string): WorldMessage | undefined {
    return this.messageMap.get(id);
  }

  /** Meetings by start time. */
  meetings(): WorldMeeting[] {
    this.sortedMeetings ??= [...this.meetingMap.values()].sort(
      (a, b) => a.start - b.start || (a.id < b.id ? -1 : 1),
    );
    return this.sortedMeetings.slice();
  }

  meeting(id: string): WorldMeeting | undefined {
    return this.meetingMap.get(id);
  }

  /**
   * Everyone the owner corresponds with, by the rules Kith counts by (docs: scoring.md,
   * "Statistics per (user, correspondent)"), simplified: inbound mail counts its sender, sent mail
   * each recipient, an attended meeting each attendee; drafts, junk, trash, bulk (over 20
   * recipients or attendees), cancelled, declined and future items and anything older than 730 days
   * count nowhere; the owner, their aliases and teammates are never correspondents. Newsletter
   * senders are listed with only `newsletters` set. Strongest first (messages plus meetings), then
   * by email. Pure: derived from the current state, for seeding contacts a world's owner knows.
   */
  correspondents(): WorldCorrespondent[] {
    const own = new Set([
      this.owner.email,
      ...this.aliases,
      ...this.teammates.map((t) => t.email.toLowerCase()),
    ]);
    const byEmail = new Map<
      string,
      WorldCorrespondent & { threadsIn: Set<string>; threadsOut: Set<string> }
    >();
    const entry = (address: WorldAddress) => {
      const email = address.email.toLowerCase();
      let found = byEmail.get(email);
      if (!found) {
        found = {
          email,
          name: address.name,
          inbound: 0,
          outbound: 0,
          inbound12mo: 0,
          outbound12mo: 0,
          twoWayThreads: 0,
          meetings: 0,
          meetings180d: 0,
          newsletters: 0,
          lastInteractionAt: 0,
          threadsIn: new Set(),
          threadsOut: new Set(),
        };
        byEmail.set(email, found);
      }
      return found;
    };
    const age = (at: number) => this.now - at;
    for (const message of this.messages()) {
      const recipients = message.to.length + message.cc.length + message.bcc.length;
      if (recipients > 20 || age(message.internalDate) > 730 * DAY || age(message.internalDate) < 0) continue;
      if (message.sent) {
        for (const person of [...message.to, ...message.cc, ...message.bcc]) {
          if (own.has(person.email.toLowerCase())) continue;
          const found = entry(person);
          found.outbound += 1;
          if (age(message.internalDate) <= 365 * DAY) found.outbound12mo += 1;
          found.threadsOut.add(message.threadId);
          found.lastInteractionAt = Math.max(found.lastInteractionAt, message.internalDate);
        }
        continue;
      }
      if (!["inbox", "archive"].includes(message.folder) || own.has(message.from.email.toLowerCase()))
        continue;
      const found = entry(message.from);
      if (Object.keys(message.headers).length > 0) {
        found.newsletters += 1;
        continue;
      }
      found.inbound += 1;
      if (age(message.internalDate) <= 365 * DAY) found.inbound12mo += 1;
      found.threadsIn.add(message.threadId);
      found.lastInteractionAt = Math.max(found.lastInteractionAt, message.internalDate);
    }
    for (const meeting of this.meetings()) {
      const self = meeting.attendees.find((attendee) => attendee.email.toLowerCase() === this.owner.email);
      const attended =
        self !== undefined && (self.organizer || ["accepted", "tentative"].includes(self.responseStatus));
      if (!attended || meeting.status === "cancelled" || meeting.attendees.length > 20) continue;
      if (age(meeting.start) < 0 || age(meeting.start) > 730 * DAY) continue;
      for (const attendee of meeting.attendees) {
        if (own.has(attendee.email.toLowerCase())) continue;
        const found = entry(attendee);
        found.meetings += 1;
        if (age(meeting.start) <= 180 * DAY) found.meetings180d += 1;
        found.lastInteractionAt = Math.max(found.lastInteractionAt, meeting.start);
      }
    }
    const listed = [...byEmail.values()].map(({ threadsIn, threadsOut, ...correspondent }) => {
      // A newsletter sender the owner writes to is rescued: their newsletters count as mail.
      const rescued = correspondent.outbound > 0 && correspondent.newsletters > 0;
      return {
        ...correspondent,
        ...(rescued ? { inbound: correspondent.inbound + correspondent.newsletters, newsletters: 0 } : {}),
        twoWayThreads: [...threadsIn].filter((thread) => threadsOut.has(thread)).length,
      };
    });
    const weight = (c: WorldCorrespondent) => c.inbound + c.outbound + c.meetings;
    return listed.sort(
      (a, b) => weight(b) - weight(a) || (a.email < b.email ? -1 : a.email > b.email ? 1 : 0),
    );
  }

  /** Changes after `seq`, oldest first. */
  changesSince(seq: number): WorldChange[] {
    return this.changes.filter((change) => change.seq > seq);
  }

  // ---- generation helpers (used by `generate`) ------------------------------------------------

  /** A uniform draw in [0, 1). */
  draw(): number {
    return this.random();
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  nextId(): string {
    this.idCounter += 1;
    const mixed = Math.floor(this.random() * 0xffffffff);
    return `${mixed.toString(16).padStart(8, "0")}${this.idCounter.toString(16).padStart(8, "0")}`;
  }

  // ---- mutations ------------------------------------------------------------------------------

  addMessage(
    input: Omit<WorldMessage, "id" | "changedAt" | "subject" | "snippet" | "body" | "threadId"> & {
      threadId?: string;
    },
  ): WorldMessage {
    const id = this.nextId();
    const message: WorldMessage = {
      ...input,
      id,
      threadId: input.threadId ?? id,
      ...markers("message", id),
      changedAt: this.bump("message.added", id),
    };
    this.messageMap.set(id, message);
    return message;
  }

  /** Hard deletion (Gmail `messagesDeleted`; Graph `@removed` with reason `deleted`). */
  deleteMessage(id: string): void {
    if (!this.messageMap.delete(id)) throw new Error(`no message ${id}`);
    this.bump("message.deleted", id);
  }

  /** A move between folders, e.g. to `deleteditems` (Gmail: TRASH label added). */
  moveMessage(id: string, folder: WorldFolder): void {
    const message = this.messageMap.get(id);
    if (!message) throw new Error(`no message ${id}`);
    message.folder = folder;
    message.changedAt = this.bump("message.moved", id);
  }

  addMeeting(
    input: Omit<WorldMeeting, "id" | "changedAt" | "title" | "description" | "location" | "iCalUID"> & {
      id?: string;
      iCalUID?: string;
    },
  ): WorldMeeting {
    const id = input.id ?? this.nextId();
    const meeting: WorldMeeting = {
      ...input,
      id,
      iCalUID: input.iCalUID ?? `${id}@world.example`,
      ...meetingMarkers(id),
      changedAt: this.bump("meeting.added", id),
    };
    this.meetingMap.set(id, meeting);
    return meeting;
  }

  updateMeeting(
    id: string,
    change: Partial<Pick<WorldMeeting, "start" | "end" | "status" | "attendees">>,
  ): void {
    const meeting = this.meetingMap.get(id);
    if (!meeting) throw new Error(`no meeting ${id}`);
    Object.assign(meeting, change);
    meeting.changedAt = this.bump("meeting.updated", id);
  }

  cancelMeeting(id: string): void {
    this.updateMeeting(id, { status: "cancelled" });
  }

  /** Removal from the calendar altogether (Graph `@removed`; Google shows it as cancelled). */
  deleteMeeting(id: string): void {
    if (!this.meetingMap.delete(id)) throw new Error(`no meeting ${id}`);
    this.bump("meeting.deleted", id);
  }

  private bump(kind: WorldChange["kind"], id: string): number {
    this.sortedMessages = undefined;
    this.sortedMeetings = undefined;
    this.seq += 1;
    this.changes.push({ seq: this.seq, kind, id } as WorldChange);
    return this.seq;
  }

  /** Generation writes without recording changes: the initial state is seq 1. */
  seedMessage(message: Omit<WorldMessage, "changedAt" | "subject" | "snippet" | "body">): void {
    this.sortedMessages = undefined;
    this.messageMap.set(message.id, { ...message, ...markers("message", message.id), changedAt: 1 });
  }

  seedMeeting(meeting: Omit<WorldMeeting, "changedAt" | "title" | "description" | "location">): void {
    this.sortedMeetings = undefined;
    this.meetingMap.set(meeting.id, { ...meeting, ...meetingMarkers(meeting.id), changedAt: 1 });
  }
}

function markers(kind: string, id: string) {
  return {
    subject: `PRIVATE-SUBJECT-${kind}-${id}`,
    snippet: `PRIVATE-SNIPPET-${kind}-${id}`,
    body: `PRIVATE-BODY-${kind}-${id}`,
  };
}

function meetingMarkers(id: string) {
  return {
    title: `PRIVATE-TITLE-${id}`,
    description: `PRIVATE-DESCRIPTION-${id}`,
    location: `PRIVATE-LOCATION-${id}`,
  };
}

/** Every privacy marker the world's items carry, for a test to search the table and logs for. */
export const PRIVACY_MARKER = "PRIVATE-";

function generate(world: MailWorld, options: MailWorldOptions): void {
  const totalMessages = options.messages ?? 400;
  const totalThreads = Math.max(1, options.threads ?? Math.round(totalMessages / 3));
  const newsletterThreads = Math.round(totalThreads * (options.newsletterShare ?? 0.3));
  const conversationThreads = Math.max(1, totalThreads - newsletterThreads);
  const conversationMessages = Math.max(conversationThreads, totalMessages - newsletterThreads);
  const months = options.months ?? 24;
  const horizon = Math.round((months / 12) * 365) * DAY;
  const now = world.now;

  const people: WorldAddress[] = [];
  const peopleCount = Math.max(1, options.people ?? Math.max(20, Math.round(totalMessages / 25)));
  for (let i = 0; i < peopleCount; i += 1) {
    const first = world.pick(FIRST);
    const last = world.pick(LAST);
    const domain = world.pick(DOMAINS);
    // Mixed case on purpose: Kith must compare addresses lower-cased.
    const local =
      i % 7 === 0 ? `${first[0]?.toUpperCase()}${first.slice(1)}.${last}${i}` : `${first}.${last}${i}`;
    people.push({ email: `${local}@${domain}`, name: `${first} ${last}` });
  }
  const close = options.close ? people.slice(0, Math.max(1, options.close.people)) : undefined;
  const closeShare = options.close?.share ?? 0;
  // Without `close`, exactly one draw per participant, as before the option existed.
  const participant = (): WorldAddress =>
    close && world.draw() < closeShare ? world.pick(close) : world.pick(people);
  const senders: WorldAddress[] = BRANDS.flatMap((brand, i) => [
    { email: `news@${brand}.example`, name: brand },
    { email: `noreply${i}@${brand}.example`, name: `${brand} alerts` },
  ]);
  const ownerAddresses = [world.owner, ...world.aliases.map((email) => ({ email, name: world.owner.name }))];

  // Newsletter singletons: inbound, classified by their headers.
  for (let i = 0; i < newsletterThreads; i += 1) {
    const sender = world.pick(senders);
    const id = world.nextId();
    const variant = i % 4;
    world.seedMessage({
      id,
      threadId: id,
      internalDate: now - Math.floor(world.draw() * horizon * 1.04),
      folder: world.draw() < 0.7 ? "inbox" : "archive",
      sent: false,
      from: sender,
      to: [world.owner],
      cc: [],
      bcc: [],
      headers:
        variant === 0
          ? {
              listUnsubscribe: `<mailto:unsubscribe@${sender.email.split("@")[1]}>`,
              listId: `<list.${id}.example>`,
            }
          : variant === 1
            ? { listUnsubscribe: `<https://${sender.email.split("@")[1]}/u/${id}>` }
            : variant === 2
              ? { precedence: "bulk" }
              : { autoSubmitted: "auto-generated" },
    });
  }

  // Conversations: a start time, a few participants, alternating directions over days or weeks.
  let remaining = conversationMessages;
  for (let t = 0; t < conversationThreads; t += 1) {
    const threadsLeft = conversationThreads - t;
    const length = Math.max(
      1,
      Math.min(
        remaining - (threadsLeft - 1),
        Math.round(1 + world.draw() * 2 * (remaining / threadsLeft - 1)),
      ),
    );
    remaining -= length;
    const bulk = world.draw() < 0.02;
    const participants = bulk
      ? Array.from({ length: 21 + Math.floor(world.draw() * 10) }, () => world.pick(people))
      : Array.from({ length: 1 + Math.floor(world.draw() * 2.2) }, participant);
    const unique = [...new Map(participants.map((person) => [person.email, person])).values()];
    const teammate =
      world.teammates.length > 0 && world.draw() < 0.25 ? world.pick(world.teammates) : undefined;
    let at = now - Math.floor(world.draw() * horizon * 1.03);
    const threadId = world.nextId();
    let outbound = world.draw() < 0.45;
    for (let m = 0; m < length; m += 1) {
      const id = m === 0 ? threadId : world.nextId();
      const sender = outbound ? world.pick(ownerAddresses) : world.pick(unique);
      const others = unique.filter((person) => person.email !== sender.email);
      const to = outbound ? unique.slice(0, Math.max(1, Math.ceil(unique.length / 2))) : [world.owner];
      const cc = outbound ? unique.slice(Math.max(1, Math.ceil(unique.length / 2))) : others.slice(0, 2);
      if (teammate) cc.push(teammate);
      const bcc = outbound && world.draw() < 0.05 ? [world.pick(people)] : [];
      const roll = world.draw();
      const folder: WorldFolder = outbound
        ? roll < 0.01
          ? "drafts"
          : "sentitems"
        : roll < 0.02
          ? "junkemail"
          : roll < 0.04
            ? "deleteditems"
            : roll < 0.12
              ? "archive"
              : "inbox";
      world.seedMessage({
        id,
        threadId,
        internalDate: Math.min(at, now - 60_000),
        folder,
        sent: outbound && folder === "sentitems",
        from: sender,
        to,
        cc,
        bcc,
        headers: {},
      });
      at += Math.floor((0.1 + world.draw() * 3) * DAY);
      outbound = world.draw() < 0.5 ? !outbound : outbound;
    }
  }

  // Meetings: singles and occurrences of weekly series, with every kind of response.
  const totalMeetings = options.meetings ?? 60;
  const responses: ResponseStatus[] = [
    "accepted",
    "accepted",
    "accepted",
    "tentative",
    "declined",
    "needsAction",
  ];
  let made = 0;
  while (made < totalMeetings) {
    const recurring = world.draw() < 0.3;
    const occurrences = recurring ? Math.min(totalMeetings - made, 2 + Math.floor(world.draw() * 6)) : 1;
    const big = world.draw() < 0.05;
    const guests = big
      ? Array.from({ length: 20 + Math.floor(world.draw() * 6) }, () => world.pick(people))
      : Array.from({ length: 1 + Math.floor(world.draw() * 4) }, participant);
    const unique = [...new Map(guests.map((person) => [person.email, person])).values()];
    const teammate =
      world.teammates.length > 0 && world.draw() < 0.3 ? world.pick(world.teammates) : undefined;
    const ownerOrganizes = world.draw() < 0.4;
    const organizer = ownerOrganizes ? world.owner : (unique[0] ?? world.owner);
    const ownerResponse: ResponseStatus = ownerOrganizes ? "accepted" : world.pick(responses);
    // A few in the future: stored, but not counted until they start.
    const first = now - Math.floor(world.draw() * horizon * 1.02) + (world.draw() < 0.05 ? 30 * DAY : 0);
    const seriesId = world.nextId();
    for (let k = 0; k < occurrences; k += 1) {
      const start = Math.floor((first + k * 7 * DAY) / 60_000) * 60_000;
      const stamp = new Date(start)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
      const attendees: WorldAttendee[] = [
        { ...world.owner, responseStatus: ownerResponse, ...(ownerOrganizes ? { organizer: true } : {}) },
        ...unique.map((person) => ({
          ...person,
          responseStatus: world.pick(responses),
          ...(!ownerOrganizes && person.email === organizer.email ? { organizer: true } : {}),
        })),
        ...(teammate ? [{ ...teammate, responseStatus: "accepted" as const }] : []),
      ];
      world.seedMeeting({
        id: recurring ? `${seriesId}_${stamp}` : seriesId,
        ...(recurring ? { recurringEventId: seriesId } : {}),
        iCalUID: `${seriesId}@world.example`,
        start,
        end: start + (30 + Math.floor(world.draw() * 3) * 15) * 60_000,
        status: world.draw() < 0.03 ? "cancelled" : "confirmed",
        organizer,
        attendees,
      });
      made += 1;
    }
  }
}
