import { WebClient } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { LOCAL_SLACK_BOT, LOCAL_SLACK_TEAM, startSlackSandboxUnlessConfigured } from "./slack";

describe("the local runtime's Slack sandbox", () => {
  it("starts when SLACK_API_URL is unset, points it at /api/ and serves the demo workspace", async () => {
    const env: NodeJS.ProcessEnv = {};

    const sandbox = await startSlackSandboxUnlessConfigured(env);
    try {
      expect(sandbox).toBeDefined();
      expect(env.SLACK_API_URL).toBe(sandbox?.url);
      expect(env.SLACK_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);

      // What core's lookupProfile does with the integration's bot token.
      const slack = new WebClient(LOCAL_SLACK_BOT.token, {
        slackApiUrl: env.SLACK_API_URL,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
      });
      await expect(slack.auth.test()).resolves.toMatchObject({
        team_id: LOCAL_SLACK_TEAM.id,
        user_id: LOCAL_SLACK_BOT.botUserId,
      });
      await expect(slack.users.info({ user: "U04MAYA01" })).resolves.toMatchObject({
        user: {
          team_id: LOCAL_SLACK_TEAM.id,
          real_name: "Maya Chen",
          profile: { email: "maya.chen@acme.example" },
        },
      });
    } finally {
      await sandbox?.stop();
    }
  });

  it("stays off when SLACK_API_URL is set", async () => {
    const env: NodeJS.ProcessEnv = { SLACK_API_URL: "https://slack.com/api/" };

    await expect(startSlackSandboxUnlessConfigured(env)).resolves.toBeUndefined();
    expect(env.SLACK_API_URL).toBe("https://slack.com/api/");
  });
});
