import { Config, type StackContext } from "sst/constructs";
import { applyNagSuppressions, type FunctionWiring } from "./shared";

/**
 * Every secret the functions read, as SST `Config.Secret`s (`npx sst secrets set <NAME> <value>`).
 * Add a name here and every function is bound to it.
 */
export const SECRET_NAMES = ["OPERATOR_API_KEY"] as const;

export type SecretName = (typeof SECRET_NAMES)[number];

export function Secrets({ stack }: StackContext) {
  const secrets = Config.Secret.create(stack, ...SECRET_NAMES) as Record<SecretName, Config.Secret>;
  // Binding grants ssm:GetParameters on the secret's parameter and lets `sst/node/config` fetch it.
  const wiring: FunctionWiring = { bind: Object.values(secrets) };
  applyNagSuppressions(stack);
  return { secrets, wiring };
}
