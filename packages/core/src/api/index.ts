import { domainEvents } from "../catalog";
import { buildDocument } from "../openapi";
import { routes } from "../routes";

/**
 * The public HTTP API as an OpenAPI 3.1 document, built from the route declarations themselves
 * (`routes`): the same objects the manifest wires and the handlers validate with. The domain events
 * Kith publishes are listed too (`x-domain-events`), from their definitions.
 */

let cached: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document, built once per process. */
export function document(): Record<string, unknown> {
  cached ??= buildDocument(
    routes,
    {
      title: "Kith API",
      version: "1",
      description:
        "Who is this person across our tools, and who on our team knows them. Errors are " +
        '`{"error": {"code", "message", "details"}}`; lists take `limit` and `cursor`. The domain events ' +
        "Kith puts on its EventBridge bus are listed under `x-domain-events`.",
    },
    domainEvents.definitions.map((definition) => ({
      type: definition.type,
      description: definition.description,
      schema: definition.schema,
    })),
  );
  return cached;
}

export * as Routes from "./routes";
