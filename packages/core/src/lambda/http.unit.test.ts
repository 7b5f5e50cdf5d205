import { createHash } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { z } from "zod";
import { fakeContext, httpEvent, jsonEvent } from "../../../../test/support/lambda-fixtures";
import { type Actor, registerUserTokenVerifier } from "../http/actor";
import { defineRoute } from "../http/route";
import { Conflict, NotFound, Throttled, Unauthenticated } from "../util/errors";
import {
  DEFAULT_MAX_BODY_BYTES,
  type HttpRequest,
  type HttpResult,
  httpHandler,
  httpRoute,
  type RawRequest,
} from "./http";

interface Response {
  status: number | undefined;
  headers: Record<string, unknown>;
  /** The parsed JSON body, or undefined when there is none. */
  body: unknown;
  rawBody: string | undefined;
}

type Handler = ReturnType<typeof httpHandler>;

async function call(handler: Handler, event: APIGatewayProxyEventV2): Promise<Response> {
  const result = await handler(event, fakeContext());
  return {
    status: result.statusCode,
    headers: (result.headers ?? {}) as Record<string, unknown>,
    body: result.body === undefined ? undefined : JSON.parse(result.body),
    rawBody: result.body,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the spy stands in for handlers of every body/query type
type AnyRequest = HttpRequest<any, any>;

/** A handler function that records what it received and answers 200 `{ok: true}`. */
function recorder(result: HttpResult = { status: 200, body: { ok: true } }) {
  return vi.fn(async (_request: AnyRequest): Promise<HttpResult> => result);
}

function received(fn: ReturnType<typeof recorder>): AnyRequest {
  const request = fn.mock.calls[0]?.[0];
  if (!request) throw new Error("the handler function was never called");
  return request;
}

let stdout: MockInstance;
let stderr: MockInstance;

/** Everything the shared Powertools logger printed (it writes INFO to stdout, ERROR to stderr). */
function logged(): string {
  return [...stdout.mock.calls, ...stderr.mock.calls].map((args) => String(args[0])).join("");
}

beforeEach(() => {
  // The kit logs every rejection through the shared Powertools logger; keep test output clean.
  stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  // A pure unit test: user tokens are verified by a stand-in, never against storage.
  registerUserTokenVerifier(async () => undefined);
});

afterEach(() => {
  registerUserTokenVerifier(undefined);
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe("httpRoute: JSON bodies", () => {
  const Person = z.object({ name: z.string().min(1), age: z.number().int() });

  it("a valid JSON body is parsed, validated and handed to the function", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none", body: Person }, fn);

    // act
    const response = await call(handler, jsonEvent({ name: "Ada", age: 36 }));

    // assess
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ok: true });
    expect(received(fn).body).toEqual({ name: "Ada", age: 36 });
  });

  it("a body that fails the schema is a 400 whose details name the bad field, and the handler never runs", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none", body: Person }, fn);

    // act
    const response = await call(handler, jsonEvent({ name: "Ada", age: "thirty-six" }));

    // assess
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: "invalid_input" } });
    const details = (response.body as { error: { details: Record<string, string> } }).error.details;
    expect(Object.keys(details)).toEqual(["age"]);
    expect(fn).not.toHaveBeenCalled();
  });

  it("a nested invalid field is named by its dotted path", async () => {
    // prepare
    const schema = z.object({ address: z.object({ zip: z.string() }) });
    const handler = httpHandler({ auth: "none", body: schema }, recorder());

    // act
    const response = await call(handler, jsonEvent({ address: { zip: 12345 } }));

    // assess
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { details: { "address.zip": expect.any(String) } } });
  });

  it("a malformed JSON body is a 400 invalid_json and the handler never runs", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none", body: Person }, fn);

    // act
    const response = await call(handler, jsonEvent('{"name": "Ada", '));

    // assess
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: {
        code: "invalid_json",
        message: "The body is not valid JSON",
        details: { body: "malformed_json" },
      },
    });
    expect(fn).not.toHaveBeenCalled();
  });

  it("a malformed JSON body is refused even on a route without a body schema", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none" }, fn);

    // act
    const response = await call(handler, jsonEvent("not json"));

    // assess
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: "invalid_json" } });
    expect(fn).not.toHaveBeenCalled();
  });

  it("a __proto__ key in the body is refused as invalid_json, never merged into an object", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none" }, fn);

    // act
    const response = await call(handler, jsonEvent('{"__proto__": {"admin": true}}'));

    // assess
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: "invalid_json" } });
    expect(fn).not.toHaveBeenCalled();
  });

  it.each([
    ["text/plain", { "content-type": "text/plain" }],
    ["form-encoded", { "content-type": "application/x-www-form-urlencoded" }],
    ["no content type at all", {}],
  ])("a body sent as %s is a 415 and the handler never runs", async (_, headers) => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none" }, fn);

    // act
    const response = await call(handler, httpEvent({ method: "POST", headers, body: '{"a":1}' }));

    // assess
    expect(response.status).toBe(415);
    expect(response.body).toMatchObject({ error: { code: "unsupported_media_type" } });
    expect(fn).not.toHaveBeenCalled();
  });

  it.each(["application/json; charset=utf-8", "application/vnd.api+json", "Application/JSON"])(
    "a body sent as %s is accepted as JSON",
    async (contentType) => {
      // prepare
      const fn = recorder();
      const handler = httpHandler({ auth: "none", body: z.object({ a: z.number() }) }, fn);

      // act
      const response = await call(
        handler,
        httpEvent({ method: "POST", headers: { "content-type": contentType }, body: '{"a":1}' }),
      );

      // assess
      expect(response.status).toBe(200);
      expect(received(fn).body).toEqual({ a: 1 });
    },
  );

  it("a request without a body needs no content type and reaches the handler", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none" }, fn);

    // act
    const response = await call(handler, httpEvent({ method: "GET" }));

    // assess
    expect(response.status).toBe(200);
    expect(received(fn).rawBody).toEqual(Buffer.alloc(0));
  });

  it("a missing body on a route with a body schema is a 400, not a crash", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none", body: Person }, fn);

    // act
    const response = await call(
      handler,
      httpEvent({ method: "POST", headers: { "content-type": "application/json" } }),
    );

    // assess
    expect(response.status).toBe(400);
    expect(fn).not.toHaveBeenCalled();
  });
});

describe("httpRoute: raw bodies and size limits", () => {
  it("a body over maxBodyBytes is a 413 payload_too_large and the handler never runs", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none", maxBodyBytes: 16 }, fn);

    // act
    const response = await call(handler, jsonEvent({ text: "x".repeat(20) }));

    // assess
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({
      error: { code: "payload_too_large", details: { limitBytes: 16 } },
    });
    expect(fn).not.toHaveBeenCalled();
  });

  it("a body of exactly maxBodyBytes is accepted", async () => {
    // prepare
    const fn = recorder();
    const body = JSON.stringify({ t: "y".repeat(10) });
    const handler = httpHandler({ auth: "none", maxBodyBytes: Buffer.byteLength(body) }, fn);

    // act
    const response = await call(handler, jsonEvent(body));

    // assess
    expect(response.status).toBe(200);
  });

  it("the limit counts bytes, not characters", async () => {
    // prepare: 6 characters, 18 bytes in UTF-8
    const fn = recorder();
    const handler = httpHandler({ auth: "none", maxBodyBytes: 10 }, fn);

    // act
    const response = await call(handler, jsonEvent('"€€€€"'));

    // assess
    expect(response.status).toBe(413);
    expect(fn).not.toHaveBeenCalled();
  });

  it("the default limit is the contract's 1 MiB", async () => {
    // prepare
    const handler = httpHandler({ auth: "none" }, recorder());
    const atLimit = `"${"a".repeat(DEFAULT_MAX_BODY_BYTES - 2)}"`;
    const overLimit = `"${"a".repeat(DEFAULT_MAX_BODY_BYTES - 1)}"`;

    // act
    const accepted = await call(handler, jsonEvent(atLimit));
    const refused = await call(handler, jsonEvent(overLimit));

    // assess
    expect(DEFAULT_MAX_BODY_BYTES).toBe(1024 * 1024);
    expect(accepted.status).toBe(200);
    expect(refused.status).toBe(413);
  });

  it("a base64 body is decoded, parsed, and its rawBody is byte-identical to what was sent", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none", body: z.object({ name: z.string() }) }, fn);
    const bytes = Buffer.from(JSON.stringify({ name: "Zoë ✓" }), "utf8");
    const event = httpEvent({ method: "POST", headers: { "content-type": "application/json" }, body: bytes });

    // act
    const response = await call(handler, event);

    // assess
    expect(event.isBase64Encoded).toBe(false); // the kit rewrote the event to plain text
    expect(response.status).toBe(200);
    expect(received(fn).body).toEqual({ name: "Zoë ✓" });
    expect(received(fn).rawBody.equals(bytes)).toBe(true);
  });

  it("the size limit applies to the decoded bytes of a base64 body", async () => {
    // prepare: 12 bytes decode from a 16-character base64 string
    const fn = recorder();
    const bytes = Buffer.from('{"a":"1234"}', "utf8");
    const handler = httpHandler({ auth: "none", maxBodyBytes: bytes.length }, fn);

    // act
    const response = await call(
      handler,
      httpEvent({ method: "POST", headers: { "content-type": "application/json" }, body: bytes }),
    );

    // assess
    expect(bytes.toString("base64").length).toBeGreaterThan(bytes.length);
    expect(response.status).toBe(200);
  });

  it("a plain-text body's rawBody is its UTF-8 bytes", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none" }, fn);
    const text = '{"greeting":"héllo ✓ 👋"}';

    // act
    await call(handler, jsonEvent(text));

    // assess
    expect(received(fn).rawBody.equals(Buffer.from(text, "utf8"))).toBe(true);
  });
});

describe("httpRoute: webhook signature verification", () => {
  /** Bytes that are not valid UTF-8 (0xff, 0xfe, a lone continuation byte) inside a JSON string. */
  const NON_UTF8 = Buffer.concat([
    Buffer.from('{"v":"', "utf8"),
    Buffer.from([0xff, 0xfe, 0x80]),
    Buffer.from('"}'),
  ]);

  function webhookEvent(body: Buffer | string, headers: Record<string, string> = {}) {
    return httpEvent({
      method: "POST",
      path: "/webhooks/test",
      headers: { "Content-Type": "application/json", "X-Hub-Signature-256": "sha256=abc", ...headers },
      body,
    });
  }

  it("verify receives the exact raw bytes, even bytes that are not valid UTF-8, and lower-cased headers; the JSON is then refused, not patched", async () => {
    // prepare
    const seen: RawRequest[] = [];
    const fn = recorder();
    const handler = httpHandler(
      {
        auth: "webhook",
        verify: (request) => {
          seen.push({
            rawBody: Buffer.from(request.rawBody),
            headers: { ...request.headers },
            pathParameters: { ...request.pathParameters },
          });
        },
      },
      fn,
    );

    // act
    const response = await call(handler, webhookEvent(NON_UTF8));

    // assess
    expect(seen).toHaveLength(1);
    expect(seen[0]?.rawBody.equals(NON_UTF8)).toBe(true);
    expect(seen[0]?.headers["x-hub-signature-256"]).toBe("sha256=abc");
    expect(response).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_json", details: { body: "invalid_utf8" } } },
    });
    expect(fn).not.toHaveBeenCalled();
  });

  it("a failed verification is a 401 and the handler never runs", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler(
      {
        auth: "webhook",
        verify: () => {
          throw new Unauthenticated("bad signature", "invalid_signature");
        },
      },
      fn,
    );

    // act
    const response = await call(handler, webhookEvent('{"ok":true}'));

    // assess
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: "invalid_signature" } });
    expect(fn).not.toHaveBeenCalled();
  });

  it("an async verify that rejects is awaited and is a 401", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler(
      {
        auth: "webhook",
        verify: async () => {
          await Promise.resolve();
          throw new Unauthenticated();
        },
      },
      fn,
    );

    // act
    const response = await call(handler, webhookEvent('{"ok":true}'));

    // assess
    expect(response.status).toBe(401);
    expect(fn).not.toHaveBeenCalled();
  });

  it("verification runs before parsing: a bad signature on malformed JSON is a 401, not a 400", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler(
      {
        auth: "webhook",
        verify: () => {
          throw new Unauthenticated();
        },
        body: z.object({ ok: z.boolean() }),
      },
      fn,
    );

    // act
    const response = await call(handler, webhookEvent("{this is not json"));

    // assess
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: "unauthenticated" } });
    expect(fn).not.toHaveBeenCalled();
  });

  it("a good signature on malformed JSON was verified over the raw bytes and then refused as invalid_json", async () => {
    // prepare
    const verify = vi.fn((_request: RawRequest) => undefined);
    const fn = recorder();
    const handler = httpHandler({ auth: "webhook", verify }, fn);

    // act
    const response = await call(handler, webhookEvent("{this is not json"));

    // assess
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0]?.[0].rawBody.toString("utf8")).toBe("{this is not json");
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: "invalid_json" } });
    expect(fn).not.toHaveBeenCalled();
  });

  it("an oversized webhook body is a 413 before verify runs", async () => {
    // prepare
    const verify = vi.fn();
    const handler = httpHandler({ auth: "webhook", verify, maxBodyBytes: 8 }, recorder());

    // act
    const response = await call(handler, webhookEvent('{"long":"enough to overflow"}'));

    // assess
    expect(response.status).toBe(413);
    expect(verify).not.toHaveBeenCalled();
  });

  it("a verify that crashes is an opaque 500", async () => {
    // prepare
    const handler = httpHandler(
      {
        auth: "webhook",
        verify: () => {
          throw new Error("secret store unreachable at 10.0.0.9");
        },
      },
      recorder(),
    );

    // act
    const response = await call(handler, webhookEvent("{}"));

    // assess
    expect(response.status).toBe(500);
    expect(response.rawBody).not.toContain("10.0.0.9");
  });

  it("a webhook route without verify is refused when it is defined", () => {
    // act
    const define = () => httpHandler({ auth: "webhook" }, recorder());

    // assess
    expect(define).toThrow("a webhook route must declare how its signature is verified");
  });

  it.each(["none", "webhook", "bearer"] as const)(
    "a %s route exposes its auth kind on the handler",
    (auth) => {
      // act
      const handler = httpHandler({ auth, verify: () => undefined }, recorder());

      // assess
      expect(handler.auth).toBe(auth);
    },
  );
});

describe("httpRoute: headers", () => {
  it("header names reach the function in lower case", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none" }, fn);

    // act
    await call(
      handler,
      httpEvent({ headers: { "X-Request-ID": "req-1", "User-Agent": "vitest", accept: "*/*" } }),
    );

    // assess
    expect(received(fn).headers).toMatchObject({
      "x-request-id": "req-1",
      "user-agent": "vitest",
      accept: "*/*",
    });
    expect(received(fn).headers["X-Request-ID"]).toBeUndefined();
  });
});

describe("httpRoute: bearer authentication", () => {
  const OPERATOR_KEY = "op-key-for-unit-tests-0123456789";
  const expectedOperatorActor = `op:${createHash("sha256").update(OPERATOR_KEY).digest("hex").slice(0, 16)}`;

  it("a missing Authorization header is a 401 unauthenticated and the handler never runs", async () => {
    // prepare
    vi.stubEnv("OPERATOR_API_KEY", OPERATOR_KEY);
    const fn = recorder();
    const handler = httpHandler({ auth: "bearer" }, fn);

    // act
    const response = await call(handler, httpEvent());

    // assess
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: "unauthenticated" } });
    expect(fn).not.toHaveBeenCalled();
  });

  it.each([
    ["a wrong token", "Bearer not-the-operator-key"],
    ["a Basic credential", `Basic ${Buffer.from(`op:${OPERATOR_KEY}`).toString("base64")}`],
    ["the bare key without a scheme", OPERATOR_KEY],
    ["the key with extra text", `Bearer ${OPERATOR_KEY} extra`],
    ["a prefix of the key", `Bearer ${OPERATOR_KEY.slice(0, -1)}`],
  ])("%s is a 401 and the handler never runs", async (_, authorization) => {
    // prepare
    vi.stubEnv("OPERATOR_API_KEY", OPERATOR_KEY);
    const fn = recorder();
    const handler = httpHandler({ auth: "bearer" }, fn);

    // act
    const response = await call(handler, httpEvent({ headers: { authorization } }));

    // assess
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: "unauthenticated" } });
    expect(fn).not.toHaveBeenCalled();
  });

  it("the operator key authenticates as op:<first 16 hex of its sha256>", async () => {
    // prepare
    vi.stubEnv("OPERATOR_API_KEY", OPERATOR_KEY);
    const fn = recorder();
    const handler = httpHandler({ auth: "bearer" }, fn);

    // act
    const response = await call(handler, httpEvent({ headers: { Authorization: `Bearer ${OPERATOR_KEY}` } }));

    // assess
    expect(response.status).toBe(200);
    expect(received(fn).actor).toEqual({ kind: "operator", actor: expectedOperatorActor });
    expect(expectedOperatorActor).toMatch(/^op:[0-9a-f]{16}$/);
  });

  it("the scheme name is case-insensitive", async () => {
    // prepare
    vi.stubEnv("OPERATOR_API_KEY", OPERATOR_KEY);
    const fn = recorder();
    const handler = httpHandler({ auth: "bearer" }, fn);

    // act
    const response = await call(handler, httpEvent({ headers: { authorization: `bearer ${OPERATOR_KEY}` } }));

    // assess
    expect(response.status).toBe(200);
    expect(received(fn).actor?.kind).toBe("operator");
  });

  it.each([
    ["unset", undefined],
    ["empty", ""],
  ])("with OPERATOR_API_KEY %s, even an empty bearer cannot authenticate", async (_, key) => {
    // prepare: no plain variable and no SST secret binding either
    vi.stubEnv("OPERATOR_API_KEY", key);
    vi.stubEnv("SST_Secret_value_OPERATOR_API_KEY", undefined);
    const fn = recorder();
    const handler = httpHandler({ auth: "bearer" }, fn);

    // act
    const responses = [
      await call(handler, httpEvent({ headers: { authorization: "Bearer " } })),
      await call(handler, httpEvent({ headers: { authorization: "Bearer" } })),
      await call(handler, httpEvent({ headers: { authorization: "" } })),
      await call(handler, httpEvent({ headers: { authorization: "Bearer anything" } })),
    ];

    // assess
    expect(responses.map((response) => response.status)).toEqual([401, 401, 401, 401]);
    expect(fn).not.toHaveBeenCalled();
  });

  it("a user token accepted by the registered verifier authenticates as that user", async () => {
    // prepare
    vi.stubEnv("OPERATOR_API_KEY", OPERATOR_KEY);
    const user: Actor = {
      kind: "user",
      actor: "user:usr_1",
      userId: "usr_1",
      orgId: "org_1",
      accessRole: "member",
    };
    const goodToken = "kith_ABCDEFGHIJKLMNOPQRSTUVWXYZ123456";
    registerUserTokenVerifier(async (token) => (token === goodToken ? user : undefined));
    const fn = recorder();
    const handler = httpHandler({ auth: "bearer" }, fn);

    // act
    const accepted = await call(handler, httpEvent({ headers: { authorization: `Bearer ${goodToken}` } }));
    const refused = await call(
      handler,
      httpEvent({ headers: { authorization: "Bearer kith_unknown0123456789" } }),
    );

    // assess
    expect(accepted.status).toBe(200);
    expect(received(fn).actor).toEqual(user);
    expect(refused.status).toBe(401);
  });

  it("a rejected token is never written to the log", async () => {
    // prepare
    vi.stubEnv("OPERATOR_API_KEY", OPERATOR_KEY);
    const token = "kith_ZYXWVUTSRQPONMLKJIHGFEDCBA654321";
    const handler = httpHandler({ auth: "bearer" }, recorder());

    // act
    await call(handler, httpEvent({ headers: { authorization: `Bearer ${token}` } }));

    // assess
    expect(logged()).toContain("request rejected");
    expect(logged()).not.toContain(token);
  });

  it("the authenticated actor is logged for its own request only, never carried into the next one", async () => {
    // prepare
    vi.stubEnv("OPERATOR_API_KEY", OPERATOR_KEY);
    const failing = async (): Promise<HttpResult> => {
      throw new Error("boom");
    };
    const bearer = httpHandler({ auth: "bearer" }, failing);
    const open = httpHandler({ auth: "none" }, failing);
    await call(bearer, httpEvent({ headers: { authorization: `Bearer ${OPERATOR_KEY}` } }));
    const firstLines = logged();
    stdout.mockClear();
    stderr.mockClear();

    // act
    await call(open, httpEvent());

    // assess
    expect(firstLines).toContain(expectedOperatorActor);
    expect(logged()).toContain("request failed");
    expect(logged()).not.toContain(expectedOperatorActor);
  });

  it("a none route does not authenticate, even when a header is sent", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none" }, fn);

    // act
    const response = await call(handler, httpEvent({ headers: { authorization: "Bearer whatever" } }));

    // assess
    expect(response.status).toBe(200);
    expect(received(fn).actor).toBeUndefined();
  });
});

describe("httpRoute: errors and results", () => {
  it("an unexpected error is a 500 internal_error that leaks nothing, in the response or the log", async () => {
    // prepare
    const secret = "kith_LEAKLEAKLEAKLEAKLEAKLEAKLEAK12";
    const handler = httpHandler({ auth: "none" }, async () => {
      throw new Error(`dynamo at 10.1.2.3 refused ${secret}`);
    });

    // act
    const response = await call(handler, httpEvent());

    // assess
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      error: { code: "internal_error", message: "Something went wrong. It has been logged." },
    });
    expect(response.rawBody).not.toContain("10.1.2.3");
    expect(logged()).toContain("request failed");
    expect(logged()).toContain("[redacted]");
    expect(logged()).not.toContain(secret);
  });

  it.each([
    ["Conflict", new Conflict("email_taken", "That email is taken"), 409, "email_taken"],
    ["NotFound", new NotFound("Org"), 404, "not_found"],
    ["Unauthenticated", new Unauthenticated(), 401, "unauthenticated"],
  ])("a %s thrown by the function keeps its status and code", async (_, error, status, code) => {
    // prepare
    const handler = httpHandler({ auth: "none" }, async () => {
      throw error;
    });

    // act
    const response = await call(handler, httpEvent());

    // assess
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error: { code, message: error.message } });
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
  });

  it("a Throttled with retryAfterSeconds sets retry-after on the response", async () => {
    // prepare
    const handler = httpHandler({ auth: "none" }, async () => {
      throw new Throttled("slow down", 7);
    });

    // act
    const response = await call(handler, httpEvent());

    // assess
    expect(response.status).toBe(429);
    expect(response.headers["retry-after"]).toBe("7");
  });

  it("a 204 result has no body, even if the function returned one", async () => {
    // prepare
    const handler = httpHandler({ auth: "none" }, async () => ({ status: 204, body: { ignored: true } }));

    // act
    const result = await handler(httpEvent({ method: "DELETE" }), fakeContext());

    // assess
    expect(result.statusCode).toBe(204);
    expect(result.body).toBeUndefined();
    expect(result.headers?.["content-type"]).toBeUndefined();
  });

  it("a JSON result is serialized with a JSON content type, keeping the function's headers", async () => {
    // prepare
    const handler = httpHandler({ auth: "none" }, async () => ({
      status: 201,
      body: { id: "org_1" },
      headers: { location: "/v1/orgs/org_1" },
    }));

    // act
    const response = await call(handler, httpEvent({ method: "POST" }));

    // assess
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: "org_1" });
    expect(response.headers).toEqual({
      "content-type": "application/json; charset=utf-8",
      location: "/v1/orgs/org_1",
    });
  });

  it("a result without a body has no body", async () => {
    // prepare
    const handler = httpHandler({ auth: "none" }, async () => ({ status: 202 }));

    // act
    const result = await handler(httpEvent(), fakeContext());

    // assess
    expect(result.statusCode).toBe(202);
    expect(result.body).toBeUndefined();
  });

  it("path parameters reach the function", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none" }, fn);

    // act
    await call(handler, httpEvent({ path: "/v1/orgs/org_1", pathParameters: { orgId: "org_1" } }));

    // assess
    expect(received(fn).pathParameters).toEqual({ orgId: "org_1" });
  });
});

describe("httpRoute: query strings", () => {
  const Query = z.object({
    limit: z.string().regex(/^\d+$/).optional(),
    orgId: z.string().min(1).optional(),
  });

  it("a query string that fails the schema is a 400 naming the parameter, and the handler never runs", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none", query: Query }, fn);

    // act
    const response = await call(handler, httpEvent({ query: { limit: "ten", orgId: "org_1" } }));

    // assess
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: { code: "invalid_input", details: { limit: expect.any(String) } },
    });
    expect((response.body as { error: { details: object } }).error.details).not.toHaveProperty("orgId");
    expect(fn).not.toHaveBeenCalled();
  });

  it("a valid query string is handed to the function", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none", query: Query }, fn);

    // act
    await call(handler, httpEvent({ query: { limit: "10", orgId: "org_1" } }));

    // assess
    expect(received(fn).query).toEqual({ limit: "10", orgId: "org_1" });
  });

  it("no query string at all is validated as an empty object", async () => {
    // prepare
    const fn = recorder();
    const handler = httpHandler({ auth: "none", query: Query }, fn);

    // act
    const response = await call(handler, httpEvent());

    // assess
    expect(response.status).toBe(200);
    expect(received(fn).query).toEqual({});
  });

  it("a required query parameter that is missing is a 400 naming it", async () => {
    // prepare
    const handler = httpHandler({ auth: "none", query: z.object({ orgId: z.string() }) }, recorder());

    // act
    const response = await call(handler, httpEvent());

    // assess
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { details: { orgId: expect.any(String) } } });
  });
});

describe("httpRoute: a declared route", () => {
  const getThing = defineRoute({
    method: "GET",
    path: "/v1/orgs/{orgId}/things/{thingId}",
    handler: "functions/http/get-thing.handler",
    auth: "bearer",
    access: { org: "admin", self: "thingId" },
    operationId: "getThing",
    summary: "Get a thing",
    tags: ["things"],
    params: z.object({ orgId: z.string(), thingId: z.string().regex(/^t\d+$/) }),
    notFound: () => new NotFound("Thing", "thing_not_found"),
    responses: { 200: { description: "The thing", schema: z.object({ id: z.string() }) } },
  });
  const tokenOf = (accessRole: "admin" | "member", userId = "u1"): Actor => ({
    kind: "user",
    actor: `user:${userId}`,
    userId,
    orgId: "org-1",
    accessRole,
  });
  const withToken = (path: Record<string, string>) =>
    httpEvent({ method: "GET", headers: { authorization: "Bearer kith_token" }, pathParameters: path });

  it("carries its route, checks the access rule, and hands the handler parsed path parameters", async () => {
    // prepare
    registerUserTokenVerifier(async () => tokenOf("admin"));
    const fn = vi.fn(async ({ params }: { params: { thingId: string } }) => ({
      status: 200 as const,
      body: { id: params.thingId },
    }));
    const handler = httpRoute(getThing)(fn);

    // act
    const response = await call(handler, withToken({ orgId: "org-1", thingId: "t7" }));

    // assess
    expect(handler.route).toBe(getThing);
    expect(response).toMatchObject({ status: 200, body: { id: "t7" } });
  });

  it("a member is refused unless the path names them (self), before anything is parsed", async () => {
    // prepare
    registerUserTokenVerifier(async () => tokenOf("member", "t9"));
    const fn = vi.fn(async () => ({ status: 200 as const, body: { id: "x" } }));
    const handler = httpRoute(getThing)(fn);

    // act
    const other = await call(handler, withToken({ orgId: "org-1", thingId: "t1" }));
    const self = await call(handler, withToken({ orgId: "org-1", thingId: "t9" }));
    const anotherOrg = await call(handler, withToken({ orgId: "org-2", thingId: "t9" }));

    // assess
    expect([other.status, self.status, anotherOrg.status]).toEqual([403, 200, 404]);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("a path parameter that fails its schema is the route's notFound, and the handler never runs", async () => {
    // prepare
    registerUserTokenVerifier(async () => tokenOf("admin"));
    const fn = vi.fn(async () => ({ status: 200 as const, body: { id: "x" } }));

    // act
    const response = await call(httpRoute(getThing)(fn), withToken({ orgId: "org-1", thingId: "nope" }));

    // assess
    expect(response).toMatchObject({ status: 404, body: { error: { code: "thing_not_found" } } });
    expect(fn).not.toHaveBeenCalled();
  });

  it("an operator route refuses user tokens with 403", async () => {
    // prepare
    registerUserTokenVerifier(async () => tokenOf("admin"));
    const operatorOnly = defineRoute({
      method: "GET",
      path: "/v1/secret",
      handler: "functions/http/secret.handler",
      auth: "bearer",
      access: "operator",
      operationId: "getSecret",
      summary: "Operators only",
      tags: ["system"],
      responses: { 200: { description: "ok" } },
    });

    // act
    const response = await call(
      httpRoute(operatorOnly)(async () => ({ status: 200 })),
      httpEvent({ method: "GET", headers: { authorization: "Bearer kith_token" } }),
    );

    // assess
    expect(response.status).toBe(403);
  });
});
