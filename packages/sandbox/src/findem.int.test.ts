import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FindemPerson, FindemSandbox, type FindemSandboxOptions, signFindemWebhook } from "./findem";

// Everything goes over real HTTP with global fetch, so what is asserted is the wire contract Kith's
// Findem client is written against (this sandbox is where that contract is written down).

const MAYA: FindemPerson = {
  findemId: "fdm_maya",
  linkedinHandle: "Maya-Chen",
  emails: ["maya.chen@acme.example", "maya@personal.example"],
  work: [
    {
      organization: { id: "org_acme", name: "Acme Robotics", size: 1200 },
      title: "Staff Engineer",
      from: "2021-03",
      to: null,
    },
    {
      organization: { id: "org_piedpiper", name: "Pied Piper", size: 35 },
      title: "Software Engineer",
      from: "2016-09",
      to: "2021-02",
    },
  ],
  education: [{ school: { id: "sch_mit", name: "MIT" }, from: "2012-09", to: "2016-06" }],
};

const OMAR: FindemPerson = {
  findemId: "fdm_omar",
  linkedinHandle: "omar-haddad",
  emails: ["omar@globex.example"],
  work: [],
  education: [],
};

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

const opened: FindemSandbox[] = [];

async function start(options: FindemSandboxOptions = {}): Promise<FindemSandbox> {
  const sandbox = await FindemSandbox.start(options);
  opened.push(sandbox);
  return sandbox;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((sandbox) => sandbox.close()));
});

async function call(
  sandbox: FindemSandbox,
  method: string,
  path: string,
  body?: unknown,
  key: string | null = sandbox.apiKey,
): Promise<Reply> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const lookup = (sandbox: FindemSandbox, email: string) =>
  call(sandbox, "POST", "/v1/people/lookup", { email });

/** Runs `task` over `items` with at most `width` in flight, keeping the order of results. */
async function inBatches<T, R>(items: T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) {
    results.push(...(await Promise.all(items.slice(i, i + width).map(task))));
  }
  return results;
}

describe("authentication and routing", () => {
  let sandbox: FindemSandbox;
  beforeEach(async () => {
    sandbox = await start({ people: [MAYA] });
  });

  it("answers 401 unauthorized to a missing or wrong key and serves nothing", async () => {
    const missing = await call(
      sandbox,
      "POST",
      "/v1/people/lookup",
      { email: "maya.chen@acme.example" },
      null,
    );
    const wrong = await call(sandbox, "GET", "/v1/people/fdm_maya", undefined, "not-the-key");

    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: { code: "unauthorized" } });
    expect(sandbox.usage()).toMatchObject({ unauthorized: 2, lookup: 0, profile: 0 });
    expect(sandbox.apiKey).toBe("findem-sandbox-key");
  });

  it("answers 404 to an unknown route, or a known path with the wrong method, before checking the key", async () => {
    expect((await call(sandbox, "GET", "/v1/companies/1")).status).toBe(404);
    expect((await call(sandbox, "GET", "/v1/people/lookup", undefined, null)).status).toBe(404);
    expect(sandbox.usage()).toMatchObject({ unauthorized: 0, lookup: 0, profile: 0 });
  });

  it("answers 400 invalid_request to malformed JSON and a missing email", async () => {
    const malformed = await call(sandbox, "POST", "/v1/people/lookup", "{not json");
    const missing = await call(sandbox, "POST", "/v1/people/lookup", { mail: "maya.chen@acme.example" });

    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: { code: "invalid_request" } });
    expect(missing.status).toBe(400);
    expect(sandbox.usage()).toMatchObject({ invalid: 2, lookup: 0 });
  });
});

describe("lookup (F1)", () => {
  let sandbox: FindemSandbox;
  beforeEach(async () => {
    sandbox = await start({ people: [MAYA, OMAR] });
  });

  it("matches a known email with confidence 0.95, and misses with a null match", async () => {
    const hit = await lookup(sandbox, "maya.chen@acme.example");
    const miss = await lookup(sandbox, "nobody@acme.example");

    expect(hit.status).toBe(200);
    expect(hit.body).toEqual({
      match: {
        findemId: "fdm_maya",
        linkedinHandle: "Maya-Chen",
        emails: ["maya.chen@acme.example", "maya@personal.example"],
        confidence: 0.95,
      },
      ambiguous: false,
    });
    expect(miss.body).toEqual({ match: null, ambiguous: false });
  });

  it("compares emails trimmed and case-insensitively", async () => {
    const reply = await lookup(sandbox, "  Maya@PERSONAL.Example \n");
    expect(reply.body).toMatchObject({ match: { findemId: "fdm_maya" }, ambiguous: false });
  });

  it("answers ambiguous with a best guess below 0.8 confidence, so a client linking on match is caught", async () => {
    sandbox.setAmbiguous("Omar@Globex.example");
    sandbox.setAmbiguous("pat@initech.example", "fdm_maya");
    sandbox.addPerson({
      ...OMAR,
      findemId: "fdm_omar2",
      linkedinHandle: "omar-h-2",
      emails: ["ops@globex.example"],
    });
    sandbox.addPerson({
      ...MAYA,
      findemId: "fdm_maya2",
      linkedinHandle: "maya-c-2",
      emails: ["ops@globex.example"],
    });

    const explicit = await lookup(sandbox, "omar@globex.example");
    const guessed = await lookup(sandbox, "pat@initech.example");
    const shared = await lookup(sandbox, "ops@globex.example");

    for (const reply of [explicit, guessed, shared]) {
      const body = reply.body as { match: { confidence: number } | null; ambiguous: boolean };
      expect(body.ambiguous).toBe(true);
      expect(body.match?.confidence).toBeLessThan(0.8);
    }
    expect(explicit.body).toMatchObject({ match: { findemId: "fdm_omar" } });
    expect(guessed.body).toMatchObject({ match: { findemId: "fdm_maya" } });
    expect(shared.body).toMatchObject({ match: { findemId: "fdm_omar2" } });
    expect(() => sandbox.setAmbiguous("x@y.example", "fdm_nobody")).toThrow(/No person/);
  });

  it("answers an unknown ambiguous email with a synthesized namesake who is served as a profile", async () => {
    sandbox.setAmbiguous("sam@hooli.example");
    const reply = await lookup(sandbox, "sam@hooli.example");
    const match = (reply.body as { match: { findemId: string; emails: string[] } }).match;

    expect(reply.body).toMatchObject({ ambiguous: true });
    expect(match.emails).not.toContain("sam@hooli.example");
    expect((await call(sandbox, "GET", `/v1/people/${match.findemId}`)).status).toBe(200);
  });

  it("answers the confidence set for an email, unambiguously", async () => {
    sandbox.setConfidence("OMAR@globex.example", 0.42);
    expect((await lookup(sandbox, "omar@globex.example")).body).toMatchObject({
      match: { findemId: "fdm_omar", confidence: 0.42 },
      ambiguous: false,
    });
    expect((await lookup(sandbox, "maya.chen@acme.example")).body).toMatchObject({
      match: { confidence: 0.95 },
    });
    expect(() => sandbox.setConfidence("nobody@acme.example", 0.5)).toThrow(/No person/);
    expect(() => sandbox.setConfidence("omar@globex.example", 1.5)).toThrow(RangeError);
  });

  it("follows updatePerson: a removed email misses, a new one matches; unknown ids throw", async () => {
    const updated = sandbox.updatePerson("fdm_omar", { emails: ["omar.haddad@initech.example"] });
    updated.emails.push("mutated@example.com");

    expect((await lookup(sandbox, "omar@globex.example")).body).toEqual({ match: null, ambiguous: false });
    expect((await lookup(sandbox, "omar.haddad@initech.example")).body).toMatchObject({
      match: { findemId: "fdm_omar", emails: ["omar.haddad@initech.example"] },
    });
    expect(() => sandbox.updatePerson("fdm_nobody", { emails: [] })).toThrow(/No person/);
  });
});

describe("synthesized answers", () => {
  const synthesize = { seed: 42, matchRate: 0.5, ambiguousRate: 0.1, lowConfidenceRate: 0.15 };
  const emails = Array.from({ length: 2000 }, (_, i) => `person${i}@company${i % 37}.example`);

  it("answers the same email the same way in two sandboxes with one seed, near the configured rates", async () => {
    const a = await start({ synthesize, requestsPerSecond: Number.POSITIVE_INFINITY });
    const b = await start({ synthesize, requestsPerSecond: Number.POSITIVE_INFINITY });
    const other = await start({ synthesize: { ...synthesize, seed: 43 }, requestsPerSecond: Infinity });

    // Every fourth email in the second sandbox: enough to show that seed and email alone decide the
    // answer, at a quarter of the requests.
    const sample = emails.filter((_, i) => i % 4 === 0);
    const [first, second, reseeded] = await Promise.all([
      inBatches(emails, 50, (email) => lookup(a, email)),
      inBatches(sample, 50, (email) => lookup(b, ` ${email.toUpperCase()}`)),
      inBatches(sample.slice(0, 100), 50, (email) => lookup(other, email)),
    ]);
    const again = await inBatches(emails.slice(0, 50), 50, (email) => lookup(a, email));
    const firstSample = first.filter((_, i) => i % 4 === 0).map((reply) => reply.body);

    expect(second.map((reply) => reply.body)).toEqual(firstSample);
    expect(again.map((reply) => reply.body)).toEqual(first.slice(0, 50).map((reply) => reply.body));
    expect(reseeded.map((reply) => reply.body)).not.toEqual(firstSample.slice(0, 100));

    type Body = { match: { confidence: number } | null; ambiguous: boolean };
    const bodies = first.map((reply) => reply.body as Body);
    const share = (test: (body: Body) => boolean) => bodies.filter(test).length / bodies.length;
    // 2,000 draws: a binomial share's standard deviation is at most 0.011, so ±0.04 is over 3.5σ.
    expect(
      Math.abs(share((body) => !body.ambiguous && (body.match?.confidence ?? 0) >= 0.8) - 0.5),
    ).toBeLessThan(0.04);
    expect(Math.abs(share((body) => body.ambiguous) - 0.1)).toBeLessThan(0.04);
    expect(
      Math.abs(share((body) => !body.ambiguous && body.match !== null && body.match.confidence < 0.8) - 0.15),
    ).toBeLessThan(0.04);
    expect(Math.abs(share((body) => body.match === null) - 0.25)).toBeLessThan(0.04);
    expect(
      bodies.every((body) => !body.ambiguous || (body.match !== null && body.match.confidence < 0.8)),
    ).toBe(true);
  });

  it("serves synthesized people as plausible profiles once looked up", async () => {
    const sandbox = await start({
      synthesize: { ...synthesize, matchRate: 1, ambiguousRate: 0, lowConfidenceRate: 0 },
      requestsPerSecond: Infinity,
    });
    const matches = await inBatches(emails.slice(0, 200), 100, async (email) => {
      const body = (await lookup(sandbox, email)).body as {
        match: { findemId: string; linkedinHandle: string };
      };
      return body.match;
    });
    const profiles = await inBatches(
      matches,
      100,
      async (match) => (await call(sandbox, "GET", `/v1/people/${match.findemId}`)).body as FindemPerson,
    );
    const byHandle = await call(sandbox, "POST", "/v1/people/enrich", {
      linkedinHandle: matches[0]?.linkedinHandle.toUpperCase(),
    });

    const now = new Date();
    const nowMonth = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}`;
    const jobs = profiles.flatMap((profile) => profile.work);
    const spans = [...jobs, ...profiles.flatMap((profile) => profile.education)];
    expect(byHandle.body).toEqual(profiles[0]);
    expect(new Set(matches.map((match) => match.findemId)).size).toBe(200);
    expect(profiles.every((profile, i) => profile.emails[0] === emails[i] && profile.work.length > 0)).toBe(
      true,
    );
    expect(spans.every((span) => span.from >= "2010-01" && span.from <= nowMonth)).toBe(true);
    expect(spans.every((span) => span.to === null || (span.to > span.from && span.to <= nowMonth))).toBe(
      true,
    );
    expect(jobs.every((job) => Number.isInteger(job.organization.size))).toBe(true);
    expect(jobs.some((job) => job.organization.size <= 50)).toBe(true);
    expect(new Set(jobs.map((job) => job.organization.id)).size).toBeGreaterThanOrEqual(25);
    expect(
      new Set(profiles.flatMap((profile) => profile.education.map((entry) => entry.school.id))).size,
    ).toBeGreaterThanOrEqual(8);
  });

  it("answers unknown emails with no match when synthesis is off", async () => {
    const sandbox = await start();
    expect((await lookup(sandbox, "person1@company1.example")).body).toEqual({
      match: null,
      ambiguous: false,
    });
  });
});

describe("profile (F2) and enrich (F4)", () => {
  let sandbox: FindemSandbox;
  beforeEach(async () => {
    sandbox = await start({ people: [MAYA, OMAR] });
  });

  it("serves a profile by id, and 404 not_found for an unknown id", async () => {
    const found = await call(sandbox, "GET", "/v1/people/fdm_maya");
    const missing = await call(sandbox, "GET", "/v1/people/fdm_nobody");

    expect(found.status).toBe(200);
    expect(found.body).toEqual(MAYA);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: "not_found" } });
    expect(sandbox.usage()).toMatchObject({ profile: 2 });
  });

  it("keeps its own copy of added people", async () => {
    const person = structuredClone(OMAR);
    sandbox.addPerson(person);
    person.emails.push("leak@example.com");
    person.work.push({ ...(MAYA.work[0] as FindemPerson["work"][number]) });

    expect((await call(sandbox, "GET", "/v1/people/fdm_omar")).body).toEqual(OMAR);
  });

  it("enriches by handle (case-insensitive) or by email, the handle deciding when both are sent", async () => {
    const byHandle = await call(sandbox, "POST", "/v1/people/enrich", { linkedinHandle: "maya-chen" });
    const byEmail = await call(sandbox, "POST", "/v1/people/enrich", { email: " OMAR@globex.example" });
    const both = await call(sandbox, "POST", "/v1/people/enrich", {
      email: "omar@globex.example",
      linkedinHandle: "Maya-Chen",
    });
    const staleHandle = await call(sandbox, "POST", "/v1/people/enrich", {
      email: "omar@globex.example",
      linkedinHandle: "omar-old-handle",
    });

    expect(byHandle.body).toEqual(MAYA);
    expect(byEmail.body).toEqual(OMAR);
    expect(both.body).toEqual(MAYA);
    expect(staleHandle.status).toBe(404);
  });

  it("answers 404 to an unknown handle or email, or an email whose lookup is ambiguous", async () => {
    sandbox.setAmbiguous("maya.chen@acme.example");
    for (const body of [
      { linkedinHandle: "nobody" },
      { email: "nobody@acme.example" },
      { email: "maya.chen@acme.example" },
    ]) {
      const reply = await call(sandbox, "POST", "/v1/people/enrich", body);
      expect(reply.status).toBe(404);
      expect(reply.body).toMatchObject({ error: { code: "not_found" } });
    }
    expect(sandbox.usage()).toMatchObject({ enrich: 3 });
  });

  it("answers 400 to an enrich body without email or handle", async () => {
    for (const body of [{}, { email: "" }, { linkedinHandle: 7 }, undefined]) {
      const reply = await call(sandbox, "POST", "/v1/people/enrich", body);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ error: { code: "invalid_request" } });
    }
    expect(sandbox.usage()).toMatchObject({ enrich: 0, invalid: 4 });
  });
});

describe("rate limit", () => {
  it("serves 10 of 25 concurrent lookups, refuses 15 with 429 and Retry-After, and serves again a second later", async () => {
    const sandbox = await start({ people: [MAYA], requestsPerSecond: 10 });

    const burst = await Promise.all(
      Array.from({ length: 25 }, () => lookup(sandbox, "maya.chen@acme.example")),
    );
    const refused = burst.filter((reply) => reply.status === 429);

    expect(burst.filter((reply) => reply.status === 200)).toHaveLength(10);
    expect(refused).toHaveLength(15);
    for (const reply of refused) {
      expect(Number(reply.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number.isInteger(Number(reply.headers.get("retry-after")))).toBe(true);
      expect(reply.body).toMatchObject({ error: { code: "rate_limited" } });
    }
    expect(sandbox.usage()).toMatchObject({ lookup: 10, rateLimited: 15 });

    await new Promise((resolve) => setTimeout(resolve, 1050));
    const later = await Promise.all(
      Array.from({ length: 5 }, () => lookup(sandbox, "maya.chen@acme.example")),
    );

    expect(later.map((reply) => reply.status)).toEqual([200, 200, 200, 200, 200]);
    expect(sandbox.usage()).toMatchObject({ lookup: 15, rateLimited: 15 });
  });

  it("does not count unauthenticated requests against the window", async () => {
    const sandbox = await start({ people: [MAYA], requestsPerSecond: 2 });
    await Promise.all(
      Array.from({ length: 5 }, () => call(sandbox, "GET", "/v1/people/fdm_maya", undefined, "bad")),
    );
    const served = await Promise.all([1, 2].map(() => call(sandbox, "GET", "/v1/people/fdm_maya")));
    expect(served.map((reply) => reply.status)).toEqual([200, 200]);
  });
});

describe("fault injection", () => {
  it("fails the next count requests of an endpoint with the status given, counted as faulted", async () => {
    const sandbox = await start({ people: [MAYA], requestsPerSecond: Infinity });
    sandbox.fail({ status: 503, count: 2, endpoint: "profile" });
    sandbox.fail({ status: 429, retryAfterSeconds: 7 });

    const throttled = await lookup(sandbox, "maya.chen@acme.example");
    const profiles = [];
    for (let i = 0; i < 3; i++) profiles.push(await call(sandbox, "GET", "/v1/people/fdm_maya"));
    const after = await lookup(sandbox, "maya.chen@acme.example");

    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("7");
    expect(throttled.body).toMatchObject({ error: { code: "rate_limited" } });
    expect(profiles.map((reply) => reply.status)).toEqual([503, 503, 200]);
    expect(profiles[0]?.body).toMatchObject({ error: { code: "unavailable" } });
    expect(after.status).toBe(200);
    expect(sandbox.usage()).toMatchObject({ faulted: 3, rateLimited: 0, lookup: 1, profile: 1 });
    expect(() => sandbox.fail({ status: 200 })).toThrow(RangeError);
  });

  it("fails a seeded share of requests with 503, the same ones in every run", async () => {
    const options = { people: [MAYA], requestsPerSecond: Infinity, failureRate: 0.3, failureSeed: 9 };
    const a = await start(options);
    const b = await start(options);

    const run = async (sandbox: FindemSandbox) => {
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await lookup(sandbox, "maya.chen@acme.example")).status);
      return statuses;
    };
    const [first, second] = await Promise.all([run(a), run(b)]);
    const failed = first.filter((status) => status === 503).length;

    expect(second).toEqual(first);
    expect(first.every((status) => status === 200 || status === 503)).toBe(true);
    expect(failed).toBeGreaterThan(35);
    expect(failed).toBeLessThan(85);
    expect(a.usage()).toMatchObject({ faulted: failed, lookup: 200 - failed });

    a.setFailureRate(0);
    const calm = await Promise.all(Array.from({ length: 20 }, () => lookup(a, "maya.chen@acme.example")));
    expect(calm.every((reply) => reply.status === 200)).toBe(true);
  });
});

describe("usage and recorded requests", () => {
  it("counts served calls per endpoint and lookups per normalized email, until reset", async () => {
    const sandbox = await start({ people: [MAYA] });
    await lookup(sandbox, "Maya.Chen@acme.example");
    await lookup(sandbox, " maya.chen@ACME.example");
    await lookup(sandbox, "nobody@acme.example");
    await call(sandbox, "GET", "/v1/people/fdm_maya");
    await call(sandbox, "POST", "/v1/people/enrich", { linkedinHandle: "maya-chen" });
    await call(sandbox, "GET", "/v1/people/fdm_maya", undefined, null);

    expect(sandbox.usage()).toEqual({
      lookup: 3,
      profile: 1,
      enrich: 1,
      rateLimited: 0,
      faulted: 0,
      unauthorized: 1,
      invalid: 0,
      lookupsByEmail: new Map([
        ["maya.chen@acme.example", 2],
        ["nobody@acme.example", 1],
      ]),
    });
    expect(
      sandbox.requests.map(({ method, path, status, body }) => ({ method, path, status, body })),
    ).toEqual([
      { method: "POST", path: "/v1/people/lookup", status: 200, body: { email: "Maya.Chen@acme.example" } },
      { method: "POST", path: "/v1/people/lookup", status: 200, body: { email: " maya.chen@ACME.example" } },
      { method: "POST", path: "/v1/people/lookup", status: 200, body: { email: "nobody@acme.example" } },
      { method: "GET", path: "/v1/people/fdm_maya", status: 200, body: undefined },
      { method: "POST", path: "/v1/people/enrich", status: 200, body: { linkedinHandle: "maya-chen" } },
      { method: "GET", path: "/v1/people/fdm_maya", status: 401, body: undefined },
    ]);
    expect(sandbox.requests.every((request) => typeof request.at === "number")).toBe(true);

    sandbox.resetUsage();
    expect(sandbox.usage()).toMatchObject({ lookup: 0, profile: 0, enrich: 0, unauthorized: 0 });
    expect(sandbox.usage().lookupsByEmail.size).toBe(0);
  });
});

describe("profile.updated webhook (F7)", () => {
  const secret = `whsec_${randomBytes(24).toString("base64")}`;

  async function receiver(): Promise<{
    url: string;
    received: { headers: IncomingHttpHeaders; body: string }[];
    close: () => Promise<void>;
  }> {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/webhooks/findem`,
      received,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  function standardHeaders(headers: IncomingHttpHeaders): Record<string, string> {
    return {
      "webhook-id": String(headers["webhook-id"]),
      "webhook-timestamp": String(headers["webhook-timestamp"]),
      "webhook-signature": String(headers["webhook-signature"]),
    };
  }

  it("delivers a signed profile.updated that standardwebhooks verifies, with the person's current fields", async () => {
    const sandbox = await start({ people: [MAYA] });
    sandbox.updatePerson("fdm_maya", { linkedinHandle: "maya-chen-2" });
    const kith = await receiver();
    try {
      const response = await sandbox.sendProfileUpdated(kith.url, secret, "fdm_maya", { messageId: "msg_1" });
      const delivery = kith.received[0];

      expect(response.status).toBe(204);
      expect(delivery?.headers["webhook-id"]).toBe("msg_1");
      expect(delivery?.headers["content-type"]).toBe("application/json");
      expect(
        new Webhook(secret).verify(delivery?.body ?? "", standardHeaders(delivery?.headers ?? {})),
      ).toEqual({
        type: "profile.updated",
        data: {
          findemId: "fdm_maya",
          linkedinHandle: "maya-chen-2",
          emails: ["maya.chen@acme.example", "maya@personal.example"],
        },
      });
      await expect(sandbox.sendProfileUpdated(kith.url, secret, "fdm_nobody")).rejects.toThrow(/No person/);
    } finally {
      await kith.close();
    }
  });

  it("signs with the timestamp given, so a stale delivery fails verification as a replay", async () => {
    const sandbox = await start({ people: [MAYA] });
    const kith = await receiver();
    try {
      const stale = Math.floor(Date.now() / 1000) - 3600;
      await sandbox.sendProfileUpdated(kith.url, secret, "fdm_maya", { timestampSeconds: stale });
      const delivery = kith.received[0];

      expect(delivery?.headers["webhook-timestamp"]).toBe(String(stale));
      expect(() =>
        new Webhook(secret).verify(delivery?.body ?? "", standardHeaders(delivery?.headers ?? {})),
      ).toThrow(/timestamp/i);
    } finally {
      await kith.close();
    }
  });

  it("signFindemWebhook signs any payload with webhook- headers", () => {
    const { body, headers } = signFindemWebhook({ type: "profile.updated", data: {} }, secret);
    expect(Object.keys(headers).sort()).toEqual([
      "content-type",
      "webhook-id",
      "webhook-signature",
      "webhook-timestamp",
    ]);
    expect(new Webhook(secret).verify(body, headers)).toEqual({ type: "profile.updated", data: {} });
    expect(() => new Webhook(`whsec_${randomBytes(24).toString("base64")}`).verify(body, headers)).toThrow();
  });
});
