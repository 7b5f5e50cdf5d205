import type { EnrichmentProvider } from "./provider";

/**
 * Whether this deployment enriches: `KITH_ENRICHMENT=findem` (a deploy sets it, with the
 * `FINDEM_API_KEY` secret), or a Findem key in the environment (the local runtime, tests), unless
 * `KITH_ENRICHMENT=off`. Strength activates the enrichment clauses only then. An SST secret binding
 * alone does not count: it exists whether or not the secret was ever set. Kept apart from the
 * client so strength can ask without loading it.
 */
export function enrichmentConfigured(): boolean {
  if (override !== undefined) return override !== null;
  const mode = process.env.KITH_ENRICHMENT;
  if (mode === "off") return false;
  return mode === "findem" || Boolean(process.env.FINDEM_API_KEY);
}

let override: EnrichmentProvider | null | undefined;

/** Tests and benchmarks bring their own provider; null means none is configured; undefined restores the default. */
export function useProviderForTests(provider: EnrichmentProvider | null | undefined): void {
  override = provider;
}

export function providerOverride(): EnrichmentProvider | null | undefined {
  return override;
}
