import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteDefinition } from "../../../manifest";
import { useFreshTable } from "../../../test/support/integration";
import { LocalGateway } from "./gateway";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function call(
  port: number,
  method: string,
  path: string,
  body?: Buffer,
  headers: Record<string, string | string[]> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

const routes: RouteDefinition[] = [
  { method: "POST", path: "/echo/{id}", handler: "test/support/handlers/echo.handler", auth: "none" },
  { method: "GET", path: "/echo/literal", handler: "test/support/handlers/echo.binary", auth: "none" },
  {
    method: "GET",
    path: "/slow",
    handler: "test/support/handlers/echo.slow",
    auth: "none",
    timeoutSeconds: 1,
  },
  { method: "GET", path: "/health", handler: "functions/http/health.handler", auth: "none" },
  { method: "GET", path: "/v1/whoami", handler: "functions/http/whoami.handler", auth: "bearer" },
];

describe("local API gateway", () => {
  let gateway: LocalGateway;
  let port: number;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ drop } = await useFreshTable());
    process.env.OPERATOR_API_KEY = "gateway-test-key";
    gateway = new LocalGateway(routes, []);
    port = await gateway.listen(0);
  });
  afterAll(async () => {
    await gateway.close();
    await drop();
  });

  it("hands the handler the raw body byte for byte, with headers, cookies, path parameters and query string", async () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0xfe, 0x7d]);

    const reply = await call(port, "POST", "/echo/T1%3AU2?x=1&x=2&y=%20z", bytes, {
      "content-type": "application/json",
      cookie: "session=abc; theme=dark",
      "X-Custom-Header": "Value",
    });

    const event = JSON.parse(reply.body.toString("utf8"));
    expect(reply.status).toBe(200);
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body, "base64").equals(bytes)).toBe(true);
    expect(event.pathParameters).toEqual({ id: "T1:U2" });
    expect(event.rawQueryString).toBe("x=1&x=2&y=%20z");
    expect(event.queryStringParameters).toEqual({ x: "1,2", y: " z" });
    expect(event.cookies).toEqual(["session=abc", "theme=dark"]);
    expect(event.headers["x-custom-header"]).toBe("Value");
    expect(event.headers.cookie).toBeUndefined();
    expect(event.routeKey).toBe("POST /echo/{id}");
    expect(event.requestContext.http).toMatchObject({ method: "POST", path: "/echo/T1%3AU2" });
  });

  it("maps multi-value results back: several Set-Cookie headers and custom headers", async () => {
    const reply = await call(port, "POST", "/echo/1", Buffer.from("{}"), {
      "content-type": "application/json",
    });

    expect(reply.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(reply.headers["x-echo"]).toBe("yes");
  });

  it("decodes a base64 result into the exact bytes", async () => {
    const reply = await call(port, "GET", "/echo/literal");

    expect(reply.status).toBe(201);
    expect([...reply.body]).toEqual([0xff, 0xfe, 0x00, 0x41]);
  });

  it("answers 404 for an unknown route and for a known path with another method, without invoking anything", async () => {
    const unknown = await call(port, "GET", "/nope");
    const wrongMethod = await call(port, "DELETE", "/health");

    expect([unknown.status, wrongMethod.status]).toEqual([404, 404]);
  });

  it("a function that outlives its timeout is a failed integration: API Gateway's 500", async () => {
    const reply = await call(port, "GET", "/slow");

    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body.toString())).toEqual({ message: "Internal Server Error" });
  });

  it("runs the real health and whoami handlers against DynamoDB Local", async () => {
    const health = await call(port, "GET", "/health");
    const anonymous = await call(port, "GET", "/v1/whoami");
    const operator = await call(port, "GET", "/v1/whoami", undefined, {
      authorization: "Bearer gateway-test-key",
    });

    expect(health.status).toBe(200);
    expect(JSON.parse(health.body.toString())).toMatchObject({ status: "ok", checks: { table: "ok" } });
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body.toString())).toMatchObject({ error: { code: "unauthenticated" } });
    expect(JSON.parse(operator.body.toString())).toMatchObject({ kind: "operator", orgId: null });
  });
});
