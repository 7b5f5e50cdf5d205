import * as z from "zod/mini";
import { defineEvent } from "../events/define";
import { ProviderSchema } from "./schemas";

/** Domain events of the integrations module. */

export const IntegrationCreated = defineEvent(
  "integration.created",
  z.object({ integrationId: z.string(), provider: ProviderSchema, externalTenantId: z.string() }),
  "A provider tenant was connected to the org.",
);

export const IntegrationDeleted = defineEvent(
  "integration.deleted",
  z.object({ integrationId: z.string(), provider: ProviderSchema, actor: z.string() }),
  "An integration was disconnected; its webhooks are no longer routed to the org.",
);

export const all = [IntegrationCreated, IntegrationDeleted] as const;
