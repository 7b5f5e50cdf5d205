import * as Health from "@kith/core/health";
import { httpRoute } from "@kith/core/lambda";

export const handler = httpRoute({ auth: "none" }, async () => {
  const report = await Health.check();
  return { status: report.status === "ok" ? 200 : 503, body: report };
});
