import { randomBytes } from "node:crypto";
import { readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";

/** The console package's root, and where its build lands. */
export const CONSOLE_ROOT = path.resolve(import.meta.dirname, "..");
export const CONSOLE_DIST = path.join(CONSOLE_ROOT, "dist");

/** What the build reads: a change to any of them makes `dist/` stale. */
const SOURCES = ["src", "index.html", "vite.config.ts", "package.json"];

/** The newest modification time (ms) under `target`, a file or a folder; 0 when it is missing. */
async function newestMtime(target: string): Promise<number> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(target, { withFileTypes: true });
  const times = await Promise.all(entries.map((entry) => newestMtime(path.join(target, entry.name))));
  return Math.max(info.mtimeMs, ...times);
}

/** Whether `dist/` is missing or older than anything the build reads. */
export async function consoleIsStale(root = CONSOLE_ROOT): Promise<boolean> {
  const built = await stat(path.join(root, "dist", "index.html")).catch(() => undefined);
  if (!built) return true;
  const sources = await Promise.all(SOURCES.map((source) => newestMtime(path.join(root, source))));
  return Math.max(...sources) > built.mtimeMs;
}

/**
 * Builds the console with Vite's JS API when `dist/` is missing or stale, so `npm start` needs no
 * separate build step; otherwise does nothing. The build goes to a private folder that then
 * replaces `dist/`, so two runtimes starting side by side never serve a half-written build.
 * Returns how long the build took, or undefined when none was needed.
 */
export async function ensureConsoleBuilt(
  options: { force?: boolean } = {},
): Promise<{ dist: string; builtInMs?: number }> {
  if (!options.force && !(await consoleIsStale())) return { dist: CONSOLE_DIST };
  const started = Date.now();
  const staging = path.join(CONSOLE_ROOT, `.dist-${process.pid}-${randomBytes(4).toString("hex")}`);
  // Loaded only when a build is needed: Vite is a large import for a runtime that serves files.
  const { build } = await import("vite");
  try {
    await build({
      configFile: path.join(CONSOLE_ROOT, "vite.config.ts"),
      root: CONSOLE_ROOT,
      logLevel: "warn",
      build: { outDir: staging, emptyOutDir: true },
    });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  const previous = `${staging}-old`;
  await rename(CONSOLE_DIST, previous).catch(() => undefined);
  await rename(staging, CONSOLE_DIST).catch(async () => {
    // Another process put its build in place first: same sources, so keep it.
    await rm(staging, { recursive: true, force: true });
  });
  await rm(previous, { recursive: true, force: true });
  return { dist: CONSOLE_DIST, builtInMs: Date.now() - started };
}
