/**
 * What every stack shares: the stage rule for data retention, resource name prefixes, the wiring that
 * every Lambda receives, and the cdk-nag suppressions (with their reasons) applied to every stack.
 */
import { NagSuppressions } from "cdk-nag";
import type { App, FunctionProps, Stack } from "sst/constructs";
import { Function as SstFunction } from "sst/constructs";

/** Stages that are torn down and rebuilt freely; every other stage keeps its data. */
export const EPHEMERAL_STAGES: readonly string[] = ["dev", "test"];

/**
 * Whether a stage's stateful resources (the table) are retained and deletion-protected.
 *
 * Fail safe: everything retains unless it is known to be throwaway, i.e. `sst dev`, a stage listed in
 * {@link EPHEMERAL_STAGES}, or a pull-request preview stage named `pr-<n>`. So `prod`, `staging` and any
 * stage nobody thought about keep their table on `sst remove` and cannot be deleted by accident.
 */
export function retainsData(app: Pick<App, "mode" | "stage">): boolean {
  if (app.mode === "dev") return false;
  if (EPHEMERAL_STAGES.includes(app.stage)) return false;
  return !app.stage.startsWith("pr-");
}

/** `<stage>-<app>-`: the prefix of every physical name, so stages never collide in one account. */
export function namePrefix(app: Pick<App, "stage" | "name">): string {
  return `${app.stage}-${app.name}-`;
}

/**
 * What a stack hands every Lambda: environment variables, IAM statements and SST bindings.
 * Stacks compose these with {@link mergeWiring}; function stacks apply them with {@link applyWiring}.
 */
export type FunctionWiring = Pick<FunctionProps, "environment" | "permissions" | "bind">;

export function mergeWiring(...parts: FunctionWiring[]): FunctionWiring {
  return parts.reduce<FunctionWiring>((merged, part) => {
    const next = SstFunction.mergeProps(merged, part);
    return { environment: next.environment, permissions: next.permissions, bind: next.bind };
  }, {});
}

/** Makes `wiring` a default of every function created in `stack` afterwards. */
export function applyWiring(stack: Stack, wiring: FunctionWiring): void {
  if (wiring.environment) stack.addDefaultFunctionEnv(wiring.environment);
  if (wiring.permissions) stack.addDefaultFunctionPermissions(wiring.permissions);
  if (wiring.bind) stack.addDefaultFunctionBinding(wiring.bind);
}

/** Builds an SST construct id from a manifest name: SST ids allow letters, digits, `-` and `_` only. */
export function constructId(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_-]/g, "_");
  return /^[A-Za-z]/.test(id) ? id : `x${id}`;
}

/**
 * The AwsSolutions findings that are accepted for this architecture, with the reason for each.
 * Applied to every stack by {@link applyNagSuppressions}; anything not listed here fails the stack tests.
 */
export const NAG_SUPPRESSIONS = [
  {
    id: "AwsSolutions-IAM4",
    reason:
      "Every Lambda role (ours, SST's per-stack custom-resource handler, CDK's log-retention helper) carries " +
      "the AWS managed AWSLambdaBasicExecutionRole, which grants only CloudWatch Logs writes to the function's " +
      "own log group; an inline copy would be the same three actions.",
    appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
  },
  {
    id: "AwsSolutions-IAM5",
    reason:
      "Wildcards that cannot be narrowed: `<table>/index/*` lets functions Query the table's GSIs (all of them " +
      "serve access paths); `*` is the only resource X-Ray's PutTraceSegments/PutTelemetryRecords and " +
      "DynamoDB's ListStreams (granted to a stream consumer by CDK's DynamoEventSource) accept, and the one " +
      "CDK's log-retention helper uses for logs:Put/DeleteRetentionPolicy. The stack tests fail if any other " +
      "action is granted on `*` (checkWildcardResources).",
    appliesTo: [{ regex: "/^Resource::.*\\/index\\/\\*$/g" }, "Resource::*"],
  },
  {
    id: "AwsSolutions-L1",
    reason:
      "nodejs22.x is the project's deliberate Lambda runtime (docs/architecture.md) although this CDK version " +
      "knows nodejs24.x; SST 2.49's own per-stack custom-resource handler pins nodejs22.x as well.",
  },
  {
    id: "AwsSolutions-APIG4",
    reason:
      "Routes authenticate in the handler, as each manifest route's `auth` says: `bearer` routes check an " +
      "operator key or kith_ token, `webhook` routes verify the provider's signature on the raw body, and " +
      "`none` routes (health, OAuth callbacks) are public by design. An API Gateway authorizer cannot verify " +
      "raw-body signatures.",
  },
] as const;

type NagSuppression = { id: string; reason: string; appliesTo?: readonly (string | { regex: string })[] };

/**
 * Findings accepted for the console's stack only (an SST `StaticSite`: a private S3 bucket behind
 * CloudFront, holding the console's public build output, no data).
 */
export const CONSOLE_NAG_SUPPRESSIONS: readonly NagSuppression[] = [
  {
    id: "AwsSolutions-S1",
    reason:
      "The bucket holds only the console's build output (public HTML, JS and CSS, replaced on every deploy) and " +
      "is read only by CloudFront; access logs would record nothing but deployments and CloudFront's fetches.",
  },
  {
    id: "AwsSolutions-CFR1",
    reason:
      "The console is a public static page whose every call needs a bearer token; no geographic restriction applies.",
  },
  {
    id: "AwsSolutions-CFR2",
    reason:
      "The distribution serves static files only; the API it calls is API Gateway, where throttling and " +
      "authentication apply. A WAF web ACL is an operator's choice per stage (docs/stacks.md).",
  },
  {
    id: "AwsSolutions-CFR3",
    reason: "Access logs of static files would record only page loads; the API keeps its own access log.",
  },
  {
    id: "AwsSolutions-CFR4",
    reason:
      "Without a custom domain the distribution uses CloudFront's default certificate, whose minimum protocol " +
      "CloudFront fixes at TLSv1; with `customDomain` SST sets TLSv1.2_2021.",
  },
  {
    id: "AwsSolutions-CFR7",
    reason:
      "SST 2's StaticSite reads its bucket through an origin access identity; origin access control needs SST 3.",
  },
];

/**
 * Applies {@link NAG_SUPPRESSIONS} (and a stack's own, when it has any) to every resource of
 * `stack`; every stack function calls this.
 */
export function applyNagSuppressions(stack: Stack, own: readonly NagSuppression[] = []): void {
  const all: readonly NagSuppression[] = [...NAG_SUPPRESSIONS, ...own];
  NagSuppressions.addStackSuppressions(
    stack,
    all.map((s) => ({ ...s, appliesTo: s.appliesTo ? [...s.appliesTo] : undefined })),
    true,
  );
}
