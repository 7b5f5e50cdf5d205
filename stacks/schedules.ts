import { Cron, type StackContext, use } from "sst/constructs";
import { manifest, type ScheduleDefinition } from "../manifest";
import { Queues } from "./queues";
import { applyNagSuppressions, applyWiring, constructId } from "./shared";

/** One EventBridge schedule rule per `manifest.schedules` entry, targeting its handler. */
export function Schedules({ stack }: StackContext) {
  applyWiring(stack, use(Queues).wiring);

  const crons = new Map<string, Cron>();
  for (const schedule of manifest.schedules as readonly ScheduleDefinition[]) {
    if (crons.has(schedule.name)) throw new Error(`duplicate schedule "${schedule.name}"`);
    const cron = new Cron(stack, constructId(schedule.name), {
      schedule: `cron(${schedule.cron})`,
      job: {
        function: {
          handler: schedule.handler,
          ...(schedule.timeoutSeconds !== undefined ? { timeout: schedule.timeoutSeconds } : {}),
        },
      },
    });
    crons.set(schedule.name, cron);
  }

  applyNagSuppressions(stack);
  return { crons };
}
