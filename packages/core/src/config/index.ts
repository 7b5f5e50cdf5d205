/**
 * Runtime configuration read from the environment. The stacks and the local runtime both set
 * these names (docs/operations.md lists them), so core code never knows where it runs.
 */

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export const env = {
  /** The single DynamoDB table. */
  tableName: () => required("KITH_TABLE_NAME"),
  /** The custom EventBridge bus that carries domain events. */
  eventBusName: () => required("KITH_EVENT_BUS_NAME"),
  /** The deployment stage, for log context. */
  stage: () => process.env.KITH_STAGE ?? "local",
  /** Unset means no operator access at all, never an empty key that matches an empty header. */
  operatorApiKey: () => process.env.OPERATOR_API_KEY || undefined,
};
