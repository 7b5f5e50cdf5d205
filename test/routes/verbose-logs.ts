/**
 * Imported first by a route test that reads every log line (to prove a secret never reaches one):
 * everything is logged, and written lines are kept in `capturedLog`.
 */
process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";

export const capturedLog: string[] = [];
for (const stream of [process.stdout, process.stderr]) {
  // Kept, not printed: DEBUG output of a whole file would bury the results.
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    capturedLog.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    const done = rest.at(-1);
    if (typeof done === "function") done();
    return true;
  }) as typeof stream.write;
}
