import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context, ScheduledEvent } from "aws-lambda";
import { logger } from "../util/logger";

/** Wraps a schedule target (EventBridge `Scheduled Event`) with the shared logger. */
export function scheduledJob(fn: (event: ScheduledEvent) => Promise<void>) {
  return middy<ScheduledEvent, void, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      await fn(event);
    });
}
