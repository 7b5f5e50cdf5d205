import { describe, expect, it } from "vitest";
import {
  BULK_RECIPIENTS,
  classifyHeaders,
  type MessageMetadata,
  meetingEvents,
  messageEvents,
  normalizeEmail,
  type People,
  parseAddressList,
} from "./classify";

const owner = { orgId: "org", userId: "u1", accountId: "acct", provider: "gmail" as const };
const people: People = {
  isMember: (email) => ["me@kith.example", "me.alias@kith.example"].includes(email),
  isTeammate: (email) => email === "mate@kith.example",
};

function message(overrides: Partial<MessageMetadata> = {}): MessageMetadata {
  return {
    remoteId: "m1",
    threadId: "t1",
    occurredAt: new Date("2026-06-01T10:00:00Z"),
    sent: false,
    excluded: false,
    from: "Ana@Acme.example",
    to: ["me@kith.example"],
    cc: [],
    bcc: [],
    headers: {},
    ...overrides,
  };
}

describe("who a message's correspondents are (scoring.md, Statistics)", () => {
  it("an inbound message has its sender as the one correspondent, lower-cased", () => {
    const events = messageEvents(owner, message({ cc: ["bob@acme.example"] }), people);
    expect(events.map((event) => [event.direction, event.correspondent])).toEqual([
      ["inbound", "ana@acme.example"],
    ]);
  });

  it("an outbound message has every external To, Cc and Bcc recipient, once each", () => {
    const events = messageEvents(
      owner,
      message({
        sent: true,
        from: "me@kith.example",
        to: ["ana@acme.example", "mate@kith.example"],
        cc: ["BOB@acme.example", "ana@acme.example"],
        bcc: ["cy@initech.example", "me.alias@kith.example"],
      }),
      people,
    );
    expect(events.map((event) => event.correspondent).sort()).toEqual([
      "ana@acme.example",
      "bob@acme.example",
      "cy@initech.example",
    ]);
    expect(events.every((event) => event.direction === "outbound" && event.recipientCount === 5)).toBe(true);
  });

  it("never makes the member, an alias or a teammate a correspondent", () => {
    expect(messageEvents(owner, message({ from: "mate@kith.example" }), people)).toEqual([]);
    expect(messageEvents(owner, message({ from: "me.alias@kith.example" }), people)).toEqual([]);
  });

  it("drafts, spam and trash yield nothing", () => {
    expect(messageEvents(owner, message({ excluded: true }), people)).toEqual([]);
  });

  it("more than 20 recipients is bulk, and bulk mail is never a newsletter", () => {
    const recipients = (count: number) => Array.from({ length: count }, (_, i) => `p${i}@acme.example`);
    const atLimit = messageEvents(
      owner,
      message({ to: recipients(BULK_RECIPIENTS), headers: { listId: "<l>" } }),
      people,
    );
    const over = messageEvents(
      owner,
      message({ to: recipients(BULK_RECIPIENTS + 1), headers: { listId: "<l>" } }),
      people,
    );
    expect(atLimit[0]).toMatchObject({ bulk: false, newsletter: true });
    expect(over[0]).toMatchObject({ bulk: true, newsletter: false });
  });

  it("outbound mail is never flagged a newsletter", () => {
    const [event] = messageEvents(
      owner,
      message({ sent: true, to: ["ana@acme.example"], headers: { precedence: "bulk" } }),
      people,
    );
    expect(event).toMatchObject({ newsletter: false, headers: { precedence: "bulk" } });
  });
});

describe("the newsletter flag (scoring.md)", () => {
  it.each([
    [{ listUnsubscribe: "<mailto:u@x>" }, true],
    [{ listId: "<news.x>" }, true],
    [{ precedence: "Bulk" }, true],
    [{ precedence: " list " }, true],
    [{ precedence: "junk" }, true],
    [{ precedence: "first-class" }, false],
    [{ autoSubmitted: "auto-generated" }, true],
    [{ autoSubmitted: "auto-replied; owner-email=x" }, true],
    [{ autoSubmitted: "no" }, false],
    [{ autoSubmitted: "No" }, false],
    [{}, false],
  ])("%j flags it: %s", (headers, flagged) => {
    expect(classifyHeaders(headers).flagged).toBe(flagged);
  });

  it("keeps only that List-Unsubscribe was present, not its address", () => {
    expect(classifyHeaders({ listUnsubscribe: "<https://x.example/u/secret-token>" }).headers).toEqual({
      listUnsubscribe: true,
    });
  });
});

describe("meetings", () => {
  it("every external participant, the organizer included, with the member's response and the attendee count", () => {
    const events = meetingEvents(
      owner,
      {
        remoteId: "e1",
        threadId: "series",
        start: new Date("2026-05-01T09:00:00Z"),
        organizer: "Boss@Acme.example",
        attendees: [
          { email: "me@kith.example" },
          { email: "mate@kith.example" },
          { email: "ana@acme.example" },
        ],
        response: "tentative",
        cancelled: false,
      },
      people,
    );
    expect(events.map((event) => event.correspondent).sort()).toEqual([
      "ana@acme.example",
      "boss@acme.example",
    ]);
    expect(events[0]).toMatchObject({
      kind: "meeting",
      direction: "attended",
      attendeeCount: 4,
      response: "tentative",
    });
    expect(events[0]).not.toHaveProperty("cancelled");
  });
});

describe("address parsing", () => {
  it("reads names with commas, comments and angle brackets", () => {
    expect(
      parseAddressList('"Smith, Ana" <Ana@Acme.example>, bob@acme.example (Bob), <cy@x.example>'),
    ).toEqual(["ana@acme.example", "bob@acme.example", "cy@x.example"]);
  });

  it("reads a group's members and not its name", () => {
    expect(parseAddressList('Team: a@x.example, "B" <b@y.example>, c@z.example;, d@w.example')).toEqual([
      "a@x.example",
      "b@y.example",
      "c@z.example",
      "d@w.example",
    ]);
  });

  it("drops what is not an address", () => {
    expect(parseAddressList("undisclosed-recipients:;, not an address")).toEqual([]);
    expect(normalizeEmail("a@b@c")).toBeUndefined();
    expect(normalizeEmail(" A@B.example ")).toBe("a@b.example");
  });
});
