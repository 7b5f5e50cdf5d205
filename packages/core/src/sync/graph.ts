import { Client, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import type { StepContext } from "./syncer";

/**
 * Microsoft Graph for one job, at `MICROSOFT_GRAPH_URL`. The client only sends the token to Graph
 * hosts or `customHosts` (host names, no ports), so a configured URL's host is added. Its retry
 * middleware is off for every request: retries go through the job's guard, which counts them.
 */

export function graphBaseUrl(): string {
  return (process.env.MICROSOFT_GRAPH_URL || "https://graph.microsoft.com").replace(/\/+$/, "");
}

export function graphClient(accessToken: string): Client {
  return Client.init({
    authProvider: (done) => done(null, accessToken),
    baseUrl: `${graphBaseUrl()}/`,
    customHosts: new Set([new URL(graphBaseUrl()).hostname]),
    fetchOptions: { signal: AbortSignal.timeout(60_000) },
  });
}

export async function graphFor(context: StepContext): Promise<Client> {
  const token = await context.accessToken();
  const key = `graph:${token}`;
  let client = context.memo.get(key) as Client | undefined;
  if (!client) {
    client = graphClient(token);
    context.memo.set(key, client);
  }
  return client;
}

/** The Graph client's retry middleware, off: the job's guard retries, and counts what it retries. */
export const NO_RETRIES = new RetryHandlerOptions(0, 0);

/** Delta pages of up to 999 items; Graph's default is 10, and it must be asked for on every page. */
export const PAGE_PREFERENCE = 'odata.maxpagesize=999, outlook.timezone="UTC"';

export interface DeltaPage<T> {
  value: (T & { "@removed"?: { reason?: string } })[];
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

/** One delta page: an initial path with its query, or a next/delta link Graph handed out. */
export async function deltaPage<T>(
  context: StepContext,
  client: Client,
  method: string,
  pathOrLink: string,
): Promise<DeltaPage<T>> {
  return context.calls.call(method, () =>
    client.api(pathOrLink).header("Prefer", PAGE_PREFERENCE).middlewareOptions([NO_RETRIES]).get(),
  );
}

/** `{emailAddress: {address}}` to the address. */
export function addressOf(
  recipient: { emailAddress?: { address?: string | null } | null } | null | undefined,
) {
  return recipient?.emailAddress?.address ?? undefined;
}
