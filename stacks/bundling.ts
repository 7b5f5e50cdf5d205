import type { NodeJSProps } from "sst/constructs";

/**
 * How every function is bundled for Lambda: ESM, minified, with sourcemaps, the AWS SDK bundled
 * (SST's behaviour for ESM). One addition: the SDK's default credential chain is replaced by
 * `@kith/core/lambda-credentials` (environment credentials, then a container credentials endpoint),
 * the only links a Lambda ever uses; see docs/decisions.md, "Lean cold starts". Only bundles see
 * the alias: the local runtime and tests run the sources with the SDK's own chain.
 *
 * `bench/bundles.ts` bundles with these same props, so its figures are the deployed bundles'.
 */
export const LAMBDA_ESBUILD_ALIAS: Readonly<Record<string, string>> = {
  "@aws-sdk/credential-provider-node": "@kith/core/lambda-credentials",
};

export const FUNCTION_NODEJS = {
  format: "esm",
  minify: true,
  sourcemap: true,
  esbuild: { alias: { ...LAMBDA_ESBUILD_ALIAS } },
} as const satisfies NodeJSProps;
