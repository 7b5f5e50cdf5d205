import * as z from "zod/mini";
import { defineRoute } from "../http/route";

export const HealthSchema = z
  .object({ status: z.string(), checks: z.record(z.string(), z.unknown()), stage: z.string() })
  .register(z.globalRegistry, { id: "Health" });

export const getHealth = defineRoute({
  method: "GET",
  path: "/health",
  handler: "functions/http/health.handler",
  auth: "none",
  operationId: "getHealth",
  summary: "Health of the API and its table",
  tags: ["system"],
  responses: {
    200: { description: "Healthy", schema: HealthSchema },
    503: { description: 'The table is unreachable: the same body as 200, with status "degraded"' },
  },
});

export const all = [getHealth] as const;
