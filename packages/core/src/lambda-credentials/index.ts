import { fromEnv } from "@aws-sdk/credential-provider-env";
import { fromHttp } from "@aws-sdk/credential-provider-http";
import { CredentialsProviderError, chain, memoize } from "@smithy/core/config";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/**
 * The credential chain of a Kith Lambda, bundled in place of `@aws-sdk/credential-provider-node`
 * (an esbuild `alias` in the app's function props, `stacks/bundling.ts`). Lambda hands a function
 * its role's credentials in the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`), so the SDK's default chain only ever uses its first link there; the rest
 * (SSO, shared ini files, credential processes, web identity, IMDS, and the STS and SSO clients
 * they import) is about 95 KB in every bundle that no Lambda runs. A container credentials
 * endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI` or `_RELATIVE_URI`), which some Lambda compute
 * options use instead, is the second link, as in the default chain.
 *
 * Outside Lambda nothing is bundled and the SDK's own default chain is used, unchanged (the local
 * runtime, tests, scripts). Exports what `@aws-sdk/credential-provider-node` exports.
 */

type ProviderInit = Parameters<typeof fromEnv>[0] & Parameters<typeof fromHttp>[0];

const CONTAINER_URIS = ["AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"];

export const credentialsWillNeedRefresh = (credentials?: AwsCredentialIdentity) =>
  credentials?.expiration !== undefined;

/** Refreshed five minutes before they expire, as the default chain does. */
export const credentialsTreatedAsExpired = (credentials?: AwsCredentialIdentity) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;

export const defaultProvider = (init: ProviderInit = {}): AwsCredentialIdentityProvider =>
  memoize(
    chain(fromEnv(init), async () => {
      if (!CONTAINER_URIS.some((name) => process.env[name])) {
        throw new CredentialsProviderError(
          "No credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and no container credentials endpoint",
          { tryNextLink: false },
        );
      }
      return fromHttp(init)();
    }),
    credentialsTreatedAsExpired,
    credentialsWillNeedRefresh,
  );
