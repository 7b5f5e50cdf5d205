import {
  AuthenticationLinearError,
  GraphqlLinearError,
  LinearClient,
  type LinearError,
  LinearErrorType,
} from "@linear/sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LinearSandbox } from "./linear";

// Everything here goes through the real @linear/sdk client, so a drift between the sandbox's wire
// format (auth headers, the GraphQL documents the SDK sends, error bodies) and what the SDK sends
// or parses shows up as a failing test.

const ORG = "0d5b5a3c-6a4f-4c55-9a57-6f1a3e1f9b01";
const OTHER_ORG = "7c2e1b9a-1d3e-4f5a-8b6c-2a4d6e8f0a12";
const API_KEY = "lin_api_acmeKey0123456789abcdefghijklmnopqrstuv";
const OAUTH_TOKEN = "lin_oauth_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const OTHER_KEY = "lin_api_globexKey0123456789abcdefghijklmnopqr";

let sandbox: LinearSandbox;

beforeEach(async () => {
  sandbox = await LinearSandbox.start();
  sandbox.addOrganization({ id: ORG, name: "Acme Robotics", urlKey: "acme" });
  sandbox.addOrganization({ id: OTHER_ORG, name: "Globex", urlKey: "globex" });
  sandbox.addApiKey(API_KEY, ORG, { user: { name: "Maya Chen", email: "maya.chen@acme.example" } });
  sandbox.addOAuthToken(OAUTH_TOKEN, ORG, { actor: "app" });
  sandbox.addApiKey(OTHER_KEY, OTHER_ORG);
});

afterEach(async () => {
  await sandbox.close();
});

/** The rejection of `call`, for asserting on the SDK's error classes. */
async function failure(call: Promise<unknown>): Promise<LinearError> {
  try {
    await call;
  } catch (error) {
    return error as LinearError;
  }
  throw new Error("expected the call to fail");
}

describe("organization", () => {
  it("answers client.organization for a personal API key sent bare", async () => {
    const client = new LinearClient({ apiKey: API_KEY, apiUrl: sandbox.url });

    const organization = await client.organization;

    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(organization.id).toBe(ORG);
    expect(organization.name).toBe("Acme Robotics");
    expect(organization.urlKey).toBe("acme");
    expect(organization.createdAt).toBeInstanceOf(Date);
    expect(organization.userCount).toBe(1);
    expect(sandbox.requests()).toEqual([
      {
        method: "POST",
        path: "/graphql",
        operationName: "organization",
        rootFields: ["organization"],
        variables: {},
        auth: "apiKey",
      },
    ]);
    expect(sandbox.requestCount("organization")).toBe(1);
  });

  it("answers client.organization for an OAuth access token sent as Bearer", async () => {
    const client = new LinearClient({ accessToken: OAUTH_TOKEN, apiUrl: sandbox.url });

    const organization = await client.organization;

    expect(organization.id).toBe(ORG);
    expect(sandbox.requests()[0]?.auth).toBe("oauth");
  });

  it("keeps each key to its own organization", async () => {
    const client = new LinearClient({ apiKey: OTHER_KEY, apiUrl: sandbox.url });

    expect((await client.organization).id).toBe(OTHER_ORG);
  });

  it("answers a raw query for just the organization id, and the viewer's organization", async () => {
    const client = new LinearClient({ apiKey: API_KEY, apiUrl: sandbox.url });

    const raw = await client.client.rawRequest<
      { viewer: { organization: { id: string; urlKey: string } } },
      Record<string, unknown>
    >("query Proof { viewer { organization { id urlKey } } }");

    expect(raw.status).toBe(200);
    expect(raw.data).toEqual({ viewer: { organization: { id: ORG, urlKey: "acme" } } });
    expect(raw.headers?.get("x-ratelimit-requests-limit")).toBe("5000");
    expect(sandbox.requestCount("Proof")).toBe(1);
  });
});

describe("viewer", () => {
  it("is the key's user, whose organization the SDK fetches with a second query", async () => {
    const client = new LinearClient({ apiKey: API_KEY, apiUrl: sandbox.url });

    const viewer = await client.viewer;
    const organization = await viewer.organization;

    expect(viewer).toMatchObject({
      name: "Maya Chen",
      email: "maya.chen@acme.example",
      isMe: true,
      app: false,
    });
    expect(organization?.id).toBe(ORG);
    expect(sandbox.requests().map((request) => request.operationName)).toEqual(["viewer", "organization"]);
  });

  it("is the app's own user for an actor=app OAuth token", async () => {
    const client = new LinearClient({ accessToken: OAUTH_TOKEN, apiUrl: sandbox.url });

    const viewer = await client.viewer;

    expect(viewer.app).toBe(true);
  });
});

describe("authentication", () => {
  it("turns an unknown key into the SDK's AuthenticationLinearError with Linear's 401 body", async () => {
    const client = new LinearClient({
      apiKey: "lin_api_notAKeyAnyoneWasGiven000000000000000",
      apiUrl: sandbox.url,
    });

    const error = await failure(client.organization);

    expect(error).toBeInstanceOf(AuthenticationLinearError);
    expect(error.type).toBe(LinearErrorType.AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.message).toContain("Authentication required, not authenticated");
    expect(error.errors?.[0]?.message).toBe("You need to authenticate to access this operation.");
  });

  it("accepts each credential only where Linear's clients send it, and no revoked one", async () => {
    const keyAsBearer = new LinearClient({ accessToken: API_KEY, apiUrl: sandbox.url });
    const tokenBare = new LinearClient({ apiKey: OAUTH_TOKEN, apiUrl: sandbox.url });
    sandbox.revoke(OTHER_KEY);
    const revoked = new LinearClient({ apiKey: OTHER_KEY, apiUrl: sandbox.url });

    for (const client of [keyAsBearer, tokenBare, revoked]) {
      const error = await failure(client.organization);
      expect(error).toBeInstanceOf(AuthenticationLinearError);
      expect(error.status).toBe(401);
    }
  });

  it("answers the exact body Linear sends without a credential", async () => {
    const response = await fetch(sandbox.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "query organization { organization { id } }" }),
    });

    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.json()).toEqual({
      errors: [
        {
          message: "Authentication required, not authenticated",
          extensions: {
            type: "authentication error",
            code: "AUTHENTICATION_ERROR",
            statusCode: 401,
            userError: true,
            userPresentableMessage: "You need to authenticate to access this operation.",
            meta: {},
            http: { status: 401 },
          },
        },
      ],
    });
  });

  it("lets introspection through without a credential", async () => {
    const response = await fetch(sandbox.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __schema { queryType { name } } }" }),
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
  });
});

describe("validation", () => {
  it("rejects a field Linear's schema slice does not have with GraphQL's message and a 400", async () => {
    const client = new LinearClient({ apiKey: API_KEY, apiUrl: sandbox.url });

    const error = await failure(client.client.rawRequest("query { organization { id nosuchfield } }"));

    expect(error).toBeInstanceOf(GraphqlLinearError);
    expect(error.status).toBe(400);
    expect(error.errors?.[0]?.message).toBe('Cannot query field "nosuchfield" on type "Organization".');
  });

  it("validates before authenticating, and refuses what is not a GraphQL request", async () => {
    const invalid = await fetch(sandbox.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ organization { nosuchfield } }" }),
    });
    const syntax = await fetch(sandbox.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: API_KEY },
      body: JSON.stringify({ query: "{ organization { id " }),
    });
    const empty = await fetch(sandbox.url, {
      method: "POST",
      headers: { authorization: API_KEY },
      body: "{}",
    });

    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({
      errors: [
        {
          message: 'Cannot query field "nosuchfield" on type "Organization".',
          extensions: { code: "GRAPHQL_VALIDATION_FAILED", type: "graphql error", userError: true },
        },
      ],
    });
    expect(syntax.status).toBe(400);
    expect(await syntax.json()).toMatchObject({ errors: [{ extensions: { code: "GRAPHQL_PARSE_FAILED" } }] });
    expect(empty.status).toBe(400);
  });
});

describe("control methods", () => {
  it("check ids, URL keys and credentials the way Linear shapes them", () => {
    expect(() => sandbox.addOrganization({ id: "org_1", name: "X", urlKey: "x1" })).toThrow(RangeError);
    expect(() => sandbox.addOrganization({ id: ORG, name: "X", urlKey: "x1" })).toThrow(/already exists/);
    expect(() => sandbox.addOrganization({ name: "X", urlKey: "acme" })).toThrow(/taken/);
    expect(() => sandbox.addApiKey("Bearer lin_api_x", ORG)).toThrow(RangeError);
    expect(() => sandbox.addOAuthToken(API_KEY, ORG)).toThrow(RangeError);
    expect(() => sandbox.addApiKey("lin_api_unknownOrg000000", OTHER_ORG.replace("7", "8"))).toThrow(
      /addOrganization/,
    );
    expect(() => sandbox.addApiKey(API_KEY, ORG)).toThrow(/already granted/);
    expect(sandbox.addOrganization({ name: "Initech", urlKey: "initech" })).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });
});
