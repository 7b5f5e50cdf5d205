import { defineConfig } from "vite";

/**
 * The console is a static single-page app. Locally the runtime's gateway serves `dist/` on the API's
 * own origin (relative URLs); in AWS, `stacks/console.ts` builds it with `VITE_KITH_API_URL` set to
 * the API's URL. Preact's automatic JSX runtime, no framework plugin needed.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  logLevel: "warn",
});
