/**
 * Runs SST's real build (`app.finish()`: esbuild bundles every manifest handler, offline because
 * NODE_ENV=test) and checks the deployed `Handler` of every Lambda against the manifest, using the
 * same checks as app.stack.test.ts but reading handlers from the template instead of the constructs.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { SsmSandbox } from "@kith/sandbox";
import { beforeAll, describe, expect, it } from "vitest";
import { bundleFunction } from "../../bench/bundles";
import { manifest, parseHandlerRef, type SubscriptionDefinition } from "../../manifest";
import { type SynthesizedApp, synthesize } from "./support/synth";
import { Templates } from "./support/template";
import {
  assertWired,
  checkQueues,
  checkRoutes,
  checkSchedules,
  checkStreams,
  checkSubscriptions,
  type WiringContext,
  wiringContext,
} from "./support/wiring";

const root = path.resolve(import.meta.dirname, "../..");
const handlerRefs = [
  ...manifest.routes.map((r) => r.handler),
  ...manifest.queues.map((q) => q.consumer),
  ...manifest.streams.map((s) => s.consumer),
  ...manifest.schedules.map((s) => s.handler),
  ...(manifest.subscriptions as readonly SubscriptionDefinition[]).flatMap((s) =>
    "handler" in s.target ? [s.target.handler] : [],
  ),
];

describe("manifest handler files", () => {
  it.each(handlerRefs)("%s exists", (ref) => {
    const { file } = parseHandlerRef(ref);
    expect(existsSync(path.join(root, `${file}.ts`)), `${file}.ts`).toBe(true);
  });
});

describe("bundled app", () => {
  let synth: SynthesizedApp;
  let ctx: WiringContext;

  // Bundles every function of the manifest (about 60, each with esbuild): minutes on 2 cores.
  beforeAll(async () => {
    synth = await synthesize({ stage: "test", bundle: true });
    const templates = new Templates(synth.byStackName);
    // After the build the template's own Handler is the manifest reference SST bundled.
    const handlers = new Map<string, string>();
    for (const fn of templates.all("AWS::Lambda::Function")) {
      const key = `${fn.stack}/${fn.logicalId}`;
      if (synth.handlers.has(key)) handlers.set(key, String(fn.resource.Properties?.Handler));
    }
    ctx = wiringContext(synth, handlers);
  }, 300_000);

  it("replaces every placeholder with bundled code", () => {
    for (const fn of ctx.templates.all("AWS::Lambda::Function")) {
      if (!synth.handlers.has(`${fn.stack}/${fn.logicalId}`)) continue;
      expect(fn.resource.Properties?.Handler).not.toBe("index.placeholder");
      expect(fn.resource.Properties?.Code).toHaveProperty("S3Key");
    }
  });

  it("deploys each route, consumer, schedule and subscriber with the manifest's handler", () => {
    assertWired([
      ...checkRoutes(ctx, manifest.routes),
      ...checkQueues(ctx, manifest.queues, manifest.streams),
      ...checkStreams(ctx, manifest.streams),
      ...checkSchedules(ctx, manifest.schedules),
      ...checkSubscriptions(ctx, manifest.subscriptions, manifest.queues),
    ]);
  });

  it("the bundled ESM output really runs: the whoami bundle answers an operator request", async () => {
    const bundle = newestArtifact("functions/http/whoami.mjs");
    process.env.OPERATOR_API_KEY = "bundle-test-key";
    const module = (await import(pathToFileURL(bundle).href)) as {
      handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
    };

    const result = await module.handler(
      {
        version: "2.0",
        routeKey: "GET /v1/whoami",
        rawPath: "/v1/whoami",
        rawQueryString: "",
        headers: { authorization: "Bearer bundle-test-key" },
        requestContext: { http: { method: "GET", path: "/v1/whoami" } },
        isBase64Encoded: false,
      },
      { functionName: "whoami", awsRequestId: "bundle-test", getRemainingTimeInMillis: () => 3000 },
    );

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ kind: "operator", orgId: null });
  });

  it("is what bench/bundles.ts measures: the same bytes, with the Lambda credential chain in place of the SDK's", async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), "kith-bundle-compare-"));
    try {
      for (const ref of ["functions/webhooks/github.handler", "functions/http/create-integration.handler"]) {
        const relative = `${parseHandlerRef(ref).file}.mjs`;
        const deployed = readFileSync(newestArtifact(relative));
        const measured = await bundleFunction(ref, outDir);
        expect(deployed.equals(readFileSync(measured.outfile)), ref).toBe(true);
        expect(deployed.toString("utf8"), ref).not.toContain("defaultProvider::fromSSO");
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it("the bundled function reads a bound secret from SSM, signed with the Lambda's environment credentials", async () => {
    const ssm = await SsmSandbox.start();
    const credentials = { accessKeyId: "AKIDBUNDLETEST", secretAccessKey: "bundle-test-secret" };
    ssm.addCredentials(credentials);
    ssm.putParameter("/sst/kith/test/Secret/OPERATOR_API_KEY/value", "ssm-operator-key");
    const saved = { ...process.env };
    delete process.env.OPERATOR_API_KEY;
    Object.assign(process.env, {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      SST_APP: "kith",
      SST_STAGE: "test",
      SST_SSM_PREFIX: "/sst/kith/test/",
      SST_Secret_value_OPERATOR_API_KEY: "__FETCH_FROM_SSM__",
      KITH_SSM_ENDPOINT: ssm.url,
    });
    try {
      // A second instance of the bundle (another URL), so nothing from the test above is cached.
      const module = (await import(
        `${pathToFileURL(newestArtifact("functions/http/whoami.mjs")).href}?ssm`
      )) as {
        handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
      };
      const call = (token: string) =>
        module.handler(
          {
            version: "2.0",
            routeKey: "GET /v1/whoami",
            rawPath: "/v1/whoami",
            rawQueryString: "",
            headers: { authorization: `Bearer ${token}` },
            requestContext: { http: { method: "GET", path: "/v1/whoami" } },
            isBase64Encoded: false,
          },
          { functionName: "whoami", awsRequestId: "bundle-ssm", getRemainingTimeInMillis: () => 3000 },
        );
      expect((await call("ssm-operator-key")).statusCode).toBe(200);
      expect((await call("bundle-test-key")).statusCode).toBe(401);
      expect(ssm.requests).toEqual([
        expect.objectContaining({
          target: "AmazonSSM.GetParameters",
          accessKeyId: "AKIDBUNDLETEST",
          status: 200,
        }),
      ]);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      await ssm.close();
    }
  });
});

/** The most recently built artifact with this relative path (SST names artifact folders by hash). */
function newestArtifact(relative: string): string {
  const artifacts = path.join(root, ".sst", "artifacts");
  const candidates = readdirSync(artifacts)
    .map((folder) => path.join(artifacts, folder, relative))
    .filter((file) => existsSync(file))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!candidates[0]) throw new Error(`no bundled ${relative} under ${artifacts}`);
  return candidates[0];
}
