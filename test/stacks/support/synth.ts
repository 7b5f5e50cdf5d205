/**
 * Offline synth of the real SST app for the stack tests (see docs/stacks.md).
 *
 * `initProject` must be given a stage (without one it prompts on stdin). It loads sst.config.ts itself
 * and keeps process-global state, so each test file synthesizes one stage, once, in `beforeAll`.
 */
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { Aspects, Stack as CdkStack } from "aws-cdk-lib/core";
import { AwsSolutionsChecks } from "cdk-nag";
import { App, getStack, Function as SstFunction, type Stack as SstStack } from "sst/constructs";
import { initProject } from "sst/project.js";
import { config, stacks } from "../../../sst.config";
import { Api } from "../../../stacks/api";
import { Console } from "../../../stacks/console";
import { Events } from "../../../stacks/events";
import { Queues } from "../../../stacks/queues";
import { Schedules } from "../../../stacks/schedules";
import { Secrets } from "../../../stacks/secrets";
import { Storage } from "../../../stacks/storage";
import { Streams } from "../../../stacks/streams";
import type { CfnTemplate } from "./template";

export const STACKS = { Storage, Secrets, Events, Queues, Streams, Api, Console, Schedules } as const;
export type StackKey = keyof typeof STACKS;

export interface SynthesizedApp {
  app: App;
  stage: string;
  /** The prefix of physical names: `<stage>-kith-`. */
  prefix: string;
  stacks: Record<StackKey, SstStack>;
  templates: Record<StackKey, Template>;
  /** Raw templates by CloudFormation stack name, for following cross-stack imports. */
  byStackName: Map<string, CfnTemplate>;
  /**
   * `stackName/logicalId` of every SST Function → the handler reference SST will bundle, read from the
   * construct (`getConstructMetadata().data.handler`, what SST writes into its SSTMetadata output). Before
   * `app.finish()` the template's own `Handler` is only SST's `index.placeholder`.
   */
  handlers: Map<string, string>;
}

export interface SynthOptions {
  stage: string;
  /** Apply cdk-nag's AwsSolutions pack to the whole app before synthesis. */
  nag?: boolean;
  /**
   * Run SST's deferred tasks first (`app.finish()`): esbuild bundles every handler (offline under
   * NODE_ENV=test) and the template's `Handler` becomes the real one. CDK forbids changing the tree
   * after a synth, so this happens before any template is read.
   */
  bundle?: boolean;
}

/** Builds the real app from sst.config.ts's `stacks()` and synthesizes every stack once. */
export async function synthesize({
  stage,
  nag = false,
  bundle = false,
}: SynthOptions): Promise<SynthesizedApp> {
  process.env.SST_TELEMETRY_DISABLED = "1";
  await initProject({ stage });
  const { name, region } = config();
  const app = new App({ mode: "deploy", stage, name, region });
  if (nag) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true, reports: false }));
  stacks(app);
  if (bundle) await app.finish();

  const stackEntries = (Object.keys(STACKS) as StackKey[]).map(
    (key) => [key, getStack(STACKS[key])] as const,
  );
  const stackMap = Object.fromEntries(stackEntries) as Record<StackKey, SstStack>;
  const templates = Object.fromEntries(
    stackEntries.map(([key, stack]) => [key, Template.fromStack(stack)]),
  ) as Record<StackKey, Template>;
  const byStackName = new Map<string, CfnTemplate>(
    stackEntries.map(([key, stack]) => [stack.stackName, templates[key].toJSON() as CfnTemplate]),
  );
  const handlers = new Map<string, string>();
  for (const construct of app.node.findAll()) {
    if (!(construct instanceof SstFunction)) continue;
    const stack = CdkStack.of(construct);
    const logicalId = stack.resolve((construct.node.defaultChild as CfnFunction).logicalId) as string;
    const handler = construct.getConstructMetadata().data.handler;
    if (handler) handlers.set(`${stack.stackName}/${logicalId}`, handler);
  }
  return {
    app,
    stage,
    prefix: `${app.stage}-${app.name}-`,
    stacks: stackMap,
    templates,
    byStackName,
    handlers,
  };
}

/** Every unsuppressed AwsSolutions finding (errors and warnings) per stack, as readable lines. */
export function nagFindings(synth: SynthesizedApp): string[] {
  const findings: string[] = [];
  for (const stack of Object.values(synth.stacks)) {
    const annotations = Annotations.fromStack(stack);
    const pattern = Match.stringLikeRegexp("(AwsSolutions-|CdkNagValidationFailure).*");
    for (const [level, messages] of [
      ["error", annotations.findError("*", pattern)],
      ["warning", annotations.findWarning("*", pattern)],
    ] as const) {
      for (const message of messages) findings.push(`${level} ${message.id}: ${String(message.entry.data)}`);
    }
  }
  return findings;
}
