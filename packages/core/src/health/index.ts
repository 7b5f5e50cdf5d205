import { env } from "../config";
import { db } from "../storage";

export interface HealthReport {
  status: "ok" | "degraded";
  checks: { table: "ok" | "unreachable" };
  stage: string;
}

/**
 * A cheap liveness probe for load balancers and smoke tests: one strongly-consistent GetItem on a
 * key that never exists, which proves the table is reachable with this function's permissions.
 */
export async function check(): Promise<HealthReport> {
  let table: HealthReport["checks"]["table"] = "ok";
  try {
    await db.get({ Key: { pk: "HEALTH", sk: "HEALTH" }, ConsistentRead: true });
  } catch {
    table = "unreachable";
  }
  return {
    status: table === "ok" ? "ok" : "degraded",
    checks: { table },
    stage: env.stage(),
  };
}
export * as Routes from "./routes";
