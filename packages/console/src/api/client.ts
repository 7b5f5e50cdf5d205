import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

const TOKEN_KEY = "kith.token";

/** The bearer token lives in session storage only: never in a URL, gone when the tab closes. */
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

/**
 * Same origin locally (the runtime's gateway serves the console), the API's URL in AWS, set at
 * build time by stacks/console.ts.
 */
const baseUrl = (import.meta.env.VITE_KITH_API_URL ?? "").replace(/\/$/, "");

const bearer: Middleware = {
  onRequest({ request }) {
    const token = session.token();
    if (token) request.headers.set("authorization", `Bearer ${token}`);
    return request;
  },
};

/** The typed client: paths, parameters, bodies and answers all come from the generated schema. */
export const api = createClient<paths>({ baseUrl });
api.use(bearer);

/** An API error, carrying the API's own message (`{"error": {"code", "message"}}`). */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Unwraps an openapi-fetch result: the data, or an {@link ApiError} with the API's message. The
 * gateway's own answers (an unknown route) are `{"message"}`, so that form is read too.
 */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: Awaited<typeof request>;
  try {
    result = await request;
  } catch (error) {
    throw new ApiError(0, "network_error", `The API could not be reached: ${(error as Error).message}`);
  }
  const { data, error, response } = result;
  if (error !== undefined || !response.ok) {
    const body = error as { error?: { code?: string; message?: string }; message?: string } | undefined;
    throw new ApiError(
      response.status,
      body?.error?.code ?? "http_error",
      body?.error?.message ?? body?.message ?? `${response.status} ${response.statusText}`,
    );
  }
  return data as T;
}
