import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { type ApiFunctionRouteProps, Api as SstApi, type StackContext, use } from "sst/constructs";
import { manifest, type RouteDefinition } from "../manifest";
import { Queues } from "./queues";
import { SEALED_SECRETS_ACTIONS } from "./sealed-secrets";
import { applyNagSuppressions, applyWiring } from "./shared";
import { Storage } from "./storage";

export { SEALED_SECRETS_ACTIONS } from "./sealed-secrets";

/** The `${method} ${path}` route key SST and API Gateway use for a manifest route. */
export function routeKey(route: Pick<RouteDefinition, "method" | "path">): string {
  return `${route.method} ${route.path}`;
}

/** The HTTP API: one route per `manifest.routes` entry, each with its own Lambda. */
export function Api({ stack }: StackContext) {
  applyWiring(stack, use(Queues).wiring);
  const { secretsKey } = use(Storage);

  const routes: Record<string, ApiFunctionRouteProps> = {};
  for (const route of manifest.routes as readonly RouteDefinition[]) {
    const key = routeKey(route);
    if (routes[key]) throw new Error(`duplicate route "${key}"`);
    routes[key] = {
      function: {
        handler: route.handler,
        ...(route.timeoutSeconds !== undefined ? { timeout: route.timeoutSeconds } : {}),
        ...(route.memoryMB !== undefined ? { memorySize: route.memoryMB } : {}),
        ...(route.sealedSecrets
          ? {
              permissions: [
                new PolicyStatement({
                  actions: [...SEALED_SECRETS_ACTIONS[route.sealedSecrets]],
                  resources: [secretsKey.keyArn],
                }),
              ],
            }
          : {}),
      },
    };
  }

  const api = new SstApi(stack, "Api", {
    // The admin console (stacks/console.ts) calls this API from its CloudFront origin. Any origin may:
    // callers authenticate with a bearer token in `Authorization`, never a cookie, so a page on
    // another origin gains nothing a script with the token could not do anyway. Naming the console's
    // origin here would make the two stacks depend on each other (it is built with this API's URL).
    cors: {
      allowOrigins: ["*"],
      allowHeaders: ["authorization", "content-type"],
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      allowCredentials: false,
      maxAge: "1 day",
    },
    accessLog: { retention: "one_month" },
    routes,
  });

  stack.addOutputs({ ApiUrl: api.url });
  applyNagSuppressions(stack);
  return { api };
}
