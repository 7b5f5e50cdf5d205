import type { WorkOSSandbox } from "@kith/sandbox";
import { signWorkOSWebhook } from "@kith/sandbox";
import type { LocalResponse, LocalRoute } from "./gateway";
import type { HealthReport } from "./health";
import type { LocalScheduler } from "./scheduler";

/** What the `/_local` routes reach into: the runtime's own parts, never a handler. */
export interface LocalRouteContext {
  health: () => Promise<HealthReport>;
  scheduler: LocalScheduler;
  workos: WorkOSSandbox | undefined;
  /** The gateway's own URL, for a route that delivers a webhook to it. */
  gatewayUrl: () => string;
}

const error = (
  status: number,
  code: string,
  message: string,
  details?: Record<string, string>,
): LocalResponse => ({
  status,
  body: { error: { code, message, ...(details ? { details } : {}) } },
});

/** The runtime's own routes under `/_local` (docs/api.md lists them). They are never deployed. */
export function localRoutes(context: LocalRouteContext): LocalRoute[] {
  return [
    {
      method: "GET",
      path: "/_local/health",
      handle: async () => {
        const report = await context.health();
        return { status: report.status === "ok" ? 200 : 503, body: report };
      },
    },
    {
      // Plays WorkOS: creates an organization in the sandbox directory and delivers its signed
      // webhook to this gateway, so the whole directory sync path can be watched locally.
      method: "POST",
      path: "/_local/workos/organizations",
      handle: async (_request, body) => {
        const workos = context.workos;
        if (!workos) return error(409, "sandbox_off", "WORKOS_API_KEY is set: real WorkOS is used");
        let input: { name?: unknown; externalId?: unknown } = {};
        try {
          input = JSON.parse(body.toString("utf8") || "{}");
        } catch {
          // Reported as a missing name below.
        }
        if (typeof input.name !== "string" || input.name.trim() === "") {
          return error(400, "invalid_input", "name is required", { name: "required" });
        }
        const organization = workos.createOrganization({
          name: input.name,
          externalId: typeof input.externalId === "string" ? input.externalId : null,
        });
        const signed = signWorkOSWebhook(
          workos.events().at(-1) ?? {},
          process.env.WORKOS_WEBHOOK_SECRET ?? "",
        );
        const delivered = await fetch(`${context.gatewayUrl()}/webhooks/workos`, {
          method: "POST",
          headers: signed.headers,
          body: signed.body,
        });
        return { status: 201, body: { organization, webhookStatus: delivered.status } };
      },
    },
    {
      method: "POST",
      path: "/_local/schedules/{name}",
      handle: async (_request, _body, parameters) => {
        const name = parameters.name ?? "";
        if (!context.scheduler.has(name)) return error(404, "not_found", `no schedule ${name}`);
        try {
          await context.scheduler.fire(name);
          return { status: 200, body: { name, fired: true } };
        } catch (failure) {
          return error(502, "schedule_failed", (failure as Error).message);
        }
      },
    },
  ];
}
