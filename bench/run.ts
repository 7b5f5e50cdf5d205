export {};

/**
 * `npm run bench` runs every benchmark; `npm run bench -- startup` runs one. Benchmarks print
 * figures; nothing here asserts a time.
 */
const benchmarks: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  startup: () => import("./startup"),
  identity: () => import("./identity"),
  webhooks: () => import("./webhooks"),
  bundles: () => import("./bundles"),
  mailbox: () => import("./mailbox"),
  backfill: () => import("./backfill"),
  rollup: () => import("./rollup"),
  scoring: () => import("./scoring"),
  enrichment: () => import("./enrichment"),
  "dynamo-streams": () => import("./dynamo-streams"),
};

const selected = process.argv.slice(2);
const unknown = selected.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${Object.keys(benchmarks).join(", ")}`);
  process.exit(2);
}
for (const name of selected.length > 0 ? selected : Object.keys(benchmarks)) {
  const module = await benchmarks[name]?.();
  await module?.run();
}
