import { ensureConsoleBuilt } from "@kith/console/tools/build";
import { log } from "./log";

/**
 * The admin console for `npm start`: built with Vite when `packages/console/dist` is missing or older
 * than its sources (one log line with the time it took), then served by the gateway at `/`. A failed
 * build is logged and never stops the runtime: the API runs without the console.
 */
export async function prepareConsole(): Promise<string | undefined> {
  try {
    const { dist, builtInMs } = await ensureConsoleBuilt();
    if (builtInMs !== undefined) log("info", `console: built packages/console/dist in ${builtInMs} ms`);
    return dist;
  } catch (error) {
    log("warn", "console: the build failed; the API runs without the console", {
      error: (error as Error).message,
    });
    return undefined;
  }
}
