/**
 * The cold-start budget (issue "Lean cold starts"): every manifest function, bundled exactly as
 * `sst deploy` bundles it (bench/bundles.ts, the app's props from stacks/bundling.ts), must be at
 * most its kind's size target times the floor (a bare DynamoDB document client, SST's stock props)
 * measured in the same run: HTTP and webhook functions 1.3×, queue consumers, stream consumers,
 * subscribers and schedules 2×, syncers 3×. A heavy import fails here, in review.
 *
 * Sizes only: import times are machine figures and belong to `npm run bench -- bundles`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  budgetBytes,
  bundleFunction,
  bundleManifest,
  type ManifestBundles,
  overBudget,
  TARGETS,
} from "../../bench/bundles";
import { manifest } from "../../manifest";

const outDir = mkdtempSync(path.join(tmpdir(), "kith-budget-"));
let bundles: ManifestBundles;

beforeAll(async () => {
  bundles = await bundleManifest({ outDir });
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

describe("bundle budget", () => {
  it("bundles every manifest function, and the floor", () => {
    const declared = new Set([
      ...manifest.routes.map((route) => route.handler),
      ...manifest.queues.map((queue) => queue.consumer),
      ...manifest.streams.map((stream) => stream.consumer),
      ...manifest.schedules.map((schedule) => schedule.handler),
    ]);
    expect(new Set(bundles.functions.map((fn) => fn.ref))).toEqual(declared);
    // The floor is the SDK alone: nothing of Kith's.
    expect(bundles.floor.packages.map((entry) => entry.name)).not.toContain("@kith/core");
    expect(bundles.floor.bytes).toBeGreaterThan(100 * 1024);
  });

  it("keeps every function within its budget: target × the floor's bytes", () => {
    const problems = overBudget(bundles.functions, bundles.floor.bytes).map(
      (problem) =>
        `${problem.ref} (${problem.kind}) is ${kb(problem.bytes)}, budget ${kb(problem.budget)} ` +
        `(${TARGETS[problem.kind].size}× the floor's ${kb(bundles.floor.bytes)}); heaviest: ` +
        problem.top.map((entry) => `${entry.name} ${kb(entry.bytes)}`).join(", "),
    );
    expect(problems).toEqual([]);
  });

  it("bundles the Lambda credential chain (environment, container), not the SDK's default chain", () => {
    for (const fn of bundles.functions) {
      const names = fn.packages.map((entry) => entry.name);
      expect(names, fn.ref).not.toContain("@aws-sdk/credential-provider-sso");
      expect(names, fn.ref).not.toContain("@aws-sdk/credential-provider-ini");
      expect(names, fn.ref).not.toContain("@aws-sdk/nested-clients");
    }
    expect(bundles.floor.packages.map((entry) => entry.name)).toContain("@aws-sdk/credential-provider-ini");
  });

  it("keeps the KMS, SSM, provider SDKs and syncer clients out of functions that do not use them", () => {
    // KMS and SSM are called through the SDK's signer (packages/core/src/aws), never their clients.
    const allowed: Record<string, RegExp> = {
      "@aws-sdk/client-kms": /^$/,
      "@aws-sdk/client-ssm": /^$/,
      // `@linear/sdk/webhooks` verifies Linear's signatures.
      "@linear/sdk": /^functions\/webhooks\/linear\.handler$/,
      "@workos-inc/node": /^functions\/(queues\/directory-sync|schedules\/directory-reconcile)\.handler$/,
      // Each OAuth callback and each provider's syncer carries its own provider's clients only; the
      // mailbox routes that may talk to either provider carry both.
      "google-auth-library":
        /^functions\/(oauth\/google-callback|http\/(connect|update|disconnect)-mailbox|queues\/sync-google)\.handler$/,
      "@azure/msal-node":
        /^functions\/(oauth\/microsoft-callback|http\/(connect|update|disconnect)-mailbox|queues\/sync-microsoft)\.handler$/,
      "@microsoft/microsoft-graph-client":
        /^functions\/(oauth\/microsoft-callback|http\/(connect|update|disconnect)-mailbox|queues\/sync-microsoft)\.handler$/,
      "@googleapis/gmail": /^functions\/queues\/sync-google\.handler$/,
      "@googleapis/calendar": /^functions\/queues\/sync-google\.handler$/,
      "googleapis-common": /^functions\/queues\/sync-google\.handler$/,
      // The syncers' breakers, and Findem's in the enrichment consumer.
      opossum: /^functions\/queues\/(sync-(google|microsoft)|enrichment)\.handler$/,
    };
    const misplaced = bundles.functions.flatMap((fn) =>
      fn.packages
        .filter((entry) => allowed[entry.name] !== undefined && !allowed[entry.name]?.test(fn.ref))
        .map((entry) => `${fn.ref}: ${entry.name}`),
    );
    expect(misplaced).toEqual([]);
  });

  it("fails a function that imports something heavy (zod's classic build)", async () => {
    const heavy = await bundleFunction("test/stacks/fixtures/heavy-import.handler", outDir);
    const problems = overBudget([{ ...heavy, kind: "http" }], bundles.floor.bytes);
    expect(problems).toEqual([
      expect.objectContaining({
        ref: "test/stacks/fixtures/heavy-import.handler",
        budget: budgetBytes("http", bundles.floor.bytes),
      }),
    ]);
    expect(problems[0]?.top.map((entry) => entry.name)).toContain("zod");
  });
});
