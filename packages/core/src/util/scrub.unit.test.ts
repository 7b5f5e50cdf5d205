import { describe, expect, it } from "vitest";
import { isSensitiveKey, REDACTED, scrub, scrubReplacer, scrubSample, scrubString } from "./scrub";

/** Token-shaped strings, one per provider the scrubber knows. None of them is a real credential. */
const SECRETS = {
  kith: "kith_ABCDEFGHIJKLMNOPQRSTUVWXYZ123456",
  slackBot: "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
  slackApp: "xapp-1-A0123456789-1234567890123-abcdef0123456789",
  githubClassic: "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
  githubFineGrained: "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF",
  gitlab: "glpat-AbCdEfGhIj0123456789",
  linear: "lin_api_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
  googleAccess: "ya29.a0AfH6SMBx-Example_Access.Token-Value",
  googleRefresh: "1//0gAbCdEfGhIjKlMnOpQrStUvWxYz-0123456789",
  webhookSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  stripeLike: "sk_live_AbCdEfGhIjKlMnOpQrSt",
  jwt: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
} as const;

describe("scrubString", () => {
  it.each(Object.entries(SECRETS))("a bare %s token is replaced whole", (_, secret) => {
    // prepare
    const input = `failed with ${secret} attached`;

    // act
    const output = scrubString(input);

    // assess
    expect(output).toBe(`failed with ${REDACTED} attached`);
  });

  it.each(Object.entries(SECRETS))(
    "a %s token inside a URL, header dump or JSON leaves no trace",
    (_, secret) => {
      // prepare
      const input = `GET https://api.example.com/x?id=1 headers={"x-token-dump":"${secret}"} (${secret})`;

      // act
      const output = scrubString(input);

      // assess
      expect(output).not.toContain(secret);
      expect(output).toContain("https://api.example.com/x?id=1");
    },
  );

  it("a Bearer credential keeps the scheme so the log still says what was sent", () => {
    // prepare
    const input = "Authorization: Bearer abc.def-ghi_jkl~mno+pqr/stu==";

    // act
    const output = scrubString(input);

    // assess
    expect(output).toBe(`Authorization: Bearer ${REDACTED}`);
  });

  it("a lower-case bearer credential is scrubbed too", () => {
    // prepare
    const input = "authorization: bearer opaque-token-value";

    // act
    const output = scrubString(input);

    // assess
    expect(output).not.toContain("opaque-token-value");
  });

  it("a Basic credential is scrubbed", () => {
    // prepare
    const credential = Buffer.from("user:hunter2").toString("base64");

    // act
    const output = scrubString(`Authorization: Basic ${credential}`);

    // assess
    expect(output).toBe(`Authorization: Basic ${REDACTED}`);
  });

  it("a Linear OAuth token is scrubbed like an API key", () => {
    // prepare
    const token = "lin_oauth_AbCdEfGhIjKlMnOpQrStUvWxYz";

    // act
    const output = scrubString(`token=${token}`);

    // assess
    expect(output).not.toContain(token);
  });

  it("a Google refresh token keeps the character in front of it", () => {
    // prepare
    const input = `refresh=${SECRETS.googleRefresh}`;

    // act
    const output = scrubString(input);

    // assess
    expect(output).toBe(`refresh=${REDACTED}`);
  });

  it("a Google refresh token at the very start of the string is scrubbed", () => {
    // act
    const output = scrubString(SECRETS.googleRefresh);

    // assess
    expect(output).toBe(REDACTED);
  });

  it.each([
    ["access_token", "?access_token=ya-opaque-123&state=abc", `?access_token=${REDACTED}&state=abc`],
    ["refresh_token", "&refresh_token=opaque-rt-456", `&refresh_token=${REDACTED}`],
    [
      "client_secret",
      "?client_id=kith&client_secret=s3cr3t-value",
      `?client_id=kith&client_secret=${REDACTED}`,
    ],
    [
      "code",
      "/oauth/callback?code=4/0AbCd-auth-code&state=xyz",
      `/oauth/callback?code=${REDACTED}&state=xyz`,
    ],
    ["api_key", "?api_key=plain-key-value", `?api_key=${REDACTED}`],
    ["ACCESS_TOKEN", "?ACCESS_TOKEN=UPPER-CASE", `?ACCESS_TOKEN=${REDACTED}`],
  ])("a %s query parameter keeps its name and loses its value", (_, input, expected) => {
    // act
    const output = scrubString(`https://example.com/cb${input}`);

    // assess
    expect(output).toBe(`https://example.com/cb${expected}`);
  });

  // Regression: the form-body pattern once required `?` or `&` before the parameter name, so an
  // OAuth token request body that starts with a secret kept it in clear text.
  it("a form body that starts with a secret parameter loses its value", () => {
    // prepare
    const bodies = [
      "refresh_token=opaque-rt-value&grant_type=refresh_token",
      "code=opaque-auth-code&client_id=kith",
      "client_secret=cs-opaque&client_id=kith",
    ];

    // act
    const output = bodies.map(scrubString);

    // assess
    expect(output).toEqual([
      `refresh_token=${REDACTED}&grant_type=refresh_token`,
      `code=${REDACTED}&client_id=kith`,
      `client_secret=${REDACTED}&client_id=kith`,
    ]);
  });

  it.each([
    [
      '{"refresh_token":"rt-opaque-value","expires_in":3600}',
      `{"refresh_token":"${REDACTED}","expires_in":3600}`,
    ],
    ['{"access_token": "at-opaque-value"}', `{"access_token": "${REDACTED}"}`],
    ['{"id_token":"idt-opaque"}', `{"id_token":"${REDACTED}"}`],
    ['{"client_secret":"cs-opaque"}', `{"client_secret":"${REDACTED}"}`],
    ['{"password":"hunter2"}', `{"password":"${REDACTED}"}`],
    ['{"Refresh_Token":"mixed-case"}', `{"Refresh_Token":"${REDACTED}"}`],
  ])("a JSON fragment %s inside a larger string loses its secret value", (fragment, expected) => {
    // act
    const output = scrubString(`provider said: ${fragment}`);

    // assess
    expect(output).toBe(`provider said: ${expected}`);
  });

  it.each([
    ["an email address", "alice.smith+kith@example.com"],
    ["a ULID", "01ARZ3NDEKTSV4RRFFQ69G5FAV"],
    ["a UUID", "123e4567-e89b-12d3-a456-426614174000"],
    ["an ISO-8601 timestamp", "2026-01-01T07:00:00.000Z"],
    ["integers and decimals", "1234567890 and 3.14159 and -42"],
    ["an ordinary URL with a query", "https://example.com/v1/journal?limit=50&cursor=eyJwayI6Ik"],
    ["a URL with a double slash", "https://example.com//path"],
    ["a sentence about tokens", "the token expired after 3600 seconds; tokenId tok_01ARZ3NDEK"],
    ["a short kith_ prefix that is not a token", "kith_dev table"],
    ["an event type", "system.heartbeat"],
  ])("%s is left untouched", (_, input) => {
    // act
    const output = scrubString(input);

    // assess
    expect(output).toBe(input);
  });

  it("scrubbing twice gives the same result as scrubbing once", () => {
    // prepare
    const input = `Bearer ${SECRETS.kith} ${SECRETS.githubClassic} ?access_token=abc ${SECRETS.jwt}`;

    // act
    const once = scrubString(input);
    const twice = scrubString(once);

    // assess
    expect(twice).toBe(once);
    expect(once).not.toContain(SECRETS.kith);
  });

  it("several secrets in one string are all removed", () => {
    // prepare
    const input = Object.values(SECRETS).join(" | ");

    // act
    const output = scrubString(input);

    // assess
    for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
    expect(output.split(" | ")).toEqual(Object.values(SECRETS).map(() => REDACTED));
  });
});

describe("isSensitiveKey", () => {
  it.each([
    "authorization",
    "Authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-hub-signature",
    "x-hub-signature-256",
    "X-Hub-Signature-256",
    "x-slack-signature",
    "x-gitlab-token",
    "linear-signature",
    "webhook-signature",
    "clientSecret",
    "client_secret",
    "api_key",
    "apiKey",
    "x-api-key",
    "password",
    "refreshToken",
    "accessToken",
    "privateKey",
    "credentials",
  ])("%s is sensitive", (key) => {
    expect(isSensitiveKey(key)).toBe(true);
  });

  it.each([
    "tokenId",
    "tokenPreview",
    "preview",
    "nextPageToken",
    "pageToken",
    "syncToken",
    "tokenCount",
    "email",
    "id",
    "content-type",
  ])("%s is not sensitive", (key) => {
    expect(isSensitiveKey(key)).toBe(false);
  });
});

describe("scrub", () => {
  it("values under sensitive keys are replaced whole, whatever they look like", () => {
    // prepare
    const input = {
      authorization: "whatever-shape",
      "x-hub-signature-256": "sha256=0123456789abcdef",
      clientSecret: "short",
      api_key: 12345,
      password: "hunter2",
      refreshToken: { nested: "object" },
    };

    // act
    const output = scrub(input);

    // assess
    expect(output).toEqual({
      authorization: REDACTED,
      "x-hub-signature-256": REDACTED,
      clientSecret: REDACTED,
      api_key: REDACTED,
      password: REDACTED,
      refreshToken: REDACTED,
    });
  });

  it("token metadata keys keep their values", () => {
    // prepare
    const input = { tokenId: "tok_01ARZ3NDEKTSV4RRFFQ69G5FAV", preview: "ab12", nextPageToken: "page-2" };

    // act
    const output = scrub(input);

    // assess
    expect(output).toEqual(input);
  });

  it("null and undefined under a sensitive key stay as they are, so a log shows the secret was absent", () => {
    // act
    const output = scrub({ password: null, authorization: undefined });

    // assess
    expect(output).toEqual({ password: null, authorization: undefined });
  });

  it("nested objects and arrays are scrubbed at every depth", () => {
    // prepare
    const input = {
      request: {
        headers: { Authorization: "Bearer abc.def", "content-type": "application/json" },
        query: [{ url: `https://x.test/?access_token=zzz` }, `note ${SECRETS.gitlab}`],
      },
    };

    // act
    const output = scrub(input);

    // assess
    expect(output).toEqual({
      request: {
        headers: { Authorization: REDACTED, "content-type": "application/json" },
        query: [{ url: `https://x.test/?access_token=${REDACTED}` }, `note ${REDACTED}`],
      },
    });
  });

  it("does not modify its input", () => {
    // prepare
    const input = { password: "hunter2", note: `token ${SECRETS.kith}` };

    // act
    scrub(input);

    // assess
    expect(input).toEqual({ password: "hunter2", note: `token ${SECRETS.kith}` });
  });

  it("an Error becomes its name, scrubbed message and scrubbed stack", () => {
    // prepare
    const error = new TypeError(`upstream rejected ${SECRETS.slackBot}`);

    // act
    const output = scrub({ error }) as unknown as {
      error: { name: string; message: string; stack?: string };
    };

    // assess
    expect(output.error.name).toBe("TypeError");
    expect(output.error.message).toBe(`upstream rejected ${REDACTED}`);
    expect(output.error.stack).toBeTypeOf("string");
    expect(output.error.stack).not.toContain(SECRETS.slackBot);
  });

  it("a cycle becomes a marker instead of a stack overflow", () => {
    // prepare
    const node: Record<string, unknown> = { name: "root", password: "hunter2" };
    node.self = node;
    const list: unknown[] = ["a"];
    list.push(list);

    // act
    const output = scrub({ node, list }) as unknown as { node: Record<string, unknown>; list: unknown[] };

    // assess
    expect(output.node).toEqual({ name: "root", password: REDACTED, self: "[circular]" });
    expect(output.list).toEqual(["a", "[circular]"]);
  });

  // Regression: an object merely referenced twice (no cycle) was once reported as "[circular]".
  it("an object referenced twice without a cycle is copied in both places", () => {
    // prepare
    const shared = { orgId: "org_1" };

    // act
    const output = scrub({ before: shared, after: shared });

    // assess
    expect(output).toEqual({ before: { orgId: "org_1" }, after: { orgId: "org_1" } });
  });

  // Regression: a Date (no own enumerable properties) was once copied as `{}`.
  it("a Date survives scrubbing and serializes as before", () => {
    // prepare
    const fields = { scheduledAt: new Date("2026-01-01T06:00:00.000Z") };

    // act
    const output = JSON.stringify(scrub(fields));

    // assess
    expect(output).toBe('{"scheduledAt":"2026-01-01T06:00:00.000Z"}');
  });

  it.each([
    ["a string", `Bearer ${SECRETS.kith}`, `Bearer ${REDACTED}`],
    ["a number", 42, 42],
    ["a boolean", false, false],
    ["null", null, null],
    ["undefined", undefined, undefined],
  ])("a top-level %s is handled", (_, input, expected) => {
    expect(scrub(input)).toEqual(expected);
  });

  it("exotic values never make it throw", () => {
    // prepare
    const input = {
      big: 10n,
      symbol: Symbol("s"),
      fn: () => "x",
      date: new Date(0),
      map: new Map([["password", "x"]]),
      buffer: Buffer.from("abc"),
      proto: Object.create(null) as object,
    };

    // act
    const act = () => scrub(input);

    // assess
    expect(act).not.toThrow();
  });
});

describe("scrubReplacer", () => {
  it("JSON.stringify with the replacer redacts sensitive keys and token-shaped strings at any depth", () => {
    // prepare
    const input = {
      headers: { authorization: "Bearer abc.def", "x-hub-signature-256": "sha256=abc" },
      items: [{ clientSecret: "cs" }, `see ${SECRETS.linear}`],
      tokenId: "tok_1",
      preview: "ab12",
      nextPageToken: "p2",
      count: 3,
    };

    // act
    const output = JSON.parse(JSON.stringify(input, scrubReplacer));

    // assess
    expect(output).toEqual({
      headers: { authorization: REDACTED, "x-hub-signature-256": REDACTED },
      items: [{ clientSecret: REDACTED }, `see ${REDACTED}`],
      tokenId: "tok_1",
      preview: "ab12",
      nextPageToken: "p2",
      count: 3,
    });
  });

  it("a top-level string is scrubbed (the root call has an empty key)", () => {
    // act
    const output = JSON.stringify(`token ${SECRETS.kith}`, scrubReplacer);

    // assess
    expect(output).toBe(JSON.stringify(`token ${REDACTED}`));
  });

  it("a whole object under a sensitive key is replaced, not walked", () => {
    // act
    const output = JSON.parse(JSON.stringify({ credentials: { user: "u", pass: "p" } }, scrubReplacer));

    // assess
    expect(output).toEqual({ credentials: REDACTED });
  });

  it("a null secret stays null", () => {
    // act
    const output = JSON.parse(JSON.stringify({ password: null }, scrubReplacer));

    // assess
    expect(output).toEqual({ password: null });
  });
});

describe("scrubSample", () => {
  it("short clean text is returned as is", () => {
    expect(scrubSample("Alice Smith <alice@example.com>")).toBe("Alice Smith <alice@example.com>");
  });

  it("text of exactly the limit is not shortened", () => {
    // prepare
    const input = "a".repeat(100);

    // act
    const output = scrubSample(input);

    // assess
    expect(output).toBe(input);
  });

  it("long text is cut to 100 characters, ending with an ellipsis", () => {
    // prepare
    const input = "b".repeat(250);

    // act
    const output = scrubSample(input);

    // assess
    expect(output).toHaveLength(100);
    expect(output).toBe(`${"b".repeat(99)}…`);
  });

  it("scrubs before truncating, so a token cut by the limit leaves no prefix behind", () => {
    // prepare: the token starts before the cut and ends after it
    const input = `${"c".repeat(85)} ${SECRETS.githubClassic}`;

    // act
    const output = scrubSample(input);

    // assess
    expect(output).toBe(`${"c".repeat(85)} ${REDACTED}`);
    expect(output).not.toContain("ghp_");
  });

  it("a token beyond the limit never reappears and the result still respects the limit", () => {
    // prepare
    const input = `${"d".repeat(120)} ${SECRETS.kith}`;

    // act
    const output = scrubSample(input);

    // assess
    expect(output).toHaveLength(100);
    expect(output).not.toContain("kith_");
  });

  it("honours a custom limit", () => {
    // act
    const output = scrubSample(`Bearer ${SECRETS.kith} and more text`, 20);

    // assess
    expect(output).toBe(`Bearer ${REDACTED} a…`);
    expect(output).toHaveLength(20);
  });
});
