import { httpHandler } from "@kith/core/lambda";

/**
 * The webhook benchmark's baseline: a route through the same handler kit (middleware, raw-body
 * capture, JSON parsing, error mapping) that does nothing. Mounted only by `bench/webhooks.ts`.
 */
export const handler = httpHandler({ auth: "none" }, async () => ({ status: 200, body: { received: true } }));
