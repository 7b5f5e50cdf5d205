import { execFile } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join, posix, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { type Manifest, manifest, parseHandlerRef, type SubscriptionDefinition } from "../manifest";
import type * as Esbuild from "../node_modules/sst/node_modules/esbuild/lib/main.js";
import { FUNCTION_NODEJS } from "../stacks/bundling";

/**
 * What a cold start pays for (issue "Lean cold starts"): every function the manifest declares,
 * bundled exactly as SST 2.49.8 bundles it for `sst deploy` with the app's default props
 * (sst.config.ts: `FUNCTION_NODEJS` from stacks/bundling.ts, nodejs22.x, arm64), next to a FLOOR
 * bundle (bench/floor-handler.ts: a document client and one GetCommand, with the SDK's default
 * credential chain) built in the same run with SST's stock props (no app alias). Per function: the minified .mjs in bytes (its sourcemap apart), the median time of
 * `await import()` of the bundle in fresh Node processes (timed inside the child with
 * `performance.now()`), the child's RSS after the import, both as ratios to the floor and checked
 * against the issue's target for the function's kind, and the packages that weigh most in it
 * (esbuild's metafile, bytes in the output).
 *
 * Import times are sequential (one child at a time, the functions interleaved round by round) so
 * that children do not compete for the CPU; they are figures for this machine, the ratios are what
 * the targets check.
 *
 * Also a library: `bundleManifest()` returns each function's bytes without timing anything, and
 * `overBudget()` checks them, for test/stacks/budget.stack.test.ts; `measureBundles()` returns the
 * whole report.
 *
 * Environment: BENCH_BUNDLE_RUNS (fresh processes per bundle, default 5), BENCH_BUNDLE_DIR (where
 * the bundles are written, default .bench/bundles, emptied first), BENCH_BUNDLE_SEPARATE=1 (one
 * esbuild build per function, as SST runs them, instead of one build for all: same bytes, slower).
 */

const ROOT = resolve(import.meta.dirname, "..");
const FLOOR_REF = "bench/floor-handler.handler";
const DEFAULT_OUT_DIR = join(ROOT, ".bench", "bundles");

export type FunctionKind =
  | "http"
  | "webhook"
  | "queue"
  | "schedule"
  | "subscriber"
  | "stream"
  | "syncer"
  | "provider";

/**
 * Manifest files whose functions are classified `syncer` whatever declares them (their target is
 * looser: they fetch a provider's directory). Matched against the handler file without extension.
 */
export const SYNCER_PATTERNS: readonly RegExp[] = [/^functions\/queues\/sync-[^/]+$/];

/**
 * Manifest files whose functions carry a mail provider's OAuth client (google-auth-library, MSAL
 * and the Graph client), as the syncers will: the OAuth callbacks and the mailbox routes that
 * build an authorize URL or revoke a grant. Their target is the syncers' (docs/decisions.md,
 * "Mailbox connections").
 */
export const PROVIDER_CLIENT_PATTERNS: readonly RegExp[] = [
  /^functions\/oauth\/[^/]+$/,
  /^functions\/http\/(connect|update|disconnect)-mailbox$/,
];

/** The issue's targets, as ratios to the floor measured in the same run. */
export const TARGETS: Record<FunctionKind, { size: number; time: number }> = {
  webhook: { size: 1.3, time: 1.5 },
  http: { size: 1.3, time: 1.5 },
  queue: { size: 2, time: 2 },
  schedule: { size: 2, time: 2 },
  // Not in the issue: an event-bus subscriber or a stream consumer runs off the request path, like a queue consumer.
  subscriber: { size: 2, time: 2 },
  stream: { size: 2, time: 2 },
  syncer: { size: 3, time: 3 },
  // Not in the issue: a function that carries a provider's OAuth client weighs what a syncer does.
  provider: { size: 3, time: 3 },
};

/** A function's size budget in bytes: its kind's size target times the floor's bytes in the same run. */
export function budgetBytes(kind: FunctionKind, floorBytes: number): number {
  return Math.floor(TARGETS[kind].size * floorBytes);
}

export interface BudgetProblem {
  ref: string;
  kind: FunctionKind;
  bytes: number;
  budget: number;
  /** The heaviest packages, to say where to look. */
  top: PackageBytes[];
}

/** Every function over its size budget (the stack test's check; `[]` when all fit). */
export function overBudget(
  functions: readonly (Pick<ManifestFunction, "ref" | "kind"> & Pick<BundleResult, "bytes" | "packages">)[],
  floorBytes: number,
): BudgetProblem[] {
  return functions.flatMap((fn) => {
    const budget = budgetBytes(fn.kind, floorBytes);
    return fn.bytes > budget
      ? [{ ref: fn.ref, kind: fn.kind, bytes: fn.bytes, budget, top: fn.packages.slice(0, 5) }]
      : [];
  });
}

export interface ManifestFunction {
  /** The manifest's handler reference, `functions/http/get-user.handler`. */
  ref: string;
  kind: FunctionKind;
}

/** Every function the manifest declares (a reference declared twice is one function here). */
export function manifestFunctions(source: Manifest = manifest): ManifestFunction[] {
  const declared: ManifestFunction[] = [
    ...source.routes.map((route) => ({
      ref: route.handler,
      kind: (route.auth === "webhook" ? "webhook" : "http") as FunctionKind,
    })),
    ...source.queues.map((queue) => ({ ref: queue.consumer, kind: "queue" as const })),
    ...source.streams.map((stream) => ({ ref: stream.consumer, kind: "stream" as const })),
    ...source.schedules.map((schedule) => ({ ref: schedule.handler, kind: "schedule" as const })),
    ...(source.subscriptions as readonly SubscriptionDefinition[]).flatMap((subscription) =>
      "handler" in subscription.target
        ? [{ ref: subscription.target.handler, kind: "subscriber" as const }]
        : [],
    ),
  ];
  const byRef = new Map<string, ManifestFunction>();
  for (const fn of declared) {
    const { file } = parseHandlerRef(fn.ref);
    const kind = SYNCER_PATTERNS.some((pattern) => pattern.test(file))
      ? "syncer"
      : PROVIDER_CLIENT_PATTERNS.some((pattern) => pattern.test(file))
        ? "provider"
        : fn.kind;
    if (!byRef.has(fn.ref)) byRef.set(fn.ref, { ref: fn.ref, kind });
  }
  return [...byRef.values()];
}

type EsbuildApi = typeof Esbuild;
let esbuildApi: EsbuildApi | undefined;
/** The esbuild SST itself depends on (0.18.13 for SST 2.49.8), not the newer one tsx and vitest bring. */
export function sstEsbuild(): EsbuildApi {
  esbuildApi ??= createRequire(createRequire(import.meta.url).resolve("sst/package.json"))(
    "esbuild",
  ) as EsbuildApi;
  return esbuildApi;
}

/** A function's `nodejs` props, as SST reads them (`format`, `minify`, `sourcemap`, `esbuild`). */
export interface NodejsProps {
  format: "esm";
  minify: boolean;
  sourcemap: boolean;
  esbuild?: Readonly<Omit<Esbuild.BuildOptions, "alias">> & { alias?: Readonly<Record<string, string>> };
}

/**
 * The floor's props: SST's stock ESM bundling with no app-specific esbuild option, so the floor is
 * the bare document client with the SDK's default credential chain, as the issue measured it.
 */
export const STOCK_NODEJS: NodejsProps = { format: "esm", minify: true, sourcemap: true };

/**
 * SST's esbuild options for one nodejs function, copied from
 * node_modules/sst/runtime/handlers/node.js (`useNodeHandler().build`), with what `sst deploy`
 * (mode "deploy") makes of the given `nodejs` props (the app's, `FUNCTION_NODEJS` in
 * stacks/bundling.ts, by default): `format` "esm", `minify`, `sourcemap`, and `esbuild` spread
 * last (its `external` appended to SST's). No `install`, `loader`, `banner` or `splitting`.
 * `@aws-sdk/*` is NOT external: SST only forces `aws-sdk` (v2) external for CJS on nodejs16.x, so
 * the v3 SDK is bundled into every function. Additions: `absWorkingDir` (SST runs esbuild in the
 * project root, its cwd; this pins the same directory for any cwd) and `write: true` (esbuild's
 * default, spelled out). The .mjs written is byte for byte the one SST's own build
 * (stacks/bundle.stack.test.ts) left in .sst/artifacts, for every function compared.
 */
export function sstEsbuildOptions(
  entry: string,
  outfile: string,
  nodejs: NodejsProps = FUNCTION_NODEJS,
): Esbuild.BuildOptions {
  const { external, ...override } = nodejs.esbuild ?? {};
  return {
    entryPoints: [entry],
    platform: "node",
    // forceExternal: ["sharp", "pg-native"] (+ "aws-sdk" only for CJS on nodejs16.x); no install.
    external: ["sharp", "pg-native", ...(external ?? [])],
    loader: undefined,
    keepNames: true,
    bundle: true,
    logLevel: "silent",
    splitting: undefined,
    metafile: true,
    outExtension: undefined,
    format: "esm",
    target: "esnext",
    mainFields: ["module", "main"],
    banner: {
      js: [
        `import { createRequire as topLevelCreateRequire } from 'module';`,
        `const require = topLevelCreateRequire(import.meta.url);`,
        `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
        `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
        "",
      ].join("\n"),
    },
    outfile,
    outdir: undefined,
    // "start" mode: "linked"; nodejs.sourcemap === false: false; otherwise true.
    sourcemap: nodejs.sourcemap,
    minify: nodejs.minify,
    ...(override as Esbuild.BuildOptions),
    absWorkingDir: ROOT,
    write: true,
  };
}

export interface PackageBytes {
  /** `zod`, `@aws-sdk/client-ssm`, `@kith/core`, or a folder of the app (`functions/webhooks`). */
  name: string;
  /** Bytes this package contributes to the minified output. */
  bytes: number;
}

export interface BundleResult {
  /** The manifest reference, or `bench/floor-handler.handler` for the floor. */
  ref: string;
  entry: string;
  outfile: string;
  /** The minified .mjs (banner included), without its sourcemap. */
  bytes: number;
  /** The .mjs.map next to it (SST ships it in the function's zip when `nodejs.sourcemap` is true). */
  mapBytes: number;
  /** Every package's bytes in the output, largest first. */
  packages: PackageBytes[];
  /** Wall time of the esbuild build that wrote it (shared by every function of `bundleTogether`). */
  buildMs: number;
}

let workspaceNames: Map<string, string> | undefined;
function workspacePackage(dir: string): string {
  if (!workspaceNames) {
    workspaceNames = new Map();
    for (const name of readdirSync(join(ROOT, "packages"))) {
      try {
        const json = JSON.parse(readFileSync(join(ROOT, "packages", name, "package.json"), "utf8"));
        if (typeof json.name === "string") workspaceNames.set(name, json.name);
      } catch {
        // not a package
      }
    }
  }
  return workspaceNames.get(dir) ?? `packages/${dir}`;
}

/** The package an esbuild input path belongs to (paths are relative to the project root). */
export function packageOf(input: string): string {
  const marker = "node_modules/";
  const at = input.lastIndexOf(marker);
  if (at >= 0) {
    const [first = input, second = ""] = input.slice(at + marker.length).split("/");
    return first.startsWith("@") ? `${first}/${second}` : first;
  }
  const workspace = /^packages\/([^/]+)\//.exec(input);
  if (workspace?.[1]) return workspacePackage(workspace[1]);
  const folder = posix.dirname(input);
  return folder === "." ? input : folder;
}

/** The handler's source file, found as SST finds it (first of these extensions that exists). */
export function entryFile(ref: string): string {
  const { file } = parseHandlerRef(ref);
  const extension = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"].find(
    (ext) => statSync(join(ROOT, file + ext), { throwIfNoEntry: false })?.isFile() ?? false,
  );
  if (!extension) throw new Error(`no file for handler "${ref}"`);
  return file + extension;
}

/** SST's layout: <out>/<handler's folder>/<name>.mjs. */
const outfileFor = (ref: string, outDir: string) => join(outDir, `${parseHandlerRef(ref).file}.mjs`);

type Metafile = NonNullable<Esbuild.BuildResult["metafile"]>;

function describe(
  ref: string,
  outfile: string,
  metafile: Metafile | undefined,
  buildMs: number,
): BundleResult {
  const outputs = metafile?.outputs ?? {};
  const key = Object.keys(outputs).find((path) => resolve(ROOT, path) === outfile);
  const output = key ? outputs[key] : undefined;
  if (!output) throw new Error(`esbuild's metafile has no output ${outfile}`);
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = packageOf(input);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  const packages = [...byPackage]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  return {
    ref,
    entry: entryFile(ref),
    outfile,
    bytes: statSync(outfile).size,
    mapBytes: statSync(`${outfile}.map`, { throwIfNoEntry: false })?.size ?? 0,
    packages,
    buildMs,
  };
}

/**
 * Bundles one handler reference (`path/to/file.export`) into `outDir` with exactly SST's options:
 * one esbuild build per function, as `sst deploy` runs them.
 */
export async function bundleFunction(
  ref: string,
  outDir = DEFAULT_OUT_DIR,
  nodejs: NodejsProps = FUNCTION_NODEJS,
): Promise<BundleResult> {
  const outfile = outfileFor(ref, resolve(outDir));
  const started = performance.now();
  const result = await sstEsbuild().build(sstEsbuildOptions(entryFile(ref), outfile, nodejs));
  return describe(ref, outfile, result.metafile, performance.now() - started);
}

/**
 * Bundles many handler references in ONE esbuild build: SST's options with every entry point, an
 * `outdir` (entries laid out by their folder under the project root, `.mjs`) instead of one
 * `outfile`. Without `splitting` each output is still a self-contained bundle of its own entry, and
 * byte for byte the file `bundleFunction` writes (checked for every manifest function with
 * esbuild 0.18.13); the inputs are parsed once instead of once per function, which is most of
 * the time.
 */
export async function bundleTogether(
  refs: readonly string[],
  outDir = DEFAULT_OUT_DIR,
): Promise<BundleResult[]> {
  const dir = resolve(outDir);
  const entries = [...new Set(refs.map(entryFile))];
  const { outfile: _single, entryPoints: _one, ...options } = sstEsbuildOptions(entries[0] ?? "", "");
  const started = performance.now();
  const result = await sstEsbuild().build({
    ...options,
    entryPoints: entries,
    outdir: dir,
    outbase: ROOT,
    outExtension: { ".js": ".mjs" },
  });
  const buildMs = performance.now() - started;
  return refs.map((ref) => describe(ref, outfileFor(ref, dir), result.metafile, buildMs));
}

export interface ManifestBundles {
  floor: BundleResult;
  functions: (ManifestFunction & BundleResult)[];
  /** Wall time of bundling everything. */
  bundleMs: number;
  outDir: string;
}

/**
 * Bundles the floor (with SST's stock props) and every manifest function (with the app's) into a
 * fresh `outDir`; sizes only, nothing is imported. One esbuild build for all the functions unless
 * `separate` (one build per function, in parallel: SST's invocation exactly, and several times
 * slower).
 */
export async function bundleManifest(
  options: { outDir?: string; source?: Manifest; separate?: boolean } = {},
): Promise<ManifestBundles> {
  const outDir = resolve(options.outDir ?? DEFAULT_OUT_DIR);
  rmSync(outDir, { recursive: true, force: true });
  const functions = manifestFunctions(options.source);
  const refs = functions.map((fn) => fn.ref);
  const started = performance.now();
  const [floor, bundles] = await Promise.all([
    bundleFunction(FLOOR_REF, outDir, STOCK_NODEJS),
    options.separate
      ? Promise.all(refs.map((ref) => bundleFunction(ref, outDir)))
      : bundleTogether(refs, outDir),
  ]);
  const bundleMs = performance.now() - started;
  return {
    floor,
    functions: functions.map((fn, index) => ({ ...fn, ...(bundles[index] as BundleResult) })),
    bundleMs,
    outDir,
  };
}

const execFileAsync = promisify(execFile);

/**
 * What the child runs: the import alone is timed, and RSS read right after it. It exits at once so
 * that a timer or socket opened at import cannot keep it alive.
 */
const CHILD_SCRIPT = [
  "const started = performance.now();",
  "await import(process.env.KITH_BENCH_BUNDLE_URL);",
  "const importMs = performance.now() - started;",
  "process.stdout.write(JSON.stringify({ importMs, rss: process.memoryUsage().rss }));",
  "process.exit(0);",
].join("\n");

/**
 * The child's environment: what Lambda sets that SDK clients and loggers read at import, and
 * nothing inherited (no NODE_OPTIONS, no NODE_COMPILE_CACHE). Nothing here reaches AWS.
 */
const CHILD_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? "",
  AWS_REGION: "us-east-1",
  AWS_DEFAULT_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_LAMBDA_FUNCTION_NAME: "kith-bench-bundles",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024",
  AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
  KITH_STAGE: "bench",
  KITH_TABLE_NAME: "kith-bench-bundles",
};

export interface ImportSample {
  importMs: number;
  rssBytes: number;
}

/** One fresh Node process (this process's Node) that imports the bundle. */
export async function importOnce(outfile: string): Promise<ImportSample> {
  const { stdout } = await execFileAsync(process.execPath, ["--input-type=module", "-e", CHILD_SCRIPT], {
    env: { ...CHILD_ENV, KITH_BENCH_BUNDLE_URL: pathToFileURL(outfile).href },
    cwd: dirname(outfile),
    timeout: 60_000,
  });
  const parsed = JSON.parse(stdout) as { importMs: number; rss: number };
  return { importMs: parsed.importMs, rssBytes: parsed.rss };
}

/** RSS of `node -e 1` (this process's Node), printing its own figure. */
async function baselineRss(): Promise<number> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ["-e", "process.stdout.write(String(process.memoryUsage().rss))"],
    { env: CHILD_ENV },
  );
  return Number(stdout);
}

const median = (samples: readonly number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

export interface ImportFigures {
  /** Median of the runs. */
  importMs: number;
  rssBytes: number;
  samples: ImportSample[];
  /** Set when the bundle failed to import; the figures are then 0. */
  error?: string;
}

export interface FunctionReport extends ManifestFunction, BundleResult {
  imports: ImportFigures;
  sizeRatio: number;
  timeRatio: number;
  target: { size: number; time: number };
  met: boolean;
}

export interface BundlesReport {
  nodeVersion: string;
  esbuildVersion: string;
  runs: number;
  bundleMs: number;
  outDir: string;
  /** Median RSS of `node -e 1`. */
  baselineRssBytes: number;
  floor: BundleResult & { imports: ImportFigures };
  functions: FunctionReport[];
}

/** Bundles everything, then imports each bundle `runs` times, one process at a time. */
export async function measureBundles(
  options: { outDir?: string; source?: Manifest; separate?: boolean; runs?: number } = {},
): Promise<BundlesReport> {
  const runs = options.runs ?? 5;
  const bundles = await bundleManifest(options);
  const targets = [bundles.floor, ...bundles.functions];
  const samples = targets.map(() => [] as ImportSample[]);
  const errors = new Map<number, string>();
  const baseline: number[] = [];
  for (let round = 0; round < runs; round++) {
    baseline.push(await baselineRss());
    for (const [index, bundle] of targets.entries()) {
      if (errors.has(index)) continue;
      try {
        samples[index]?.push(await importOnce(bundle.outfile));
      } catch (error) {
        const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
        errors.set(index, (stderr.split("\n").find((line) => /Error/.test(line)) ?? String(error)).trim());
      }
    }
  }
  const figures = (index: number): ImportFigures => {
    const own = samples[index] ?? [];
    const error = errors.get(index);
    return {
      importMs: error ? 0 : median(own.map((sample) => sample.importMs)),
      rssBytes: error ? 0 : median(own.map((sample) => sample.rssBytes)),
      samples: own,
      ...(error ? { error } : {}),
    };
  };
  const floor = { ...bundles.floor, imports: figures(0) };
  const functions = bundles.functions.map((fn, index): FunctionReport => {
    const imports = figures(index + 1);
    const sizeRatio = fn.bytes / floor.bytes;
    const timeRatio = imports.error ? Number.NaN : imports.importMs / floor.imports.importMs;
    const target = TARGETS[fn.kind];
    return {
      ...fn,
      imports,
      sizeRatio,
      timeRatio,
      target,
      met: !imports.error && sizeRatio <= target.size && timeRatio <= target.time,
    };
  });
  return {
    nodeVersion: process.version,
    esbuildVersion: sstEsbuild().version,
    runs,
    bundleMs: bundles.bundleMs,
    outDir: bundles.outDir,
    baselineRssBytes: median(baseline),
    floor,
    functions,
  };
}

const kb = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString("en-US")} KB`;
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const ratio = (value: number) => (Number.isNaN(value) ? "-" : `${value.toFixed(2)}×`);
const label = (ref: string) => {
  const { file, exportName } = parseHandlerRef(ref);
  const name = file.replace(/^functions\//, "");
  return exportName === "handler" ? name : `${name}.${exportName}`;
};
function spread(imports: ImportFigures): string {
  if (imports.error) return "-";
  const times = imports.samples.map((sample) => sample.importMs);
  return `${Math.round(Math.min(...times))}–${Math.round(Math.max(...times))}`;
}

/** Prints columns left-aligned, numbers right-aligned (columns whose header starts with a space). */
function printColumns(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((title, column) =>
    Math.max(title.trim().length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return header[column]?.startsWith(" ") ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  console.log(format(header.map((title) => title.trim())));
  for (const row of rows) console.log(format(row));
}

export function printReport(report: BundlesReport): void {
  const { floor } = report;
  const header = [
    "function",
    "kind",
    " size",
    " ×floor",
    " map",
    " import ms",
    " min–max",
    " ×floor",
    " RSS",
    "target (size, time)",
  ];
  const rows: string[][] = [
    [
      "FLOOR (bench/floor-handler)",
      "floor",
      kb(floor.bytes),
      "1.00×",
      kb(floor.mapBytes),
      floor.imports.error ? "error" : floor.imports.importMs.toFixed(0),
      spread(floor.imports),
      "1.00×",
      floor.imports.error ? "-" : mb(floor.imports.rssBytes),
      "",
    ],
    ...report.functions.map((fn) => [
      label(fn.ref),
      fn.kind,
      kb(fn.bytes),
      ratio(fn.sizeRatio),
      kb(fn.mapBytes),
      fn.imports.error ? "error" : fn.imports.importMs.toFixed(0),
      spread(fn.imports),
      ratio(fn.timeRatio),
      fn.imports.error ? "-" : mb(fn.imports.rssBytes),
      `≤ ${fn.target.size}×, ≤ ${fn.target.time}×  ${fn.met ? "ok" : "MISSED"}`,
    ]),
  ];
  printColumns(header, rows);
  for (const fn of [floor, ...report.functions]) {
    if (fn.imports.error) console.log(`import failed: ${label(fn.ref)}: ${fn.imports.error}`);
  }
  const met = report.functions.filter((fn) => fn.met).length;
  console.log(
    `node -e 1 RSS ${mb(report.baselineRssBytes)} (median of ${report.runs}); ` +
      `targets met ${met}/${report.functions.length}`,
  );
  console.log("\ntop 5 packages by bytes in the minified output:");
  const width = Math.max(...[floor, ...report.functions].map((fn) => label(fn.ref).length), "FLOOR".length);
  for (const fn of [floor, ...report.functions]) {
    const name = fn === floor ? "FLOOR" : label(fn.ref);
    const top = fn.packages.slice(0, 5).map((entry) => `${entry.name} ${kb(entry.bytes)}`);
    console.log(`${name.padEnd(width)}  ${top.join(", ")}`);
  }
}

export async function run(): Promise<void> {
  const runs = Number(process.env.BENCH_BUNDLE_RUNS ?? 5);
  const outDir = process.env.BENCH_BUNDLE_DIR;
  const separate = process.env.BENCH_BUNDLE_SEPARATE === "1";
  if (Number(process.versions.node.split(".")[0]) < 22) {
    console.warn(`warning: Node ${process.version}; Lambda runs nodejs22.x (run through npm run bench)`);
  }
  const report = await measureBundles({ runs, separate, ...(outDir ? { outDir } : {}) });
  console.log(
    `bundles as SST 2.49.8 deploys them (esbuild ${report.esbuildVersion}: esm, esnext, minify, sourcemap, ` +
      `@aws-sdk bundled; functions with the app's alias ${JSON.stringify(FUNCTION_NODEJS.esbuild.alias)}, ` +
      `the floor with SST's stock props); ${report.functions.length} functions + floor bundled in ` +
      `${(report.bundleMs / 1000).toFixed(1)} s (${separate ? "one build each" : "one build"}) into ` +
      `${relative(process.cwd(), report.outDir) || "."}`,
  );
  console.log(
    `import: median of ${report.runs} fresh ${report.nodeVersion} processes each (await import(), ` +
      "timed in the child), RSS after the import; ratios to the floor; KB = 1024 bytes; " +
      `load average ${loadavg()
        .map((load) => load.toFixed(1))
        .join(" ")} on ${availableParallelism()} CPUs\n`,
  );
  printReport(report);
}
