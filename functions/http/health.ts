import * as Health from "@kith/core/health";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute(Health.Routes.getHealth)(async () => {
  const report = await Health.check();
  return report.status === "ok" ? { status: 200, body: report } : { status: 503, body: report };
});
