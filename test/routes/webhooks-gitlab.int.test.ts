import "./quiet-logs";
import { randomUUID } from "node:crypto";
import { gitLabDelivery } from "@kith/sandbox";
import { beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "../support/integration";
import { expectError, useRouteGateway } from "./support";
import {
  AGENTMAIL_SECRET,
  connect,
  deliver,
  GITLAB_TOKEN,
  unmappedEntry,
  usersOf,
  useWebhookSecrets,
} from "./webhook-support";

const SELF_MANAGED = "gitlab.acme-corp.internal";
let sequence = 0;

function userId(): number {
  sequence += 1;
  return 7_000_000 + sequence;
}

/** A GitLab project as webhooks describe it, on gitlab.com or on a self-managed host. */
function project(host: string) {
  const web = `https://${host}/platform/billing-service`;
  return {
    id: 15,
    name: "billing-service",
    description: "Invoices and payment runs",
    web_url: web,
    avatar_url: null,
    git_ssh_url: `git@${host}:platform/billing-service.git`,
    git_http_url: `${web}.git`,
    namespace: "Platform",
    visibility_level: 0,
    path_with_namespace: "platform/billing-service",
    default_branch: "main",
    ci_config_path: null,
    homepage: web,
    url: `git@${host}:platform/billing-service.git`,
    ssh_url: `git@${host}:platform/billing-service.git`,
    http_url: `${web}.git`,
  };
}

/** An Issue Hook, shaped as GitLab documents it: the actor in `user`. */
function issueHook(
  user: { id: number; name: string; username: string; email: string },
  host = "gitlab.com",
  action = "open",
) {
  const proj = project(host);
  return {
    object_kind: "issue",
    event_type: "issue",
    user: { ...user, avatar_url: `https://${host}/uploads/-/system/user/avatar/${user.id}/avatar.png` },
    project: proj,
    object_attributes: {
      author_id: user.id,
      closed_at: null,
      confidential: false,
      created_at: "2026-11-20 10:15:43 UTC",
      description: "Retries double-charge when the gateway times out",
      id: 301,
      iid: 23,
      state: "opened",
      title: "Payment retries double-charge",
      updated_at: "2026-11-20 10:15:43 UTC",
      url: `${proj.web_url}/-/issues/23`,
      action,
    },
    labels: [],
    changes: {},
    repository: {
      name: "billing-service",
      url: proj.url,
      description: proj.description,
      homepage: proj.homepage,
    },
  };
}

/** A Push Hook, shaped as GitLab documents it: the pusher in `user_*` fields. */
function pushHook(user: { id: number; name: string; username: string; email: string }, host = "gitlab.com") {
  const proj = project(host);
  return {
    object_kind: "push",
    event_name: "push",
    before: "95790bf891e76fee5e1747ab589903a6a1f80f22",
    after: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
    ref: "refs/heads/main",
    ref_protected: true,
    checkout_sha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
    message: null,
    user_id: user.id,
    user_name: user.name,
    user_username: user.username,
    user_email: user.email,
    user_avatar: `https://${host}/uploads/-/system/user/avatar/${user.id}/avatar.png`,
    project_id: proj.id,
    project: proj,
    commits: [
      {
        id: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
        message: "Guard retries with an idempotency key\n",
        title: "Guard retries with an idempotency key",
        timestamp: "2026-11-20T10:17:02+00:00",
        url: `${proj.web_url}/-/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7`,
        author: { name: user.name, email: user.email },
        added: [],
        modified: ["lib/retry.rb"],
        removed: [],
      },
    ],
    total_commits_count: 1,
    push_options: {},
    repository: {
      name: "billing-service",
      url: proj.url,
      description: proj.description,
      homepage: proj.homepage,
      git_http_url: proj.git_http_url,
      git_ssh_url: proj.git_ssh_url,
      visibility_level: 0,
    },
  };
}

describe("routes: POST /webhooks/gitlab/{integrationId}", () => {
  const routes = useRouteGateway();
  beforeAll(() => useWebhookSecrets());

  /** A fresh org with a GitLab integration connected through the API. */
  async function connected(settings?: Record<string, unknown>) {
    const org = await routes.createOrg();
    const integration = await connect(routes, org.id, {
      provider: "gitlab",
      externalTenantId: uniqueName("group"),
      secret: GITLAB_TOKEN,
      ...(settings ? { settings } : {}),
    });
    return { orgId: org.id, path: integration.webhookPath, integrationId: integration.id };
  }

  function person(prefix: string) {
    const username = `${prefix}${sequence + 1}`;
    return { id: userId(), name: `Dev ${username}`, username, email: routes.email(prefix) };
  }

  it("answers with the webhook path carrying the integration id", async () => {
    // act
    const { path, integrationId } = await connected();

    // assess
    expect(path).toBe(`/webhooks/gitlab/${integrationId}`);
  });

  it("leaves an unknown gitlab.com sender unmapped by numeric id, listing the payload email's owner as a candidate without linking", async () => {
    // prepare
    const { orgId, path } = await connected();
    const sender = person("issuer");
    const owner = await routes.createUser(orgId, { email: sender.email });
    const eventsBefore = await routes.events(orgId, owner.id);

    // act
    const reply = await deliver(routes, path, gitLabDelivery(issueHook(sender), GITLAB_TOKEN, "Issue Hook"));

    // assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ received: true, outcome: "processed" });
    expect(await unmappedEntry(routes, orgId, "gitlab", String(sender.id))).toMatchObject({
      kind: "gitlab",
      count: 1,
      candidates: [owner.id],
      sampleEventType: "gitlab:issue.open",
      sampleContext: expect.stringContaining(sender.username),
    });
    expect((await routes.getUser(orgId, owner.id)).body.identities).toEqual([]);
    expect(await routes.events(orgId, owner.id)).toEqual(eventsBefore);
    expect((await usersOf(routes, orgId)).map((user) => user.id)).toEqual([owner.id]);
  });

  it("identifies a self-managed instance's user as host:id, from a push hook's user_* fields", async () => {
    // prepare
    const { orgId, path } = await connected();
    const sender = person("pusher");
    const owner = await routes.createUser(orgId, { email: sender.email });

    // act
    const reply = await deliver(
      routes,
      path,
      gitLabDelivery(pushHook(sender, SELF_MANAGED), GITLAB_TOKEN, "Push Hook"),
    );

    // assess
    expect(reply.status).toBe(200);
    expect(reply.body.outcome).toBe("processed");
    expect(await unmappedEntry(routes, orgId, "gitlab", `${SELF_MANAGED}:${sender.id}`)).toMatchObject({
      count: 1,
      candidates: [owner.id],
      sampleEventType: "gitlab:push",
    });
    expect(await unmappedEntry(routes, orgId, "gitlab", String(sender.id))).toBeUndefined();
    expect((await routes.getUser(orgId, owner.id)).body.identities).toEqual([]);
  });

  it("uses the integration's configured host over the payload's", async () => {
    // prepare
    const { orgId, path } = await connected({ host: SELF_MANAGED });
    const sender = person("configured");

    // act
    await deliver(routes, path, gitLabDelivery(issueHook(sender, "gitlab.com"), GITLAB_TOKEN, "Issue Hook"));

    // assess
    expect(await unmappedEntry(routes, orgId, "gitlab", `${SELF_MANAGED}:${sender.id}`)).toMatchObject({
      count: 1,
    });
  });

  it("resolves a known sender, on gitlab.com and on a self-managed host, writing no unmapped entry", async () => {
    // prepare
    const { orgId, path } = await connected();
    const dotcom = person("known");
    const selfManaged = person("knownsm");
    const user = await routes.createUser(orgId, {
      email: routes.email("known-user"),
      identities: [
        { kind: "gitlab", externalId: String(dotcom.id) },
        { kind: "gitlab", externalId: `${SELF_MANAGED}:${selfManaged.id}` },
      ],
    });
    const eventsBefore = await routes.events(orgId, user.id);

    // act
    const replies = [
      await deliver(routes, path, gitLabDelivery(issueHook(dotcom), GITLAB_TOKEN, "Issue Hook")),
      await deliver(
        routes,
        path,
        gitLabDelivery(pushHook(selfManaged, SELF_MANAGED), GITLAB_TOKEN, "Push Hook"),
      ),
    ];

    // assess
    expect(replies.map((reply) => [reply.status, reply.body.outcome])).toEqual([
      [200, "processed"],
      [200, "processed"],
    ]);
    expect((await routes.api("GET", `/v1/orgs/${orgId}/unmapped?kind=gitlab`)).body.items).toEqual([]);
    expect(await routes.events(orgId, user.id)).toEqual(eventsBefore);
  });

  it("lists no candidate when GitLab redacts the email", async () => {
    // prepare
    const { orgId, path } = await connected();
    const sender = { ...person("hidden"), email: "[REDACTED]" };

    // act
    const reply = await deliver(routes, path, gitLabDelivery(issueHook(sender), GITLAB_TOKEN, "Issue Hook"));

    // assess
    expect(reply.body.outcome).toBe("processed");
    expect(await unmappedEntry(routes, orgId, "gitlab", String(sender.id))).toMatchObject({
      count: 1,
      candidates: [],
    });
  });

  it("ignores project and group access-token bots, writing nothing", async () => {
    // prepare
    const { orgId, path } = await connected();
    const before = await routes.orgItems(orgId);
    const bots = ["project_12_bot_abc123", "group_7_bot_9f8e7d", "project_300_bot"].map((username) => ({
      id: userId(),
      name: "Access token bot",
      username,
      email: `${username}@noreply.gitlab.com`,
    }));

    // act
    const replies = [
      ...(await Promise.all(
        bots.map((bot) => deliver(routes, path, gitLabDelivery(issueHook(bot), GITLAB_TOKEN, "Issue Hook"))),
      )),
      await deliver(
        routes,
        path,
        gitLabDelivery(pushHook(bots[0] as (typeof bots)[0]), GITLAB_TOKEN, "Push Hook"),
      ),
    ];

    // assess
    expect(replies.map((reply) => [reply.status, reply.body.outcome])).toEqual(
      Array.from({ length: 4 }, () => [200, "ignored"]),
    );
    expect(await routes.orgItems(orgId)).toEqual(before);
  });

  it("treats a replayed X-Gitlab-Event-UUID as a duplicate: no second count, no second audit event", async () => {
    // prepare
    const { orgId, path } = await connected();
    const stranger = person("replayed");
    const known = person("replayedknown");
    const user = await routes.createUser(orgId, {
      email: routes.email("replay-user"),
      identities: [{ kind: "gitlab", externalId: String(known.id) }],
    });
    const strangerDelivery = gitLabDelivery(issueHook(stranger), GITLAB_TOKEN, "Issue Hook");
    const knownDelivery = gitLabDelivery(issueHook(known), GITLAB_TOKEN, "Issue Hook");

    // act
    const first = [await deliver(routes, path, strangerDelivery), await deliver(routes, path, knownDelivery)];
    const eventsAfterFirst = await routes.events(orgId, user.id);
    const itemsAfterFirst = await routes.orgItems(orgId);
    const replays = await Promise.all([
      deliver(routes, path, strangerDelivery),
      deliver(routes, path, strangerDelivery),
      deliver(routes, path, knownDelivery),
    ]);

    // assess
    expect(first.map((reply) => reply.body.outcome)).toEqual(["processed", "processed"]);
    expect(replays.map((reply) => [reply.status, reply.body.outcome])).toEqual([
      [200, "duplicate"],
      [200, "duplicate"],
      [200, "duplicate"],
    ]);
    expect((await unmappedEntry(routes, orgId, "gitlab", String(stranger.id)))?.count).toBe(1);
    expect(await routes.events(orgId, user.id)).toEqual(eventsAfterFirst);
    expect(await routes.orgItems(orgId)).toEqual(itemsAfterFirst);
  });

  it("counts a new X-Gitlab-Event-UUID for the same sender as a second sighting", async () => {
    // prepare
    const { orgId, path } = await connected();
    const sender = person("twice");

    // act
    await deliver(routes, path, gitLabDelivery(issueHook(sender), GITLAB_TOKEN, "Issue Hook"));
    await deliver(
      routes,
      path,
      gitLabDelivery(issueHook(sender, "gitlab.com", "update"), GITLAB_TOKEN, "Issue Hook"),
    );

    // assess
    expect(await unmappedEntry(routes, orgId, "gitlab", String(sender.id))).toMatchObject({
      count: 2,
      sampleEventType: "gitlab:issue.update",
    });
  });

  it("refuses a wrong or missing token, an unknown integration id and another provider's integration id with 401, writing nothing", async () => {
    // prepare
    const { path } = await connected();
    const other = await routes.createOrg();
    const agentmail = await connect(routes, other.id, {
      provider: "agentmail",
      externalTenantId: "inbox-for-gitlab-test",
      secret: AGENTMAIL_SECRET,
      settings: { allowedDomains: ["example.com"] },
    });
    const github = await connect(routes, other.id, { provider: "github", externalTenantId: "987650001" });
    const payload = issueHook(person("refused"));
    const { "x-gitlab-token": _, ...tokenless } = gitLabDelivery(payload, GITLAB_TOKEN).headers;
    const before = await routes.tableItems();

    // act
    const replies = [
      await deliver(routes, path, gitLabDelivery(payload, "not-the-token-0123456789")),
      await deliver(routes, path, gitLabDelivery(payload, `${GITLAB_TOKEN}x`)),
      await deliver(routes, path, gitLabDelivery(payload, GITLAB_TOKEN.slice(0, -1))),
      await deliver(routes, path, gitLabDelivery(payload, "")),
      await deliver(routes, path, { body: JSON.stringify(payload), headers: tokenless }),
      await deliver(routes, `/webhooks/gitlab/${randomUUID()}`, gitLabDelivery(payload, GITLAB_TOKEN)),
      await deliver(routes, "/webhooks/gitlab/not-an-integration", gitLabDelivery(payload, GITLAB_TOKEN)),
      await deliver(routes, `/webhooks/gitlab/${agentmail.id}`, gitLabDelivery(payload, AGENTMAIL_SECRET)),
      await deliver(routes, `/webhooks/gitlab/${agentmail.id}`, gitLabDelivery(payload, GITLAB_TOKEN)),
      await deliver(routes, `/webhooks/gitlab/${github.id}`, gitLabDelivery(payload, GITLAB_TOKEN)),
    ];

    // assess
    for (const reply of replies) expectError(reply, 401, "unauthenticated");
    expect(await routes.tableItems()).toEqual(before);
  });

  it("refuses a deleted integration's deliveries with 401, writing nothing", async () => {
    // prepare
    const { orgId, path, integrationId } = await connected();
    const removed = await routes.api("DELETE", `/v1/orgs/${orgId}/integrations/${integrationId}`);
    const before = await routes.tableItems();

    // act
    const reply = await deliver(routes, path, gitLabDelivery(issueHook(person("late")), GITLAB_TOKEN));

    // assess
    expect(removed.status).toBe(204);
    expectError(reply, 401, "unauthenticated");
    expect(await routes.tableItems()).toEqual(before);
  });

  it("answers 400 for malformed JSON or a missing X-Gitlab-Event-UUID and 413 over 1 MiB, writing nothing", async () => {
    // prepare
    const { path } = await connected();
    const noUuid = gitLabDelivery(issueHook(person("nouuid")), GITLAB_TOKEN);
    delete noUuid.headers["x-gitlab-event-uuid"];
    const before = await routes.tableItems();

    // act
    const malformed = await deliver(routes, path, gitLabDelivery('{"object_kind": "issue",', GITLAB_TOKEN));
    const missingUuid = await deliver(routes, path, noUuid);
    const oversized = await deliver(
      routes,
      path,
      gitLabDelivery({ ...issueHook(person("big")), pad: "x".repeat(1024 * 1024) }, GITLAB_TOKEN),
    );

    // assess
    expectError(malformed, 400, "invalid_json");
    expect(missingUuid.status).toBe(400);
    expectError(oversized, 413, "payload_too_large");
    expect(await routes.tableItems()).toEqual(before);
  });
});
