import { SlackSandbox } from "@kith/sandbox";

/**
 * The loopback Slack Web API `npm start` runs when `SLACK_API_URL` is unset, so the Slack webhook's
 * `users.info` lookup (core's `lookupProfile`) works offline with the real `@slack/web-api` client.
 * Its workspace is the demo's: the team and Slack users of `demo.ts`, with emails, plus a bot token
 * a developer registers as the Slack integration's `botToken` (docs/local-runtime.md).
 */

/** The demo's Slack workspace (`demo.ts` holds identities `T04ACME7Q:U…`). */
export const LOCAL_SLACK_TEAM = { id: "T04ACME7Q", name: "Acme Robotics" } as const;

/** Local only, like the operator key: granted `users:read` and `users:read.email` in the sandbox. */
export const LOCAL_SLACK_BOT = {
  token: "xoxb-local-kith-sandbox-bot",
  botUserId: "U04KITHB0",
  botId: "B04KITHB0",
} as const;

const MEMBERS = [
  { userId: "U04MAYA01", realName: "Maya Chen", email: "maya.chen@acme.example", isAdmin: true },
  { userId: "U04DIEGO2", realName: "Diego Alvarez", email: "diego.alvarez@acme.example" },
  { userId: "U04PRIYA3", realName: "Priya Natarajan", email: "priya.natarajan@acme.example" },
  { userId: "U04AMARA4", realName: "Amara Okafor", email: "amara.okafor@acme.example" },
  { userId: "U04LUKAS5", realName: "Lukas Becker", email: "lukas.becker@acme.example" },
  // Suspended in the demo: deactivated in Slack too.
  { userId: "U04JORDN6", realName: "Jordan Reyes", email: "jordan.reyes@acme.example", deleted: true },
  // The unmapped guest the demo has seen twice.
  { userId: "U07GUEST9", realName: "Sam Ortiz", email: "sam.ortiz@fieldcrew.example", isRestricted: true },
] as const;

/**
 * Starts the Slack sandbox unless `SLACK_API_URL` points somewhere already, and sets it to the
 * sandbox's `http://127.0.0.1:<port>/api/`. Returns the sandbox (the caller stops it), or
 * undefined when real Slack (or another stand-in) is configured.
 */
export async function startSlackSandboxUnlessConfigured(
  env: NodeJS.ProcessEnv = process.env,
): Promise<SlackSandbox | undefined> {
  if (env.SLACK_API_URL) return undefined;
  const sandbox = await SlackSandbox.start();
  sandbox.addTeam(LOCAL_SLACK_TEAM.id, LOCAL_SLACK_TEAM.name);
  sandbox.addBotToken({
    ...LOCAL_SLACK_BOT,
    teamId: LOCAL_SLACK_TEAM.id,
    scopes: ["users:read", "users:read.email"],
  });
  for (const member of MEMBERS) sandbox.addUser({ teamId: LOCAL_SLACK_TEAM.id, ...member });
  env.SLACK_API_URL = sandbox.url;
  return sandbox;
}
