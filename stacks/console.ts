import { type StackContext, StaticSite, use } from "sst/constructs";
import { type ConsoleDefinition, type Manifest, manifest } from "../manifest";
import { Api } from "./api";
import { applyNagSuppressions, CONSOLE_NAG_SUPPRESSIONS } from "./shared";

/**
 * The admin console: an SST `StaticSite` (S3 behind CloudFront) built from the manifest's `console`
 * entry, with the API's URL in its build environment, so the browser code calls the API directly
 * (the API allows any origin; stacks/api.ts says why). Every path the site does not have answers
 * index.html, the single-page app's own routing.
 */
export function Console({ stack }: StackContext) {
  const { api } = use(Api);
  const definition: ConsoleDefinition | undefined = (manifest as Manifest).console;
  // A manifest without a console (a test's own) deploys none.
  if (!definition) {
    applyNagSuppressions(stack);
    return { site: undefined };
  }
  const site = new StaticSite(stack, "Console", {
    path: definition.path,
    buildCommand: definition.buildCommand,
    buildOutput: definition.buildOutput,
    errorPage: "redirect_to_index_page",
    environment: { [definition.apiUrlEnv]: api.url },
    // SST writes the build variables' types here on every synth; the committed file matches.
    vite: { types: "src/sst-env.d.ts" },
    cdk: { bucket: { enforceSSL: true } },
  });
  stack.addOutputs({ ConsoleUrl: site.url ?? "" });
  applyNagSuppressions(stack, CONSOLE_NAG_SUPPRESSIONS);
  return { site };
}
