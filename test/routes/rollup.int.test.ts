import "./quiet-logs";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import type { Org } from "@kith/core/orgs";
import { applyEventChanges } from "@kith/core/rollup";
import { beforeAll, describe, expect, it } from "vitest";
import { drainQueue, testSqsClient, uniqueName, useEmulators } from "../support/integration";
import { DAY, interaction, storeEvents } from "../support/rollup";
import { expectError, useRouteGateway } from "./support";

/**
 * The rollup's routes over HTTP: the unresolved-correspondents queue (admins) and the full stats
 * rebuild (the operator), behind the local gateway on a table of their own.
 */

const routes = useRouteGateway();
let org: Org;
let adminToken: string;
let memberToken: string;
let member: { id: string };
let rebuildQueueUrl: string;

beforeAll(async () => {
  org = await routes.createOrg("Rollup Routes Co");
  const admin = await routes.createUser(org.id, { name: "Admin", accessRole: "admin" });
  adminToken = (await routes.mintToken(org.id, admin.id)).token;
  member = await routes.createUser(org.id, { name: "Member", email: routes.email("member") });
  memberToken = (await routes.mintToken(org.id, member.id)).token;
  const name = uniqueName("rollup-rebuild");
  await testSqsClient().send(new CreateQueueCommand({ QueueName: name }));
  rebuildQueueUrl = `${useEmulators().sqsEndpoint}/000000000000/${name}`;
  process.env.KITH_QUEUE_URL_ROLLUP_REBUILD = rebuildQueueUrl;
});

const unresolvedPath = () => `/v1/orgs/${org.id}/unresolved-correspondents`;

describe("GET /v1/orgs/{orgId}/unresolved-correspondents", () => {
  it("ranks the member's correspondents for an admin, drops one once a contact carries it, and refuses a member", async () => {
    // prepare
    const now = Date.now();
    const owner = { orgId: org.id, userId: member.id };
    const events = [
      interaction(owner, "first@ext.example", {
        at: new Date(now - 3 * DAY),
        direction: "inbound",
        thread: "x",
      }),
      interaction(owner, "first@ext.example", {
        at: new Date(now - 2 * DAY),
        direction: "outbound",
        thread: "x",
      }),
      interaction(owner, "second@ext.example", { at: new Date(now - DAY), direction: "inbound" }),
    ];
    await storeEvents(events);
    await applyEventChanges(events.map((event) => ({ op: "insert" as const, event })));

    // act
    const listed = await routes.api("GET", unresolvedPath(), { token: adminToken });

    // assess
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      {
        email: "first@ext.example",
        users: [member.id],
        twoWayThreads: 1,
        meetings: 0,
        lastInteractionAt: new Date(now - 2 * DAY).toISOString(),
      },
      {
        email: "second@ext.example",
        users: [member.id],
        twoWayThreads: 0,
        meetings: 0,
        lastInteractionAt: new Date(now - DAY).toISOString(),
      },
    ]);
    expectError(await routes.api("GET", unresolvedPath(), { token: memberToken }), 403, "forbidden");

    // act: a contact carries the first email
    const collection = await routes.api("POST", `/v1/orgs/${org.id}/collections`, { body: { name: "VIPs" } });
    const contact = await routes.api(
      "POST",
      `/v1/orgs/${org.id}/collections/${collection.body.id}/contacts`,
      {
        body: { name: "First", emails: ["first@ext.example"] },
      },
    );
    expect(contact.status).toBe(201);

    // assess
    const after = await routes.api("GET", unresolvedPath(), { token: adminToken });
    expect(after.body.items.map((item: { email: string }) => item.email)).toEqual(["second@ext.example"]);
    expectError(
      await routes.api("GET", `${unresolvedPath()}?cursor=bogus`, { token: adminToken }),
      400,
      "invalid_cursor",
    );
  });
});

describe("POST /v1/orgs/{orgId}/stats/rebuild", () => {
  it("queues a full rebuild for the operator only, and 404s for an unknown org", async () => {
    // act
    const accepted = await routes.api("POST", `/v1/orgs/${org.id}/stats/rebuild`);

    // assess
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ accepted: true });
    const messages = await drainQueue(testSqsClient(), rebuildQueueUrl);
    expect(messages.map((message) => JSON.parse(message.Body ?? "{}"))).toEqual([
      { kind: "plan", orgId: org.id, scope: "full", requestedAt: expect.any(String) },
    ]);
    expectError(
      await routes.api("POST", `/v1/orgs/${org.id}/stats/rebuild`, { token: adminToken }),
      403,
      "forbidden",
    );
    expectError(
      await routes.api("POST", "/v1/orgs/00000000-0000-4000-8000-000000000000/stats/rebuild"),
      404,
      "org_not_found",
    );
    expect(await drainQueue(testSqsClient(), rebuildQueueUrl)).toEqual([]);
  });
});
