import { SECRET_NAMES } from "@kith/core/config";
import { Config, type StackContext } from "sst/constructs";
import { applyNagSuppressions, type FunctionWiring } from "./shared";

export { SECRET_NAMES };

/**
 * Every secret the functions read (`SECRET_NAMES` in core config), as SST `Config.Secret`s
 * (`npx sst secrets set <NAME> <value>`), bound to every function.
 */
export function Secrets({ stack }: StackContext) {
  const secrets = Config.Secret.create(stack, ...SECRET_NAMES) as Record<
    (typeof SECRET_NAMES)[number],
    Config.Secret
  >;
  // Binding sets SST_Secret_value_<NAME>=__FETCH_FROM_SSM__ and grants ssm:GetParameters on the
  // secret's stage and fallback parameters; config/ssm.ts fetches them (not `sst/node/config`).
  const wiring: FunctionWiring = { bind: Object.values(secrets) };
  applyNagSuppressions(stack);
  return { secrets, wiring };
}
