import { createHmac, timingSafeEqual } from "node:crypto";
import { secret } from "../config";
import * as Integrations from "../integrations";
import { openBotToken } from "../integrations/sealed";
import { db } from "../storage";
import { Unauthenticated } from "../util/errors";
import { logger } from "../util/logger";
import { type Delivery, type Outcome, occurredAt, receive, requireDeliveryId } from "./receive";

/**
 * Slack Events API. Signed with the app's signing secret (v0 HMAC over `v0:{timestamp}:{body}`),
 * timestamps within ±5 minutes. The sender is `event.user` scoped by the team; on a miss,
 * `users.info` (with the integration's bot token) supplies the profile email, which Slack has
 * verified. Lookups that succeed are cached for 24 h.
 */

export const SIGNATURE_WINDOW_SECONDS = 300;
export const DEFAULT_SLACK_API_URL = "https://slack.com/api/";
/** Slack wants an answer within 3 s; a slow `users.info` must not cost the whole delivery. */
const USERS_INFO_TIMEOUT_MS = 1_500;
const PROFILE_CACHE_SECONDS = 24 * 3600;

export function slackSignature(signingSecret: string, timestamp: string, rawBody: string | Buffer): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest("hex")}`;
}

export async function verify(rawBody: Buffer, headers: Record<string, string | undefined>): Promise<void> {
  const signingSecret = await secret("SLACK_SIGNING_SECRET");
  const timestamp = headers["x-slack-request-timestamp"];
  const signature = headers["x-slack-signature"];
  if (!signingSecret || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) {
    throw new Unauthenticated("Missing or invalid Slack signature");
  }
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS) {
    throw new Unauthenticated("Slack request timestamp is outside the allowed window");
  }
  const expected = Buffer.from(slackSignature(signingSecret, timestamp, rawBody));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new Unauthenticated("Missing or invalid Slack signature");
  }
}

interface SlackEventBody {
  type?: unknown;
  challenge?: unknown;
  team_id?: unknown;
  /** Set on Enterprise Grid; an org-wide installation is connected by this `E…` id. */
  enterprise_id?: unknown;
  event_id?: unknown;
  event_time?: unknown;
  authorizations?: unknown;
  event?: Record<string, unknown>;
}

/** What the route answers: Slack's URL check is echoed, everything else goes through `receive`. */
export async function handle(body: unknown): Promise<Outcome | { challenge: string }> {
  const payload = (typeof body === "object" && body !== null ? body : {}) as SlackEventBody;
  if (payload.type === "url_verification" && typeof payload.challenge === "string") {
    return { challenge: payload.challenge };
  }
  if (payload.type !== "event_callback" || typeof payload.event !== "object" || payload.event === null) {
    return { outcome: "ignored", reason: `not an event callback (${String(payload.type).slice(0, 40)})` };
  }
  if (typeof payload.team_id !== "string" || !SLACK_ID.test(payload.team_id)) {
    return { outcome: "unknown_tenant" };
  }
  // A workspace installation is found by its team; an org-wide Enterprise Grid one by the enterprise.
  const integration =
    (await Integrations.forTenant("slack", payload.team_id)) ??
    (typeof payload.enterprise_id === "string" && SLACK_ID.test(payload.enterprise_id)
      ? await Integrations.forTenant("slack", payload.enterprise_id)
      : undefined);
  if (!integration) return { outcome: "unknown_tenant" };
  return receive("slack", integration, interpret(payload, integration));
}

function interpret(payload: SlackEventBody, integration: Integrations.ActiveIntegration): Delivery {
  const event = payload.event as Record<string, unknown>;
  const deliveryId = requireDeliveryId(payload.event_id, "event_id");
  const eventType =
    [event.type, event.subtype].filter((part) => typeof part === "string").join(".") || "unknown";
  const channel = typeof event.channel === "string" ? ` in ${event.channel}` : "";
  const base = {
    deliveryId,
    eventType,
    occurredAt: occurredAt(payload.event_time),
    summary: `Slack ${eventType}${channel}`,
  };
  if (ABOUT_A_USER.has(String(event.type)))
    return { ...base, sender: { ignored: `${eventType} is about a user, not by one` } };
  const installedTeam = (payload.team_id as string).toUpperCase();
  // A Slack Connect user belongs to their own team: their identity is scoped by it, and they are never
  // made a member of this org (they may only link to one who already has their verified email).
  const userTeam =
    typeof event.user_team === "string"
      ? event.user_team
      : typeof event.team === "string"
        ? event.team
        : installedTeam;
  const teamId = SLACK_ID.test(userTeam) ? userTeam.toUpperCase() : installedTeam;
  const external = teamId !== installedTeam;
  const userId = senderOf(event);
  if (!userId) return { ...base, sender: { ignored: "event has no user" } };
  if (typeof event.bot_id === "string" || event.subtype === "bot_message" || userId === "USLACKBOT") {
    return { ...base, sender: { ignored: "bot sender" } };
  }
  if (userId === integration.settings.botUserId || ownBotUsers(payload).has(userId)) {
    return { ...base, sender: { ignored: "the app's own user" } };
  }
  return {
    ...base,
    sender: {
      ref: { kind: "slack", externalId: `${teamId}:${userId}` },
      emailVerified: false,
      allowCreate: !external,
      context: external ? `slack user ${userId} of team ${teamId}` : `slack user ${userId}`,
      enrich: () => lookupProfile(integration, teamId, userId),
    },
  };
}

/** `event.user` is an id on most events and a user object on a few (`team_join`, `user_change`). */
function senderOf(event: Record<string, unknown>): string | undefined {
  const user = event.user;
  const id =
    typeof user === "string"
      ? user
      : typeof user === "object" && user !== null && typeof (user as { id?: unknown }).id === "string"
        ? (user as { id: string }).id
        : undefined;
  return id && /^[UW][A-Z0-9]{2,31}$/i.test(id) ? id.toUpperCase() : undefined;
}

const SLACK_ID = /^[TE][A-Z0-9]{2,31}$/i;

/**
 * Events whose `user` is the person the event is about (a join, a profile change), not someone
 * acting: they say nothing about who is active, so they are irrelevant here.
 */
const ABOUT_A_USER = new Set([
  "team_join",
  "user_change",
  "user_profile_changed",
  "user_status_changed",
  "user_huddle_changed",
  "user_resource_granted",
  "user_resource_removed",
  "tokens_revoked",
  "app_uninstalled",
  "app_uninstalled_team",
  "subteam_members_changed",
]);

/** Events list the installation's own bot user under `authorizations` (`is_bot: true`). */
function ownBotUsers(payload: SlackEventBody): Set<string> {
  const users = new Set<string>();
  if (!Array.isArray(payload.authorizations)) return users;
  for (const authorization of payload.authorizations) {
    const { user_id: userId, is_bot: isBot } = (authorization ?? {}) as {
      user_id?: unknown;
      is_bot?: unknown;
    };
    if (isBot === true && typeof userId === "string") users.add(userId.toUpperCase());
  }
  return users;
}

function pick(profile: Profile): Profile {
  return { email: profile.email, nameHint: profile.nameHint, bot: profile.bot, guest: profile.guest };
}

const profileKey = (teamId: string, userId: string) => ({
  pk: `SLACKPROFILE#${teamId}#${userId}`,
  sk: "#PROFILE",
});

interface Profile {
  email?: string;
  nameHint?: string;
  bot?: boolean;
  /** A multi- or single-channel guest: outside the team, so never made a user by a webhook. */
  guest?: boolean;
}

/**
 * The sender's Slack profile: from the 24 h cache, else from `users.info`. A failed lookup is not
 * cached (the next delivery tries again); the delivery then resolves without an email.
 */
async function lookupProfile(
  integration: Integrations.ActiveIntegration,
  teamId: string,
  userId: string,
): Promise<Profile & { emailVerified?: boolean }> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const cached = await db.get({ Key: profileKey(teamId, userId) });
  if (cached.Item && (cached.Item.expiresAt as number) > nowSeconds) {
    const profile = cached.Item as Profile;
    return { ...pick(profile), emailVerified: profile.email !== undefined };
  }
  const token = await openBotToken(integration);
  if (!token) return {};
  let profile: Profile;
  try {
    // Loaded on the first miss only: a known sender, the common case, never pays for the client
    // at cold start (Slack wants an answer within 3 s).
    const { WebClient } = await import("@slack/web-api");
    const client = new WebClient(token, {
      slackApiUrl: process.env.SLACK_API_URL || DEFAULT_SLACK_API_URL,
      timeout: USERS_INFO_TIMEOUT_MS,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    const result = await client.users.info({ user: userId });
    const user = result.user;
    profile = {
      email: user?.profile?.email || undefined,
      nameHint: user?.real_name || user?.profile?.real_name || user?.name || undefined,
      bot: user?.is_bot === true || user?.id === "USLACKBOT",
      // Guests, people of another team (Slack Connect) and deactivated accounts are not made members.
      guest:
        user?.is_restricted === true ||
        user?.is_ultra_restricted === true ||
        user?.is_stranger === true ||
        user?.deleted === true ||
        (typeof user?.team_id === "string" && user.team_id !== teamId),
    };
  } catch (error) {
    logger.warn("Slack users.info failed; resolving the sender without an email", {
      teamId,
      userId,
      error: (error as { code?: string; data?: { error?: string } }).data?.error ?? (error as Error).message,
    });
    return {};
  }
  await db.put({
    Item: {
      ...profileKey(teamId, userId),
      entity: "slackProfile",
      ...profile,
      fetchedAt: new Date().toISOString(),
      expiresAt: nowSeconds + PROFILE_CACHE_SECONDS,
    },
  });
  return { ...profile, emailVerified: profile.email !== undefined };
}
