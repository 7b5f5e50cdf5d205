import "./quiet-logs";
import { createHmac, randomUUID } from "node:crypto";
import { Agent, request as httpRequest } from "node:http";
import type { SQSClient } from "@aws-sdk/client-sqs";
import {
  gitLabDelivery,
  signAgentMail,
  signGitHubDelivery,
  signLinear,
  signSlack,
  signWorkOSWebhook,
} from "@kith/sandbox";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFifoQueue, drainQueue, testSqsClient } from "../support/integration";
import { type Item, useRouteGateway } from "./support";
import {
  AGENTMAIL_SECRET,
  connect,
  GITLAB_TOKEN,
  useWebhookSecrets,
  WEBHOOK_SECRETS,
} from "./webhook-support";

/**
 * Webhook ingress under fuzzing: random bytes, random JSON and mutated signed deliveries against
 * all six webhook routes, through the local API Gateway. The properties: no request is answered
 * with a 5xx, and the whole run writes nothing (a full table scan before and after, after every
 * batch too) and queues no directory nudge.
 *
 * A correctly signed delivery from a real sender would write, so every case is one of:
 * - authentic (valid signature, token or path) but harmless by construction: an unknown tenant,
 *   a bot, the app's own user, no sender, an irrelevant event, no delivery id, a ping;
 * - carrying at least one guaranteed authentication failure (no or wrong signature, a signature of
 *   another body, a byte of the signed body changed, a timestamp outside the window, a corrupted
 *   digest, the wrong integration in the path), on any body, including ones that would write;
 * - garbage: random bytes or JSON with random headers.
 *
 * Reproduce a run with FUZZ_SEED=<seed> (printed on failure); FUZZ_RUNS sets the number of batches.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_c0de);
const BATCH = 8;
const RUNS = Number(process.env.FUZZ_RUNS ?? 250);

const PROVIDERS = ["slack", "github", "gitlab", "linear", "agentmail", "workos"] as const;
type Provider = (typeof PROVIDERS)[number];

const WORKOS_SECRET = "whsec_routes_fuzz_0123456789abcdef";
const GITLAB_TOKEN_2 = "routes-fuzz-second-gitlab-token-987654321";
const SLACK_TEAM = "T0FUZZTEAM";
const SLACK_BOT_USER = "U0SETBOT";
const GITHUB_INSTALLATION = 424242;
const LINEAR_ORG = "6f1c2e7a-1b2c-4d5e-8f90-123456789abc";
const LINEAR_BOT = "0a0b0c0d-0e0f-4a1b-9c2d-3e4f5a6b7c8d";
const AGENTMAIL_DOMAIN = "fuzz.example";
/** Senders that hold a user in the org: a delivery from them would record the delivery. */
const KNOWN = {
  github: "777001",
  slack: "U0KNOWN",
  gitlab: "555001",
  linear: "9e8d7c6b-5a49-4382-a716-151413121110",
};

interface Fixture {
  port: number;
  gitlabId: string;
  gitlabOtherId: string;
  agentmailId: string;
}

// ---------------------------------------------------------------------------------------------
// Case specs: pure data (printable, reproducible); signed and rendered at send time, so
// timestamps are relative to the moment the request leaves.
// ---------------------------------------------------------------------------------------------

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Random parts a template weaves in. */
interface Variation {
  n: number;
  text: string;
  asString: boolean;
  pick: number;
  depth: number;
}

type Body =
  | { kind: "template"; name: string; v: Variation }
  | { kind: "json"; value: JsonValue }
  | { kind: "bytes"; bytes: number[] }
  | { kind: "deep"; depth: number; shape: "array" | "object" };

/** How the request is authenticated. Everything but `valid` is a guaranteed failure. */
type Auth =
  | { kind: "valid"; skewSeconds: number }
  | { kind: "none" }
  | { kind: "wrongSecret" }
  | { kind: "otherBody" }
  | { kind: "stale"; skewSeconds: number }
  | { kind: "retimestamp"; deltaSeconds: number }
  | { kind: "corrupt" }
  | { kind: "dropSignature"; which: number }
  | { kind: "bodyFlip"; at: number; mask: number }
  | { kind: "bodyTruncate"; keep: number }
  | { kind: "bodyEmpty" }
  | { kind: "bodyAppend"; suffix: string }
  | { kind: "crossToken" }
  | { kind: "wrongTarget"; target: Target };

type Target =
  | { kind: "unknownUuid"; uuid: string }
  | { kind: "otherProvider" }
  | { kind: "otherIntegration" }
  | { kind: "upperCase" }
  | { kind: "raw"; segment: string };

/** Changes that neither make nor unmake a signature. */
type Mutation =
  | { kind: "dropHeader"; at: number }
  | { kind: "duplicateHeader"; at: number }
  | { kind: "hugeHeader"; at: number; size: number; replace: boolean }
  | { kind: "latin1Header"; at: number; value: string }
  | { kind: "contentType"; value: string | null }
  | { kind: "eventHeader"; value: string }
  | { kind: "deliveryHeader"; value: string }
  | { kind: "extraHeader"; name: string; value: string }
  | { kind: "query"; value: string };

/**
 * GitLab's token does not cover the body, so an authentic GitLab request may carry a changed body
 * only when nothing in it could name a sender (see `render`).
 */
type BodyMutation =
  | { kind: "flip"; at: number; mask: number }
  | { kind: "truncate"; keep: number }
  | { kind: "empty" };

interface Spec {
  category: "authentic" | "broken" | "garbage";
  provider: Provider;
  body: Body;
  auth: Auth;
  mutations: Mutation[];
  bodyMutations: BodyMutation[];
  /** Whether the body, delivered authentically, would write (only ever with a broken `auth`). */
  dangerous: boolean;
}

// ---------------------------------------------------------------------------------------------
// Templates: realistic payloads per provider. `dangerous` ones would write if authentic.
// ---------------------------------------------------------------------------------------------

interface Template {
  dangerous: boolean;
  event?: (v: Variation) => string;
  /** Headers the template's safety depends on being absent (checked: no mutation adds them). */
  withoutDelivery?: boolean;
  payload: (v: Variation) => Record<string, unknown>;
}

/** Stands for a deeply nested value, spliced into the JSON text (too deep to stringify here). */
const DEEP_MARK = "__fuzz_deep__";
const deepText = (depth: number, shape: "array" | "object") =>
  shape === "array"
    ? `${"[".repeat(depth)}"bottom"${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
const extra = (v: Variation) => (v.depth > 0 ? { extra: DEEP_MARK } : {});
const num = (v: Variation, value: number) => (v.asString ? String(value) : value);
const pickOf = <T>(v: Variation, options: readonly T[]): T => options[v.pick % options.length] as T;
const uuidOf = (n: number) =>
  `${(n >>> 0).toString(16).padStart(8, "0")}-0000-4000-8000-${String(n).padStart(12, "0").slice(-12)}`;

function slackEvent(team: unknown, event: Record<string, unknown>, v: Variation, withId = true) {
  return {
    token: "unused",
    team_id: team,
    api_app_id: "A0APP",
    type: "event_callback",
    ...(withId ? { event_id: `Ev0${v.n}${Date.now()}` } : {}),
    event_time: v.asString ? String(Math.floor(Date.now() / 1000)) : Math.floor(Date.now() / 1000),
    event: { channel: `C0${v.n}`, text: v.text, ts: `${Date.now() / 1000}`, ...event },
    authorizations: [{ team_id: team, user_id: "U0APPBOT", is_bot: true }],
    ...extra(v),
  };
}

const TEMPLATES: Record<Provider, Record<string, Template>> = {
  slack: {
    urlVerification: {
      dangerous: false,
      payload: (v) => ({ type: "url_verification", challenge: v.text, token: "x", ...extra(v) }),
    },
    unknownTeam: {
      dangerous: false,
      payload: (v) => slackEvent(`T0NOBODY${v.n}`, { type: "message", user: "U0HUMAN" }, v),
    },
    noTeam: {
      dangerous: false,
      payload: (v) => ({ ...slackEvent(v.n, { type: "message", user: "U0HUMAN" }, v) }),
    },
    botId: {
      dangerous: false,
      payload: (v) => slackEvent(SLACK_TEAM, { type: "message", user: "U0HUMAN", bot_id: "B0BOT" }, v),
    },
    botMessage: {
      dangerous: false,
      payload: (v) => slackEvent(SLACK_TEAM, { type: "message", subtype: "bot_message", user: "U0HUMAN" }, v),
    },
    ownBot: {
      dangerous: false,
      payload: (v) => slackEvent(SLACK_TEAM, { type: "message", user: "u0appbot" }, v),
    },
    settingsBot: {
      dangerous: false,
      payload: (v) => slackEvent(SLACK_TEAM.toLowerCase(), { type: "message", user: SLACK_BOT_USER }, v),
    },
    slackbot: {
      dangerous: false,
      payload: (v) => slackEvent(SLACK_TEAM, { type: "message", user: "USLACKBOT" }, v),
    },
    noUser: {
      dangerous: false,
      payload: (v) =>
        slackEvent(SLACK_TEAM, { type: "channel_created", channel: { id: "C1", name: v.text } }, v),
    },
    badUser: {
      dangerous: false,
      payload: (v) => slackEvent(SLACK_TEAM, { type: "message", user: `!${v.text}` }, v),
    },
    notCallback: {
      dangerous: false,
      payload: (v) => ({
        type: pickOf(v, ["app_rate_limited", "", "EVENT_CALLBACK", v.text]),
        team_id: SLACK_TEAM,
      }),
    },
    callbackWithoutEvent: {
      dangerous: false,
      payload: (v) => ({ type: "event_callback", team_id: SLACK_TEAM, event: pickOf(v, [null, "x", 1]) }),
    },
    humanWithoutEventId: {
      dangerous: false,
      payload: (v) => slackEvent(SLACK_TEAM, { type: "message", user: `U0H${v.n}` }, v, false),
    },
    human: {
      dangerous: true,
      payload: (v) =>
        slackEvent(
          SLACK_TEAM,
          { type: "message", user: pickOf(v, [KNOWN.slack, `U0H${v.n}`, "w0lower"]) },
          v,
        ),
    },
    // An event about a user (team_join) names no actor: ignored.
    aboutAUser: {
      dangerous: false,
      payload: (v) =>
        slackEvent(SLACK_TEAM, { type: "team_join", user: { id: `U0J${v.n}`, name: v.text } }, v),
    },
    humanUserObject: {
      dangerous: true,
      payload: (v) =>
        slackEvent(SLACK_TEAM, { type: "app_home_opened", user: { id: `U0J${v.n}`, name: v.text } }, v),
    },
  },
  github: {
    // Safe whatever the event header says: no tenant in it.
    ping: {
      dangerous: false,
      event: () => "ping",
      payload: (v) => ({
        zen: v.text,
        hook_id: v.n,
        hook: { type: "App", id: v.n, events: ["issues"] },
        sender: { id: num(v, 1000 + v.n), login: "someone", type: "User" },
      }),
    },
    unknownInstallation: {
      dangerous: false,
      payload: (v) => ({
        action: "opened",
        installation: { id: num(v, 5_000_000 + v.n) },
        organization: { id: 6_000_000 + v.n },
        repository: { full_name: `o/${v.text}`, owner: { id: 7_000_000 + v.n } },
        sender: { id: num(v, Number(KNOWN.github)), login: "known", type: "User" },
        ...extra(v),
      }),
    },
    badInstallation: {
      dangerous: false,
      payload: (v) => ({
        action: "opened",
        installation: {
          id: pickOf(v, [-GITHUB_INSTALLATION, GITHUB_INSTALLATION + 0.5, `${GITHUB_INSTALLATION}x`, null]),
        },
        sender: { id: 1000 + v.n, login: "someone", type: "User" },
      }),
    },
    botType: {
      dangerous: false,
      payload: (v) => ({
        action: "created",
        installation: { id: num(v, GITHUB_INSTALLATION) },
        sender: { id: num(v, 41898282), login: "github-actions[bot]", type: "Bot" },
        ...extra(v),
      }),
    },
    botLogin: {
      dangerous: false,
      payload: (v) => ({
        action: "created",
        installation: { id: GITHUB_INSTALLATION },
        sender: { id: num(v, Number(KNOWN.github)), login: `${v.text}[bot]`, type: "User" },
      }),
    },
    orgSender: {
      dangerous: false,
      payload: (v) => ({
        action: "member_added",
        organization: { id: num(v, GITHUB_INSTALLATION) },
        sender: { id: 9000 + v.n, login: "the-org", type: pickOf(v, ["Organization", "Enterprise", "user"]) },
      }),
    },
    noSender: {
      dangerous: false,
      payload: (v) => ({ action: "deleted", installation: { id: GITHUB_INSTALLATION }, ...extra(v) }),
    },
    badSenderId: {
      dangerous: false,
      payload: (v) => ({
        action: "opened",
        installation: { id: GITHUB_INSTALLATION },
        sender: { id: pickOf(v, [-1, 1.5, "abc", "", "1".repeat(21), null, {}]), login: "x", type: "User" },
      }),
    },
    humanWithoutDelivery: {
      dangerous: false,
      withoutDelivery: true,
      payload: (v) => ({
        action: "opened",
        installation: { id: GITHUB_INSTALLATION },
        sender: { id: 1000 + v.n, login: "someone", type: "User" },
      }),
    },
    human: {
      dangerous: true,
      payload: (v) => {
        const tenant = pickOf(v, [
          { installation: { id: num(v, GITHUB_INSTALLATION) } },
          { installation: { id: `000${GITHUB_INSTALLATION}` } },
          { organization: { id: GITHUB_INSTALLATION } },
          { repository: { full_name: "o/r", owner: { id: GITHUB_INSTALLATION } } },
        ]);
        return {
          action: "opened",
          ...tenant,
          sender: { id: num(v, v.pick % 2 ? Number(KNOWN.github) : 2000 + v.n), login: v.text, type: "User" },
        };
      },
    },
  },
  gitlab: {
    noUser: {
      dangerous: false,
      event: () => "Pipeline Hook",
      payload: (v) => ({
        object_kind: "pipeline",
        object_attributes: { id: v.n, status: v.text },
        ...extra(v),
      }),
    },
    botUser: {
      dangerous: false,
      payload: (v) => ({
        object_kind: "issue",
        user: {
          id: num(v, 100 + v.n),
          username: pickOf(v, ["project_12_bot_0a1b2c", "group_7_bot", "ghost", "GitLab-Bot", "support-bot"]),
        },
        object_attributes: { action: "open", title: v.text },
      }),
    },
    badUserId: {
      dangerous: false,
      payload: (v) => ({
        object_kind: "note",
        user: { id: pickOf(v, [0, -5, 1.5, "abc", "", null]), username: "someone" },
        user_id: pickOf(v, ["x", -1, 0]),
      }),
    },
    humanWithoutDelivery: {
      dangerous: false,
      withoutDelivery: true,
      payload: (v) => ({ object_kind: "issue", user: { id: 300 + v.n, username: "someone" } }),
    },
    human: {
      dangerous: true,
      payload: (v) => ({
        object_kind: "merge_request",
        user: {
          id: num(v, v.pick % 2 ? Number(KNOWN.gitlab) : 400 + v.n),
          username: v.text.length > 0 ? v.text : "dev",
          email: pickOf(v, ["[REDACTED]", "dev@example.com"]),
        },
        project: { web_url: pickOf(v, ["https://gitlab.com/g/p", "https://git.example.com/g/p", "::"]) },
        object_attributes: { action: "open" },
      }),
    },
    // No project URL and no configured host: which GitLab is this? Ignored rather than guessed.
    noHost: {
      dangerous: false,
      event: () => "Push Hook",
      payload: (v) => ({ object_kind: "push", user_id: num(v, 500 + v.n), user_username: "pusher" }),
    },
    humanFlat: {
      dangerous: true,
      event: () => "Push Hook",
      payload: (v) => ({
        object_kind: "push",
        user_id: num(v, 500 + v.n),
        user_username: "pusher",
        project: { web_url: "https://gitlab.com/acme/app" },
      }),
    },
  },
  linear: {
    noOrg: {
      dangerous: false,
      payload: (v) => ({
        type: "Issue",
        action: "create",
        actor: { id: KNOWN.linear, type: "user" },
        ...extra(v),
      }),
    },
    unknownOrg: {
      dangerous: false,
      payload: (v) => ({
        type: "Issue",
        action: "update",
        organizationId: pickOf(v, [uuidOf(v.n), `${LINEAR_ORG}x`, v.text, v.n]),
        actor: { id: KNOWN.linear, type: "user", email: "known@example.com" },
      }),
    },
    appActor: {
      dangerous: false,
      payload: (v) => ({
        type: "Comment",
        action: "create",
        organizationId: LINEAR_ORG.toUpperCase(),
        actor: {
          id: uuidOf(v.n),
          type: pickOf(v, ["application", "integration", "oauthClient", `app ${v.text}`]),
        },
      }),
    },
    botActor: {
      dangerous: false,
      payload: () => ({
        type: "Issue",
        action: "create",
        organizationId: LINEAR_ORG,
        actor: { id: LINEAR_BOT.toUpperCase(), type: "user", name: "Kith" },
      }),
    },
    noActor: {
      dangerous: false,
      payload: (v) => ({
        type: "Project",
        action: "remove",
        organizationId: LINEAR_ORG,
        data: { identifier: v.text, creatorId: pickOf(v, ["nope", 5, null]) },
        ...extra(v),
      }),
    },
    humanWithoutDelivery: {
      dangerous: false,
      withoutDelivery: true,
      payload: (v) => ({
        type: "Issue",
        action: "create",
        organizationId: LINEAR_ORG,
        actor: { id: uuidOf(v.n), type: "user", email: "new@example.com" },
      }),
    },
    human: {
      dangerous: true,
      payload: (v) => ({
        type: "Issue",
        action: "create",
        organizationId: LINEAR_ORG,
        actor: {
          id: v.pick % 2 ? KNOWN.linear : uuidOf(v.n),
          type: "user",
          name: v.text,
          email: `person${v.n}@example.com`,
        },
      }),
    },
    creator: {
      dangerous: true,
      payload: (v) => ({
        type: "Issue",
        action: "update",
        organizationId: LINEAR_ORG,
        data: { creatorId: uuidOf(v.n) },
      }),
    },
  },
  agentmail: {
    irrelevant: {
      dangerous: false,
      payload: (v) => ({
        event_type: pickOf(v, [
          "message.sent",
          "message.delivered",
          "message.bounced",
          "domain.verified",
          `x.${v.text}`,
          7,
        ]),
        message: {
          from: [{ email: `person@${AGENTMAIL_DOMAIN}`, name: v.text }],
          authentication: { spf: "pass" },
        },
        ...extra(v),
      }),
    },
    outsideDomain: {
      dangerous: false,
      payload: (v) => ({
        event_type: "message.received",
        message: {
          from: pickOf(v, [
            [{ email: "person@evilfuzz.example" }],
            `"${v.text.replace(/["<>@]/g, "")}" <person@other.example>`,
            "person@fuzz.example.evil.com",
          ]),
          authentication: { spf: "pass" },
        },
      }),
    },
    noFrom: {
      dangerous: false,
      payload: (v) => ({
        event_type: "message.received",
        message: { from: pickOf(v, [undefined, [], null, 5, `${v.text.replaceAll("@", "")} at nowhere`]) },
      }),
    },
    fromAllowed: {
      dangerous: true,
      payload: (v) => ({
        event_type: pickOf(v, ["message.received", "message.received.unauthenticated"]),
        message: {
          from: [{ email: `person${v.n}@${AGENTMAIL_DOMAIN}`, name: v.text }],
          authentication: { spf: "pass" },
          inbox_id: "inbox-fuzz",
        },
      }),
    },
  },
  workos: {
    irrelevant: {
      dangerous: false,
      payload: (v) => ({
        object: "event",
        id: `event_${v.n}`,
        event: pickOf(v, [
          "connection.activated",
          "session.created",
          "authentication.sso_succeeded",
          "email_verification.created",
          "dsync.activated",
        ]),
        data: { id: `x_${v.n}`, name: v.text },
        created_at: new Date().toISOString(),
        ...extra(v),
      }),
    },
    notAnEvent: {
      dangerous: false,
      payload: (v) => ({ event: "organization.created", data: { id: `org_${v.n}` }, note: v.text }),
    },
    organization: {
      dangerous: true,
      payload: (v) => ({
        object: "event",
        id: `event_${v.n}`,
        event: pickOf(v, ["organization.created", "organization_membership.updated", "user.created"]),
        data: { id: `org_${v.n}`, organization_id: `org_${v.n}`, name: v.text },
        created_at: new Date().toISOString(),
      }),
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const variationArb: fc.Arbitrary<Variation> = fc.record({
  n: fc.nat({ max: 1_000_000 }),
  text: fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.string({ unit: "binary", maxLength: 20 }),
    fc.constantFrom("ünïcødé 🚀", "\u202e\u0000\uffff", "𝓚𝓲𝓽𝓱", "'; DROP TABLE --", "%00%0a"),
  ),
  asString: fc.boolean(),
  pick: fc.nat({ max: 1000 }),
  depth: fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 10, max: 5000 }) },
  ),
});

function templateArb(provider: Provider, dangerous: boolean | undefined): fc.Arbitrary<Body> {
  const names = Object.entries(TEMPLATES[provider])
    .filter(([, template]) => dangerous === undefined || template.dangerous === dangerous)
    .map(([name]) => name);
  return fc.record({
    kind: fc.constant("template" as const),
    name: fc.constantFrom(...names),
    v: variationArb,
  });
}

const jsonArb: fc.Arbitrary<Body> = fc.record({
  kind: fc.constant("json" as const),
  value: fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<JsonValue>,
});
const bytesArb: fc.Arbitrary<Body> = fc.record({
  kind: fc.constant("bytes" as const),
  bytes: fc.array(fc.nat({ max: 255 }), { maxLength: 600 }),
});
const deepArb: fc.Arbitrary<Body> = fc.record({
  kind: fc.constant("deep" as const),
  depth: fc.integer({ min: 100, max: 60_000 }),
  shape: fc.constantFrom("array" as const, "object" as const),
});

const asciiArb = fc.string({ unit: "binary-ascii", maxLength: 60 }).map((value) =>
  // Header values: no control characters (the client refuses to send them).
  [...value].map((char) => (char < " " || char === "\x7f" ? "_" : char)).join(""),
);
const latin1Arb = fc
  .array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })), {
    minLength: 1,
    maxLength: 80,
  })
  .map((codes) => String.fromCharCode(...codes));

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("dropHeader" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("duplicateHeader" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("hugeHeader" as const),
    at: fc.nat(),
    size: fc.oneof(fc.integer({ min: 1_000, max: 12_000 }), fc.integer({ min: 17_000, max: 40_000 })),
    replace: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("latin1Header" as const), at: fc.nat(), value: latin1Arb }),
  fc.record({
    kind: fc.constant("contentType" as const),
    value: fc.constantFrom(
      null,
      "",
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/JSON",
      "application/json; charset=utf-16",
      "application/vnd.api+json",
      "multipart/form-data; boundary=x",
      "application/octet-stream",
    ),
  }),
  fc.record({
    kind: fc.constant("eventHeader" as const),
    value: fc.oneof(asciiArb, fc.constantFrom("ping", "issues")),
  }),
  fc.record({
    kind: fc.constant("deliveryHeader" as const),
    value: fc.oneof(asciiArb, latin1Arb, fc.constantFrom("", " ", "x".repeat(201), "a b", randomUUID())),
  }),
  fc.record({
    kind: fc.constant("extraHeader" as const),
    name: fc.constantFrom(
      "x-fuzz",
      "x-slack-retry-num",
      "x-forwarded-for",
      "authorization",
      "transfer-encoding-x",
    ),
    value: asciiArb,
  }),
  fc.record({
    kind: fc.constant("query" as const),
    value: fc.constantFrom("?", "?a=1&a=2", "?integrationId=x", `?${"q".repeat(1500)}=1`, "?%zz"),
  }),
);

const bodyMutationArb: fc.Arbitrary<BodyMutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), keep: fc.double({ min: 0, max: 0.99, noNaN: true }) }),
  fc.record({ kind: fc.constant("empty" as const) }),
);

const targetArb: fc.Arbitrary<Target> = fc.oneof(
  fc.record({ kind: fc.constant("unknownUuid" as const), uuid: fc.uuid() }),
  fc.record({ kind: fc.constant("otherProvider" as const) }),
  fc.record({ kind: fc.constant("otherIntegration" as const) }),
  fc.record({ kind: fc.constant("upperCase" as const) }),
  fc.record({
    kind: fc.constant("raw" as const),
    segment: fc.oneof(
      fc.constantFrom(
        "not-a-uuid",
        "..",
        "%2e%2e",
        "%2F",
        "null",
        "undefined",
        "0",
        "x".repeat(4000),
        "%F0%9F%9A%80",
      ),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }).map(encodeURIComponent),
      fc.stringMatching(/^[0-9a-f-]{36}$/),
    ),
  }),
);

const validAuthArb = (provider: Provider): fc.Arbitrary<Auth> => {
  // Inside each window by a margin of a few seconds, so slow requests do not flip the outcome.
  const window = { slack: 295, agentmail: 295, workos: 175, linear: 55, github: 0, gitlab: 0 }[provider];
  return fc.record({
    kind: fc.constant("valid" as const),
    skewSeconds: fc.oneof(
      fc.constant(0),
      fc.constant(-window),
      fc.constant(window),
      fc.integer({ min: -window, max: window }),
    ),
  });
};

/** Authentication failures that are guaranteed for the provider. */
const brokenAuthArb = (provider: Provider): fc.Arbitrary<Auth> => {
  const window = { slack: 300, agentmail: 300, workos: 180, linear: 60, github: 0, gitlab: 0 }[provider];
  const stale = fc.record({
    kind: fc.constant("stale" as const),
    skewSeconds: fc.oneof(
      fc.integer({ min: window + 5, max: window + 100_000 }),
      fc.integer({ min: -window - 100_000, max: -window - 5 }),
      fc.constantFrom(-Math.floor(Date.now() / 1000), 10_000_000_000),
    ),
  });
  const common: fc.Arbitrary<Auth>[] = [
    fc.constant({ kind: "none" as const }),
    fc.constant({ kind: "wrongSecret" as const }),
    fc.constant({ kind: "corrupt" as const }),
    fc.record({ kind: fc.constant("dropSignature" as const), which: fc.nat() }),
  ];
  if (provider === "gitlab") {
    return fc.oneof(
      ...common,
      fc.constant({ kind: "crossToken" as const }),
      fc.record({ kind: fc.constant("wrongTarget" as const), target: targetArb }),
    );
  }
  const signed: fc.Arbitrary<Auth>[] = [
    ...common,
    fc.constant({ kind: "otherBody" as const }),
    fc.record({
      kind: fc.constant("bodyFlip" as const),
      at: fc.nat(),
      mask: fc.integer({ min: 1, max: 255 }),
    }),
    fc.record({
      kind: fc.constant("bodyTruncate" as const),
      keep: fc.double({ min: 0, max: 0.99, noNaN: true }),
    }),
    fc.constant({ kind: "bodyEmpty" as const }),
    fc.record({
      kind: fc.constant("bodyAppend" as const),
      suffix: fc.constantFrom(" ", "\n", "\u0000", "}", "\ufeff"),
    }),
  ];
  if (provider !== "github") signed.push(stale);
  if (provider === "slack" || provider === "agentmail" || provider === "workos") {
    signed.push(
      fc.record({
        kind: fc.constant("retimestamp" as const),
        deltaSeconds: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: -60, max: -1 })),
      }),
    );
  }
  if (provider === "agentmail")
    signed.push(fc.record({ kind: fc.constant("wrongTarget" as const), target: targetArb }));
  return fc.oneof(...signed);
};

const providerArb = fc.constantFrom(...PROVIDERS);

/** Authentic, harmless by construction. */
const authenticArb: fc.Arbitrary<Spec> = providerArb.chain((provider) =>
  fc.record({
    category: fc.constant("authentic" as const),
    provider: fc.constant(provider),
    body: fc.oneof(
      { weight: 6, arbitrary: templateArb(provider, false) },
      { weight: 2, arbitrary: jsonArb },
      { weight: 1, arbitrary: bytesArb },
      { weight: 1, arbitrary: deepArb },
    ),
    auth: validAuthArb(provider),
    mutations: fc.array(mutationArb, { maxLength: 3 }),
    bodyMutations:
      provider === "gitlab" ? fc.array(bodyMutationArb, { maxLength: 2 }) : fc.constant([] as BodyMutation[]),
    dangerous: fc.constant(false),
  }),
);

/** Any body, including ones that would write, with at least one guaranteed authentication failure. */
const brokenArb: fc.Arbitrary<Spec> = providerArb.chain((provider) =>
  fc
    .record({
      category: fc.constant("broken" as const),
      provider: fc.constant(provider),
      body: fc.oneof(
        { weight: 5, arbitrary: templateArb(provider, true) },
        { weight: 2, arbitrary: templateArb(provider, false) },
        { weight: 1, arbitrary: jsonArb },
      ),
      auth: brokenAuthArb(provider),
      mutations: fc.array(mutationArb, { maxLength: 2 }),
      bodyMutations: fc.constant([] as BodyMutation[]),
    })
    .map((spec) => ({ ...spec, dangerous: spec.body.kind === "template" && template(spec).dangerous })),
);

/** Random bytes or JSON, no real signature at all. */
const garbageArb: fc.Arbitrary<Spec> = providerArb.chain((provider) =>
  fc.record({
    category: fc.constant("garbage" as const),
    provider: fc.constant(provider),
    body: fc.oneof(bytesArb, jsonArb, deepArb),
    auth: fc.constant({ kind: "none" as const }),
    mutations: fc.array(mutationArb, { maxLength: 4 }),
    bodyMutations: fc.constant([] as BodyMutation[]),
    dangerous: fc.constant(false),
  }),
);

const specArb: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 4, arbitrary: authenticArb },
  { weight: 4, arbitrary: brokenArb },
  { weight: 2, arbitrary: garbageArb },
);

// ---------------------------------------------------------------------------------------------
// Rendering: a spec becomes bytes, headers and a path, signed now.
// ---------------------------------------------------------------------------------------------

interface Rendered {
  path: string;
  headers: [string, string][];
  body: Buffer;
}

function template(spec: { provider: Provider; body: Body }): Template {
  const body = spec.body as Extract<Body, { kind: "template" }>;
  const found = TEMPLATES[spec.provider][body.name];
  if (!found) throw new Error(`no template ${spec.provider}.${body.name}`);
  return found;
}

const SIGNATURE_HEADERS: Record<Provider, string[]> = {
  slack: ["x-slack-signature", "x-slack-request-timestamp"],
  github: ["x-hub-signature-256"],
  gitlab: ["x-gitlab-token"],
  linear: ["linear-signature"],
  agentmail: ["svix-signature", "svix-id", "svix-timestamp"],
  workos: ["workos-signature"],
};
const DELIVERY_HEADER: Partial<Record<Provider, string>> = {
  github: "x-github-delivery",
  gitlab: "x-gitlab-event-uuid",
  linear: "linear-delivery",
};
const DEFAULT_EVENT: Partial<Record<Provider, string>> = { github: "issues", gitlab: "Issue Hook" };
const EVENT_HEADER: Partial<Record<Provider, string>> = {
  github: "x-github-event",
  gitlab: "x-gitlab-event",
  linear: "linear-event",
};

/** Makes random JSON harmless when it goes out authentic (only matters in astronomically rare cases). */
function defuse(provider: Provider, value: JsonValue): JsonValue {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const copy: Record<string, JsonValue> = { ...value };
  const drop = {
    slack: ["type"],
    github: ["installation", "organization", "repository"],
    gitlab: ["user", "user_id"],
    linear: ["organizationId"],
    agentmail: ["event_type"],
    workos: ["event"],
  }[provider];
  for (const key of drop) delete copy[key];
  return copy;
}

/** The body as JSON text; `object` when it is a JSON object (Linear's timestamp goes into it). */
function payloadOf(spec: Spec): { text: string; object: boolean; raw?: Buffer } {
  const { body } = spec;
  switch (body.kind) {
    case "template": {
      const text = JSON.stringify(template(spec).payload(body.v)).replace(
        `"${DEEP_MARK}"`,
        deepText(body.v.depth, "array"),
      );
      return { text, object: true };
    }
    case "json": {
      const value = spec.auth.kind === "valid" ? defuse(spec.provider, body.value) : body.value;
      return {
        text: JSON.stringify(value),
        object: typeof value === "object" && value !== null && !Array.isArray(value),
      };
    }
    case "bytes": {
      const raw = Buffer.from(body.bytes);
      return { text: raw.toString("utf8"), object: false, raw };
    }
    case "deep":
      return { text: deepText(body.depth, body.shape), object: body.shape === "object" };
  }
}

async function sign(
  provider: Provider,
  text: string,
  options: { secret?: string; skewSeconds: number; event: string; withoutDelivery: boolean; object: boolean },
): Promise<{ body: string; headers: Record<string, string> }> {
  const nowMs = Date.now() + options.skewSeconds * 1000;
  const nowSeconds = Math.floor(nowMs / 1000);
  let signed: { body: string; headers: Record<string, string> };
  switch (provider) {
    case "slack":
      signed = signSlack(text, options.secret ?? WEBHOOK_SECRETS.SLACK_SIGNING_SECRET, {
        timestampSeconds: nowSeconds,
      });
      break;
    case "github": {
      const secret = options.secret ?? WEBHOOK_SECRETS.GITHUB_WEBHOOK_SECRET;
      // The octokit signer refuses an empty payload; GitHub's scheme is plain HMAC-SHA256.
      signed =
        text === ""
          ? {
              body: text,
              headers: {
                "content-type": "application/json",
                "x-github-event": options.event,
                "x-github-delivery": randomUUID(),
                "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(text).digest("hex")}`,
              },
            }
          : await signGitHubDelivery(text, secret, options.event);
      break;
    }
    case "gitlab":
      signed = gitLabDelivery(text, options.secret ?? GITLAB_TOKEN, options.event);
      break;
    case "linear": {
      // An object gets its signed `webhookTimestamp` stamped in (first: a random object's own wins).
      const stamped = !options.object
        ? text
        : text === "{}"
          ? `{"webhookTimestamp":${nowMs}}`
          : `{"webhookTimestamp":${nowMs},${text.slice(1)}`;
      signed = signLinear(stamped, options.secret ?? WEBHOOK_SECRETS.LINEAR_WEBHOOK_SECRET);
      signed.headers["linear-event"] = /"type":"(\w+)"/.exec(text)?.[1] ?? "";
      break;
    }
    case "agentmail":
      signed = signAgentMail(text, options.secret ?? AGENTMAIL_SECRET, { timestampSeconds: nowSeconds });
      break;
    case "workos":
      signed = signWorkOSWebhook(text, options.secret ?? WORKOS_SECRET, nowMs);
      break;
  }
  const deliveryHeader = DELIVERY_HEADER[provider];
  if (options.withoutDelivery && deliveryHeader) delete signed.headers[deliveryHeader];
  return signed;
}

const WRONG_SECRETS: Record<Provider, string> = {
  slack: "not-the-slack-secret",
  github: "not-the-github-secret",
  gitlab: "not-the-gitlab-token-00000000",
  linear: "not-the-linear-secret",
  agentmail: `whsec_${Buffer.from("not-the-agentmail-secret").toString("base64")}`,
  workos: "whsec_not_the_workos_secret",
};

/** Changes the first character of the digest to a different one of the same alphabet. */
function corruptSignature(provider: Provider, value: string): string {
  const start = {
    slack: "v0=".length,
    github: "sha256=".length,
    gitlab: 0,
    linear: 0,
    agentmail: "v1,".length,
    workos: value.indexOf("v1=") + 3,
  }[provider];
  const char = value[start] ?? "";
  const replacement = char === "a" ? "b" : "a";
  return `${value.slice(0, start)}${replacement}${value.slice(start + 1)}`;
}

function pathFor(provider: Provider, fixture: Fixture, target: Target | undefined): string {
  if (provider !== "gitlab" && provider !== "agentmail") return `/webhooks/${provider}`;
  const own = provider === "gitlab" ? fixture.gitlabId : fixture.agentmailId;
  if (!target) return `/webhooks/${provider}/${own}`;
  switch (target.kind) {
    case "unknownUuid":
      return `/webhooks/${provider}/${target.uuid}`;
    case "otherProvider":
      return `/webhooks/${provider}/${provider === "gitlab" ? fixture.agentmailId : fixture.gitlabId}`;
    case "otherIntegration":
      return `/webhooks/${provider}/${fixture.gitlabOtherId}`;
    case "upperCase":
      return `/webhooks/${provider}/${own.toUpperCase()}`;
    case "raw":
      return `/webhooks/${provider}/${target.segment}`;
  }
}

async function render(spec: Spec, fixture: Fixture): Promise<Rendered> {
  const { provider, auth } = spec;
  const { text, object, raw } = payloadOf(spec);
  const tpl = spec.body.kind === "template" ? template(spec) : undefined;
  const event =
    (spec.body.kind === "template" ? tpl?.event?.(spec.body.v) : undefined) ?? DEFAULT_EVENT[provider] ?? "";
  const withoutDelivery = tpl?.withoutDelivery === true;
  const skew = auth.kind === "valid" || auth.kind === "stale" ? auth.skewSeconds : 0;
  const secret =
    auth.kind === "wrongSecret"
      ? WRONG_SECRETS[provider]
      : auth.kind === "crossToken"
        ? GITLAB_TOKEN_2
        : undefined;

  let signed: { body: string; headers: Record<string, string> };
  if (auth.kind === "otherBody") {
    // Signed for a harmless body; the body sent is another.
    const options = { skewSeconds: 0, event, withoutDelivery, object: true };
    const other = await sign(provider, JSON.stringify({ other: "body", n: text.length }), options);
    const own = await sign(provider, text, { ...options, object });
    signed = { body: own.body, headers: other.headers };
  } else {
    signed = await sign(provider, text, { secret, skewSeconds: skew, event, withoutDelivery, object });
  }

  let body = raw ?? Buffer.from(signed.body, "utf8");
  const headers: [string, string][] = Object.entries(signed.headers);
  const setHeader = (name: string, value: string) => {
    const index = headers.findIndex(([key]) => key === name);
    if (index === -1) headers.push([name, value]);
    else headers[index] = [name, value];
  };
  const signatureNames = SIGNATURE_HEADERS[provider];

  switch (auth.kind) {
    case "none":
      for (const name of signatureNames) {
        const index = headers.findIndex(([key]) => key === name);
        if (index !== -1) headers.splice(index, 1);
      }
      // Without a signature, a Svix id alone must not count for anything either.
      break;
    case "corrupt": {
      const name = signatureNames[0] as string;
      const value = headers.find(([key]) => key === name)?.[1] ?? "";
      setHeader(name, corruptSignature(provider, value));
      break;
    }
    case "dropSignature": {
      const name = signatureNames[auth.which % signatureNames.length] as string;
      const index = headers.findIndex(([key]) => key === name);
      if (index !== -1) headers.splice(index, 1);
      break;
    }
    case "retimestamp": {
      const name = provider === "slack" ? "x-slack-request-timestamp" : "svix-timestamp";
      if (provider === "workos") {
        const value = headers.find(([key]) => key === "workos-signature")?.[1] ?? "";
        setHeader(
          "workos-signature",
          value.replace(/t=(\d+)/, (_, t: string) => `t=${Number(t) + auth.deltaSeconds * 1000}`),
        );
      } else {
        const value = Number(headers.find(([key]) => key === name)?.[1] ?? 0);
        setHeader(name, String(value + auth.deltaSeconds));
      }
      break;
    }
    case "bodyFlip": {
      if (body.length === 0) body = Buffer.from(" ");
      else {
        body = Buffer.from(body);
        const at = auth.at % body.length;
        body[at] = (body[at] as number) ^ auth.mask;
      }
      break;
    }
    case "bodyTruncate":
      body = body.subarray(0, Math.floor(body.length * auth.keep));
      break;
    case "bodyEmpty":
      body = Buffer.alloc(0);
      break;
    case "bodyAppend":
      body = Buffer.concat([body, Buffer.from(auth.suffix, "utf8")]);
      break;
    default:
      break;
  }

  // GitLab's token does not cover the body: a changed or random body that could name a sender goes
  // without its delivery id, which is refused before the payload is read.
  if (spec.bodyMutations.length > 0) {
    for (const mutation of spec.bodyMutations) {
      if (mutation.kind === "empty") body = Buffer.alloc(0);
      else if (mutation.kind === "truncate") body = body.subarray(0, Math.floor(body.length * mutation.keep));
      else if (body.length > 0) {
        body = Buffer.from(body);
        const at = mutation.at % body.length;
        body[at] = (body[at] as number) ^ mutation.mask;
      }
    }
  }
  if (
    provider === "gitlab" &&
    auth.kind === "valid" &&
    (spec.body.kind !== "template" || spec.bodyMutations.length > 0) &&
    /user|\\u/i.test(body.toString("latin1"))
  ) {
    const index = headers.findIndex(([key]) => key === "x-gitlab-event-uuid");
    if (index !== -1) headers.splice(index, 1);
  }

  let query = "";
  for (const mutation of spec.mutations) {
    const at = "at" in mutation && headers.length > 0 ? mutation.at % headers.length : 0;
    switch (mutation.kind) {
      case "dropHeader":
        if (headers.length > 0) headers.splice(at, 1);
        break;
      case "duplicateHeader":
        if (headers.length > 0) headers.push(headers[at] as [string, string]);
        break;
      case "hugeHeader":
        if (mutation.replace && headers.length > 0)
          headers[at] = [(headers[at] as [string, string])[0], "h".repeat(mutation.size)];
        else headers.push(["x-fuzz-pad", "p".repeat(mutation.size)]);
        break;
      case "latin1Header":
        if (headers.length > 0) headers[at] = [(headers[at] as [string, string])[0], mutation.value];
        break;
      case "contentType": {
        const index = headers.findIndex(([key]) => key === "content-type");
        if (index !== -1) headers.splice(index, 1);
        if (mutation.value !== null) headers.push(["content-type", mutation.value]);
        break;
      }
      case "eventHeader": {
        const name = EVENT_HEADER[provider];
        if (name) setHeader(name, mutation.value);
        break;
      }
      case "deliveryHeader": {
        // Only changes a delivery header that is there: a template that is harmless for want of
        // one must stay without.
        const name = DELIVERY_HEADER[provider] ?? (provider === "agentmail" ? "svix-id" : undefined);
        if (name && headers.some(([key]) => key === name)) setHeader(name, mutation.value);
        break;
      }
      case "extraHeader":
        headers.push([mutation.name, mutation.value]);
        break;
      case "query":
        query = mutation.value;
        break;
    }
  }
  const target = auth.kind === "wrongTarget" ? auth.target : undefined;
  return { path: `${pathFor(provider, fixture, target)}${query}`, headers, body };
}

// ---------------------------------------------------------------------------------------------
// Sending, over a raw HTTP client (duplicate headers, any bytes).
// ---------------------------------------------------------------------------------------------

const agent = new Agent({ keepAlive: true, maxSockets: BATCH });

interface Answer {
  status: number;
  text: string;
}

function send(port: number, rendered: Rendered): Promise<Answer> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of rendered.headers) {
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else headers[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  headers["content-length"] = String(rendered.body.length);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: "127.0.0.1", port, method: "POST", path: rendered.path, headers, agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(rendered.body);
  });
}

/** ` outcome` of a 2xx webhook answer, for the run's summary. */
function outcomeOf(answer: Answer): string {
  if (answer.status >= 300) return "";
  try {
    const body = JSON.parse(answer.text) as { outcome?: string; challenge?: string };
    return ` ${body.outcome ?? (body.challenge !== undefined ? "challenge" : "received")}`;
  } catch {
    return " (not json)";
  }
}

/** Node's server answers headers over its 16 KiB limit with a 431 and may close mid-request. */
const headerBytes = (rendered: Rendered) =>
  rendered.headers.reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0);

function explain(spec: Spec, rendered: Rendered | undefined, answer: Answer | string): string {
  const specText = JSON.stringify(spec, (_, value) =>
    typeof value === "string" && value.length > 200 ? `${value.slice(0, 200)}…(${value.length})` : value,
  );
  const request = rendered
    ? JSON.stringify({
        path: rendered.path.slice(0, 300),
        headers: rendered.headers.map(([name, value]) => [
          name,
          value.length > 200 ? `${value.slice(0, 200)}…` : value,
        ]),
        body: rendered.body.toString("utf8").slice(0, 600),
      })
    : "(not rendered)";
  const outcome = typeof answer === "string" ? answer : `${answer.status} ${answer.text.slice(0, 300)}`;
  return `seed ${SEED}: ${outcome}\n  spec: ${specText.slice(0, 2000)}\n  request: ${request}`;
}

// ---------------------------------------------------------------------------------------------

describe("routes: webhook ingress under fuzzing", () => {
  const routes = useRouteGateway();
  let sqs: SQSClient;
  let queueUrl: string;
  let fixture: Fixture;
  let before: Item[];

  beforeAll(async () => {
    useWebhookSecrets();
    process.env.WORKOS_WEBHOOK_SECRET = WORKOS_SECRET;
    // Slack lookups must never leave the machine; none should happen at all.
    process.env.SLACK_API_URL = "http://127.0.0.1:9/";
    sqs = testSqsClient();
    queueUrl = await createFifoQueue(sqs, "fuzz-directory-events");
    process.env.KITH_QUEUE_URL_DIRECTORY_EVENTS = queueUrl;

    const org = await routes.createOrg();
    await connect(routes, org.id, {
      provider: "slack",
      externalTenantId: SLACK_TEAM,
      settings: { botUserId: SLACK_BOT_USER },
    });
    await connect(routes, org.id, { provider: "github", externalTenantId: String(GITHUB_INSTALLATION) });
    const gitlab = await connect(routes, org.id, {
      provider: "gitlab",
      externalTenantId: "fuzz-group",
      secret: GITLAB_TOKEN,
    });
    const gitlabOther = await connect(routes, org.id, {
      provider: "gitlab",
      externalTenantId: "fuzz-group-2",
      secret: GITLAB_TOKEN_2,
    });
    await connect(routes, org.id, {
      provider: "linear",
      externalTenantId: LINEAR_ORG,
      settings: { botUserId: LINEAR_BOT },
    });
    const agentmail = await connect(routes, org.id, {
      provider: "agentmail",
      externalTenantId: "inbox-fuzz",
      secret: AGENTMAIL_SECRET,
      settings: { allowedDomains: [AGENTMAIL_DOMAIN] },
    });
    await routes.createUser(org.id, {
      email: `known@${AGENTMAIL_DOMAIN}`,
      identities: [
        { kind: "github", externalId: KNOWN.github },
        { kind: "slack", externalId: `${SLACK_TEAM}:${KNOWN.slack}` },
        { kind: "gitlab", externalId: KNOWN.gitlab },
        { kind: "linear", externalId: KNOWN.linear },
      ],
    });
    fixture = {
      port: routes.port,
      gitlabId: gitlab.id,
      gitlabOtherId: gitlabOther.id,
      agentmailId: agentmail.id,
    };
    await drainQueue(sqs, queueUrl);
    before = await routes.tableItems();
  });

  afterAll(() => {
    agent.destroy();
    sqs?.destroy();
  });

  /** One authentic request per template, unmutated: what the fuzzer's authentic arm starts from. */
  function pristine(provider: Provider, name: string, n: number): Spec {
    return {
      category: "authentic",
      provider,
      body: { kind: "template", name, v: { n, text: "pristine", asString: false, pick: n, depth: 0 } },
      auth: { kind: "valid", skewSeconds: 0 },
      mutations: [],
      bodyMutations: [],
      dangerous: TEMPLATES[provider][name]?.dangerous ?? false,
    };
  }

  it("every harmless template, sent authentic, passes verification and is ignored, refused or unknown", async () => {
    // prepare
    const cases = PROVIDERS.flatMap((provider) =>
      Object.entries(TEMPLATES[provider])
        .filter(([, tpl]) => !tpl.dangerous)
        .flatMap(([name]) => [0, 1, 2, 3].map((n) => pristine(provider, name, n))),
    );

    // act
    const answers = await Promise.all(
      cases.map(async (spec) => ({ spec, answer: await send(fixture.port, await render(spec, fixture)) })),
    );

    // assess
    const unexpected = answers.filter(
      ({ answer }) =>
        ![200, 202, 400].includes(answer.status) || /"outcome":"(processed|duplicate)"/.test(answer.text),
    );
    expect(unexpected.map(({ spec, answer }) => explain(spec, undefined, answer))).toEqual([]);
    expect(await routes.tableItems()).toEqual(before);
    expect(await drainQueue(sqs, queueUrl)).toEqual([]);
  });

  it(`answers ${RUNS * BATCH} random and mutated requests without a 5xx, writing and queueing nothing`, async () => {
    const statuses = new Map<string, number>();
    let sent = 0;
    let resets = 0;
    const started = performance.now();

    await fc.assert(
      fc.asyncProperty(fc.array(specArb, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const answers = await Promise.all(
          batch.map(async (spec) => {
            let rendered: Rendered | undefined;
            try {
              rendered = await render(spec, fixture);
              const answer = await send(fixture.port, rendered);
              sent += 1;
              const key = `${spec.provider} ${spec.category} ${answer.status}${outcomeOf(answer)}`;
              statuses.set(key, (statuses.get(key) ?? 0) + 1);
              return { spec, rendered, answer };
            } catch (error) {
              if (
                rendered &&
                headerBytes(rendered) > 16_000 &&
                (error as { code?: string }).code === "ECONNRESET"
              ) {
                resets += 1;
                return { spec, rendered, answer: { status: 431, text: "(reset: headers over the limit)" } };
              }
              return { spec, rendered, answer: `client error: ${(error as Error).message}` };
            }
          }),
        );
        const failures = answers.filter(({ answer }) => typeof answer === "string" || answer.status >= 500);
        if (failures.length > 0) {
          throw new Error(
            `${failures.length} request(s) failed:\n${failures
              .map(({ spec, rendered, answer }) => explain(spec, rendered, answer))
              .join("\n")}`,
          );
        }
        const after = await routes.tableItems();
        const queued = await drainQueue(sqs, queueUrl);
        if (queued.length > 0 || JSON.stringify(after) !== JSON.stringify(before)) {
          const known = new Set(before.map((item) => `${item.pk}|${item.sk}`));
          const written = after.filter((item) => !known.has(`${item.pk}|${item.sk}`));
          throw new Error(
            `seed ${SEED}: this batch wrote ${written.length} new item(s) ${JSON.stringify(written).slice(0, 1500)} ` +
              `and queued ${queued.length} message(s) ${JSON.stringify(queued.map((m) => m.Body)).slice(0, 500)}\n` +
              answers.map(({ spec, rendered, answer }) => explain(spec, rendered, answer)).join("\n"),
          );
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true, verbose: 1 },
    );

    const seconds = (performance.now() - started) / 1000;
    const summary = [...statuses.entries()].sort().map(([key, count]) => `${key}: ${count}`);
    console.log(
      `webhook fuzz: seed ${SEED}, ${sent} requests in ${seconds.toFixed(1)} s` +
        `${resets > 0 ? ` (${resets} reset for oversized headers)` : ""}\n  ${summary.join("\n  ")}`,
    );
    expect(sent + resets).toBeGreaterThanOrEqual(1_000);
    expect(await routes.tableItems()).toEqual(before);
    expect(await drainQueue(sqs, queueUrl, 2)).toEqual([]);
  }, 120_000);

  // Last: it writes. Proves the harness signs like the providers, so the fuzzer's harmless cases
  // are harmless because of what they say, not because they never pass verification.
  it("control: every would-write template, sent authentic, is processed (and writes or queues)", async () => {
    // prepare
    const cases = PROVIDERS.flatMap((provider) =>
      Object.entries(TEMPLATES[provider])
        .filter(([, tpl]) => tpl.dangerous)
        .map(([name], index) => pristine(provider, name, 900_000 + index)),
    );

    // act
    const answers: { spec: Spec; answer: Answer }[] = [];
    for (const spec of cases)
      answers.push({ spec, answer: await send(fixture.port, await render(spec, fixture)) });

    // assess
    const notProcessed = answers.filter(({ spec, answer }) =>
      spec.provider === "workos" ? answer.status !== 200 : !/"outcome":"processed"/.test(answer.text),
    );
    expect(notProcessed.map(({ spec, answer }) => explain(spec, undefined, answer))).toEqual([]);
    expect((await routes.tableItems()).length).toBeGreaterThan(before.length);
    const workosCases = cases.filter((spec) => spec.provider === "workos").length;
    expect(await drainQueue(sqs, queueUrl, 2)).toHaveLength(workosCases);
  });
});
