import { describe, expect, it } from "vitest";
import type { RouteDefinition } from "../../../manifest";
import {
  type CompiledRoute,
  compileRoute,
  fromResult,
  type IncomingRequest,
  matchRoute,
  type RouteMatch,
  sortBySpecificity,
  toEvent,
} from "./apigw";

function route(method: RouteDefinition["method"], path: string): RouteDefinition {
  return { method, path, handler: `functions/http/test.${method.toLowerCase()}`, auth: "none" };
}

function compiled(...routes: RouteDefinition[]): CompiledRoute[] {
  return sortBySpecificity(routes.map(compileRoute));
}

function matched(result: ReturnType<typeof matchRoute>): RouteMatch {
  if (result === undefined) throw new Error("expected a match, got none");
  return result;
}

describe("compileRoute", () => {
  it("names the route key and its parameters in path order", () => {
    // act
    const result = compileRoute(route("GET", "/v1/orgs/{orgId}/people/{personId}"));

    // assess
    expect(result.routeKey).toBe("GET /v1/orgs/{orgId}/people/{personId}");
    expect(result.parameterNames).toEqual(["orgId", "personId"]);
  });

  it("matches literal segments literally, including regex characters", () => {
    // act
    const { pattern } = compileRoute(route("GET", "/v1/export.json"));

    // assess
    expect(pattern.test("/v1/export.json")).toBe(true);
    expect(pattern.test("/v1/exportXjson")).toBe(false);
    expect(pattern.test("/v1/export.json/extra")).toBe(false);
  });

  it("a parameter matches exactly one non-empty segment", () => {
    // act
    const { pattern } = compileRoute(route("GET", "/v1/orgs/{orgId}"));

    // assess
    expect(pattern.test("/v1/orgs/org_1")).toBe(true);
    expect(pattern.test("/v1/orgs/")).toBe(false);
    expect(pattern.test("/v1/orgs/a/b")).toBe(false);
  });
});

describe("matchRoute", () => {
  const routes = compiled(
    route("GET", "/v1/orgs/{orgId}"),
    route("GET", "/v1/orgs/me"),
    route("DELETE", "/v1/orgs/{orgId}"),
    route("GET", "/v1/files/{proxy+}"),
    route("GET", "/health"),
  );

  it("decodes path parameters", () => {
    // act
    const result = matched(matchRoute(routes, "GET", "/v1/orgs/acme%20corp%2Fsub"));

    // assess
    expect(result.compiled.routeKey).toBe("GET /v1/orgs/{orgId}");
    expect(result.pathParameters).toEqual({ orgId: "acme corp/sub" });
  });

  it("keeps a parameter raw when it is not valid percent-encoding", () => {
    // act
    const result = matched(matchRoute(routes, "GET", "/v1/orgs/100%"));

    // assess
    expect(result.pathParameters).toEqual({ orgId: "100%" });
  });

  it("a greedy parameter takes the rest of the path, slashes included", () => {
    // act
    const result = matched(matchRoute(routes, "GET", "/v1/files/a/b/c.txt"));

    // assess
    expect(result.compiled.routeKey).toBe("GET /v1/files/{proxy+}");
    expect(result.pathParameters).toEqual({ proxy: "a/b/c.txt" });
  });

  it("a literal segment beats a parameter", () => {
    // act
    const result = matched(matchRoute(routes, "GET", "/v1/orgs/me"));

    // assess
    expect(result.compiled.routeKey).toBe("GET /v1/orgs/me");
    expect(result.pathParameters).toEqual({});
  });

  it("a literal beats a parameter whatever order the routes were declared in", () => {
    // prepare
    const declaredLiteralFirst = compiled(route("GET", "/v1/orgs/me"), route("GET", "/v1/orgs/{orgId}"));
    const declaredParameterFirst = compiled(route("GET", "/v1/orgs/{orgId}"), route("GET", "/v1/orgs/me"));

    // act
    const a = matched(matchRoute(declaredLiteralFirst, "GET", "/v1/orgs/me"));
    const b = matched(matchRoute(declaredParameterFirst, "GET", "/v1/orgs/me"));

    // assess
    expect([a.compiled.routeKey, b.compiled.routeKey]).toEqual(["GET /v1/orgs/me", "GET /v1/orgs/me"]);
  });

  it("the method picks between routes on the same path", () => {
    // act
    const result = matched(matchRoute(routes, "DELETE", "/v1/orgs/org_1"));

    // assess
    expect(result.compiled.routeKey).toBe("DELETE /v1/orgs/{orgId}");
  });

  it("a known path with the wrong method does not match (API Gateway answers 404)", () => {
    expect(matchRoute(routes, "POST", "/health")).toBeUndefined();
  });

  it("an unknown path is undefined", () => {
    expect(matchRoute(routes, "GET", "/v2/nothing")).toBeUndefined();
  });
});

describe("sortBySpecificity", () => {
  it("orders literal before parameter before greedy", () => {
    // prepare
    const routes = [
      route("GET", "/v1/{proxy+}"),
      route("GET", "/v1/{section}"),
      route("GET", "/v1/orgs"),
    ].map(compileRoute);

    // act
    const sorted = sortBySpecificity(routes);

    // assess
    expect(sorted.map((r) => r.route.path)).toEqual(["/v1/orgs", "/v1/{section}", "/v1/{proxy+}"]);
  });

  it("does not reorder its input", () => {
    // prepare
    const routes = [route("GET", "/{a}"), route("GET", "/b")].map(compileRoute);

    // act
    sortBySpecificity(routes);

    // assess
    expect(routes.map((r) => r.route.path)).toEqual(["/{a}", "/b"]);
  });
});

function request(overrides: Partial<IncomingRequest> = {}): IncomingRequest {
  return {
    method: "GET",
    url: "/v1/orgs/org_1",
    headers: { host: "localhost:3000", "user-agent": "vitest" },
    body: Buffer.alloc(0),
    sourceIp: "127.0.0.1",
    host: "localhost:3000",
    ...overrides,
  };
}

describe("toEvent", () => {
  const routes = compiled(
    route("GET", "/v1/orgs/{orgId}"),
    route("POST", "/webhooks/github"),
    route("GET", "/health"),
  );
  const NOW = new Date("2026-01-02T03:04:05.678Z");

  function eventFor(incoming: IncomingRequest) {
    const path = new URL(incoming.url, "http://local").pathname;
    return toEvent(incoming, matched(matchRoute(routes, incoming.method, path)), NOW);
  }

  it("builds a payload-format-2.0 event with the route key, path and parameters", () => {
    // act
    const event = eventFor(request());

    // assess
    expect(event.version).toBe("2.0");
    expect(event.routeKey).toBe("GET /v1/orgs/{orgId}");
    expect(event.rawPath).toBe("/v1/orgs/org_1");
    expect(event.rawQueryString).toBe("");
    expect(event.pathParameters).toEqual({ orgId: "org_1" });
    expect(event).not.toHaveProperty("queryStringParameters");
  });

  it("a route without parameters has no pathParameters", () => {
    // act
    const event = eventFor(request({ url: "/health" }));

    // assess
    expect(event).not.toHaveProperty("pathParameters");
  });

  it("keeps the raw query string and joins repeated parameters with commas", () => {
    // act
    const event = eventFor(request({ url: "/v1/orgs/org_1?tag=a&tag=b&q=x%20y&limit=5" }));

    // assess
    expect(event.rawQueryString).toBe("tag=a&tag=b&q=x%20y&limit=5");
    expect(event.queryStringParameters).toEqual({ tag: "a,b", q: "x y", limit: "5" });
  });

  it("moves cookies out of the headers into the cookies list", () => {
    // act
    const event = eventFor(request({ headers: { host: "h", cookie: "session=abc; theme=dark;lang=en" } }));

    // assess
    expect(event.cookies).toEqual(["session=abc", "theme=dark", "lang=en"]);
    expect(event.headers).not.toHaveProperty("cookie");
  });

  it("a request without cookies has no cookies key", () => {
    expect(eventFor(request())).not.toHaveProperty("cookies");
  });

  it("lower-cases header names and joins repeated header values with commas", () => {
    // act
    const event = eventFor(
      request({
        headers: { "X-Request-ID": "r1", Accept: "text/html", "x-forwarded-for": ["1.1.1.1", "2.2.2.2"] },
      }),
    );

    // assess
    expect(event.headers).toEqual({
      "x-request-id": "r1",
      accept: "text/html",
      "x-forwarded-for": "1.1.1.1,2.2.2.2",
    });
  });

  it("fills requestContext.http and the request time", () => {
    // act
    const event = eventFor(request({ sourceIp: "10.0.0.7", host: "api.localhost" }));

    // assess
    expect(event.requestContext.http).toEqual({
      method: "GET",
      path: "/v1/orgs/org_1",
      protocol: "HTTP/1.1",
      sourceIp: "10.0.0.7",
      userAgent: "vitest",
    });
    expect(event.requestContext.routeKey).toBe("GET /v1/orgs/{orgId}");
    expect(event.requestContext.stage).toBe("$default");
    expect(event.requestContext.domainName).toBe("api.localhost");
    expect(event.requestContext.domainPrefix).toBe("api");
    expect(event.requestContext.time).toBe("02/Jan/2026:03:04:05 +0000");
    expect(event.requestContext.timeEpoch).toBe(NOW.getTime());
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("each request gets its own request id", () => {
    expect(eventFor(request()).requestContext.requestId).not.toBe(
      eventFor(request()).requestContext.requestId,
    );
  });

  it("a JSON body is passed as text, not base64", () => {
    // prepare
    const text = '{"name":"Zoë ✓"}';

    // act
    const event = eventFor(
      request({
        method: "POST",
        url: "/webhooks/github",
        headers: { "content-type": "application/json" },
        body: Buffer.from(text, "utf8"),
      }),
    );

    // assess
    expect(event.body).toBe(text);
    expect(event.isBase64Encoded).toBe(false);
  });

  it("a binary body is passed as base64 that decodes to the exact bytes", () => {
    // prepare
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80, 0xfe, 0x7f]);

    // act
    const event = eventFor(
      request({
        method: "POST",
        url: "/webhooks/github",
        headers: { "content-type": "application/octet-stream" },
        body: bytes,
      }),
    );

    // assess
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? "", "base64").equals(bytes)).toBe(true);
  });

  it("a 'JSON' body that is not valid UTF-8 is passed as base64, so signatures still verify", () => {
    // prepare
    const bytes = Buffer.concat([Buffer.from('{"v":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);

    // act
    const event = eventFor(
      request({
        method: "POST",
        url: "/webhooks/github",
        headers: { "content-type": "application/json" },
        body: bytes,
      }),
    );

    // assess
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? "", "base64").equals(bytes)).toBe(true);
  });

  it("no body means no body key and isBase64Encoded false", () => {
    // act
    const event = eventFor(request());

    // assess
    expect(event).not.toHaveProperty("body");
    expect(event.isBase64Encoded).toBe(false);
  });
});

describe("fromResult", () => {
  function header(response: ReturnType<typeof fromResult>, name: string) {
    return response.headers.find(([key]) => key === name)?.[1];
  }

  it("a plain object is a 200 JSON body", () => {
    // act
    const response = fromResult({ ok: true });

    // assess
    expect(response.status).toBe(200);
    expect(header(response, "content-type")).toBe("application/json");
    expect(JSON.parse(response.body.toString("utf8"))).toEqual({ ok: true });
  });

  it("a structured result keeps its status, headers and body", () => {
    // act
    const response = fromResult({
      statusCode: 201,
      headers: { "Content-Type": "application/json; charset=utf-8", Location: "/v1/orgs/o1" },
      body: '{"id":"o1"}',
    });

    // assess
    expect(response.status).toBe(201);
    expect(response.headers).toEqual([
      ["content-type", "application/json; charset=utf-8"],
      ["location", "/v1/orgs/o1"],
    ]);
    expect(response.body.toString("utf8")).toBe('{"id":"o1"}');
  });

  it("cookies become several set-cookie headers", () => {
    // act
    const response = fromResult({ statusCode: 200, cookies: ["a=1; Path=/", "b=2; HttpOnly"] });

    // assess
    expect(header(response, "set-cookie")).toEqual(["a=1; Path=/", "b=2; HttpOnly"]);
  });

  it("multiValueHeaders are dropped, as payload format 2.0 drops them in AWS", () => {
    // act
    const response = fromResult({
      statusCode: 200,
      headers: { vary: "accept" },
      multiValueHeaders: { Vary: ["origin"], "x-multi": ["a", "b", 3] },
    } as never);

    // assess
    expect(header(response, "vary")).toBe("accept");
    expect(header(response, "x-multi")).toBeUndefined();
  });

  it("a base64 body is decoded to the exact bytes", () => {
    // prepare
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);

    // act
    const response = fromResult({ statusCode: 200, isBase64Encoded: true, body: bytes.toString("base64") });

    // assess
    expect(response.body.equals(bytes)).toBe(true);
  });

  it("a structured result without a body has an empty body", () => {
    // act
    const response = fromResult({ statusCode: 204 });

    // assess
    expect(response.status).toBe(204);
    expect(response.body.length).toBe(0);
  });
});
